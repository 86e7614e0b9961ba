"""The editing loop on the command line: manual revise → manual diff → manual approve (three steps) → clean.

Every step runs the real command in a subprocess on a copy of the shipped manual kept in git, and reads
back what a user sees: the files, the command's output and ``manual check``.  Plus each refusal.
"""
from __future__ import annotations

import json
import os
import pty
import subprocess
import sys

import pytest
import yaml

from conftest import REPO, copy_manual, run_cli

pytestmark = pytest.mark.xdist_group("revise")

DOC = "policies/0110-2014.md"
FORM = "forms/customer-visit-record.yaml"
TODAY = "2026-11-30"
ENV = {"MANUAL_TODAY": TODAY}
SIGNERS = (("prepared", "sample-jia"), ("reviewed", "sample-yi"), ("approved", "sample-bing"))
OLD_CLAUSE = "4. 客服人员在访问大客户时，应及时检查其库存情况"
NEW_CLAUSE = "4. 客服人员在访问大客户时，应及时检查其库存和付款情况"


def git(root, *args):
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"})


@pytest.fixture
def repo(tmp_path):
    """A copy of the shipped manual, committed to a git repository of its own."""
    root = copy_manual(REPO, tmp_path / "m")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "the shipped manual")
    return root


@pytest.fixture
def plain(tmp_path):
    """A copy of the shipped manual outside any git repository."""
    return copy_manual(REPO, tmp_path / "plain")


def cli(root, *args, lang="zh-CN", input=None):
    return run_cli(*args, "--root", root, "--lang", lang, env=ENV, input=input)


def front(root, rel=DOC) -> dict:
    text = (root / rel).read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n")[1] if rel.endswith(".md") else text)


def edit(root, rel, old, new):
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def check(root):
    result = cli(root, "check", "--format", "json", "--lang", "en")
    return result.returncode, json.loads(result.stdout)


def test_the_loop(repo):
    # the edit: an approved clause changes, as HR would change it
    edit(repo, DOC, OLD_CLAUSE, NEW_CLAUSE)
    before = (repo / DOC).read_text(encoding="utf-8")

    done = cli(repo, "revise", "0110-2014", "--summary", "第4条增加付款情况检查", "--class", "substantive")
    assert done.returncode == 0, done.stderr
    assert "1.1 → 1.2" in done.stdout and "in_review" in done.stdout
    meta = front(repo)
    assert meta["version"] == "1.2" and meta["status"] == "in_review" and "effective" not in meta
    assert meta["revisions"][-1] == {"version": "1.2", "date": __import__("datetime").date(2026, 11, 30),
                                     "summary": "第4条增加付款情况检查", "by": "业务部", "class": "substantive"}
    after = (repo / DOC).read_text(encoding="utf-8")
    # only the version, status, effective and a new revision line changed: comments and the rest stay
    removed = set(before.splitlines()) - set(after.splitlines())
    added = set(after.splitlines()) - set(before.splitlines())
    assert removed == {'version: "1.1"', "status: effective", "effective: 2014-05-20"}
    assert added == {'version: "1.2"', "status: in_review",
                     '  - {version: "1.2", date: 2026-11-30, summary: 第4条增加付款情况检查, by: 业务部, class: substantive}'}
    assert after.startswith("---\n# yaml-language-server:")

    diff = cli(repo, "diff", "0110-2014")
    assert diff.returncode == 0, diff.stderr
    changed = [line for line in diff.stdout.splitlines() if line.startswith(("~ ", "+ ", "- "))]
    assert changed == ["~ 4. 客服人员在访问大客户时，应及时检查其库存[+和付款+]情况，发现异样及时采取补救措施。"]
    assert "1.1 → 1.2" in diff.stdout and "批准版本（2014-05-18" in diff.stdout
    assert "共 1 条修改，0 条新增，0 条删除" in diff.stdout

    for step, person in SIGNERS:
        signed = cli(repo, "approve", "0110-2014", "--step", step, "--as", person)
        assert signed.returncode == 0, signed.stdout + signed.stderr
        # what is approved is shown first: the item, the version, the revision and the changes
        assert "0110-2014 客户回访制度，版本 1.2" in signed.stderr
        assert "第4条增加付款情况检查（实质性修改）" in signed.stderr
        assert "1 条修改，0 条新增，0 条删除" in signed.stderr
        if step != "approved":  # mid-change: the old approval is stale (a warning), never an error
            code, report = check(repo)
            assert code == 0 and {f["rule"] for f in report["findings"]} <= {"approval-stale"}, report
    assert "变更已完成：状态 effective，生效日期 2026-11-30" in signed.stdout

    # a substantive change in force: the holder of its owner's post (业务经理) must acknowledge it (阅知)
    code, report = check(repo)
    assert code == 0 and [(f["rule"], f["path"]) for f in report["findings"]] == [
        ("ack-missing", "policies/0110-2014.md")] and "sample-jia" in report["findings"][0]["message"], report
    sheet = repo.parent / "signed.csv"
    sheet.write_text(f"人员,文件,版本,日期\n示例甲,0110-2014,1.2,{TODAY}\n", encoding="utf-8")
    recorded = cli(repo, "ack", "record", sheet)
    assert recorded.returncode == 0, recorded.stderr
    code, report = check(repo)
    assert code == 0 and report["findings"] == [], report
    meta = front(repo)
    assert meta["version"] == "1.2" and meta["status"] == "effective"
    assert str(meta["effective"]) == TODAY and str(meta["signoff"]["approved"]["date"]) == TODAY
    assert meta["signoff"]["approved"]["version"] == "1.2"
    strict = cli(repo, "check", "--strict")
    assert strict.returncode == 0, strict.stderr


def test_revise_before_editing_and_a_form(repo):
    done = cli(repo, "revise", "customer-visit-record", "--summary", "增加回访方式“视频”", "--by", "业务部",
               "--class", "editorial")
    assert done.returncode == 0, done.stderr
    data = front(repo, FORM)
    assert data["version"] == "1.1" and data["status"] == "in_review" and "effective" not in data
    assert data["revisions"][-1]["class"] == "editorial"
    edit(repo, FORM, "options: [上门, 电话, 邮件, 微信]", "options: [上门, 电话, 邮件, 微信, 视频]")
    diff = cli(repo, "diff", "0110-F1", lang="en")
    assert diff.returncode == 0, diff.stderr
    assert "[+ / 视频+]" in diff.stdout and "1 changed, 0 added, 0 deleted" in diff.stdout
    for step, person in SIGNERS:
        assert cli(repo, "approve", "customer-visit-record", "--step", step, "--as", person).returncode == 0
    assert front(repo, FORM)["status"] == "effective"
    code, report = check(repo)
    assert code == 0, report


def test_major_and_a_future_effective_date(repo):
    edit(repo, DOC, OLD_CLAUSE, NEW_CLAUSE)
    assert cli(repo, "revise", "0110-2014", "--summary", "改版", "--major").returncode == 0
    assert front(repo)["version"] == "2.0"
    early = cli(repo, "approve", "0110-2014", "--step", "prepared", "--as", "sample-jia", "--effective", "2027-01-01")
    assert early.returncode == 2 and "--effective 2027-01-01" in early.stderr and "Traceback" not in early.stderr
    for step, person in SIGNERS:
        extra = ("--effective", "2027-01-01") if step == "approved" else ()
        assert cli(repo, "approve", "0110-2014", "--step", step, "--as", person, *extra).returncode == 0
    meta = front(repo)
    assert meta["status"] == "approved" and str(meta["effective"]) == "2027-01-01"
    code, report = check(repo)
    assert code == 0, report


def test_diff_since_a_git_revision_and_nothing_changed(repo):
    same = cli(repo, "diff", "0110-2014")
    assert same.returncode == 0 and "无改动" in same.stdout
    edit(repo, DOC, OLD_CLAUSE, NEW_CLAUSE)
    edit(repo, DOC, "7. 回访结束应感谢客户的支持与配合。\n", "")
    git(repo, "commit", "-qam", "edit")
    head = cli(repo, "diff", "0110-2014", "--since", "HEAD")
    assert head.returncode == 0 and "无改动" in head.stdout
    back = cli(repo, "diff", "0110-2014", "--since", "HEAD~1")
    assert back.returncode == 0, back.stderr
    assert "- [-7. 回访结束应感谢客户的支持与配合。-]" in back.stdout
    assert "共 1 条修改，0 条新增，1 条删除" in back.stdout
    assert "8. 回公司后及时填制" not in back.stdout  # renumbered, not changed


# -- refusals ------------------------------------------------------------------------------------
def test_a_change_already_open_is_refused(repo):
    assert cli(repo, "revise", "0110-2014", "--summary", "一").returncode == 0
    before = (repo / DOC).read_bytes()
    again = cli(repo, "revise", "0110-2014", "--summary", "二")
    assert again.returncode == 1 and "已有未完成的变更（状态 in_review，版本 1.2）" in again.stderr
    en = cli(repo, "revise", "0110-2014", "--summary", "二", lang="en")
    assert en.returncode == 1 and "a change is already open (status in_review, version 1.2)" in en.stderr
    assert (repo / DOC).read_bytes() == before


def test_a_version_bumped_by_hand_is_an_open_change(repo):
    edit(repo, DOC, 'version: "1.1"', 'version: "1.2"')
    before = (repo / DOC).read_bytes()
    result = cli(repo, "revise", "0110-2014", "--summary", "x")
    assert result.returncode == 1 and "版本 1.2 已高于上次批准的版本 1.1" in result.stderr
    assert (repo / DOC).read_bytes() == before


@pytest.mark.parametrize("status", ["draft", "superseded"])
def test_drafts_and_superseded_documents_are_refused(repo, status):
    edit(repo, DOC, "status: effective", f"status: {status}")
    before = (repo / DOC).read_bytes()
    result = cli(repo, "revise", "0110-2014", "--summary", "x")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert ("已作废" if status == "superseded" else "已有未完成的变更") in result.stderr
    assert (repo / DOC).read_bytes() == before


def test_a_version_that_is_no_number_is_refused(repo):
    edit(repo, DOC, 'version: "1.1"', 'version: "v1"')
    result = cli(repo, "revise", "0110-2014", "--summary", "x")
    assert result.returncode == 1 and "“v1”不是版本号" in result.stderr


@pytest.mark.parametrize("args,words", [
    (("0110-2041", "--summary", "x"), "是否应为“0110-2014”"),
    (("manual", "--summary", "x"), "手册本身的签署，不能修订"),
    (("0110-2014", "--summary", "  "), "--summary 不能为空"),
    (("0110-2014", "--summary", "x", "--class", "big"), "--class"),
], ids=["unknown code", "the cover", "empty summary", "unknown class"])
def test_usage_errors(repo, args, words):
    before = (repo / DOC).read_bytes()
    result = cli(repo, "revise", *args)
    assert result.returncode == 2 and words in result.stderr and "Traceback" not in result.stderr
    assert (repo / DOC).read_bytes() == before


def test_diff_without_a_baseline_says_why(plain, repo):
    outside = cli(plain, "diff", "0110-2014")
    assert outside.returncode == 2 and "手册不在 git 仓库中" in outside.stderr
    unknown = cli(plain, "diff", "0110-2014", "--since", "2099.1", lang="en")
    assert unknown.returncode == 2 and "no released edition has that name" in unknown.stderr
    bad_rev = cli(repo, "diff", "0110-2014", "--since", "no-such-rev")
    assert bad_rev.returncode == 2 and "不是 git 修订号" in bad_rev.stderr
    # approved content that was never committed: the history holds no text with its fingerprint
    edit(repo, DOC, OLD_CLAUSE, NEW_CLAUSE)
    assert cli(repo, "revise", "0110-2014", "--summary", "x").returncode == 0
    for step, person in SIGNERS:
        assert cli(repo, "approve", "0110-2014", "--step", step, "--as", person).returncode == 0
    lost = cli(repo, "diff", "0110-2014")
    assert lost.returncode == 2 and "git 历史中没有内容指纹与批准签署相同的版本" in lost.stderr
    assert "Traceback" not in lost.stderr


def _on_a_terminal(root, answer: str, *args):
    """``manual approve`` with its stdin on a pseudo-terminal, answering ``answer``."""
    primary, secondary = pty.openpty()
    env = {**os.environ, **ENV}
    proc = subprocess.Popen([sys.executable, "-m", "generator", "approve", *args, "--root", str(root)],
                            stdin=secondary, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=REPO)
    os.close(secondary)
    os.write(primary, answer.encode() + b"\n")
    out, err = proc.communicate(timeout=300)
    os.close(primary)
    return proc.returncode, out.decode(), err.decode()


def test_approve_asks_at_a_terminal(repo):
    edit(repo, DOC, OLD_CLAUSE, NEW_CLAUSE)
    assert cli(repo, "revise", "0110-2014", "--summary", "x").returncode == 0
    before = (repo / DOC).read_bytes()
    code, out, err = _on_a_terminal(repo, "n", "0110-2014", "--step", "prepared", "--as", "sample-jia")
    assert code == 1 and "确认签署？[y/N]" in err and "未签署（未确认）" in err
    assert (repo / DOC).read_bytes() == before
    code, out, err = _on_a_terminal(repo, "y", "0110-2014", "--step", "prepared", "--as", "sample-jia")
    assert code == 0 and "已编制签署" in out
    code, out, err = _on_a_terminal(repo, "", "0110-2014", "--step", "reviewed", "--as", "sample-yi", "--yes")
    assert code == 0 and "确认签署" not in err and "已审核签署" in out
