"""``manual verify`` cannot be fooled: real releases (WeasyPrint, python-docx), real pyHanko signatures.

Two module fixtures release tests/fixtures/minimal once each: unsigned, and signed with a
certificate made here.  Every test tampers with its own copy of the released manual, then runs
``manual verify`` (and ``check``, and the site build) as a user would and reads what it says.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MINIMAL, copy_manual, run_cli
from generator.publishers import release as editions
from test_editions_signing import make_p12

pytestmark = pytest.mark.slow

EDITION = "2020.1"


def writable(root: Path) -> None:
    """Released files are read-only; a test that tampers with them makes its copy writable."""
    for path in root.rglob("*"):
        path.chmod(path.stat().st_mode | stat.S_IWUSR)


def flip(path: Path, offset: int, dest: Path | None = None) -> Path:
    """``path`` with the lowest bit of the byte at ``offset`` flipped (in place, or written to ``dest``)."""
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    dest = dest or path
    dest.write_bytes(bytes(data))
    return dest


def byte_range(pdf: Path) -> list[int]:
    m = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf.read_bytes())
    return [int(x) for x in m.groups()]


@pytest.fixture(scope="module")
def unsigned(tmp_path_factory):
    root = copy_manual(MINIMAL, tmp_path_factory.mktemp("unsigned") / "m")
    result = run_cli("release", EDITION, "--date", "2020-03-01", "--root", root)
    assert result.returncode == 0, result.stderr
    return root


@pytest.fixture(scope="module")
def signed(tmp_path_factory):
    base = tmp_path_factory.mktemp("signed")
    root = copy_manual(MINIMAL, base / "m")
    p12, pem, password = make_p12(base)
    result = run_cli("release", EDITION, "--date", "2020-03-01", "--sign", p12, "--root", root,
                     env={"MANUAL_SIGN_PASSWORD": password.decode()})
    assert result.returncode == 0, result.stderr
    return root, pem


@pytest.fixture
def own(tmp_path):
    """A private, writable copy of a released manual: ``own(root)``."""
    def copy(root: Path) -> Path:
        dest = tmp_path / "own"
        shutil.copytree(root, dest)
        writable(dest)
        return dest
    return copy


def verify(*args, cwd=None):
    return run_cli("verify", *args, "--lang", "en", cwd=cwd)


# -- unsigned editions ---------------------------------------------------------------------------------
def test_an_intact_edition_file_is_found_by_its_path_and_passes(unsigned):
    result = verify("editions/2020.1/manual.pdf", cwd=unsigned)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "hash: OK — manual.pdf of edition 2020.1 matches the manifest" in result.stdout
    assert "signature: none" in result.stdout
    assert result.stdout.rstrip().endswith("OK: editions/2020.1/manual.pdf is as released (it matches its edition manifest)")


def test_a_flipped_byte_anywhere_in_an_unsigned_edition_pdf_fails(unsigned, own):
    root = own(unsigned)
    pdf = root / "editions" / EDITION / "manual.pdf"
    size = pdf.stat().st_size
    for offset in (0, 17, size // 3, size // 2, size - 8, size - 1):
        original = pdf.read_bytes()
        flip(pdf, offset)
        result = editions.verify(root, pdf, lang="en")
        assert result.verdict == "failed" and "hash" in result.failed, (offset, result.lines)
        assert any(line.startswith("hash: MISMATCH — manual.pdf of edition 2020.1") for line in result.lines)
        pdf.write_bytes(original)
    # As the user sees it: no --edition, no --root, run from the manual's folder (the case of issue 22).
    flip(pdf, size // 2)
    result = verify("editions/2020.1/manual.pdf", cwd=root)
    assert result.returncode == 1
    assert "hash: MISMATCH" in result.stdout and "the file was changed after release" in result.stdout
    assert "FAILED: editions/2020.1/manual.pdf — failed check(s): hash" in result.stdout
    assert "OK" not in result.stdout and "Traceback" not in result.stderr
    zh = run_cli("verify", "editions/2020.1/manual.pdf", cwd=root)
    assert zh.returncode == 1 and "哈希：不一致" in zh.stdout and "失败：" in zh.stdout and "未通过以下校验：哈希" in zh.stdout


def test_a_copy_outside_editions_is_found_by_its_hash(unsigned, tmp_path):
    folder = unsigned / "editions" / EDITION
    for name in ("manual.pdf", "manual.docx", "source/policies/0101-2020.md"):
        copy = tmp_path / ("copy-" + Path(name).name)
        shutil.copyfile(folder / name, copy)
        result = verify(copy, "--root", unsigned)
        assert result.returncode == 0, result.stdout + result.stderr
        assert f"hash: OK — found by its SHA-256: the file is {name} of edition 2020.1" in result.stdout
        assert "OK:" in result.stdout
    # From inside the manual's folder, without --root, and checked against the edition named.
    result = verify(tmp_path / "copy-manual.pdf", "--edition", EDITION, cwd=unsigned)
    assert result.returncode == 0, result.stdout


def test_an_unknown_file_is_unverified_never_intact(unsigned, tmp_path):
    other = tmp_path / "manual.pdf"
    import weasyprint

    weasyprint.HTML(string="<p>不是任何版次的文件</p>").write_pdf(other)
    result = verify(other, "--root", unsigned)
    assert result.returncode == 1
    assert "none of the manifests of 1 edition(s) lists this file" in result.stdout
    assert f"UNVERIFIED: no edition manifest lists {other}" in result.stdout
    assert "OK" not in result.stdout and "intact" not in result.stdout
    # Without any manual to look in, the same; in Chinese, its own words.
    alone = run_cli("verify", other, cwd=tmp_path)
    assert alone.returncode == 1 and "未找到手册" in alone.stdout and "未验证：" in alone.stdout
    # With --edition, a file that is not in that edition is a mismatch: the user said where it belongs.
    named = verify(other, "--edition", EDITION, "--root", unsigned)
    assert named.returncode == 1 and "hash: MISMATCH" in named.stdout and "FAILED" in named.stdout


def test_a_file_in_an_edition_folder_that_its_manifest_does_not_list_is_unverified(unsigned, own):
    root = own(unsigned)
    extra = root / "editions" / EDITION / "source" / "policies" / "0199-2020.md"
    extra.write_text("---\ncode: 0199-2020\n---\n", encoding="utf-8")
    result = verify(extra, cwd=root)
    assert result.returncode == 1
    assert "hash: source/policies/0199-2020.md is not in edition 2020.1's manifest" in result.stdout
    assert "UNVERIFIED" in result.stdout
    manifest = verify(root / "editions" / EDITION / "manifest.json", cwd=root)
    assert manifest.returncode == 1 and "this is the manifest of edition 2020.1 itself" in manifest.stdout


# -- signed editions -----------------------------------------------------------------------------------
def test_an_intact_signed_edition_passes_with_whole_file_coverage(signed):
    root, pem = signed
    result = verify("editions/2020.1/manual.pdf", "--trust", pem, cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "hash: OK" in result.stdout
    assert "signature EditionSignature: intact, valid, trusted" in result.stdout
    assert "the signed byte range is the whole file but the signature's own /Contents" in result.stdout
    start, len1, start2, len2 = byte_range(root / "editions" / EDITION / "manual.pdf")
    assert start == 0 and start2 + len2 == (root / "editions" / EDITION / "manual.pdf").stat().st_size


def test_a_flipped_byte_in_the_signed_range_fails_both_checks(signed, own):
    root, pem = signed
    root = own(root)
    pdf = root / "editions" / EDITION / "manual.pdf"
    _, len1, _, _ = byte_range(pdf)
    flip(pdf, len1 // 2)
    result = verify("editions/2020.1/manual.pdf", "--trust", pem, cwd=root)
    assert result.returncode == 1
    assert "hash: MISMATCH" in result.stdout and "NOT INTACT" in result.stdout
    assert "failed check(s): hash, signature" in result.stdout
    # The same bytes elsewhere: no manifest lists them, and the signature fails on its own.
    copy = flip(signed[0] / "editions" / EDITION / "manual.pdf", len1 // 2, root.parent / "copy.pdf")
    result = verify(copy, "--trust", pem, "--root", signed[0])
    assert result.returncode == 1 and "NOT INTACT" in result.stdout
    assert "failed check(s): signature" in result.stdout


def test_a_flipped_byte_in_the_signature_padding_fails(signed, own):
    root, pem = signed
    root = own(root)
    pdf = root / "editions" / EDITION / "manual.pdf"
    _, len1, start2, _ = byte_range(pdf)
    data = pdf.read_bytes()
    assert data[len1:len1 + 1] == b"<" and data[start2 - 1:start2] == b">"
    offset = start2 - 10  # inside /Contents, in the zeros after the CMS signature
    assert data[offset:offset + 1] == b"0"
    flip(pdf, offset)  # '0' → '1': still hex, still outside the signed byte range
    result = verify("editions/2020.1/manual.pdf", "--trust", pem, cwd=root)
    assert result.returncode == 1
    # pyHanko's checks hold (the padding is not signed), so the padding check and the manifest say it.
    assert "signature EditionSignature: intact, valid, trusted" in result.stdout
    assert "signature padding: CHANGED" in result.stdout
    assert "hash: MISMATCH" in result.stdout
    assert "failed check(s): hash, signature" in result.stdout
    copy = root.parent / "padding.pdf"
    shutil.copyfile(pdf, copy)
    result = verify(copy, "--root", root)
    assert result.returncode == 1 and "signature padding: CHANGED" in result.stdout
    assert "failed check(s): signature" in result.stdout


def test_a_modification_appended_after_signing_is_reported(signed, tmp_path):
    """An incremental update (a note added on the cover) keeps the signed revision intact: pyHanko's
    coverage and modification level say the file changed after signing."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    root, pem = signed
    changed = tmp_path / "annotated.pdf"
    with open(root / "editions" / EDITION / "manual.pdf", "rb") as fh:
        writer = IncrementalPdfFileWriter(fh, strict=False)
        page = writer.root["/Pages"]["/Kids"][0].get_object()
        note = writer.add_object(generic.DictionaryObject({
            generic.NameObject("/Type"): generic.NameObject("/Annot"),
            generic.NameObject("/Subtype"): generic.NameObject("/Text"),
            generic.NameObject("/Rect"): generic.ArrayObject([generic.NumberObject(v) for v in (10, 10, 40, 40)]),
            generic.NameObject("/Contents"): generic.TextStringObject("作废"),
        }))
        page[generic.NameObject("/Annots")] = generic.ArrayObject(list(page.get("/Annots") or []) + [note])
        writer.update_container(page)
        with open(changed, "wb") as out:
            writer.write(out)
    result = verify(changed, "--trust", pem, "--root", root)
    assert result.returncode == 1
    assert "intact" in result.stdout  # the signed revision itself is untouched …
    assert "signature coverage: INCOMPLETE" in result.stdout and "modified after signing:" in result.stdout
    assert "failed check(s): signature" in result.stdout


def test_a_signed_edition_whose_pdf_lost_its_signature_fails(signed, own, tmp_path):
    root, pem = signed
    root = own(root)
    import weasyprint

    pdf = root / "editions" / EDITION / "manual.pdf"
    weasyprint.HTML(string="<p>unsigned stand-in</p>").write_pdf(pdf)
    result = verify("editions/2020.1/manual.pdf", cwd=root)
    assert result.returncode == 1
    assert "signature: MISSING — the edition was released signed" in result.stdout
    assert "failed check(s): hash, signature" in result.stdout


# -- whole editions: verify --edition, check and the edition site -----------------------------------------
def test_an_edited_frozen_source_fails_verify_check_and_the_edition_site(unsigned, own):
    root = own(unsigned)
    assert verify("--edition", EDITION, "--root", root).returncode == 0
    frozen = root / "editions" / EDITION / "source" / "policies" / "0101-2020.md"
    frozen.write_text(frozen.read_text(encoding="utf-8").replace("每月", "每年"), encoding="utf-8")

    result = verify("--edition", EDITION, "--root", root)
    assert result.returncode == 1
    assert "source/policies/0101-2020.md: CHANGED" in result.stdout
    assert "FAILED: editions/2020.1 — failed check(s): edition files" in result.stdout

    check = run_cli("check", "--strict", "--root", root, "--format", "json")
    assert check.returncode == 1
    found = [(f["rule"], f["path"], f["line"]) for f in json.loads(check.stdout)["findings"]]
    assert found == [("edition-integrity", "editions/2020.1/source/policies/0101-2020.md", 1)]

    # The build stops at the check; the site's own refusal holds without it (nothing is written).
    build = run_cli("build", "site", "--root", root, "--lang", "en")
    assert build.returncode == 1 and "edition-integrity" in build.stderr and "Traceback" not in build.stderr
    assert not (root / "site").exists()
    from generator.errors import SiteBuildError
    from generator.model.build import read_manual
    from generator.publishers.site import render as site_mod

    manual, _ = read_manual(root)
    with pytest.raises(SiteBuildError) as refused:
        site_mod.build_site(manual, out=root / "dist", quiet=True, lang="en")
    assert refused.value.text("en").startswith(
        "editions/2020.1/source/policies/0101-2020.md: edition 2020.1 does not match its manifest (SHA-256 changed)")
    assert "网站未发布" in refused.value.text("zh-CN")
    assert not (root / "site").exists() and not (root / "build").exists()


def test_every_kind_of_change_to_an_edition_folder_is_found(unsigned, own):
    root = own(unsigned)
    folder = root / "editions" / EDITION
    (folder / "manual.docx").unlink()
    (folder / "source" / "policies" / "0199-2020.md").write_text("---\ncode: 0199-2020\n---\n", encoding="utf-8")
    roles = folder / "source" / "manual" / "roles.yaml"
    roles.write_bytes(roles.read_bytes() + b"\n")
    changes = folder / "changes.json"
    changes.write_text(changes.read_text(encoding="utf-8").replace("0101-2020", "0109-2020"), encoding="utf-8")
    result = verify("--edition", EDITION, "--root", root)
    assert result.returncode == 1
    assert "manual.docx: MISSING" in result.stdout
    assert "source/policies/0199-2020.md: ADDED" in result.stdout
    assert "source/manual/roles.yaml: CHANGED" in result.stdout
    assert "changes.json: CHANGED" in result.stdout
    check = run_cli("check", "--root", root, "--format", "json")
    found = sorted((f["rule"], f["path"]) for f in json.loads(check.stdout)["findings"])
    assert found == [("edition-integrity", f"editions/2020.1/{p}") for p in
                     ("changes.json", "manual.docx", "source/manual/roles.yaml", "source/policies/0199-2020.md")]
    # A manifest that cannot be read is an error at the manifest.
    (folder / "manifest.json").write_text("{not json", encoding="utf-8")
    check = run_cli("check", "--root", root, "--format", "json")
    found = [(f["rule"], f["path"]) for f in json.loads(check.stdout)["findings"]]
    assert ("edition-integrity", "editions/2020.1/manifest.json") in found


# -- bad input: one line, the right exit code, no traceback -----------------------------------------------
def test_verify_on_files_that_are_not_pdfs(unsigned, tmp_path):
    text = tmp_path / "notes.pdf"
    text.write_text("这不是 PDF", encoding="utf-8")
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes((unsigned / "editions" / EDITION / "manual.pdf").read_bytes()[:3000])
    for path in (text, truncated):
        result = verify(path, "--root", unsigned)
        assert result.returncode == 1, result.stderr
        assert "signature: cannot be checked — not a readable PDF:" in result.stdout
        assert "failed check(s): signature" in result.stdout
        assert "Traceback" not in result.stderr and result.stderr == ""
    missing = verify(tmp_path / "nowhere.pdf", "--root", unsigned)
    assert missing.returncode == 2 and missing.stderr.strip() == f"manual: {tmp_path / 'nowhere.pdf'}: no such file"
    bad_trust = verify(unsigned / "editions" / EDITION / "manual.pdf", "--trust", text)
    assert bad_trust.returncode == 2 and "--trust" in bad_trust.stderr and "Traceback" not in bad_trust.stderr
    assert len(bad_trust.stderr.strip().splitlines()) == 1
    nothing = verify("--root", unsigned)
    assert nothing.returncode == 2 and "give a FILE to verify" in nothing.stderr
    unknown = verify("--edition", "2099.9", "--root", unsigned)
    assert unknown.returncode == 2 and "no edition 2099.9" in unknown.stderr and "editions: 2020.1" in unknown.stderr


def release_cli(root: Path, p12: Path, password: str | None, *more):
    """``manual release`` with only the given password in the environment and no terminal to ask at."""
    env = {k: v for k, v in os.environ.items() if k != editions.PASSWORD_ENV}
    env.setdefault("NO_MKDOCS_2_WARNING", "1")
    if password is not None:
        env[editions.PASSWORD_ENV] = password
    return subprocess.run([sys.executable, "-m", "generator", "release", EDITION, "--sign", str(p12),
                           "--root", str(root), *more], env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=600)


@pytest.mark.parametrize("case", ["wrong-password", "random-bytes", "pem-not-p12", "no-password"])
def test_release_with_a_bad_certificate_is_one_line(case, tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    p12, pem, _ = make_p12(tmp_path)
    secret = "Wr0ng-But-Secret"
    password = None if case == "no-password" else secret
    if case == "random-bytes":
        p12 = tmp_path / "random.p12"
        p12.write_bytes(bytes(range(256)) * 4)
    elif case == "pem-not-p12":
        p12 = pem
    result = release_cli(root, p12, password, "--lang", "en")
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("manual: release refused: "), result.stderr
    expected = {"wrong-password": "wrong password", "random-bytes": "not a PKCS#12 file",
                "pem-not-p12": "not a PKCS#12 file", "no-password": "set MANUAL_SIGN_PASSWORD"}[case]
    assert expected in lines[0]
    assert secret not in result.stdout + result.stderr
    assert not (root / "editions").exists() or not any((root / "editions").iterdir())
    zh = release_cli(root, p12, password)
    assert zh.returncode == 2 and zh.stderr.startswith("manual：拒绝发布：") and "Traceback" not in zh.stderr
    assert len(zh.stderr.strip().splitlines()) == 1 and secret not in zh.stderr


def test_a_marked_download_of_an_unsigned_edition_is_a_copy_not_the_edition(unsigned, tmp_path):
    """A copy with the site's 非受控 mark appended: verify finds the edition PDF as its first revision but
    vouches for nothing (no register lists it); a byte changed in that revision and nothing is found."""
    from generator.publishers.stamp import uncontrolled_pdf

    original = unsigned / "editions" / EDITION / "manual.pdf"
    marked = tmp_path / "download.pdf"
    marked.write_bytes(uncontrolled_pdf(original.read_bytes(), "非受控文件"))
    result = verify(marked, "--root", unsigned)
    assert result.returncode == 1, result.stdout
    assert f"this file's first revision is manual.pdf of edition {EDITION}" in result.stdout
    assert "lists no controlled copy" in result.stdout and "UNVERIFIED" in result.stdout
    flipped = flip(marked, original.stat().st_size // 2, tmp_path / "flipped.pdf")
    result = verify(flipped, "--root", unsigned)
    assert result.returncode == 1 and "first revision" not in result.stdout


@pytest.fixture(scope="module")
def controlled(tmp_path_factory):
    from control_fixture import make_controlled_manual

    return make_controlled_manual(tmp_path_factory.mktemp("verify-control") / "m")


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_verify_says_when_a_controlled_copy_is_recalled_or_obsolete(controlled, lang):
    """An intact controlled copy passes (exit 0), but a recalled one says 已回收 (its date) and one of a
    superseded edition 已作废（现行 E）; a copy of the current edition says neither (#21 review B9)."""
    root = controlled
    words = {"zh-CN": ("已回收（2020-04-01）", "已作废（现行 2020.2）"),
             "en": ("recalled (2020-04-01)", "obsolete (current: 2020.2)")}[lang]

    def said(copy: str) -> str:
        result = run_cli("verify", root / "control/copies" / copy, "--root", root, "--lang", lang)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout + result.stderr

    recalled = said("2020.1/2020.1-02.pdf")
    assert words[0] in recalled and words[1] in recalled
    out = said("2020.1/2020.1-01.pdf")
    assert words[1] in out and words[0].split("（")[0].split(" (")[0] not in out
    current = said("2020.2/2020.2-01.pdf")
    assert words[0].split("（")[0].split(" (")[0] not in current and "2020.2）" not in current
    assert "obsolete" not in current and "已作废" not in current
