"""Controlled copies: manual issue stamps every page of the released PDF (read back with pypdf), the signed
original still verifies, control/distribution.yaml records the issue and manual recall the return.  A copy
is byte-identical when made twice; a copy of a signed edition keeps the signature of the signed revision
and ``manual verify COPY`` names it; ``manual release`` freezes control/ but for the copies."""
from __future__ import annotations

import hashlib
import json
import shutil

import pytest
import yaml
from pypdf import PdfReader

from conftest import MINIMAL, copy_manual, run_cli
from test_editions_signing import make_p12
from generator.publishers.release import verify_pdf
from generator.rules.check import check


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    root = copy_manual(MINIMAL, tmp_path_factory.mktemp("copies") / "m")
    result = run_cli("release", "2020.1", "--date", "2020-03-01", "--root", root)
    assert result.returncode == 0, result.stderr
    return root


def test_issue_stamps_every_page_and_records_the_register(released):
    root = released
    original = (root / "editions/2020.1/manual.pdf").read_bytes()
    (root / "control").mkdir(exist_ok=True)
    (root / "control/distribution.yaml").write_text("# 登记表：保留这行注释\ncopies:\n", encoding="utf-8")
    result = run_cli("issue", "2020.1", "--to", "业务经理", "--copies", "2", "--date", "2020-03-05", "--root", root)
    assert result.returncode == 0, result.stderr
    text = (root / "control/distribution.yaml").read_text(encoding="utf-8")
    assert text.startswith("# 登记表：保留这行注释\n")
    copies = yaml.safe_load(text)["copies"]
    assert [(c["edition"], c["copy"], c["holder"], str(c["issued"])) for c in copies] == [
        ("2020.1", 1, "业务经理", "2020-03-05"), ("2020.1", 2, "业务经理", "2020-03-05")]
    for c in copies:
        pdf = root / c["file"]
        assert hashlib.sha256(pdf.read_bytes()).hexdigest() == c["sha256"]
        pages = PdfReader(str(pdf)).pages
        assert len(pages) == len(PdfReader(str(root / "editions/2020.1/manual.pdf")).pages)
        for page in pages:
            words = page.extract_text().replace(" ", "")
            assert "受控文件" in words and f"分发号：{c['copy']:02d}" in words and "持有人：业务经理" in words
    assert (root / "editions/2020.1/manual.pdf").read_bytes() == original
    verify = run_cli("verify", "--edition", "2020.1", "--root", root)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    _, findings = check(root)
    assert [f for f in findings if f.rule.startswith("copy-")] == []


def test_issue_refuses_an_unknown_holder_and_edition(released):
    bad = run_cli("issue", "2020.1", "--to", "销售总监", "--root", released)
    assert bad.returncode == 2 and "销售总监" in bad.stderr and "Traceback" not in bad.stderr
    missing = run_cli("issue", "2099.9", "--to", "业务经理", "--root", released)
    assert missing.returncode == 2 and "2099.9" in missing.stderr


def test_recall_records_the_return(released):
    root = released
    if not (root / "control/distribution.yaml").exists():
        run_cli("issue", "2020.1", "--to", "业务经理", "--date", "2020-03-05", "--root", root)
    result = run_cli("recall", "2020.1", "--copy", "1", "--date", "2020-07-02", "--root", root)
    assert result.returncode == 0, result.stderr
    copies = yaml.safe_load((root / "control/distribution.yaml").read_text(encoding="utf-8"))["copies"]
    assert str(copies[0]["recalled"]) == "2020-07-02"
    again = run_cli("recall", "2020.1", "--copy", "1", "--root", root)
    assert again.returncode == 2 and "Traceback" not in again.stderr
    unknown = run_cli("recall", "2020.1", "--copy", "99", "--root", root)
    assert unknown.returncode == 2


def test_a_copy_made_twice_is_byte_identical(released, tmp_path):
    """The same edition, copy number, holder and date give the same bytes (two manuals, two runs)."""
    made = []
    for name in ("a", "b"):
        root = tmp_path / name
        shutil.copytree(released, root)
        for path in root.rglob("*"):
            path.chmod(path.stat().st_mode | 0o200)
        shutil.rmtree(root / "control", ignore_errors=True)
        result = run_cli("issue", "2020.1", "--to", "业务经理", "--date", "2020-03-05", "--root", root)
        assert result.returncode == 0, result.stderr
        made.append((root / "control/copies/2020.1/2020.1-01.pdf").read_bytes())
    assert made[0] == made[1]
    assert made[0].startswith((released / "editions/2020.1/manual.pdf").read_bytes())  # an incremental update


@pytest.fixture(scope="module")
def signed_copy(tmp_path_factory):
    base = tmp_path_factory.mktemp("signed-copies")
    root = copy_manual(MINIMAL, base / "m")
    p12, pem, password = make_p12(base)
    result = run_cli("release", "2020.1", "--date", "2020-03-01", "--sign", p12, "--root", root,
                     env={"MANUAL_SIGN_PASSWORD": password.decode()})
    assert result.returncode == 0, result.stderr
    result = run_cli("issue", "2020.1", "--to", "业务经理", "--copies", "2", "--date", "2020-03-05", "--root", root)
    assert result.returncode == 0, result.stderr
    return root, pem


def test_a_copy_of_a_signed_edition_keeps_the_signature_of_the_signed_revision(signed_copy):
    root, pem = signed_copy
    original = root / "editions/2020.1/manual.pdf"
    copy = root / "control/copies/2020.1/2020.1-02.pdf"
    [signature] = verify_pdf(copy)
    assert signature["intact"] and signature["valid"]
    assert signature["signed_bytes"] == original.stat().st_size and not signature["whole_file"]
    for page in PdfReader(str(copy)).pages:
        assert "分发号：02" in page.extract_text().replace(" ", "")
    result = run_cli("verify", copy, "--root", root, "--trust", pem, "--lang", "en")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "copy 2 of edition 2020.1, held by 业务经理" in result.stdout
    assert "the original signature covers the whole revision released as edition 2020.1 and is intact" in result.stdout
    assert result.stdout.strip().splitlines()[-1].endswith("is controlled copy 2 of edition 2020.1; the original within it is intact")
    assert run_cli("verify", original, "--root", root, "--trust", pem).returncode == 0


def test_a_changed_controlled_copy_is_not_vouched_for(signed_copy, tmp_path):
    root, _ = signed_copy
    data = bytearray((root / "control/copies/2020.1/2020.1-01.pdf").read_bytes())
    original = (root / "editions/2020.1/manual.pdf").stat().st_size
    # a byte of the appended stamp revision: the original is still intact, but no register lists this file,
    # so its signature is read as any file's: changed after signing
    at = data.index(b"ManualMark", original)
    data[at] = ord("W")
    stamped = tmp_path / "changed-stamp.pdf"
    stamped.write_bytes(bytes(data))
    result = run_cli("verify", stamped, "--root", root, "--lang", "en")
    assert result.returncode == 1 and "lists no controlled copy" in result.stdout
    assert "modified after signing" in result.stdout and "FAILED" in result.stdout
    # a byte of the original revision: it is no longer any edition's PDF, and its signature breaks
    data = bytearray((root / "control/copies/2020.1/2020.1-01.pdf").read_bytes())
    data[original // 2] ^= 1
    broken = tmp_path / "changed-original.pdf"
    broken.write_bytes(bytes(data))
    result = run_cli("verify", broken, "--root", root, "--lang", "en")
    assert result.returncode == 1 and "first revision" not in result.stdout and "OK" not in result.stdout


def test_release_freezes_the_control_sources_but_not_the_copies(released, tmp_path):
    root = tmp_path / "m"
    shutil.copytree(released, root)
    for path in root.rglob("*"):
        path.chmod(path.stat().st_mode | 0o200)
    if not (root / "control/distribution.yaml").exists():
        assert run_cli("issue", "2020.1", "--to", "业务经理", "--date", "2020-03-05", "--root", root).returncode == 0
    (root / "control/changes").mkdir(parents=True, exist_ok=True)
    (root / "control/notes.yaml").write_text("# 其他受控清单\nnotes: []\n", encoding="utf-8")
    result = run_cli("release", "2020.2", "--date", "2020-06-01", "--root", root)
    assert result.returncode == 0, result.stdout + result.stderr
    frozen = root / "editions/2020.2/source/control"
    assert (frozen / "distribution.yaml").read_bytes() == (root / "control/distribution.yaml").read_bytes()
    assert (frozen / "notes.yaml").is_file() and not (frozen / "copies").exists()
    manifest = json.loads((root / "editions/2020.2/manifest.json").read_text(encoding="utf-8"))
    assert {"control/distribution.yaml", "control/notes.yaml"} <= set(manifest["source_files"])
    assert not [name for name in manifest["source_files"] if name.startswith("control/copies/")]
    assert run_cli("verify", "--edition", "2020.2", "--root", root).returncode == 0
    # a frozen control file changed after release: verify --edition and edition-integrity both see it
    (frozen / "distribution.yaml").chmod(0o644)
    with open(frozen / "distribution.yaml", "a", encoding="utf-8") as fh:
        fh.write("# 事后改动\n")
    result = run_cli("verify", "--edition", "2020.2", "--root", root, "--lang", "en")
    assert result.returncode == 1 and "source/control/distribution.yaml: CHANGED" in result.stdout
    _, findings = check(root)
    assert [(f.rule, f.path) for f in findings if f.rule == "edition-integrity"] == [
        ("edition-integrity", "editions/2020.2/source/control/distribution.yaml")]


PEOPLE = """people:
  - id: zhangsan
    name: 张三
    roles: [{role: 业务员, from: 2019-01-01}]
  - id: lisi
    name: 李四
    roles: [{role: 业务经理, from: 2018-06-01}]
  - id: wangwu
    name: 王五
    roles: [{role: 总经理, from: 2015-01-01}]
"""


def check_json(root, **env):
    result = run_cli("check", "--root", root, "--format", "json", env=env or None)
    return [(f["rule"], f["line"], f["message"]) for f in json.loads(result.stdout)["findings"]
            if f["path"] == "control/distribution.yaml"]


def test_issue_and_recall_refuse_records_that_cannot_be_true(released, tmp_path):
    """Issue dates not before the release nor after the (pinned) today, a name not a path, only the current
    edition, a holder by their registry name; recall not before the issue nor after today; the register is a
    block list; the check reports hand-written entries of the same kinds (``copy-edition``)."""
    root = tmp_path / "m"
    shutil.copytree(released, root)
    for path in root.rglob("*"):
        path.chmod(path.stat().st_mode | 0o200)
    shutil.rmtree(root / "control", ignore_errors=True)
    (root / "manual/people.yaml").write_text(PEOPLE, encoding="utf-8")
    pinned = {"MANUAL_TODAY": "2020-04-01"}

    def issue(*args, env=pinned):
        return run_cli("issue", *args, "--root", root, env=env)

    early = issue("2020.1", "--to", "张三", "--date", "2020-02-01")
    assert early.returncode == 2 and "2020-03-01" in early.stderr and "Traceback" not in early.stderr
    future = issue("2020.1", "--to", "张三", "--date", "2020-05-01")
    assert future.returncode == 2 and "2020-04-01" in future.stderr
    path = issue("../editions/2020.1", "--to", "张三")
    assert path.returncode == 2 and "不能是路径" in path.stderr
    assert not (root / "control").exists()

    done = issue("2020.1", "--to", "张三", "--copies", "2", "--date", "2020-03-05")
    assert done.returncode == 0, done.stderr
    assert "张三（zhangsan）" in done.stdout
    lines = (root / "control/distribution.yaml").read_text(encoding="utf-8").splitlines()
    assert lines[1] == "copies:" and len(lines) == 4  # one copy a line
    assert [yaml.safe_load(line[4:])["copy"] for line in lines[2:]] == [1, 2]
    assert all(line.startswith("  - {edition: '2020.1'") and "holder: zhangsan" in line for line in lines[2:])

    recall_early = run_cli("recall", "2020.1", "--copy", "1", "--date", "2020-03-01", "--root", root, env=pinned)
    assert recall_early.returncode == 2 and "2020-03-05" in recall_early.stderr
    recall_future = run_cli("recall", "2020.1", "--copy", "1", "--date", "2020-05-01", "--root", root, env=pinned)
    assert recall_future.returncode == 2 and "2020-04-01" in recall_future.stderr
    assert "recalled" not in (root / "control/distribution.yaml").read_text(encoding="utf-8")

    assert run_cli("release", "2020.2", "--date", "2020-06-01", "--root", root).returncode == 0
    superseded = issue("2020.1", "--to", "业务经理", env=None)
    assert superseded.returncode == 2 and "2020.2" in superseded.stderr and "7.5.3" in superseded.stderr
    outstanding = [f for f in check_json(root) if f[0] == "copy-outstanding"]
    assert len(outstanding) == 2 and all("张三（zhangsan）" in f[2] for f in outstanding)

    with open(root / "control/distribution.yaml", "a", encoding="utf-8") as fh:
        fh.write("  - {edition: '2026.9', copy: 1, holder: 业务经理, issued: 2020-06-02}\n"
                 "  - {edition: '2020.2', copy: 1, holder: 业务经理, issued: 2020-05-01}\n"
                 "  - {edition: '2020.2', copy: 2, holder: 业务经理, issued: 2020-06-02, recalled: 2020-06-01}\n"
                 "  - {edition: '2020.2', copy: 3, holder: 业务经理, issued: 2020-06-02, recalled: 2099-01-01}\n")
    found = [f for f in check_json(root, MANUAL_TODAY="2020-07-01") if f[0] == "copy-edition"]
    assert [line for _, line, _ in found] == [5, 6, 7, 8]
    for (_, _, message), words in zip(found, ["没有已发布的版次 2026.9", "早于该版次的发布日期 2020-06-01",
                                              "早于其发放日期 2020-06-02", "晚于今天（2020-07-01）"]):
        assert words in message, message
