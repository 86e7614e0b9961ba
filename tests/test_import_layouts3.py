"""`manual import` of the structure gaps a second review of issue #16 left, on layouts unlike the other tests':

* ``headings``: a .docx whose documents are Heading 1 with the code in a document-control table under the
  heading (one document has none), Heading 2 sections (some numbered a) b) by Word), and Heading 3 paragraphs
  that are numbered sentences (Word's lowerLetter numbers, or ``2.1.1`` typed): those are clauses, not
  headings;
* ``mixed``: a GBK .txt with CRLF mixing coded documents (a ``文件编号：`` line, a code in the title line)
  and uncoded ones each with its own sign-off, the first document uncoded, and one uncoded document without a
  sign-off after a closed one; forms appended as ``附：入库检查记录表`` and ``附表1：设备台账清单、车辆使用登记表``;
* ``nested``: a UTF-8 .txt with ``【TH-XZ-001】`` titles, ``一、`` sections, ``1.`` clauses, ``（1）`` sub-items;
* ``top``: a UTF-16 .txt whose documents are signed at their top, right under the title (one uncoded), with an
  unnumbered ``注意事项`` over ``1.`` ``2.`` inside a document; ``bottom``: the same signed at the bottom, where
  neither ``注意事项`` nor a short last line over the sign-off is a document;
* ``bold-title``: a .docx of Heading 1 documents with the code in the title, one uncoded document titled by a
  bold Normal paragraph, Heading 3 short headings over Heading 4 sentences;
* ``brackets``: a GB18030 .txt with CR line ends, codes without a year, an uncoded title in 【】 over a 版本 line
  and another over an empty ``文件编号：`` line.

For each: the documents (codes, titles), section and clause counts as ``manual check`` counts them, the codes
the import assigned (the next sequence number the source does not use, said in the report with its
position), conservation (every input paragraph and cell in a written file or the report's 未导入 section,
counted in normalised characters) and the planted defects ``manual check`` must report: the code's year, a
blank 批准 name, a ``年 月 日`` date, an unknown 《form》, another company's name."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from import_expect import assert_documents, assert_nothing_lost, assert_planted_defects, import_each, report_of
from legacy_docx import LegacyDocx, write_text
from test_import_legacy import documents

from generator.read.markdown import parse

pytestmark = pytest.mark.xdist_group("import-layouts3")


# ---------------------------------------------------------------------------
# Inputs


def make_headings(folder: Path) -> tuple[Path, list[str]]:
    d = LegacyDocx("zh")
    d.header("宁波海星模具有限公司")
    d.numbering("clauses", [("decimal", "%1"), ("decimal", "%1.%2"), ("lowerLetter", "%3)")])
    d.numbering("sections", [("lowerLetter", "%1)")])
    texts: list[str] = ["宁波海星模具有限公司"]  # (the header: read as the first paragraph of its section)

    def para(text, **kw):
        d.paragraph(text, **kw)
        texts.append(text)

    def head(text, level, **kw):
        d.heading(text, level, **kw)
        texts.append(text)

    def table(rows):
        d.table(rows)
        texts.extend(cell for row in rows for cell in row)

    def signoff(approver="赵刚", date="2021年3月5日"):
        table([["编制", "审核", "批准"], ["王强", "李娜", approver], ["2021年3月1日", "2021年3月2日", date]])

    para("宁波海星模具有限公司")
    para("生产管理制度汇编")
    para("2021年版")
    head("设备管理制度", 1)
    table([["文件编号", "HX-SC-01-2021", "版本", "A/0"]])
    head("目的", 2)
    para("规范设备的使用和维护，保证生产正常进行。")
    head("职责", 2)
    head("设备部负责设备的日常维护和定期检修，并建立设备档案。", 3, list="clauses", item_level=2)
    head("生产车间负责设备的正确使用，发现异常及时报告设备部。", 3, list="clauses", item_level=2)
    head("2.1 维护保养", 2)
    head("2.1.1 操作工每班检查设备润滑情况，填写《设备点检表》。", 3)
    head("2.1.2 设备部每月检查一次。", 3)
    para("检查结果报生产副总。")
    head("相关文件", 2)
    para("HX-SC-03 工装管理制度")
    signoff()
    head("模具管理制度", 1)
    table([["文件编号", "HX-SC-02-2019", "版本", "B/1"]])
    head("模具领用", 2)
    head("模具领用须填写《模具领用单》，经车间主任签字。", 3, list="clauses", item_level=2)
    head("外协模具参照昆山精工模具有限公司的验收标准。", 3, list="clauses", item_level=2)
    signoff("", "2021年 月 日")
    head("安全操作规程", 1)
    head("总则", 2, list="sections")
    head("操作人员须经培训合格后方可上岗。", 3, list="clauses", item_level=2)
    head("严禁酒后操作设备；", 3, list="clauses", item_level=2)
    head("防护", 2, list="sections")
    head("进入车间须佩戴安全帽，长发须盘起。", 3)
    para("附：安全检查记录表")
    signoff()
    return d.save(folder / "headings.docx"), texts


MIXED = ["西安秦川物流有限公司", "仓储管理手册", "2020年5月",
         "仓库安全管理规定",
         "一、适用范围", "本规定适用于公司所有仓库。",
         "二、安全要求", "1. 仓库内严禁烟火。", "2. 消防器材定期检查，填写《消防检查记录表》。",
         "编制：刘洋  审核：陈静  批准：张军  日期：2020年5月1日",
         "入库管理程序",
         "文件编号：QC-CK-02-2020",
         "一、入库验收", "1. 货物到库后由仓管员核对数量。", "2. 验收合格后录入系统。",
         "附：入库检查记录表",
         "编制：刘洋  审核：陈静  批准：张军  日期：2020年5月1日",
         "出库管理程序",
         "一、出库", "1. 凭出库单发货。", "2. 发货参照成都蓉欧物流有限公司的作业标准。",
         "附表1：设备台账清单、车辆使用登记表",
         "编制：刘洋  审核：陈静  批准：  日期：2020年 月 日",
         "QC-CK-04-2018 盘点管理程序",
         "一、盘点", "1. 每月末盘点一次。", "2. 盘点差异填写《盘点差异单》。",
         "编制：刘洋  审核：陈静  批准：张军  日期：2020年5月1日",
         "库存报废管理",
         "一、报废", "1. 报废须经财务部确认。"]

NESTED = ["无锡太湖纺织有限公司", "行政管理制度", "2022年1月1日发布",
          "【TH-XZ-001】办公用品管理办法",
          "一、总则", "1. 为规范办公用品的领用，制定本办法。", "2. 本办法适用于公司各部门。",
          "二、领用", "1. 领用程序：", "（1）部门填写《办公用品申领单》；", "（2）行政部审核后发放；", "（3）贵重物品须经总经理批准。",
          "2. 行政部每月汇总领用情况。",
          "编制：周敏 审核：吴磊 批准：郑华 日期：2022年1月1日",
          "【TH-XZ-002】车辆管理办法",
          "一、派车", "1. 用车须提前一天申请：", "（1）填写派车单；", "（2）经部门经理签字。",
          "二、费用", "1. 油费凭票报销，参照苏州东吴物流有限公司的标准执行。",
          "编制：周敏 审核：吴磊 批准： 日期：2022年 月 日",
          "【TH-XZ-003-2020】会议管理办法",
          "一、会议安排", "1. 会议室由行政部统一安排。",
          "编制：周敏 审核：吴磊 批准：郑华 日期：2022年1月1日"]


# Each document signed at its top, right under its title (one uncoded): a coded line over a sign-off opens a
# document when its first numbered line follows; an unnumbered 注意事项 over 1. 2. inside a document stays in it.
TOP = ["杭州西子电梯有限公司", "质量管理制度", "2019年3月1日",
       "XZ-ZL-01 来料检验规定", "编制：孙伟 审核：马丽 批准：钱峰 日期：2019年3月1日",
       "1 范围", "本规定适用于外购件的检验，检验结果记入《来料检验记录表》。", "2 要求", "2.1 检验员按抽样方案检验。",
       "注意事项", "1. 不合格品须隔离。", "2. 检验记录保存三年。",
       "过程检验规定", "编制：孙伟 审核：马丽 批准： 日期：2019年 月 日",
       "1 范围", "本规定适用于生产过程的检验。", "2 要求", "2.1 首件须经检验员确认。",
       "XZ-ZL-03-2017 成品检验规定", "编制：孙伟 审核：马丽 批准：钱峰 日期：2019年3月1日",
       "1 范围", "本规定适用于出厂前的检验，参照苏州迅达电梯有限公司的要求。"]
# Signed at the bottom: 注意事项 over 1. 2. before the document's own sign-off is not a document, nor is a short
# last line right over the sign-off.
BOTTOM = ["杭州西子电梯有限公司", "质量管理制度", "2019年3月1日",
          "XZ-ZL-01 来料检验规定", "1 范围", "本规定适用于外购件的检验。", "2 要求", "2.1 检验员按抽样方案检验。",
          "注意事项", "1. 不合格品须隔离。", "2. 检验记录保存三年。", "本规定自发布之日起执行",
          "编制：孙伟 审核：马丽 批准：钱峰 日期：2019年3月1日",
          "XZ-ZL-02 过程检验规定", "1 范围", "本规定适用于生产过程的检验。", "编制：孙伟 审核：马丽 批准：钱峰 日期：2019年3月1日"]

# Codes without a year; an uncoded title in 【】 over a 版本 line, another over an empty 文件编号： line.
BRACKETS = ["青岛海湾化工有限公司", "安全管理制度", "2018年",
            "AQ-01 安全教育培训制度", "1 新员工须经三级安全教育。", "2 特种作业人员持证上岗。",
            "编制：王一 审核：李二 批准：张三 日期：2018年1月1日",
            "【危险化学品管理规定】", "版本：A/0", "1 危险化学品专库存放。", "2 领用须双人双锁，填写《危化品领用登记表》。",
            "编制：王一 审核：李二 批准：张三 日期：2018年1月1日",
            "有限空间作业规定（试行）", "文件编号：", "1 作业前须检测气体，参照淄博齐鲁石化工程有限公司的规程。",
            "编制：王一 审核：李二 批准： 日期：2018年 月 日",
            "AQ-04 职业健康管理制度", "1 每年组织职业健康体检。", "编制：王一 审核：李二 批准：张三 日期：2018年1月1日"]


def make_bold_title(folder: Path) -> tuple[Path, list[str]]:
    """Heading 1 documents with the code in the title, one uncoded document titled by a bold Normal paragraph;
    Heading 3 short headings with Heading 4 sentences under them."""
    d = LegacyDocx("en")
    texts: list[str] = []

    def para(text, bold=False):
        p = d.paragraph(text)
        if bold:
            p.runs[0].bold = True
        texts.append(text)

    def head(text, level):
        d.heading(text, level)
        texts.append(text)

    for text in ("苏州金鸡湖软件有限公司", "研发管理手册", "2020年"):
        para(text)
    head("需求管理程序 RD-01-2020", 1)
    head("目的", 2)
    para("规范需求的收集与评审。")
    head("职责", 2)
    head("3.1 总体要求", 3)
    head("产品经理负责收集需求，并组织评审。", 4)
    head("研发经理负责评估工作量。", 4)
    para("编制：周一 审核：吴二 批准：郑三 日期：2020年1月1日")
    para("变更管理规定", bold=True)
    head("目的", 2)
    para("控制需求变更。")
    head("要求", 2)
    head("变更须填写《需求变更单》，经评审后实施。", 3)
    para("编制：周一 审核：吴二 批准：郑三 日期：2020年1月1日")
    head("测试管理程序 RD-03-2019", 1)
    head("目的", 2)
    para("保证软件质量，测试工具参照南京紫金山软件有限公司的选型。")
    para("编制：周一 审核：吴二 批准： 日期：2020年 月 日")
    return d.save(folder / "bold-title.docx"), texts


# name: documents [(code, title, sections, clauses)], company, edition year, assigned codes {code: first line},
# defects: code_year [codes], blank_approver [codes], unknown_form [(code, title)], foreign [(code, name)]
EXPECTED = {
    "headings": {
        "documents": [("HX-SC-01-2021", "设备管理制度", 4, 4), ("HX-SC-02-2019", "模具管理制度", 1, 2),
                      ("HX-SC-04-2021", "安全操作规程", 2, 3)],
        "company": "宁波海星模具有限公司", "year": 2021, "assigned": {"HX-SC-04-2021": "第 28"}, "titles": [],
        "code_year": ["HX-SC-02-2019"], "blank_approver": ["HX-SC-02-2019"],
        "unknown_form": [("HX-SC-01-2021", "设备点检表"), ("HX-SC-02-2019", "模具领用单")],
        "foreign": [("HX-SC-02-2019", "昆山精工模具有限公司")]},
    "mixed": {
        "documents": [("QC-CK-01-2020", "仓库安全管理规定", 2, 2), ("QC-CK-02-2020", "入库管理程序", 1, 2),
                      ("QC-CK-03-2020", "出库管理程序", 1, 2), ("QC-CK-04-2018", "盘点管理程序", 1, 2),
                      ("QC-CK-05-2020", "库存报废管理", 1, 1)],
        "company": "西安秦川物流有限公司", "year": 2020,
        "assigned": {"QC-CK-01-2020": "第 4", "QC-CK-03-2020": "第 18", "QC-CK-05-2020": "第 29"},
        "titles": [("QC-CK-01-2020", "第 4 行", "签署（第 10 行）"), ("QC-CK-03-2020", "第 18 行", "签署（第 23 行）"),
                   ("QC-CK-05-2020", "第 29 行", "前一个文件已由签署结束")],
        "code_year": ["QC-CK-04-2018"], "blank_approver": ["QC-CK-03-2020"],
        "unknown_form": [("QC-CK-01-2020", "消防检查记录表"), ("QC-CK-04-2018", "盘点差异单")],
        "foreign": [("QC-CK-03-2020", "成都蓉欧物流有限公司")]},
    "nested": {
        "documents": [("TH-XZ-001", "办公用品管理办法", 2, 7), ("TH-XZ-002", "车辆管理办法", 2, 4),
                      ("TH-XZ-003-2020", "会议管理办法", 1, 1)],
        "company": "无锡太湖纺织有限公司", "year": 2022, "assigned": {}, "titles": [],
        "code_year": ["TH-XZ-003-2020"], "blank_approver": ["TH-XZ-002"],
        "unknown_form": [("TH-XZ-001", "办公用品申领单")], "foreign": [("TH-XZ-002", "苏州东吴物流有限公司")]},
    "top": {
        "documents": [("XZ-ZL-01", "来料检验规定", 2, 3), ("XZ-ZL-02", "过程检验规定", 2, 1),
                      ("XZ-ZL-03-2017", "成品检验规定", 1, 0)],
        "company": "杭州西子电梯有限公司", "year": 2019, "assigned": {"XZ-ZL-02": "第 13"},
        "titles": [("XZ-ZL-02", "第 13 行", "签署（第 14 行）")],
        "code_year": ["XZ-ZL-03-2017"], "blank_approver": ["XZ-ZL-02"],
        "unknown_form": [("XZ-ZL-01", "来料检验记录表")], "foreign": [("XZ-ZL-03-2017", "苏州迅达电梯有限公司")]},
    "bottom": {
        "documents": [("XZ-ZL-01", "来料检验规定", 2, 3), ("XZ-ZL-02", "过程检验规定", 1, 0)],
        "company": "杭州西子电梯有限公司", "year": 2019, "assigned": {}, "titles": [],
        "code_year": [], "blank_approver": [], "unknown_form": [], "foreign": []},
    "bold-title": {
        "documents": [("RD-01-2020", "需求管理程序", 3, 2), ("RD-02-2020", "变更管理规定", 2, 1),
                      ("RD-03-2019", "测试管理程序", 1, 0)],
        "company": "苏州金鸡湖软件有限公司", "year": 2020, "assigned": {"RD-02-2020": "第 12"},
        "titles": [("RD-02-2020", "第 12 段", "签署（第 17 段）")],
        "code_year": ["RD-03-2019"], "blank_approver": ["RD-03-2019"],
        "unknown_form": [("RD-02-2020", "需求变更单")], "foreign": [("RD-03-2019", "南京紫金山软件有限公司")]},
    "brackets": {
        "documents": [("AQ-01", "安全教育培训制度", 0, 2), ("AQ-02", "危险化学品管理规定", 0, 2),
                      ("AQ-03", "有限空间作业规定（试行）", 0, 1), ("AQ-04", "职业健康管理制度", 0, 1)],
        "company": "青岛海湾化工有限公司", "year": 2018, "assigned": {"AQ-02": "第 8", "AQ-03": "第 13"},
        "titles": [("AQ-02", "第 8 行", "签署（第 12 行）"), ("AQ-03", "第 13 行", "签署（第 16 行）")],
        "code_year": [], "blank_approver": ["AQ-03"], "unknown_form": [("AQ-02", "危化品领用登记表")],
        "foreign": [("AQ-03", "淄博齐鲁石化工程有限公司")]},
}


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> dict[str, tuple[list[str], Path]]:
    folder = tmp_path_factory.mktemp("layouts3")
    inputs = {"headings": make_headings(folder),
              "mixed": (write_text(folder / "mixed.txt", MIXED, "gbk", newline="\r\n"), MIXED),
              "nested": (write_text(folder / "nested.txt", NESTED, "utf-8"), NESTED),
              "top": (write_text(folder / "top.txt", TOP, "utf-16-le", bom=True), TOP),
              "bottom": (write_text(folder / "bottom.txt", BOTTOM, "utf-8"), BOTTOM),
              "bold-title": make_bold_title(folder),
              "brackets": (write_text(folder / "brackets.txt", BRACKETS, "gb18030", newline="\r"), BRACKETS)}
    return import_each(folder, inputs)



# ---------------------------------------------------------------------------
# Documents, sections, clauses


@pytest.mark.parametrize("name", list(EXPECTED))
def test_documents_codes_titles_sections_and_clauses(imported, name):
    assert_documents(imported[name][1], EXPECTED[name])


@pytest.mark.parametrize("name", list(EXPECTED))
def test_codes_assigned_by_the_import_are_said_with_their_position(imported, name):
    _, root = imported[name]
    report = report_of(root)
    assigned = re.findall(r"^- (\S+)：原稿中这个文件没有编号（(第 \d+)[–\d]* [行段]）；暂定为 (\S+)（", report, re.M)
    assert {code: where for code, where, again in assigned if code == again} == EXPECTED[name]["assigned"], report
    for code, where, why in EXPECTED[name]["titles"]:
        # An unnumbered title line is a document because of its own sign-off, or because numbering starts again
        # after a document its sign-off closed: the report says which, at the title's position.
        assert re.search(rf"^- {re.escape(code)}：{where}“.+”：标题行没有编号，.*{re.escape(why)}.*作为一个文件$", report,
                         re.M), report


def test_heading_paragraphs_that_are_sentences_are_clauses(imported):
    _, root = imported["headings"]
    docs = documents(root)
    body = docs["HX-SC-01-2021"][1]
    # Heading 3 sentences (Word numbers them a) b)) are the clauses of their Heading 2 section; 2.1.1 typed in a
    # Heading 3 paragraph is clause 1 of section 2.1, and a paragraph after it continues that clause.
    assert "## 职责\n\n1. 设备部负责设备的日常维护和定期检修，并建立设备档案。\n2. 生产车间负责" in body
    assert "## 2.1 维护保养\n\n1. 操作工每班检查设备润滑情况，填写《设备点检表》。\n2. 设备部每月检查一次。\n\n" \
           "   检查结果报生产副总。" in body
    assert not re.search(r"^#+ .*[。；]$", body, re.M), body
    # A code cited under 相关文件 stays in the text; it is not a document, and no code the import gives reuses it.
    assert "HX-SC-03" in body and "HX-SC-03" not in {c[:8] for c in docs}
    # Word's a) before a section title is kept apart from it.
    safety = docs["HX-SC-04-2021"][1]
    assert [b.text for b in parse(safety, 1) if b.kind == "heading"] == ["a) 总则", "b) 防护"]
    assert "1. 操作人员须经培训合格后方可上岗。\n2. 严禁酒后操作设备；" in safety


def test_uncoded_documents_with_their_own_signoff(imported):
    _, root = imported["mixed"]
    docs = documents(root)
    # Each sign-off lands on its own document, the uncoded ones included.
    assert {code: meta["signoff"]["approved"].get("name") for code, (meta, _) in docs.items() if meta["signoff"]} == {
        "QC-CK-01-2020": "张军", "QC-CK-02-2020": "张军", "QC-CK-03-2020": "", "QC-CK-04-2018": "张军"}
    assert docs["QC-CK-05-2020"][0]["signoff"] == {}
    assert "本规定适用于公司所有仓库。" in docs["QC-CK-01-2020"][1]
    assert "盘点" not in docs["QC-CK-04-2018"][1].split("## 一、盘点", 1)[1].replace("盘点差异", "").replace(
        "每月末盘点", "")  # 库存报废管理 is not merged into it
    report = report_of(root)
    assert "第 4 行（封面" not in report  # the first document's title is not a cover line


def test_appended_form_titles_are_kept_whole(imported):
    _, root = imported["mixed"]
    report = report_of(root)
    for code, title in (("QC-CK-02-2020", "入库检查记录表"), ("QC-CK-03-2020", "设备台账清单"),
                        ("QC-CK-03-2020", "车辆使用登记表")):
        assert f"- {code}：正文引用《{title}》" in report, report


def test_clauses_and_sub_items_under_cn_sections(imported):
    _, root = imported["nested"]
    body = documents(root)["TH-XZ-001"][1]
    assert "## 二、领用\n\n1. 领用程序：\n   1. 部门填写《办公用品申领单》；\n   2. 行政部审核后发放；\n" \
           "   3. 贵重物品须经总经理批准。\n2. 行政部每月汇总领用情况。" in body


# ---------------------------------------------------------------------------
# Conservation and defects


CONTROL = re.compile(r"[页版]\s*次|编\s*号|生效")


@pytest.mark.parametrize("name", list(EXPECTED))
def test_no_text_is_lost(imported, name):
    lines, root = imported[name]
    assert_nothing_lost(lines, root, CONTROL)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_check_reports_the_planted_defects(imported, name):
    data = assert_planted_defects(imported[name][1], EXPECTED[name])
    assert data["errors"] == 0, [f for f in data["findings"] if f["severity"] == "error"]
