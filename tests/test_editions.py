"""Editions end to end: release, change one document, release again; sign and verify."""
from __future__ import annotations

import hashlib
import json
import re

import pytest
from pypdf import PdfReader

from conftest import MINIMAL, copy_manual, run_cli
from test_editions_signing import make_p12

pytestmark = pytest.mark.slow


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def change_0101(root):
    """A real content change with its version bump and revision entry."""
    path = root / "policies" / "0101-2020.md"
    text = path.read_text(encoding="utf-8")
    text = text.replace("业务员每月回访重要客户一次以上。", "业务员每月回访重要客户两次以上。")
    text = text.replace('version: "1.0"\n', 'version: "1.1"\n', 1)
    text = text.replace("  - {version: \"1.0\", date: 2020-02-01, summary: 首次发布, by: 业务部}\n",
                        "  - {version: \"1.0\", date: 2020-02-01, summary: 首次发布, by: 业务部}\n"
                        "  - {version: \"1.1\", date: 2020-06-01, summary: 回访频次提高为每月两次, by: 业务部}\n")
    path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def two_editions(tmp_path_factory):
    root = copy_manual(MINIMAL, tmp_path_factory.mktemp("editions") / "m")
    first = run_cli("release", "2020.1", "--date", "2020-03-01", "--root", root)
    assert first.returncode == 0, first.stderr
    hashes = {p.name: sha(p) for p in (root / "editions" / "2020.1").iterdir() if p.is_file()}
    change_0101(root)
    second = run_cli("release", "2020.2", "--date", "2020-06-15", "--root", root)
    assert second.returncode == 0, second.stderr
    return root, hashes


def test_release_writes_manifest_and_outputs(two_editions):
    root, _ = two_editions
    folder = root / "editions" / "2020.1"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["edition"] == "2020.1" and manifest["previous"] is None
    assert [d["code"] for d in manifest["documents"]] == ["0101-2020", "0102-2020"]
    doc = manifest["documents"][0]
    assert doc["version"] == "1.0" and doc["status"] == "effective"
    assert re.fullmatch(r"[0-9a-f]{64}", doc["source_sha256"])
    assert doc["signoff"]["approved"]["name"] == "王五"
    for name, digest in manifest["outputs"].items():
        assert sha(folder / name) == digest
    assert {"manual.pdf", "manual.docx"} <= set(manifest["outputs"])
    assert (folder / "source" / "policies" / "0101-2020.md").is_file()


def test_second_edition_lists_exactly_the_changed_document_with_redline(two_editions):
    root, _ = two_editions
    changes = json.loads((root / "editions" / "2020.2" / "changes.json").read_text(encoding="utf-8"))
    assert changes["added"] == [] and changes["removed"] == []
    assert [(c["code"], c["old_version"], c["new_version"]) for c in changes["changed"]] == [("0101-2020", "1.0", "1.1")]
    marks = [part for line in changes["changed"][0]["redline"] if line["op"] != "equal" for part in line["parts"]]
    assert ["delete", "一"] in marks and ["insert", "两"] in marks
    text = "".join(page.extract_text() for page in PdfReader(root / "editions" / "2020.2" / "manual.pdf").pages)
    assert "修订记录" in text and "0101-2020" in text and "2020.1" in text


def test_first_edition_is_untouched(two_editions):
    root, hashes = two_editions
    folder = root / "editions" / "2020.1"
    assert {p.name: sha(p) for p in folder.iterdir() if p.is_file()} == hashes


def test_existing_edition_is_never_overwritten(two_editions):
    root, hashes = two_editions
    again = run_cli("release", "2020.1", "--root", root)
    assert again.returncode == 1 and "版次 2020.1 已存在" in again.stderr  # the manual's locale
    again = run_cli("release", "2020.1", "--root", root, "--lang", "en")
    assert again.returncode == 1 and "edition 2020.1 already exists" in again.stderr
    assert {p.name: sha(p) for p in (root / "editions" / "2020.1").iterdir() if p.is_file()} == hashes


def test_release_refuses_a_manual_that_fails_strict_check(tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    path = root / "policies" / "0101-2020.md"
    path.write_text(path.read_text(encoding="utf-8").replace("roles: [业务员]", "roles: [销售部经理]"), encoding="utf-8")
    result = run_cli("release", "2020.1", "--root", root)
    assert result.returncode == 1
    assert "policies/0101-2020.md" in result.stderr and "ref-role" in result.stderr
    assert not (root / "editions" / "2020.1").exists()


def test_interrupted_release_leaves_nothing_behind(tmp_path, monkeypatch):
    from generator.publishers import release as editions
    from generator.publishers.docx import render as docx_pub

    root = copy_manual(MINIMAL, tmp_path / "m")

    def explode(*args, **kwargs):
        raise KeyboardInterrupt  # as if the user pressed Ctrl-C after the PDF was written

    monkeypatch.setattr(docx_pub, "render_edition", explode)
    with pytest.raises(KeyboardInterrupt):
        editions.release(root, "2020.1")
    folder = root / "editions"
    assert not (folder / "2020.1").exists()
    assert [p.name for p in folder.iterdir()] == []


def test_signed_edition_verifies_and_a_flipped_byte_fails(tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    p12, pem, password = make_p12(tmp_path)
    env = {"MANUAL_SIGN_PASSWORD": password.decode()}
    result = run_cli("release", "2020.1", "--sign", p12, "--root", root, env=env)
    assert result.returncode == 0, result.stderr
    assert password.decode() not in result.stdout + result.stderr
    for path in (root / "editions" / "2020.1").rglob("*"):
        if path.is_file():
            assert password not in path.read_bytes()
    pdf = root / "editions" / "2020.1" / "manual.pdf"
    fields = PdfReader(pdf).get_fields()
    assert fields["EditionSignature"]["/FT"] == "/Sig"

    ok = run_cli("verify", pdf, "--edition", "2020.1", "--trust", pem, "--root", root, "--lang", "en")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "hash: OK" in ok.stdout and "intact" in ok.stdout and "trusted" in ok.stdout

    data = bytearray(pdf.read_bytes())
    data[len(data) // 2] ^= 0x01
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(data))
    bad = run_cli("verify", tampered, "--edition", "2020.1", "--trust", pem, "--root", root, "--lang", "en")
    assert bad.returncode == 1
    assert "MISMATCH" in bad.stdout and "FAILED" in bad.stdout
    assert "Traceback" not in bad.stderr
