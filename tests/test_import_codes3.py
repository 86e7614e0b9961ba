"""`manual import`: documents found by their codes however they are written (third review of issue #16).

* ``control``: a .docx 安全程序汇编 without heading styles, whose procedures each open with a document-control
  TABLE (公司 | 文件名称 | 文件编号 | 版本 | 页码): one as a row of labels over a row of values with no title line,
  one in one row ``文件名称：… | 文件编号：…`` with the title paragraph under the table, one with the title
  paragraph over it; sections are Word list numbers (1 / 1.1 / 1.1.1) in two procedures and typed ``1 目的`` in
  the third; the third's code is of another year.  Each table opens its document and gives its code and title.
* ``dashes`` (.txt and .docx, the same lines): a coded TOC ``SC-01 … SC-04``; the headings write ``SC–02`` (an en
  dash, Word's AutoCorrect), ``SC03`` (no hyphen) with ``文件编号：SC03-2016``, ``SC－04`` (a full-width hyphen,
  a Chinese IME) whose 文件编号 ``SC－04－2014`` carries an older year; SC-02 and SC-04 have the same title.
  Every code is written in the manual's spelling (``SC-02-2016``), each other spelling said in the report with
  its position; the year of the 文件编号 is kept (code-year); the TOC is matched by code, not by the shared title.
* ``digits``: ``第1章`` ``第2章`` ``第３章`` (a full-width digit, one chapter retyped) with codes in the heading
  lines: one numbering, three documents.
* ``decimal``: 45 chapters numbered ``1`` … ``45`` with 26 sections ``k.1`` … ``k.26`` each and a sign-off at
  each chapter's end: the chapters are the documents, numbers over 30 included.
* ``invented``: coded documents, an uncoded one with its own sign-off, a code of another year cited in a body:
  the code the import gives the uncoded one reuses no number the source has, and the report says it.
* ``twice``: a document with a second complete sign-off after its numbering starts again at 1 (a document's start
  not recognised): the first is its own, the second is reported."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from import_expect import assert_documents, assert_nothing_lost, assert_planted_defects, import_each, report_of
from legacy_docx import LISTS, LegacyDocx, write_text
from test_import_legacy import check_json, documents

pytestmark = pytest.mark.xdist_group("import-codes3")


# ---------------------------------------------------------------------------
# Inputs


def make_control(folder: Path) -> tuple[Path, list[str]]:
    d = LegacyDocx("en")
    d.numbering("a", LISTS["decimal"])
    d.numbering("b", "a", start={0: 1})
    texts: list[str] = []

    def para(text, **kw):
        d.paragraph(text, **kw)
        texts.append(text)

    def table(rows):
        d.table(rows)
        texts.extend(cell for row in rows for cell in row)

    for text in ("浙江之江化工有限公司", "安全程序汇编", "2021年6月1日发布"):
        para(text)
    # 1: labels over values, no title line; Word list numbers.
    d.page_break()
    table([["浙江之江化工有限公司", "文件名称", "文件编号", "版本", "页码"],
           ["", "危险作业管理程序", "ZJ-AP-01-2021", "B/1", "第1页 共3页"]])
    for level, text in ((0, "目的"), (None, "控制动火、登高等危险作业的风险。"), (0, "职责"),
                        (1, "安环部负责作业票的审批。"), (1, "车间负责作业现场的监护。"), (0, "作业程序"),
                        (1, "动火作业"), (2, "动火前办理《动火作业票》，清理周边可燃物。"), (2, "动火时专人监护。")):
        if level is None:
            para(text)
        else:
            para(text, list="a", level=level)
    table([["编制", "审核", "批准"], ["陈立", "吴芳", "沈国强"], ["2021年6月1日", "2021年6月1日", "2021年6月1日"]])
    # 2: one row 文件名称：… | 文件编号：…, the title paragraph under the table.
    d.page_break()
    table([["浙江之江化工有限公司", "文件名称：应急准备与响应程序", "文件编号：ZJ-AP-02-2021", "版本：B/1", "页码：1/2"]])
    para("应急准备与响应程序")
    for level, text in ((0, "目的"), (None, "确保发生泄漏、火灾时能迅速有效地处置。"), (0, "应急组织"),
                        (1, "总经理任应急总指挥。"), (1, "应急物资按清单配备，参照宁波北仑港务有限公司的标准执行。")):
        if level is None:
            para(text)
        else:
            para(text, list="b", level=level)
    table([["编制：陈立", "审核：吴芳", "批准：沈国强"], ["日期：2021-6-1", "日期：2021-6-1", "日期：2021-6-1"]])
    # 3: the title paragraph over a one-row table; typed numbers; a code of another year; a blank 批准.
    d.page_break()
    para("劳动防护用品管理程序")
    table([["浙江之江化工有限公司", "文件名称：劳动防护用品管理程序", "文件编号：ZJ-AP-03-2018", "版本：A/0", "页码：1/1"]])
    for text in ("1 目的", "规范劳动防护用品的采购、发放和使用。", "2 发放", "2.1 仓库按岗位标准发放，登记《劳保用品发放台账》。",
                 "2.2 员工离职时交回可重复使用的用品。"):
        para(text)
    para("编制：陈立 审核：吴芳 批准： 日期：2021年 月 日")
    return d.save(folder / "control.docx"), texts


DASHES = ["常州龙城机电有限公司", "程序文件", "2016年3月1日",
          "目录",
          "SC-01  生产计划管理程序 ………… 1",
          "SC-02  设备管理程序 ………… 3",
          "SC-03  工装管理程序 ………… 5",
          "SC-04  设备管理程序 ………… 7",
          "SC-01 生产计划管理程序",
          "文件编号：SC-01-2016  版本：A",
          "1 目的", "规范生产计划的编制与下达。", "2 程序", "2.1 计划科每月编制生产计划。", "2.2 工装准备按SC03执行。",
          "编制：何军 审核：林涛 批准：许明 日期：2016年3月1日",
          "SC–02 设备管理程序",
          "文件编号：SC–02–2016  版本：A",
          "1 目的", "保证生产设备处于完好状态。", "2 程序", "2.1 设备科建立《设备台账》。",
          "2.2 外修设备按合同验收，参照无锡惠山机床有限公司的标准执行。",
          "编制：何军 审核：林涛 批准： 日期：2016年 月 日",
          "SC03 工装管理程序",
          "文件编号：SC03-2016  版本：A",
          "1 目的", "控制工装的设计、验证和保管。", "2 程序", "2.1 工装入库时填写《工装验收单》。",
          "编制：何军 审核：林涛 批准：许明 日期：2016年3月1日",
          "SC－04 设备管理程序",
          "文件编号：SC－04－2014  版本：A",
          "1 目的", "规范检测设备的校准。", "2 程序", "2.1 计量员按周期送检。",
          "编制：何军 审核：林涛 批准：许明 日期：2016年3月1日"]


def make_dashes_docx(folder: Path) -> tuple[Path, list[str]]:
    d = LegacyDocx("en")
    for text in DASHES:
        d.paragraph(text)
    return d.save(folder / "dashes.docx"), DASHES


DIGITS = ["合肥江淮电器有限公司", "质量手册", "2018年1月1日",
          "第1章　质量方针 JH-01-2018", "1.1 方针", "质量第一，顾客至上。",
          "编制：方明 审核：钟丽 批准：潘涛 日期：2018年1月1日",
          "第2章　管理职责 JH-02-2018", "2.1 总经理", "总经理对质量负全责。", "2.2 管理者代表", "管理者代表负责体系的运行。",
          "编制：方明 审核：钟丽 批准：潘涛 日期：2018年1月1日",
          "第３章　采购管理 JH-03-2016", "3.1 供方评价", "每年评价供方一次，结果记入《合格供方名录》。",
          "编制：方明 审核：钟丽 批准： 日期：2018年 月 日"]


def decimal_lines(chapters: int = 45, sections: int = 26) -> list[str]:
    lines = ["扬州运河食品有限公司", "管理制度汇编", "2022年1月1日"]
    for k in range(1, chapters + 1):
        lines.append(f"{k} 第{k}号管理制度")
        for s in range(1, sections + 1):
            lines += [f"{k}.{s} 要求{s}", f"第{k}号制度第{s}项要求由各部门遵照执行。"]
        lines.append("编制：蒋勇 审核：韩梅 批准： 日期：2022年 月 日" if k == 33 else
                     "编制：蒋勇 审核：韩梅 批准：曹军 日期：2022年1月1日")
    return lines


INVENTED = ["绍兴鉴湖纺织有限公司", "管理制度", "2020年",
            "FZ-01-2020 印染车间管理制度", "1 车间每日清洁。", "2 废水排放须达标，执行FZ-02-2017的规定。",
            "编制：严华 审核：金波 批准：俞强 日期：2020年1月1日",
            "染料仓库管理规定", "1 染料分类存放。", "2 领用登记《染料领用记录》。",
            "编制：严华 审核：金波 批准：俞强 日期：2020年1月1日",
            "FZ-04-2020 成品检验制度", "1 成品逐批检验。",
            "编制：严华 审核：金波 批准：俞强 日期：2020年1月1日"]

TWICE = ["温州瓯江阀门有限公司", "管理制度", "2019年5月1日",
         "WZ-01-2019 仓库管理制度", "1 物资按区存放。", "2 每月盘点一次。",
         "编制：谢飞 审核：孔娟 批准：邹明 日期：2019年5月1日",
         "补充规定：冬季仓库管理", "1 冬季增加防冻检查。",
         "编制：谢飞 审核：孔娟 批准： 日期：2019年 月 日",
         "WZ-02-2019 运输管理制度", "1 车辆出车前检查。",
         "编制：谢飞 审核：孔娟 批准：邹明 日期：2019年5月1日"]


# name: documents [(code, title, sections, clauses)], company, edition year,
# defects: code_year [codes], blank_approver [codes], unknown_form [(code, title)], foreign [(code, name)]
EXPECTED = {
    "control": {
        "documents": [("ZJ-AP-01-2021", "危险作业管理程序", 4, 4), ("ZJ-AP-02-2021", "应急准备与响应程序", 2, 2),
                      ("ZJ-AP-03-2018", "劳动防护用品管理程序", 2, 2)],
        "company": "浙江之江化工有限公司", "year": 2021,
        "code_year": ["ZJ-AP-03-2018"], "blank_approver": ["ZJ-AP-03-2018"],
        "unknown_form": [("ZJ-AP-01-2021", "动火作业票"), ("ZJ-AP-03-2018", "劳保用品发放台账")],
        "foreign": [("ZJ-AP-02-2021", "宁波北仑港务有限公司")]},
    "dashes": {
        "documents": [("SC-01-2016", "生产计划管理程序", 2, 2), ("SC-02-2016", "设备管理程序", 2, 2),
                      ("SC-03-2016", "工装管理程序", 2, 1), ("SC-04-2014", "设备管理程序", 2, 1)],
        "company": "常州龙城机电有限公司", "year": 2016,
        "code_year": ["SC-04-2014"], "blank_approver": ["SC-02-2016"],
        "unknown_form": [("SC-02-2016", "设备台账"), ("SC-03-2016", "工装验收单")],
        "foreign": [("SC-02-2016", "无锡惠山机床有限公司")]},
    "digits": {
        "documents": [("JH-01-2018", "质量方针", 1, 0), ("JH-02-2018", "管理职责", 2, 0),
                      ("JH-03-2016", "采购管理", 1, 0)],
        "company": "合肥江淮电器有限公司", "year": 2018,
        "code_year": ["JH-03-2016"], "blank_approver": ["JH-03-2016"],
        "unknown_form": [("JH-03-2016", "合格供方名录")], "foreign": []},
    "decimal": {
        "documents": [(f"01{k:02d}-2022", f"第{k}号管理制度", 26, 0) for k in range(1, 46)],
        "company": "扬州运河食品有限公司", "year": 2022,
        "code_year": [], "blank_approver": ["0133-2022"], "unknown_form": [], "foreign": []},
    "invented": {
        "documents": [("FZ-01-2020", "印染车间管理制度", 0, 2), ("FZ-03-2020", "染料仓库管理规定", 0, 2),
                      ("FZ-04-2020", "成品检验制度", 0, 1)],
        "company": "绍兴鉴湖纺织有限公司", "year": 2020,
        "code_year": [], "blank_approver": [], "unknown_form": [("FZ-03-2020", "染料领用记录")], "foreign": []},
    "twice": {
        "documents": [("WZ-01-2019", "仓库管理制度", 0, 3), ("WZ-02-2019", "运输管理制度", 0, 1)],
        "company": "温州瓯江阀门有限公司", "year": 2019,
        "code_year": [], "blank_approver": [], "unknown_form": [], "foreign": []},
}
EXPECTED["dashes-docx"] = EXPECTED["dashes"]


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> dict[str, tuple[list[str], Path]]:
    folder = tmp_path_factory.mktemp("codes3")
    decimal = decimal_lines()
    inputs = {"control": make_control(folder),
              "dashes": (write_text(folder / "dashes.txt", DASHES, "utf-8"), DASHES),
              "dashes-docx": make_dashes_docx(folder),
              "digits": (write_text(folder / "digits.txt", DIGITS, "gbk", newline="\r\n"), DIGITS),
              "decimal": (write_text(folder / "decimal.txt", decimal, "utf-8"), decimal),
              "invented": (write_text(folder / "invented.txt", INVENTED, "utf-8"), INVENTED),
              "twice": (write_text(folder / "twice.txt", TWICE, "utf-8"), TWICE)}
    return import_each(folder, inputs)



# ---------------------------------------------------------------------------
# Documents, sections, clauses


@pytest.mark.parametrize("name", list(EXPECTED))
def test_documents_codes_titles_sections_and_clauses(imported, name):
    assert_documents(imported[name][1], EXPECTED[name])


def test_a_control_table_opens_its_document(imported):
    _, root = imported["control"]
    docs = documents(root)
    report = report_of(root)
    # The code and title come from the table, whichever layout; no section (目的, 职责) is a document.
    # (A table with no title line over or under it opens the document; one with a title line is that title's.)
    assert re.search(r"^- ZJ-AP-01-2021：第 5 段的文件控制表写有文件名称“危险作业管理程序”和文件编号：作为一个文件的开始",
                     report, re.M), report
    for code, where in (("ZJ-AP-02-2021", "第 20 段"), ("ZJ-AP-03-2018", "第 31 段")):
        assert f"- {code}：文件控制信息（{where}）写入文件头" in report, report
    first = docs["ZJ-AP-01-2021"][1]
    assert "## 3 作业程序\n\n### 3.1 动火作业\n\n1. 动火前办理《动火作业票》" in first, first
    # The title paragraph under (or over) the table is the title, not a paragraph of the body or a 未导入 line.
    second = docs["ZJ-AP-02-2021"][1]
    assert "应急准备与响应程序" not in second and "劳动防护用品管理程序" not in docs["ZJ-AP-03-2018"][1]
    listed = report.split("## 未导入 / not imported", 1)[1]
    for text in ("ZJ-AP-0", "危险作业管理程序", "应急准备与响应程序", "劳动防护用品管理程序"):
        assert text not in listed, listed
    # Each sign-off on its own document.
    assert {code: meta["signoff"]["approved"]["name"] for code, (meta, _) in docs.items()} == {
        "ZJ-AP-01-2021": "沈国强", "ZJ-AP-02-2021": "沈国强", "ZJ-AP-03-2018": ""}


@pytest.mark.parametrize("name, unit", [("dashes", "行"), ("dashes-docx", "段")])
def test_codes_in_the_manuals_spelling_with_the_sources_said(imported, name, unit):
    _, root = imported[name]
    docs = documents(root)
    report = report_of(root)
    # No title keeps a code glued to it; every file and front matter writes the manual's spelling.
    assert all(not re.search(r"SC\W?\d", meta["title"]) for meta, _ in docs.values())
    assert not [p.name for p in (root / "policies").iterdir() if re.search("[–－]|SC0", p.name)]
    for code, spelled, where in (("SC-02", "SC–02", 17), ("SC-02-2016", "SC–02–2016", 18), ("SC-03", "SC03", 25),
                                 ("SC-03-2016", "SC03-2016", 26), ("SC-04", "SC－04", 32),
                                 ("SC-04-2014", "SC－04－2014", 33)):
        assert re.search(rf"写作“{spelled}”（第 {where} {unit}），按本手册其他编号的写法记为 {code}$", report, re.M), \
            (spelled, report)
    # The 文件编号's year wins over the heading's code without one, kept as written and said.
    assert f"- SC-04-2014：标题中的编号 SC-04（第 32 {unit}）没有年份，文件编号写作 SC-04-2014（第 33 {unit}）：" \
           "采用完整的 SC-04-2014，年份按原稿保留" in report
    listed = report.split("## 未导入 / not imported", 1)[1]
    assert "2014" not in listed and "SC－04" not in listed
    # A code cited in a body stays as written there.
    assert "按SC03执行" in docs["SC-01-2016"][1]
    # The TOC is matched by code: SC-02 and SC-04 share a title, and no line says the TOC disagrees.
    assert "目录写作" not in report, report
    assert docs["SC-02-2016"][0]["signoff"]["approved"]["name"] == ""
    assert docs["SC-04-2014"][0]["signoff"]["approved"]["name"] == "许明"


def test_a_full_width_chapter_number_is_the_same_numbering(imported):
    _, root = imported["digits"]
    docs = documents(root)
    assert "采购管理" not in docs["JH-02-2018"][1]
    assert "每年评价供方一次" in docs["JH-03-2016"][1]
    assert docs["JH-02-2018"][0]["signoff"]["approved"]["name"] == "潘涛"


def test_chapters_over_30_are_documents_with_their_own_signoff(imported):
    _, root = imported["decimal"]
    docs = documents(root)
    assert len(docs) == 45
    signers = {code: meta["signoff"]["approved"]["name"] for code, (meta, _) in docs.items()}
    assert signers == {code: "" if code == "0133-2022" else "曹军" for code in docs}
    assert "原稿没有文件编号：45 个十进制编号（1 / 1.1 / 1.1.1）标题下有编制/审核/批准签署，因此每个十进制编号" \
           "（1 / 1.1 / 1.1.1）标题各为一个文件\n" in report_of(root)


def test_an_invented_code_reuses_no_number_of_the_source(imported):
    _, root = imported["invented"]
    report = report_of(root)
    # FZ-02-2017 is cited in a body: FZ-02 is not free, whatever the year.
    assert re.search(r"^- FZ-03-2020：原稿中这个文件没有编号（第 8–11 行）；暂定为 FZ-03-2020（", report, re.M), report
    data = check_json(root)
    assert not [f for f in data["findings"] if "FZ-03-2020" in f["message"] and f["rule"] == "code-outdated"]


def test_a_second_signoff_in_a_document_is_reported_not_recorded(imported):
    _, root = imported["twice"]
    docs = documents(root)
    meta = docs["WZ-01-2019"][0]
    assert meta["signoff"]["approved"]["name"] == "邹明" and str(meta["signoff"]["approved"]["date"]) == "2019-05-01"
    # (the numbering starts again at 1 after the first sign-off: a document's start the import did not see)
    assert re.search(r"^- WZ-01-2019：另有一处签署（第 10 行）留在正文中：其前的编号在第 9 行从 1 重新开始，.*"
                     r"文件头采用第 7 行的签署", report_of(root), re.M), report_of(root)


# ---------------------------------------------------------------------------
# Conservation and defects


CONTROL = re.compile(r"[页版]\s*次|编\s*号|生效|页码|文件名称")


@pytest.mark.parametrize("name", list(EXPECTED))
def test_no_text_is_lost(imported, name):
    lines, root = imported[name]
    # (文件名称：X in a control table under or over the title line X is the same title: the front matter's
    # title: holds both, once)
    given = sum(1 for p in lines if p.strip())
    lines = [line for line in lines if not (line.startswith("文件名称：") and line[5:] in lines)]
    assert_nothing_lost(lines, root, CONTROL, given)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_check_reports_the_planted_defects(imported, name):
    expected = EXPECTED[name]
    data = assert_planted_defects(imported[name][1], expected)
    path = "policies/{}.md".format
    blank = {f["path"] for f in data["findings"] if f["rule"] == "signoff-complete" and "批准" in f["message"]
             and "name" in f["message"]}
    assert blank <= set(map(path, expected["blank_approver"])), blank  # never on another document
    errors = [f for f in data["findings"] if f["severity"] == "error"]
    # (SC-02 and SC-04 share a title in the source: duplicate-title is the source's own defect)
    assert all(f["rule"] == "duplicate-title" for f in errors) and (bool(errors) == name.startswith("dashes")), errors
