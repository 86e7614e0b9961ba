"""The compliance rules in detail: columns, exemptions, severities, seams, and the shipped manual."""
from __future__ import annotations

import json

import pytest

from conftest import BROKEN, MINIMAL, REPO, copy_manual, overlay, run_cli
from generator.rules.check import check
from generator.model.fingerprint import fingerprint
from generator.model import IN_FORCE, SIGNOFF_STEPS
from generator.model.build import read_manual
from generator.model.versions import Baseline, baseline, version_key, version_on

DOC = "policies/0101-2020.md"
COMPLIANCE_RULES = {"approval-stale", "approval-unfingerprinted", "version-bump", "revision-history", "revision-order",
                    "review-overdue", "org-tree", "job-coverage", "staffing-total", "sod-same-person", "sod-role",
                    "term-forbidden", "citation-unknown", "company-name", "ref-role"}
MY_CASES = ["approval-stale", "approval-unfingerprinted", "citation-unknown", "company-name", "job-coverage",
            "org-tree", "org-tree-cycle", "org-tree-outside", "ref-role-config", "review-overdue", "revision-history",
            "revision-order", "revision-order-version", "sod-role", "sod-same-person", "staffing-total",
            "term-forbidden", "version-bump"]


@pytest.fixture
def root(tmp_path):
    return copy_manual(MINIMAL, tmp_path / "m")


def edit(root, rel, old, new):
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def findings_of(root, rule):
    _, findings = check(root)
    return [f for f in findings if f.rule == rule]


def at(root, f) -> str:
    """The source text from the finding's line and column on."""
    line = (root / f.path).read_text(encoding="utf-8").splitlines()[f.line - 1]
    return line[f.column - 1:]


# -- messages in both languages --------------------------------------------------------
@pytest.mark.parametrize("case", MY_CASES)
def test_every_finding_speaks_both_languages(tmp_path, case):
    root = copy_manual(MINIMAL, tmp_path / "m")
    overlay(BROKEN / case, root)
    _, findings = check(root)
    mine = [f for f in findings if f.rule in COMPLIANCE_RULES]
    assert mine
    for f in mine:
        zh, en = f.message("zh-CN"), f.message("en")
        assert zh != en, f
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh), f
        assert not any(mark in en for mark in "，。：；（）"), f  # English sentences (names may be Chinese)


# -- terminology -------------------------------------------------------------------------
def test_forbidden_terms_at_their_column_wherever_prose_is(root):
    edit(root, DOC, "## 一、回访", "## 一、旧公司回访")
    edit(root, DOC, "1. 业务员每月回访重要客户一次以上。", "1. 业务员每月回访重要客户一次以上，\n   原旧\n   公司客户同样。")
    edit(root, DOC, "   2. 产品目录。", "   2. 产品目录（旧公司版）。")
    edit(root, DOC, "title: 客户回访制度", "title: 客户回访制度（旧公司）")
    edit(root, DOC, "summary: 首次发布", "summary: 删除旧公司名称")  # history: not prose
    edit(root, "forms/visit-record.yaml", "label: 客户意见", "label: 旧公司客户意见")
    edit(root, "policies/0102-2020.md", "revisions:",
         "workflow:\n  - title: 建档\n    role: 业务员\n    description: >-\n      按旧公司的\n      规定建档。\nrevisions:")
    hits = findings_of(root, "term-forbidden")
    places = sorted((f.path, f.line) for f in hits)
    assert len(hits) == 6, places
    for f in hits:
        assert at(root, f).startswith("旧"), (f.path, f.line, f.column, at(root, f))
        assert "示例电子" in f.message("zh-CN") and "示例电子" in f.message("en")
    assert not any("summary" in at(root, f) for f in hits)
    assert ("forms/visit-record.yaml", 11) in places
    assert any(f.path == "policies/0102-2020.md" and at(root, f) == "旧公司的" for f in hits)
    wrapped = [f for f in hits if at(root, f) == "旧"]
    assert len(wrapped) == 1  # 旧 / 公司 across a line break is still the term


def test_citations_resolve_by_title_alias_or_document(root):
    edit(root, DOC, "3. 回访后填写《客户回访记录表》。",
         "3. 回访后填写《回访记录》，参见《客户档案管理制度》，不用《客户回访纪录表》。")
    edit(root, "forms/visit-record.yaml", "title: 客户回访记录表", "title: 客户回访记录表\naliases: [回访记录]")
    hits = findings_of(root, "citation-unknown")
    assert len(hits) == 1
    assert at(root, hits[0]).startswith("《客户回访纪录表》")
    assert "《客户回访记录表》" in hits[0].message("zh-CN")


def test_company_name_misspelt_but_not_other_companies(root):
    edit(root, DOC, "1. 业务员每月回访", "1. 示例电子有限公司与深圳市某某科技有限公司的业务员及示例电器有限公司每月回访")
    hits = findings_of(root, "company-name")
    assert len(hits) == 1 and hits[0].severity == "warning"
    assert at(root, hits[0]).startswith("示例电器有限公司")


# -- organisation ------------------------------------------------------------------------
ROLES = "manual/roles.yaml"


def test_a_deeper_tree_with_external_roles_above_the_head_is_fine(root):
    edit(root, ROLES, "roles:\n", "roles:\n  - {id: 董事长, external: true}\n  - {id: 副总经理, reports_to: 董事长, external: true}\n")
    edit(root, ROLES, "{id: 总经理, external: true}", "{id: 总经理, reports_to: 董事长, external: true}")
    edit(root, ROLES, "{id: 业务员, reports_to: 业务经理, headcount: 2}",
         "{id: 主管, reports_to: 业务经理, headcount: 1}\n  - {id: 业务员, reports_to: 主管, headcount: 1}")
    _, findings = check(root)
    assert [f for f in findings if f.rule in ("org-tree", "staffing-total")] == []


def test_unknown_head(root):
    edit(root, ROLES, "department_head: 业务经理", "department_head: 业务部经理")
    hits = findings_of(root, "org-tree")
    assert [(f.line, f.column) for f in hits] == [(1, 1)]
    assert "业务经理" in hits[0].message("en")  # did you mean


def test_job_coverage_counts_every_document_with_jobs(root):
    edit(root, "policies/0102-2020.md", "revisions:",
         "jobs:\n  - title: 业务经理岗位职责\n    covers: [业务经理]\n    duties: [全面负责。]\nrevisions:")
    assert [f.line for f in findings_of(root, "job-coverage")] == [6]
    edit(root, DOC, "revisions:", "jobs:\n  - title: 业务员岗位职责\n    covers: [业务员]\n    duties: [回访客户。]\nrevisions:")
    assert findings_of(root, "job-coverage") == []


# -- segregation -------------------------------------------------------------------------
def test_segregation_checks_every_listed_step_and_forms(root):
    edit(root, DOC, "reviewed: {name: 李四, role: 业务经理", "reviewed: {name: 李四, role: 业务员")
    edit(root, "forms/visit-record.yaml", "approved: {name: 王五", "approved: {name: 张三")
    sod = findings_of(root, "sod-role")
    assert [(f.path, f.line) for f in sod] == [(DOC, 16)]
    same = findings_of(root, "sod-same-person")
    assert [(f.path, f.line) for f in same] == [("forms/visit-record.yaml", 16)]


# -- review cycles ------------------------------------------------------------------------
def test_review_overdue_follows_the_pinned_date_and_strict(root):
    env_ok = {"MANUAL_TODAY": "2030-02-28"}  # 2020-03-01 + 120 months = 2030-03-01
    env_due = {"MANUAL_TODAY": "2030-03-01"}
    ok = run_cli("check", "--root", root, "--format", "json", env=env_ok)
    assert ok.returncode == 0 and json.loads(ok.stdout)["warnings"] == 0
    due = run_cli("check", "--root", root, "--format", "json", env=env_due)
    data = json.loads(due.stdout)
    assert due.returncode == 0 and data["warnings"] == 1
    assert data["findings"][0]["rule"] == "review-overdue" and data["findings"][0]["line"] == 9
    strict = run_cli("check", "--root", root, "--strict", "--format", "json", env=env_due)
    assert strict.returncode == 1 and json.loads(strict.stdout)["errors"] == 1
    edit(root, DOC, "last_review: 2020-03-01", "review_months: 1\nlast_review: 2020-03-01")  # the document's own
    early = run_cli("check", "--root", root, "--format", "json", env={"MANUAL_TODAY": "2020-04-01"})
    assert [(f["rule"], f["line"]) for f in json.loads(early.stdout)["findings"]] == [("review-overdue", 10)]


# -- approvals and versions ----------------------------------------------------------------
def _fingerprint_all(root, code="0101-2020"):
    manual, _ = read_manual(root)
    fp = fingerprint(manual.document(code), manual)
    path = root / f"policies/{code}.md"
    text = path.read_text(encoding="utf-8")
    for step in SIGNOFF_STEPS:
        start = text.find(f"  {step}: {{")
        if start != -1:
            end = text.index("}", start)
            text = text[:end] + f", fingerprint: {fp}" + text[end:]
    path.write_text(text, encoding="utf-8")
    return fp


def test_a_manual_without_fingerprints_is_not_nagged(root):
    assert check(root)[1] == []


def test_stale_draft_is_a_warning_and_superseded_is_ignored(root):
    _fingerprint_all(root, "0102-2020")
    edit(root, "policies/0102-2020.md", "建立客户资料档案", "建立客户电子档案")
    hits = findings_of(root, "approval-stale")
    assert [(f.line, f.severity) for f in hits] == [(9, "warning")]
    edit(root, "policies/0102-2020.md", "status: draft", "status: superseded")
    assert findings_of(root, "approval-stale") == []


def test_version_bump_wants_a_revision_entry_after_the_approval(root):
    _fingerprint_all(root)
    edit(root, DOC, "每月回访", "每周回访")
    edit(root, DOC, 'version: "1.0"', 'version: "1.1"')
    hits = findings_of(root, "version-bump")
    assert len(hits) == 1 and "1.1" in hits[0].message("en")  # no revision entry for 1.1
    edit(root, DOC, "summary: 首次发布, by: 业务部}\n",
         "summary: 首次发布, by: 业务部}\n  - {version: \"1.1\", date: 2020-02-05, summary: 改为每周, by: 业务部}\n")
    hits = findings_of(root, "version-bump")  # dated before the approval on 2020-02-20: not for this change
    assert len(hits) == 1 and "2020-02-05" in hits[0].message("en") and "on or after 2020-02-20" in hits[0].message("en")
    edit(root, DOC, "date: 2020-02-05", "date: 2020-02-25")
    assert findings_of(root, "version-bump") == []
    assert len(findings_of(root, "approval-stale")) == 3  # still to be signed again


def test_baseline_seam(root):
    fp = _fingerprint_all(root)
    manual, _ = read_manual(root)
    doc = manual.document("0101-2020")
    assert baseline(manual, doc) == Baseline(fp, "1.0", __import__("datetime").date(2020, 2, 20), "approved")
    assert version_on(doc, __import__("datetime").date(2020, 1, 1)) is None
    assert version_key("1.10") > version_key("1.9") and version_key("1") == version_key("1.0.0")
    assert version_key("v1") is None


# -- the shipped manual -------------------------------------------------------------------
def test_shipped_manual_has_none_of_these_findings():
    """The shipped manual passes every compliance rule (warnings included)."""
    _, findings = check(REPO)
    mine = [(f.path, f.line, f.rule, f.message("en")) for f in findings if f.rule in COMPLIANCE_RULES]
    assert mine == []


def test_shipped_manual_is_fingerprinted():
    """FAILS UNTIL THE LEAD HAS FINGERPRINTED THE SHIPPED MANUAL (by design).

    Every sign-off of every document and form in force carries the fingerprint
    of its current content.  Once the content is final, record them with
    ``manual approve CODE --step S --name NAME --date D`` for each step (the
    lead's final step; see the checks engineer's report for the loop).
    """
    manual, _ = read_manual(REPO)
    missing = []
    for item in list(manual.documents) + list(manual.forms.values()):
        if item.status not in IN_FORCE:
            continue
        current = fingerprint(item, manual)
        for step in SIGNOFF_STEPS:
            s = item.signoff(step)
            if s is None or s.fingerprint != current:
                missing.append(f"{item.path}: {step}")
    assert missing == [], f"{len(missing)} sign-offs without a current fingerprint, e.g. {missing[:3]}"
