"""``manual approve``: the round trip, the refusals, and a text edit that keeps the file as it was."""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest
import yaml

from conftest import MINIMAL, copy_manual, run_cli
from generator.authoring.approve import set_signoff
from generator.authoring.yamltext import yaml_scalar

DOC = "policies/0101-2020.md"
FORM = "forms/visit-record.yaml"
SIGNERS = {"prepared": "张三", "reviewed": "李四", "approved": "王五"}
ENV = {"MANUAL_TODAY": "2020-03-01"}


def approve(root, key, step, name=None, *extra):
    return run_cli("approve", key, "--step", step, "--name", name or SIGNERS[step], "--root", root, *extra, env=ENV)


def approve_all(root, key, **dates):
    for step in ("prepared", "reviewed", "approved"):
        extra = ("--date", dates[step]) if step in dates else ()
        result = approve(root, key, step, None, *extra)
        assert result.returncode == 0, result.stdout + result.stderr


def check(root):
    result = run_cli("check", "--root", root, "--format", "json", "--lang", "en", env=ENV)
    return result.returncode, json.loads(result.stdout)["findings"]


def edit(root, rel, old, new):
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(root, rel, needle):
    for n, line in enumerate((root / rel).read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return n
    raise AssertionError(needle)


@pytest.fixture
def signed(tmp_path):
    """A copy of the minimal manual with every sign-off fingerprinted, the manual's own (the cover's) too."""
    root = copy_manual(MINIMAL, tmp_path / "m")
    approve_all(root, "0101-2020", prepared="2020-02-01", reviewed="2020-02-10", approved="2020-02-20")
    approve_all(root, "visit-record", prepared="2020-02-01", reviewed="2020-02-10", approved="2020-02-20")
    approve_all(root, "manual", prepared="2020-02-21", reviewed="2020-02-25", approved="2020-02-28")  # the cover
    return root


def test_round_trip(signed):
    root = signed
    # approve → clean
    assert check(root) == (0, [])
    text = (root / DOC).read_text(encoding="utf-8")
    entries = yaml.safe_load(text.split("---\n")[1])["signoff"]
    assert {e["fingerprint"] for e in entries.values()} == {entries["approved"]["fingerprint"]}
    assert entries["approved"] == {"name": "王五", "role": "总经理", "date": dt.date(2020, 2, 20), "version": "1.0",
                                   "fingerprint": entries["approved"]["fingerprint"]}
    assert "version" not in entries["prepared"] and "version" not in entries["reviewed"]

    # whitespace-only edit → still clean
    edit(root, DOC, "1. 业务员每月回访重要客户一次以上。", "1.  业务员每月回访\n   重要客户一次以上。  \n\n")
    assert check(root) == (0, [])

    # edit a clause → stale, at the sign-off lines, and the version was not raised
    edit(root, DOC, "重要客户一次以上", "重要客户两次以上")
    code, findings = check(root)
    assert code == 1
    stale = {(f["line"], f["column"]) for f in findings if f["rule"] == "approval-stale"}
    assert stale == {(line_of(root, DOC, f"  {step}: "), 3) for step in SIGNERS}
    approved_line = line_of(root, DOC, "  approved: ")
    message = next(f["message"] for f in findings if f["rule"] == "approval-stale" and f["line"] == approved_line)
    assert "2020-02-20" in message and "manual approve 0101-2020 --step approved --name 王五" in message
    assert any(f["rule"] == "version-bump" and f["line"] == line_of(root, DOC, "version:") for f in findings)

    # approve again without a new version → refused, file untouched
    before = (root / DOC).read_bytes()
    refused = approve(root, "0101-2020", "prepared")
    assert refused.returncode == 1 and "version-bump" in refused.stderr and "Traceback" not in refused.stderr
    assert (root / DOC).read_bytes() == before

    # raise the version with a revision entry, approve again → clean
    edit(root, DOC, 'version: "1.0"', 'version: "1.1"')
    edit(root, DOC, "summary: 首次发布, by: 业务部}\n",
         "summary: 首次发布, by: 业务部}\n  - {version: \"1.1\", date: 2020-02-28, summary: 回访改为每月两次, by: 业务部}\n")
    code, findings = check(root)
    assert code == 1 and {f["rule"] for f in findings} == {"approval-stale"}
    approve_all(root, "0101-2020")
    assert check(root) == (0, [])
    entries = yaml.safe_load((root / DOC).read_text(encoding="utf-8").split("---\n")[1])["signoff"]
    assert {e["date"] for e in entries.values()} == {dt.date(2020, 3, 1)}  # MANUAL_TODAY


def signoff_entries(root):
    return yaml.safe_load((root / DOC).read_text(encoding="utf-8").split("---\n")[1])["signoff"]


def bump(root, version, date, old="1.0"):
    edit(root, DOC, f'version: "{old}"', f'version: "{version}"')
    edit(root, DOC, "by: 业务部}\n---", f"by: 业务部}}\n  - {{version: \"{version}\", date: {date}, summary: 改, by: 业务部}}\n---")


def test_a_revision_on_the_day_of_the_approval(tmp_path):
    """Approved today, changed today with a higher version: accepted (the approval records its version)."""
    root = copy_manual(MINIMAL, tmp_path / "m")
    approve_all(root, "visit-record")
    approve_all(root, "manual")  # the cover too: the manual is under fingerprint control
    approve_all(root, "0101-2020")  # all on MANUAL_TODAY, 2020-03-01
    assert signoff_entries(root)["approved"]["version"] == "1.0"
    edit(root, DOC, "重要客户一次以上", "重要客户两次以上")
    bump(root, "1.1", "2020-03-01")
    code, findings = check(root)
    assert code == 1 and {f["rule"] for f in findings} == {"approval-stale"}, findings
    approve_all(root, "0101-2020")  # version-bump would refuse these
    assert check(root) == (0, [])
    assert signoff_entries(root)["approved"]["version"] == "1.1"

    # the same day again, without a new version: the approval of 1.1 is the baseline
    edit(root, DOC, "重要客户两次以上", "重要客户三次以上")
    code, findings = check(root)
    bumps = [f for f in findings if f["rule"] == "version-bump"]
    assert code == 1 and len(bumps) == 1 and bumps[0]["line"] == line_of(root, DOC, "version:")
    assert "1.1" in bumps[0]["message"]


@pytest.mark.parametrize("revised, expect_bump", [
    ("2020-03-01", False),  # 1.0 dated the approval day, 1.1 too: 1.1 came after the approval
    (None, True),  # the same version: still an error
])
def test_an_approval_without_a_recorded_version(tmp_path, revised, expect_bump):
    """Older sign-offs carry no version: the revision history decides when it is unambiguous."""
    root = copy_manual(MINIMAL, tmp_path / "m")
    edit(root, DOC, "{version: \"1.0\", date: 2020-02-01", "{version: \"1.0\", date: 2020-03-01")
    approve_all(root, "visit-record")
    approve_all(root, "manual")  # the cover too: the manual is under fingerprint control
    approve_all(root, "0101-2020")
    edit(root, DOC, ", version: '1.0'", "")  # as `manual approve` wrote it before it recorded versions
    assert "version" not in signoff_entries(root)["approved"]
    assert check(root) == (0, [])
    edit(root, DOC, "重要客户一次以上", "重要客户两次以上")
    if revised:
        bump(root, "1.1", revised)
    code, findings = check(root)
    assert code == 1
    assert any(f["rule"] == "version-bump" for f in findings) == expect_bump, findings


def test_a_version_written_before_the_approval_day_was_approved(tmp_path):
    """History 1.0 (earlier) → 1.1 (before the approval day), approval without a version: it approved 1.1."""
    root = copy_manual(MINIMAL, tmp_path / "m")
    bump(root, "1.1", "2020-02-15")
    approve_all(root, "0101-2020")
    edit(root, DOC, ", version: '1.1'", "")
    edit(root, DOC, "重要客户一次以上", "重要客户两次以上")
    code, findings = check(root)
    assert code == 1 and any(f["rule"] == "version-bump" for f in findings), findings


def test_only_the_signoff_lines_change(tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    path = root / DOC
    text = path.read_text(encoding="utf-8").replace("owner: 业务经理", "owner: 业务经理   # 归口岗位")
    path.write_text(text, encoding="utf-8")
    result = approve(root, "0101-2020", "prepared", "张三", "--date", "2020-02-01")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{DOC}:15: ")
    old, new = text.splitlines(), path.read_text(encoding="utf-8").splitlines()
    assert len(old) == len(new)
    changed = [i + 1 for i, (a, b) in enumerate(zip(old, new)) if a != b]
    assert changed == [15]
    assert re.fullmatch(r"  prepared: \{name: 张三, role: 业务员, date: 2020-02-01, fingerprint: sha256:[0-9a-f]{64}\}",
                        new[14])
    assert "owner: 业务经理   # 归口岗位" in new


def test_crlf_and_bom_are_kept(tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    path = root / DOC
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    assert approve(root, "0101-2020", "prepared", "张三").returncode == 0
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf---\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert b"fingerprint: sha256:" in data


def test_a_form_by_id_or_code(tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    assert approve(root, "0101-F1", "prepared").returncode == 0
    assert approve(root, "visit-record", "reviewed").returncode == 0
    data = yaml.safe_load((root / FORM).read_text(encoding="utf-8"))
    assert data["signoff"]["prepared"]["fingerprint"] == data["signoff"]["reviewed"]["fingerprint"]


def test_a_draft_signed_step_by_step(tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    # 0102-2020 is a draft with only a prepared step
    no_role = approve(root, "0102-2020", "reviewed", "李四")
    assert no_role.returncode == 2 and "--role" in no_role.stderr
    assert approve(root, "0102-2020", "reviewed", "李四", "--role", "业务经理").returncode == 0
    meta = yaml.safe_load((root / "policies/0102-2020.md").read_text(encoding="utf-8").split("---\n")[1])
    assert meta["signoff"]["reviewed"]["role"] == "业务经理"
    assert "fingerprint" not in meta["signoff"]["prepared"]


REFUSALS = [
    ("the preparer approves", ("approved", "张三"), "sod-same-person"),
    ("a role that may not approve", ("approved", "赵六", "--role", "业务员"), "sod-role"),
]


@pytest.mark.parametrize("what,args,rule", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_refusals_leave_the_file_untouched(tmp_path, what, args, rule):
    root = copy_manual(MINIMAL, tmp_path / "m")
    before = (root / DOC).read_bytes()
    result = approve(root, "0101-2020", *args)
    assert result.returncode == 1, what
    assert rule in result.stderr and "Traceback" not in result.stderr
    assert (root / DOC).read_bytes() == before


def test_refused_when_the_document_has_errors(tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    edit(root, DOC, "roles: [业务员]", "roles: [销售部经理]")
    result = approve(root, "0101-2020", "prepared")
    assert result.returncode == 1 and "ref-role" in result.stderr


def test_an_earlier_step_signed_for_other_content_comes_first(signed):
    root = signed
    edit(root, DOC, 'version: "1.0"', 'version: "1.1"')
    edit(root, DOC, "summary: 首次发布, by: 业务部}\n",
         "summary: 首次发布, by: 业务部}\n  - {version: \"1.1\", date: 2020-02-28, summary: 修订, by: 业务部}\n")
    edit(root, DOC, "每月回访", "每周回访")
    result = approve(root, "0101-2020", "approved")
    assert result.returncode == 1
    assert "--step prepared" in result.stderr


def test_usage_errors_exit_2(tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    unknown = approve(root, "0101-2021", "prepared")
    assert unknown.returncode == 2 and "0101-2020" in unknown.stderr  # did you mean
    bad_date = approve(root, "0101-2020", "prepared", "张三", "--date", "2020-13-01")
    assert bad_date.returncode == 2 and "YYYY-MM-DD" in bad_date.stderr
    for result in (unknown, bad_date):
        assert "Traceback" not in result.stderr


# -- the text edit itself ------------------------------------------------------------
ENTRY = {"name": "王五", "role": "总经理", "date": dt.date(2020, 2, 20), "fingerprint": "sha256:" + "0" * 64}

SHAPES = {
    "flow entries": "code: x\nsignoff:\n  prepared: {name: 张三, role: 业务员, date: 2020-02-01}  # 编制\n"
                    "  approved: {name: 旧, role: 总经理, date: 2020-01-01}\nrevisions: []\n",
    "block entries": "code: x\nsignoff:\n  prepared:\n    name: 张三   # 编制人\n    role: 业务员\n\n"
                     "  # 批准\n  approved:\n    name: 旧\n    sample: true\nrevisions: []\n",
    "empty flow": "code: x\nsignoff: {}   # 编制/审核/批准\n#   prepared: {name: , role: , date: }\nrevisions: []\n",
    "empty": "code: x\nsignoff:\nrevisions: []\n",
    "missing": "code: x\nrevisions: []\n",
    "empty step": "code: x\nsignoff:\n  approved:\n  prepared: {name: 张三}\nrevisions: []\n",
}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("step", ["prepared", "reviewed", "approved"])
def test_set_signoff_shapes(shape, step):
    text = SHAPES[shape]
    new = set_signoff(text, step, ENTRY)
    data = yaml.safe_load(new)
    assert data["signoff"][step] == ENTRY
    assert data["revisions"] == [] and data["code"] == "x"
    before = yaml.safe_load(text).get("signoff") or {}
    for other, value in before.items():
        if other != step:
            assert data["signoff"][other] == value
    for comment in re.findall(r"#.*", text):
        assert comment in new  # comments survive


@pytest.mark.parametrize("value", ["王五", "A: B", "#1", "yes", "2020-01-01", " x", "a, b", "{x}", "null", "1.0", "'q'"])
def test_yaml_scalar_reads_back_in_flow_collections(value):
    text = yaml_scalar(value, flow=True)
    assert yaml.safe_load(f"k: {text}") == {"k": value}
    assert yaml.safe_load(f"{{k: {text}}}") == {"k": value}
