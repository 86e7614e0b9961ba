"""The shipped manual against its seed: 东莞市属瑞电子有限公司《业务部门管理手册》(2014).

The seed (``tests/fixtures/seed/000_588cbaa8d7d657b2.txt``, a verbatim copy of
the source material) holds the 2014 manual from line 183 to the end: its table
of contents (目录) and the text of 0101 … 0112, cut off inside 0112.  These
tests parse that text at test time, cut it into clauses, and find every clause
in the shipped source (body text, job titles and duties, workflow steps and the
titles of the fourteen documents), with whitespace, punctuation and clause
numbers normalized away on both sides.

The only clauses that are *not* carried over verbatim are the seed's defects.
Each one is listed in ``DEFECTS`` below with what the source says instead and
why; an entry that no longer matches any clause fails the test, so the list
cannot rot.  Each resolution must also be recorded in the document's revision
history.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

import pytest

from conftest import FIXTURES, REPO, run_cli
from generator.read.markdown import iter_text
from generator.model.citations import citations, resolve
from generator.model.build import read_manual

SEED = FIXTURES / "seed" / "000_588cbaa8d7d657b2.txt"
MANUAL_FIRST_LINE = 183  # 东莞市属瑞电子有限公司业务部门管理手册2014.05.20 …
SALES_PROCESS_LINES = (150, 154)  # 3.1.1 客户开发阶段 … 3.1.5 后期服务阶段

NUMERALS = "一二三四五六七八九十"
# Clause and section numbers as the seed writes them: (一)  一、  一.  1、  a、
MARKER = re.compile(rf"\([{NUMERALS}]+\)|[{NUMERALS}]+[、.]|\d+、|(?<![A-Za-z])[a-z]、")
SIGNOFF = re.compile(r"编制:\s*审核:\s*批准:\s*(\d{4})年\s*(\d*)\s*月\s*(\d*)\s*日")
TOC_ENTRY = re.compile(rf"([{NUMERALS}]+)、([^…\s]+?)…+\s*(01\d\d-2014)")


def normalize(text: str) -> str:
    """Text without width differences, clause numbers, punctuation, symbols or whitespace."""
    text = unicodedata.normalize("NFKC", text)  # full-width ，：（）． → half-width
    text = MARKER.sub("", text)
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PSZC")


# -- the seed's defects: what the source says instead, and why ------------------------------------
@dataclass(frozen=True)
class Defect:
    codes: tuple[str, ...]  # the documents it occurs in
    pattern: str  # regex on the normalized seed clause
    replacement: str  # what the normalized source says instead
    reason: str
    recorded: str  # a word the document's revision history must contain


DEFECTS = (
    # Forms cited under another name (a defect of the seed): the form's exact title instead.
    # Listed before the company-name defects because the name is part of the wrong title.
    Defect(("0111",), "附申江公司产品异议报告表", "附产品异议报告表",
           "表单以他公司名称“申江公司产品异议报告表”引用；统一为《产品异议报告表》", "申江公司产品异议报告表"),
    Defect(("0109",), "填写查档申请写明", "填写查档申请表写明",
           "表单未用正式名称；改为《查档申请表》", "查档申请表"),
    Defect(("0109",), "在外借登记上注销", "在档案外借登记表上注销",
           "表单未用正式名称；改为《档案外借登记表》", "档案外借登记表"),
    # The company's name: one canonical name (manual/manual.yaml company.short = 属瑞).
    Defect(("0105", "0107"), "蜀瑞", "属瑞", "公司名称误写为“蜀瑞”", "蜀瑞"),
    Defect(("0111",), "申江", "属瑞", "他公司名称“申江”，复制遗留", "申江"),
    # The same kind of leftover: another company's (a steel distributor's) suppliers.
    Defect(("0112",), "宝钢马钢", "供应商", "“宝钢、马钢”是他公司（钢材配送）的供应商，复制遗留", "宝钢"),
    # Obvious typos.
    Defect(("0106",), "内部内部", "内部", "笔误：“内部”重复", "内部内部"),
    Defect(("0105",), "开发开发", "开发", "笔误：“开发”重复", "开发开发"),
    Defect(("0105",), "接受部门业绩$", "接受部门业绩考核", "漏字：“接受部门业绩”缺“考核”", "接受部门业绩考核"),
    Defect(("0107",), "所需德", "所需的", "错字：“德”应为“的”", "所需德"),
    Defect(("0109",), "部门负责(?!人)", "部门负责人", "漏字：“部门负责”缺“人”", "部门负责人"),
    Defect(("0110",), "客户人员应对客户", "客服人员应对客户", "错字：与第2～4条一致应为“客服人员”", "客户人员"),
)

# Sign-off lines "编制:审核:批准:2006年月日" (no month, no day) in a 2014 manual: resolved with a full
# 编制/审核/批准 and the manual's date; the revision history says so.
UNDATED_SIGNOFF_RECORDED = "2006年"
# Documents the seed numbers with the 2006 edition's year (0110-2006 …) inside the 2014 manual.
WRONG_YEAR_CODES = {"0110-2006", "0111-2006", "0112-2006"}


# -- the seed, parsed ------------------------------------------------------------------------------
@dataclass
class SeedDocument:
    code: str  # as the 目录 lists it (0101-2014 …)
    title: str  # as the 目录 lists it
    heading_code: str  # as the document's own heading writes it (0110-2006 …)
    text: str  # the document's text, sign-off lines removed
    signoffs: list[tuple[str, str, str]]  # (year, month, day) of each sign-off line


def seed_manual_text() -> str:
    lines = SEED.read_text(encoding="utf-8").splitlines()
    assert lines[MANUAL_FIRST_LINE - 1].startswith("东莞市属瑞电子有限公司业务部门管理手册2014.05.20"), \
        f"{SEED}: line {MANUAL_FIRST_LINE} is not the start of the 2014 manual"
    return "".join(lines[MANUAL_FIRST_LINE - 1:])


def seed_toc(text: str) -> tuple[list[tuple[str, str]], int]:
    """The 目录: [(code, title)] in order, and where the documents' text starts."""
    entries = list(TOC_ENTRY.finditer(text))[:14]
    assert len(entries) == 14, "the seed's 目录 should list 14 documents"
    return [(m.group(3), m.group(2)) for m in entries], entries[-1].end()


def seed_documents() -> list[SeedDocument]:
    """The seed's documents, cut at their headings (一、客户服务宗旨0101-2014 …)."""
    text = seed_manual_text()
    toc, pos = seed_toc(text)
    heads = []
    for code, title in toc:
        number = NUMERALS_BY_SEQ[int(code[2:4])]
        m = re.compile(rf"{number}、(.{{1,25}}?){code[:4]}-(\d{{4}})").search(text, pos)
        if m is None:
            break  # the seed is cut off inside 0112: 0113 and 0114 have no text
        assert normalize(m.group(1)) == normalize(title), (code, m.group(1), title)
        heads.append((code, title, f"{code[:4]}-{m.group(2)}", m.start(), m.end()))
        pos = m.end()
    docs = []
    for i, (code, title, heading_code, _, end) in enumerate(heads):
        stop = heads[i + 1][3] if i + 1 < len(heads) else len(text)
        body = text[end:stop]
        signoffs = [m.groups() for m in SIGNOFF.finditer(body)]
        docs.append(SeedDocument(code, title, heading_code, SIGNOFF.sub("", body), signoffs))
    return docs


NUMERALS_BY_SEQ = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八", 9: "九", 10: "十",
                   11: "十一", 12: "十二", 13: "十三", 14: "十四"}


def clauses(seed_doc: SeedDocument) -> list[str]:
    """The clauses of a seed document: its text cut at every clause or section number."""
    text = unicodedata.normalize("NFKC", seed_doc.text)
    return [piece for piece in MARKER.split(text) if normalize(piece)]


# -- the source -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def manual():
    manual, findings = read_manual(REPO)
    errors = [f for f in findings if f.severity == "error"]
    assert not errors, [f"{f.path}:{f.line} {f.message('en')}" for f in errors]
    return manual


@pytest.fixture(scope="module")
def seed_docs():
    return seed_documents()


def source_pieces(doc) -> list[str]:
    """Everything a reader reads of a document, in order: title, jobs, workflow, body."""
    pieces = [doc.title]
    for job in doc.jobs:
        pieces += [job.title, job.note, *job.duties]
    for step in doc.workflow:
        pieces += [step.title, step.description]
    pieces += [text for _, text in iter_text(doc.blocks)]
    return [p for p in pieces if p]


def source_text(doc) -> str:
    return "\n".join(source_pieces(doc))


def revision_text(doc) -> str:
    return "\n".join(r.summary for r in doc.revisions)


def staffed_roles(manual) -> dict[str, int]:
    return {rid: role.headcount for rid, role in manual.roles.items()
            if not role.external and role.headcount > 0}


# -- the tests ------------------------------------------------------------------------------------
def test_seed_is_the_expected_text(seed_docs):
    """The parser finds 0101 … 0112 in the seed, 0112 cut off, and each document's clauses."""
    assert [d.code for d in seed_docs] == [f"01{n:02d}-2014" for n in range(1, 13)]
    counts = {d.code: len(clauses(d)) for d in seed_docs}
    # 0102 and 0104 were pictures; 0105 has 4 headings + 7 + 10 + 12 + 10 duties; 0109 3 sections.
    assert counts["0102-2014"] == 0 and counts["0104-2014"] == 0
    assert counts["0105-2014"] == 4 + 7 + 10 + 12 + 10
    assert counts["0109-2014"] == 3 + 5 + 5 + 4 + 2 + 3
    assert counts["0112-2014"] == 3


def test_toc_matches_the_documents(manual):
    """The fourteen codes and titles of the shipped manual are those of the seed's 目录, in order."""
    toc, _ = seed_toc(seed_manual_text())
    assert [(d.code, d.title) for d in manual.documents] == toc
    assert manual.chapters[0].documents == [code for code, _ in toc]


def test_every_seed_clause_is_in_the_source(manual, seed_docs):
    """Each clause of 0101–0112, normalized, is found in order in its document's source text."""
    used: set[int] = set()
    missing = []
    staffing_seen = {}
    for seed_doc in seed_docs:
        doc = manual.document(seed_doc.code)
        assert doc is not None, seed_doc.code
        haystack = normalize(source_text(doc))
        short = seed_doc.code[:4]
        pos = 0
        for clause in clauses(seed_doc):
            wanted = normalize(clause)
            for i, defect in enumerate(DEFECTS):
                if short in defect.codes and re.search(defect.pattern, wanted):
                    wanted = re.sub(defect.pattern, defect.replacement, wanted)
                    used.add(i)
            # 0103: the staffing list (业务经理:1名;…) is data in manual/roles.yaml, not prose.
            parts = [wanted]
            if short == "0103":
                names = "|".join(sorted(map(re.escape, manual.roles), key=len, reverse=True))
                for role, n in re.findall(rf"({names})(\d+)名", wanted):
                    staffing_seen[role] = int(n)
                parts = [p for p in re.split(rf"(?:{names})\d+名", wanted) if p]
            for part in parts:
                found = haystack.find(part, pos)
                if found == -1:
                    missing.append(f"{seed_doc.code}: {clause.strip()}  [normalized: {part}]")
                else:
                    pos = found + len(part)
    assert not missing, "seed clauses not found in the source (in order):\n" + "\n".join(missing)
    unused = [DEFECTS[i] for i in range(len(DEFECTS)) if i not in used]
    assert not unused, f"defect entries that match no seed clause: {unused}"
    assert staffing_seen == staffed_roles(manual), "0103's staffing list differs from manual/roles.yaml"


def test_defects_are_absent_and_recorded(manual, seed_docs):
    """No seed defect survives in the source, and each resolution is in the revision history."""
    for defect in DEFECTS:
        for short in defect.codes:
            doc = manual.document(f"{short}-2014")
            for piece in source_pieces(doc):
                assert not re.search(defect.pattern, normalize(piece)), \
                    f"{doc.path}: still has {defect.pattern!r} in {piece!r} ({defect.reason})"
            assert defect.recorded in revision_text(doc), \
                f"{doc.path}: the revision history does not record: {defect.reason}"
    for seed_doc in seed_docs:
        doc = manual.document(seed_doc.code)
        if seed_doc.heading_code in WRONG_YEAR_CODES:
            assert seed_doc.heading_code in revision_text(doc), \
                f"{doc.path}: the revision history does not record the old code {seed_doc.heading_code}"
        for year, month, day in seed_doc.signoffs:
            if not (month and day):  # "2006年月日"
                assert UNDATED_SIGNOFF_RECORDED in revision_text(doc), \
                    f"{doc.path}: the undated sign-off {year}年月日 is not recorded"
            else:
                assert doc.effective == dt.date(int(year), int(month), int(day))
    assert {d.heading_code for d in seed_docs if d.heading_code != d.code} == WRONG_YEAR_CODES


def test_no_forbidden_terms_in_prose(manual):
    forbidden = [t.term for t in manual.forbidden_terms]
    assert {"蜀瑞", "申江", "销售部经理"} <= set(forbidden)
    for doc in manual.documents:
        text = source_text(doc)
        for term in forbidden:
            assert term not in text, f"{doc.path}: {term}"
    for form in manual.forms.values():
        text = repr(form.sections) + form.title + form.instructions
        for term in forbidden:
            assert term not in text, f"{form.path}: {term}"


def test_company_name_is_configured_once(manual):
    assert manual.company == "东莞市属瑞电子有限公司"
    assert manual.company_short == "属瑞"
    for doc in manual.documents:
        assert "有限公司" not in source_text(doc), f"{doc.path}: write the company's name via manual.yaml"


def test_every_cited_form_exists_and_every_form_is_cited(manual):
    cited_anywhere = set()
    for doc in manual.documents:
        uses = set(doc.uses_forms)
        step_forms = {f for step in doc.workflow for f in step.forms}
        assert uses <= set(manual.forms), f"{doc.path}: uses_forms names unknown forms {uses - set(manual.forms)}"
        assert step_forms <= uses, f"{doc.path}: workflow forms missing from uses_forms: {step_forms - uses}"
        cited = set()
        for _, _, title in citations(source_text(doc)):
            target = resolve(manual, title)
            assert target is not None, f"{doc.path}: 《{title}》 names no form and no document"
            if target in manual.forms.values():
                cited.add(target.id)
        assert cited == uses, f"{doc.path}: 《》 citations {sorted(cited)} ≠ uses_forms {sorted(uses)}"
        cited_anywhere |= cited
    assert cited_anywhere == set(manual.forms), f"forms no document cites: {set(manual.forms) - cited_anywhere}"
    expected = {"客户名册", "客户资料卡", "客户评审表", "客户回访记录表", "产品异议报告表", "查档申请表", "档案外借登记表"}
    assert {f.title for f in manual.forms.values()} == expected
    for form in manual.forms.values():
        assert re.fullmatch(r"01\d\d-F\d+", form.code), form.code
        assert manual.document(f"{form.code[:4]}-2014") is not None
        assert form.id in manual.document(f"{form.code[:4]}-2014").uses_forms, \
            f"{form.path}: its code {form.code} names a document that does not use it"


def test_staffing_adds_up(manual):
    doc = manual.document("0103-2014")
    assert doc.staffing is True
    staffed = staffed_roles(manual)
    assert staffed == {"业务经理": 1, "销售经理": 1, "业务主管": 1, "业务员": 4, "业务跟单员": 2,
                       "市场营销": 2, "售后服务部外协员": 2}
    assert sum(staffed.values()) == manual.authorized_headcount == 13
    assert "岗位核定人数：13名" in doc.body


def test_org_chart_is_data(manual):
    doc = manual.document("0102-2014")
    assert doc.orgchart is True
    head = manual.department_head
    for rid in staffed_roles(manual):
        chain, role = [rid], manual.roles[rid]
        while role.reports_to and role.id != head:
            chain.append(role.reports_to)
            role = manual.roles[role.reports_to]
        assert head in chain, f"{rid} does not report to {head}"
    assert manual.roles["业务员"].reports_to == "销售经理"


def test_every_staffed_role_has_one_job_description(manual):
    doc = manual.document("0105-2014")
    jobs = doc.jobs
    covered = [role for job in jobs for role in job.covers]
    assert sorted(covered) == sorted(staffed_roles(manual)), "each staffed post is covered exactly once"
    by_title = {job.title: job for job in jobs}
    assert by_title["业务部主管（销售经理）岗位职责"].covers == ["销售经理", "业务主管"]
    assert by_title["售后服务部岗位职责"].covers == ["售后服务部外协员"]
    assert by_title["市场部岗位职责"].covers == ["市场营销"]
    assert by_title["业务员（商务代表）岗位职责"].reports_to == "销售经理"
    assert "业务跟单员岗位职责" in by_title
    for job in jobs:
        assert (job.reports_to or manual.roles[job.covers[0]].reports_to) in manual.roles
        assert all(d.strip() and not MARKER.match(d) for d in job.duties), "duties carry no numbers of their own"


def test_workflow_follows_the_seed_sales_process(manual):
    lines = SEED.read_text(encoding="utf-8").splitlines()[SALES_PROCESS_LINES[0] - 1:SALES_PROCESS_LINES[1]]
    stages = [re.search(r"3\.1\.\d ([^:：]+?)阶段", line).group(1) for line in lines]
    assert stages == ["客户开发", "需求调研", "解决方案", "谈判与签约", "后期服务"]
    steps = manual.document("0104-2014").workflow
    titles = [s.title for s in steps]
    positions = [next(i for i, t in enumerate(titles) if t.startswith(stage)) for stage in stages]
    assert positions == sorted(positions), f"the sales stages are out of order in {titles}"
    staffed = staffed_roles(manual)
    for step in steps:
        assert step.role in staffed, step
        assert set(step.forms) <= set(manual.forms), step


def test_signoffs_and_revision_histories(manual):
    """Full 编制/审核/批准 (sample names) everywhere; revisions consistent with them."""
    manual_date = manual.date
    for item in [*manual.documents, *manual.forms.values()]:
        steps = item.signoffs()
        assert [s.step for s in steps] == ["prepared", "reviewed", "approved"], item.path
        assert all(s.name and s.role and s.date and s.sample for s in steps), item.path
        dates = [s.date for s in steps]
        assert dates == sorted(dates), item.path
        assert item.effective == manual_date, item.path
        assert dates[-1] <= manual_date, item.path
        revisions = item.revisions
        assert revisions[-1].version == item.version, item.path
        revision_dates = [r.date for r in revisions]
        assert revision_dates == sorted(revision_dates), item.path
        assert revision_dates[-1] <= dates[-1], f"{item.path}: a revision dated after the approval"
        assert item.status == "effective", item.path
    for doc in manual.documents:
        assert doc.last_review == dt.date(2026, 5, 20), doc.path


def test_completed_and_drafted_documents(manual, seed_docs):
    """0112 is completed after the seed's cut; 0113 and 0114 are drafted; the history says so."""
    seed_0112 = clauses(seed_docs[-1])
    doc = manual.document("0112-2014")
    numbered = [n for block in doc.blocks if block.kind == "list" for n in (i.number for i in block.items)]
    assert len(numbered) > len(seed_0112)
    for code in ("0112-2014", "0113-2014", "0114-2014"):
        assert "补全手册" in revision_text(manual.document(code)), code
    text_0113 = source_text(manual.document("0113-2014"))
    for word in ("重要客户", "一般客户", "潜在客户", "每月", "客户回访记录表"):
        assert word in text_0113
    text_0114 = source_text(manual.document("0114-2014"))
    for word in ("绩效指标", "考核标准", "绩效面谈", "改进计划"):
        assert word in text_0114


def test_shipped_manual_checks_without_errors(tmp_path):
    """`manual check` on a copy of the shipped manual: no errors (warnings such as missing
    fingerprints are the lead's to clear with `manual approve`)."""
    from conftest import copy_manual

    root = copy_manual(REPO, tmp_path / "shipped")
    result = run_cli("check", "--root", root, "--format", "json")
    assert result.returncode == 0, result.stdout + result.stderr
