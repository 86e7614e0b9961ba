"""`manual import` of revision records (修订记录), document-control blocks of several lines, staffing and
job tables, and a sign-off with one shared date, on inputs laid out unlike the other tests' ones: a UTF-8
text with ｜-separated and tab-separated revision lines, a Word manual made with python-docx whose control
and revision records are Word tables, and a Word manual with a control block of paragraphs and a job table
without headcounts.  Each is imported through the CLI, the written files are read back, the conservation
of every paragraph is checked as the six-layout test checks it, and `manual check` must report the defects
the inputs plant (a blank 生效日期, a blank 批准)."""
from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path

import docx
import pytest
import yaml

from conftest import run_cli
from legacy_docx import write_text
from test_import_legacy import documents, normalise, normalise_all

from generator.authoring.importtables import LABEL, duties_of, revision_version, signoff_pairs, signoff_table
from generator.model import PLACEHOLDER

pytestmark = pytest.mark.xdist_group("import-tables2")



def check(root: Path) -> list[dict]:
    result = run_cli("check", "--root", root, "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)["findings"]


def report(root: Path) -> str:
    return (root / "import-report.md").read_text(encoding="utf-8")


def not_imported(root: Path) -> str:
    return report(root).split("## 未导入 / not imported", 1)[1]


def written(root: Path) -> str:
    """What the import wrote from the source (the read-back of test_import_legacy, with the revisions read
    from the source kept: only the import's own entry, ``by: 导入``, is left out)."""
    parts = []
    for path in sorted((root / "policies").glob("*.md")) + sorted((root / "manual").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        head, body = text[4:].split("\n---\n", 1) if path.suffix == ".md" else (text, "")
        # (the comment of revisions: holds the 修订记录's title and column headings, its keys)
        head = "\n".join(line if line.startswith("revisions:") else re.sub(r"(^|\s)#.*$", "", line)
                         for line in head.splitlines() if not line.rstrip().endswith("by: 导入}"))
        parts += [head, body]
    parts.append(not_imported(root))
    return "\n".join(parts)


def conserved(root: Path, paragraphs: list[str]) -> None:
    """Every character of the input is in the written source or the report, and the summary line adds up."""
    out = normalise_all(written(root))
    # (a label of a control or sign-off line becomes a key, as the importer's own label list says; V2 is "2.0")
    missing = Counter("".join(normalise(re.sub(r"[Vv](?=\d)", "", LABEL.sub("", p))) for p in paragraphs)) - \
        Counter(out)
    assert not missing, "".join(sorted(missing.elements()))
    m = re.search(r"段落（表格按单元格计）：输入 (\d+)，导入 (\d+)，未导入 (\d+)", report(root))
    total, taken, left = map(int, m.groups())
    assert total == taken + left == sum(1 for p in paragraphs if p.strip())
    assert left == len(re.findall(r"^- 第 \d+ [行段]（", not_imported(root), re.M))


def imported(folder: Path, source: Path) -> Path:
    out = folder / "out"
    result = run_cli("import", source, "--out", out, "-q")
    assert result.returncode == 0, result.stderr
    return out


# ---------------------------------------------------------------------------
# The readers on their own


def test_versions_as_the_schema_writes_them():
    assert revision_version("2") == ("2.0", False) and revision_version("V1.1") == ("1.1", False)
    assert revision_version("2", "1") == ("2.1", False)
    assert revision_version("A/0") == ("1.0", True) and revision_version("B/1") == ("2.1", True)
    assert revision_version("C", "2") == ("3.2", True) and revision_version("第3版") == ("3.0", False)
    assert revision_version("草案") == (None, False) and revision_version("1.1", "2") == (None, False)


def test_one_shared_date_goes_to_each_named_step():
    steps = signoff_pairs("编制：王芳    审核：赵磊    批准：    日期：2021年3月1日")
    assert steps["prepared"]["date"] == steps["reviewed"]["date"] == "2021年3月1日"
    assert steps["approved"] == {"name": "", "date": ""}  # a blank name gets no date: both are reported
    # Dates of their own: the 日期 after 批准 stays the approval's.
    steps = signoff_pairs("编制：张三 2014.3.1 审核：李四 批准：王五 日期：2014年3月5日")
    assert steps["prepared"]["date"] == "2014.3.1" and steps["approved"]["date"] == "2014年3月5日"
    assert not steps["reviewed"]["date"]


def test_one_shared_date_in_a_table():
    steps, used = signoff_table([["编制", "审核", "批准", "日期"], ["李明", "", "陈刚", "2015年3月1日"]])
    assert {s: e["date"] for s, e in steps.items()} == {"prepared": "2015年3月1日", "reviewed": "",
                                                        "approved": "2015年3月1日"}
    assert used == {(r, c) for r in range(2) for c in range(4)}
    # A 日期 per step stays each step's own.
    steps, _ = signoff_table([["编制", "日期", "审核", "日期"], ["李明", "2015.1.1", "周强", "2015.1.2"]])
    assert steps["prepared"]["date"] == "2015.1.1" and steps["reviewed"]["date"] == "2015.1.2"


def test_duties_of_a_cell():
    assert duties_of("1. 负责行政事务统筹\n2. 负责会议组织") == ["负责行政事务统筹", "负责会议组织"]
    assert duties_of("负责办公用品采购；负责来访接待") == ["负责办公用品采购", "负责来访接待"]
    assert duties_of("①编制预算②审核报销") == ["编制预算", "审核报销"]


# ---------------------------------------------------------------------------
# 1. A UTF-8 text: control blocks of several lines, revision lines with ｜ and with tabs

TEXT = [
    "常州中科精密模具有限公司", "程序文件", "2019年5月",
    "",
    "设计开发控制程序",
    "文件编号：ZK-QP-01", "版次：2", "修改码：1", "实施日期：2019-05-01", "页次：第1页 共3页", "受控状态：受控",
    "1 目的", "对产品设计和开发过程进行控制。",
    "2 职责", "2.1 技术部负责设计和开发的策划与实施。", "2.2 品质部参与设计评审。",
    "编制：张伟  审核：刘洋  批准：陈静  日期：2019年4月20日",
    "变更记录",
    "序号｜版次｜变更内容｜变更人｜变更日期",
    "1｜1｜首次发布｜张伟｜2017-03-01",
    "2｜2｜重新编写｜张伟｜2019.4.20",
    "3｜2.1｜增加外包设计的控制｜张伟｜2019年5月1日",
    "4｜3｜拟增加模具寿命评审｜｜2020年 月 日",
    "",
    "检验控制程序",
    "文件编号：ZK-QP-02", "版本：A", "修订状态：2", "生效日期：2019年 月 日", "页码：1/1",
    "1 目的", "确保未经检验的产品不放行。",
    "2 程序", "2.1 进货检验按抽样方案执行。",
    "编制：张伟  审核：刘洋  批准：  日期：2019年4月20日",
    "修订履历",
    "版本\t日期\t修订说明",
    "A/2\t2019-04-20\t修改检验频次",
    "A/1\t2018-06-01\t增加抽样方案",
    "A/0\t2017-03-01\t首次发布",
]


@pytest.fixture(scope="module")
def text_manual(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("zk")
    return imported(folder, write_text(folder / "中科.txt", TEXT))


def test_text_revision_lines_become_revisions(text_manual):
    docs = documents(text_manual)
    first, body = docs["ZK-QP-01"]
    assert first["revisions"] == [
        {"version": "1.0", "date": dt.date(2017, 3, 1), "summary": "首次发布", "by": "张伟"},
        {"version": "2.0", "date": dt.date(2019, 4, 20), "summary": "重新编写", "by": "张伟"},
        {"version": "2.1", "date": dt.date(2019, 5, 1), "summary": "增加外包设计的控制", "by": "张伟"}]
    # 版次 2 with 修改码 1 is version 2.1, the last revision's; 实施日期 is the effective date.
    assert first["version"] == "2.1" and first["effective"] == dt.date(2019, 5, 1)
    # The row without a whole date stays in the body, as a table under the heading row, and is reported.
    assert "| 序号 | 版次 | 变更内容 | 变更人 | 变更日期 |" in body
    assert "| 4 | 3 | 拟增加模具寿命评审 |   | 2020年月日 |" in body
    assert "首次发布" not in body and "重新编写" not in body
    notes = report(text_manual)
    assert re.search(r"ZK-QP-01：修订记录的一行（第 23 行）不能完整读出（[^）]*）", notes)
    # Newest first in the source: oldest first in revisions, letters as numbers, the original kept.
    second, body = docs["ZK-QP-02"]
    assert [(r["version"], r["date"]) for r in second["revisions"]] == [
        ("1.0", dt.date(2017, 3, 1)), ("1.1", dt.date(2018, 6, 1)), ("1.2", dt.date(2019, 4, 20))]
    assert second["revisions"][0]["summary"] == "首次发布（原稿版本 A/0）"
    assert {r["by"] for r in second["revisions"]} == {PLACEHOLDER}  # no author column: to be filled in
    assert second["version"] == "1.2"
    assert "修订履历" not in body and "首次发布" not in body


def test_text_control_block_of_several_lines(text_manual):
    docs = documents(text_manual)
    for code in docs:
        body = docs[code][1]
        text = "\n".join(line for line in body.splitlines() if not line.lstrip().startswith("|"))  # (the kept row's table)
        for label in ("文件编号", "版次", "修改码", "实施日期", "页次", "受控状态", "页码", "生效日期"):
            assert label not in text, (code, label)
    listed = not_imported(text_manual)
    # Print-only fields are listed with their position and why they are not content.
    assert re.search(r"- 第 10 行，一部分（文件控制行的“页次”：页码/页次是打印版式信息[^）]*）：第1页 共3页", listed)
    assert re.search(r"- 第 11 行，一部分（文件控制行的“受控状态”：[^）]*）：受控", listed)
    assert re.search(r"- 第 30 行，一部分（文件控制行的“页次”[^）]*）：1/1", listed)
    # 版本 A with 修订状态 2 is no version the schema takes: both kept in the report.
    assert "- 第 27 行，一部分（文件控制行的“版本”）：A" in listed
    assert "- 第 28 行，一部分（文件控制行的“修订状态”）：2" in listed
    # A blank 生效日期 is written as it is, not invented.
    assert documents(text_manual)["ZK-QP-02"][0]["effective"] == "2019年月日"


def test_text_no_document_takes_another_ones_revision_date(text_manual):
    docs = documents(text_manual)
    # The sign-off's one date belongs to each named step; the blank 批准 gets none.
    assert docs["ZK-QP-01"][0]["signoff"] == {step: {"name": name, "date": dt.date(2019, 4, 20)} for step, name in
                                              (("prepared", "张伟"), ("reviewed", "刘洋"), ("approved", "陈静"))}
    assert docs["ZK-QP-02"][0]["signoff"]["approved"] == {"name": ""}
    assert "签署只写了一个日期（第 17 行）：作为编制、审核、批准各自的日期" in report(text_manual)
    # Neither history holds the other's dates.
    assert dt.date(2019, 5, 1) not in {r["date"] for r in docs["ZK-QP-02"][0]["revisions"]}
    assert dt.date(2018, 6, 1) not in {r["date"] for r in docs["ZK-QP-01"][0]["revisions"]}


def test_text_check_reports_the_planted_defects(text_manual):
    findings = check(text_manual)
    lines = (text_manual / "policies" / "ZK-QP-02.md").read_text(encoding="utf-8").splitlines()
    assert not [f for f in findings if f["severity"] == "error"]
    blank = [f for f in findings if f["rule"] == "effective-date-incomplete"]  # (a warning: the manual builds)
    assert [(f["path"], f["severity"]) for f in blank] == [("policies/ZK-QP-02.md", "warning")]
    assert lines[blank[0]["line"] - 1].startswith("effective: 2019年月日")
    blank = [f for f in findings if f["rule"] == "signoff-complete" and f["path"] == "policies/ZK-QP-02.md"]
    assert any("批准签署缺少签署人（name）" in f["message"] for f in blank)
    assert not any("（date）" in f["message"] for f in findings if f["path"] == "policies/ZK-QP-01.md")
    assert not [f for f in findings if f["rule"] in ("revision-history", "revision-order")]
    # The revision record without an author: its by: placeholder is reported until it is filled in.
    placeholders = [f for f in findings if f["rule"] == "placeholder" and f["path"] == "policies/ZK-QP-02.md"]
    assert len(placeholders) == 3 and all(lines[f["line"] - 1].lstrip().startswith("- {version:") for f in placeholders)


def test_text_conservation(text_manual):
    conserved(text_manual, TEXT)


# ---------------------------------------------------------------------------
# 2. Word (python-docx): control and revision records as Word tables, a staffing table with duties


def word_manual(path: Path) -> list[str]:
    """The .docx, and every paragraph and non-empty table cell of it (what conservation counts)."""
    d = docx.Document()
    d.add_paragraph("无锡新远物流股份有限公司")
    d.add_paragraph("管理制度汇编")
    d.add_paragraph("2021年7月1日发布")

    def table(rows, merge_first=False):
        t = d.add_table(rows=len(rows), cols=max(len(r) for r in rows))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                t.cell(r, c).text = value
        if merge_first:
            t.cell(0, 0).merge(t.cell(0, len(rows[0]) - 1))
            t.cell(0, 0).text = rows[0][0]
        return t

    d.add_heading("行政管理制度 XY-GL-01", 1)
    table([["文件编号", "XY-GL-01", "版本", "V3"], ["修改状态", "1", "生效日期", "2021年7月1日"],
           ["页次", "1/4", "受控状态", "受控"]])
    d.add_heading("一、总则", 2)
    d.add_paragraph("本制度规范公司行政事务的办理。")
    table([["编制", "赵敏", "审核", "钱进", "批准", "孙立", "日期", "2021年6月30日"]])
    table([["修订记录", "", "", "", ""], ["版本", "修订日期", "修订内容", "修订人", "批准人"],
           ["V1", "2019-01-10", "首次发布", "王强", "李总"], ["V2", "2020-03-15", "调整审批权限", "王强", "李总"],
           ["3.1", "2021-07-01", "增加远程办公规定", "赵敏", "李总"]], merge_first=True)
    d.add_heading("行政部岗位设置 XY-GL-02", 1)
    d.add_paragraph("文件编号：XY-GL-02")
    d.add_heading("一、岗位与职责", 2)
    table([["岗位", "编制人数", "岗位职责", "任职要求", "汇报对象"],
           ["行政经理", "1", "1. 负责行政事务统筹\n2. 负责会议组织", "本科以上学历", "总经理"],
           ["行政专员", "2名", "负责办公用品采购；负责来访接待", "大专以上学历", "行政经理"]])
    d.add_paragraph("编制：赵敏    审核：钱进    批准：孙立    日期：2021年6月30日")
    d.save(path)
    units = [p.text for p in d.paragraphs]
    seen: list = []  # (the cell elements, kept alive: a merged cell is given once per grid column)
    for t in d.tables:
        for row in t.rows:
            for cell in row.cells:
                if not any(cell._tc is tc for tc in seen):
                    seen.append(cell._tc)
                    units.append(cell.text)
    return [u for u in units if u.strip()]


@pytest.fixture(scope="module")
def word(tmp_path_factory) -> tuple[Path, list[str]]:
    folder = tmp_path_factory.mktemp("xy")
    units = word_manual(folder / "新远.docx")
    return imported(folder, folder / "新远.docx"), units


def test_word_revision_table_and_control_table(word):
    root, _ = word
    meta, body = documents(root)["XY-GL-01"]
    assert [(r["version"], r["date"], r["by"]) for r in meta["revisions"]] == [
        ("1.0", dt.date(2019, 1, 10), "王强"), ("2.0", dt.date(2020, 3, 15), "王强"),
        ("3.1", dt.date(2021, 7, 1), "赵敏")]
    assert meta["revisions"][0]["summary"] == "首次发布（批准人：李总）"  # a column without a field of its own
    assert meta["version"] == "3.1" and meta["effective"] == dt.date(2021, 7, 1)  # V3 with 修改状态 1
    assert "修订记录" not in body and "首次发布" not in body
    listed = not_imported(root)
    assert re.search(r"页码/页次是打印版式信息[^）]*；表格第 3 行第 2 列）：1/4", listed)
    assert re.search(r"受控状态由 control/ 的发放登记[^）]*；表格第 3 行第 4 列）：受控", listed)
    # A one-row sign-off table with one 日期: each named step's date.
    assert {s["date"] for s in meta["signoff"].values()} == {dt.date(2021, 6, 30)}


def test_word_staffing_table_with_duties_becomes_jobs(word):
    root, _ = word
    meta, body = documents(root)["XY-GL-02"]
    assert meta["staffing"] is True
    assert meta["jobs"] == [
        {"title": "行政经理岗位职责", "covers": ["行政经理"], "reports_to": "总经理", "note": "任职要求：本科以上学历",
         "duties": ["负责行政事务统筹", "负责会议组织"]},
        {"title": "行政专员岗位职责", "covers": ["行政专员"], "reports_to": "行政经理", "note": "任职要求：大专以上学历",
         "duties": ["负责办公用品采购", "负责来访接待"]}]
    roles = yaml.safe_load((root / "manual" / "roles.yaml").read_text(encoding="utf-8"))
    by_id = {r["id"]: r for r in roles["roles"]}
    assert by_id["行政经理"]["headcount"] == 1 and by_id["行政专员"]["headcount"] == 2
    assert by_id["行政专员"]["reports_to"] == "行政经理" and by_id["行政经理"]["reports_to"] == "总经理"
    assert "岗位职责" not in (root / "manual" / "roles.yaml").read_text(encoding="utf-8")  # not in comments now
    assert "负责会议组织" not in body


def test_word_checks_and_conservation(word):
    root, units = word
    findings = check(root)
    assert not [f for f in findings if f["severity"] == "error"], findings
    assert not [f for f in findings if f["rule"] in ("job-coverage", "job-reports-to", "schema")]
    conserved(root, units)


@pytest.mark.slow
def test_word_manual_builds(word, tmp_path):
    import shutil

    root = tmp_path / "built"
    shutil.copytree(word[0], root)
    result = run_cli("build", "site", "--root", root, timeout=1200)
    assert result.returncode == 0, result.stderr
    page = (root / "site" / "documents" / "XY-GL-02.html").read_text(encoding="utf-8")
    assert "负责会议组织" in page and "行政专员岗位职责" in page
    page = (root / "site" / "documents" / "XY-GL-01.html").read_text(encoding="utf-8")
    assert "增加远程办公规定" in page


# ---------------------------------------------------------------------------
# 3. Word: a control block of paragraphs, a job table without headcounts, a revision table not all readable


def job_manual(path: Path) -> list[str]:
    d = docx.Document()
    d.add_paragraph("佛山南海陶瓷有限公司")
    d.add_paragraph("岗位说明书")
    d.add_heading("生产部岗位说明书", 1)
    for line in ("文件编号：NH-HR-03", "版本号：1", "修订次数：2", "生效日期：    年  月  日", "分发号：05"):
        d.add_paragraph(line)
    d.add_heading("1 岗位职责", 2)
    rows = [["职位名称", "主要职责", "直接上级"], ["生产主管", "①编制生产计划②组织生产调度", "厂长"],
            ["班组长", "带领班组完成生产任务", "生产主管"]]
    t = d.add_table(rows=3, cols=3)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            t.cell(r, c).text = value
    rev = [["版本", "日期", "修改内容", "修改人"], ["1.0", "2016-02-01", "首次发布", "黄磊"],
           ["草案", "2017-05-01", "讨论稿，未发布", "黄磊"], ["1.2", "2018-09-01", "调整班组长职责", "黄磊"]]
    d.add_paragraph("修订记录")
    t = d.add_table(rows=4, cols=4)
    for r, row in enumerate(rev):
        for c, value in enumerate(row):
            t.cell(r, c).text = value
    d.add_paragraph("编制：黄磊  审核：何平  批准：  日期：2018年8月30日")
    d.save(path)
    units = [p.text for p in d.paragraphs] + [v for row in rows + rev for v in row]
    return [u for u in units if u.strip()]


@pytest.fixture(scope="module")
def jobs(tmp_path_factory) -> tuple[Path, list[str]]:
    folder = tmp_path_factory.mktemp("nh")
    units = job_manual(folder / "南海.docx")
    return imported(folder, folder / "南海.docx"), units


def test_job_table_without_headcounts(jobs):
    root, _ = jobs
    meta, body = documents(root)["NH-HR-03"]
    assert meta["kind"] == "job" and "staffing" not in meta
    assert [(j["title"], j["covers"], j.get("reports_to"), j["duties"]) for j in meta["jobs"]] == [
        ("生产主管岗位职责", ["生产主管"], "厂长", ["编制生产计划", "组织生产调度"]),
        ("班组长岗位职责", ["班组长"], "生产主管", ["带领班组完成生产任务"])]
    roles = yaml.safe_load((root / "manual" / "roles.yaml").read_text(encoding="utf-8"))
    assert {"生产主管", "班组长"} <= {r["id"] for r in roles["roles"]}


def test_revision_rows_that_cannot_be_read_stay_in_the_body(jobs):
    root, _ = jobs
    meta, body = documents(root)["NH-HR-03"]
    assert [(r["version"], r["date"]) for r in meta["revisions"]] == [
        ("1.0", dt.date(2016, 2, 1)), ("1.2", dt.date(2018, 9, 1))]
    assert "| 版本 | 日期 | 修改内容 | 修改人 |" in body and "| 草案 | 2017-05-01 | 讨论稿，未发布 | 黄磊 |" in body
    assert "调整班组长职责" not in body
    assert re.search(r"NH-HR-03：修订记录的一行（第 \d+ 段）不能完整读出（版本“草案”不是可读的版本）", report(root))
    # 版本号 1 with 修订次数 2: 1.2, the last revision; the blank 生效日期 as written; 分发号 listed.
    assert meta["version"] == "1.2" and meta["effective"] == "年月日"
    assert re.search(r"文件控制行的“分发号”：[^）]*）：05", not_imported(root))


def test_job_manual_checks_and_conservation(jobs):
    root, units = jobs
    findings = check(root)
    assert not [f for f in findings if f["severity"] == "error"]
    assert [(f["rule"], f["path"]) for f in findings if f["rule"] == "effective-date-incomplete"] == [
        ("effective-date-incomplete", "policies/NH-HR-03.md")]  # the blank 生效日期: a warning
    assert any(f["rule"] == "signoff-complete" and "批准签署缺少签署人（name）" in f["message"] for f in findings)
    assert not [f for f in findings if f["rule"] in ("revision-history", "revision-order")]
    conserved(root, units)


# ---------------------------------------------------------------------------
# 4. Columns one space apart; a document without dates of its own never takes another one's revision date


def test_single_spaced_columns_and_no_borrowed_revision_date(tmp_path):
    lines = ["东莞立信电子有限公司", "作业指导书", "2022年3月",
             "来料检验规范", "文件编号：LX-WI-01",
             "1 范围", "适用于电子元器件来料。",
             "编制：方圆  审核：林海  批准：郑钢  日期：2022年3月1日",
             "修订记录",
             "版本 日期 修订内容 修订人",
             "1.0 2022-03-01 首次发布 方圆",
             "1.1 2022-09-15 增加湿敏元件要求 方圆",
             "包装作业规范", "文件编号：LX-WI-02",
             "1 范围", "适用于成品包装。",
             "编制：方圆  审核：  批准：  日期：    年  月  日"]
    root = imported(tmp_path, write_text(tmp_path / "立信.txt", lines))
    docs = documents(root)
    assert [(r["version"], r["summary"]) for r in docs["LX-WI-01"][0]["revisions"]] == [
        ("1.0", "首次发布"), ("1.1", "增加湿敏元件要求")]
    # LX-WI-02 has no whole date of its own and the cover none: its import entry is dated by the latest date
    # of the source, which is never LX-WI-01's revision record (2022-09-15).
    assert [r["date"] for r in docs["LX-WI-02"][0]["revisions"]] == [dt.date(2022, 3, 1)]
    conserved(root, lines)
