"""Six legacy manuals laid out the ways Chinese company manuals are, for the import tests.

Each ``make_*`` writes one file into a folder and returns a ``Legacy``: the file, and what an import
of it must give (documents with codes, titles, section and clause counts) and the defects planted in
it, which ``manual check`` must report afterwards.  ``paragraphs`` is the input as a reader sees it
(each paragraph, each table cell), which the conservation test counts.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from legacy_docx import LISTS, Level, LegacyDocx, png, write_text


@dataclass
class Legacy:
    path: Path
    documents: list[tuple[str, str, int, int]]  # (code, title, sections, clauses as markdown.clauses counts them)
    paragraphs: list[str]
    company: str | None = None
    defects: dict = field(default_factory=dict)  # code_year: [codes]; incomplete_date: [codes]; blank_name:
    # [(code, step)]; unknown_form: [(code, title)]; foreign_company: [(code, name)]
    year: int | None = None
    scheme: str | None = None


def _txt(folder: Path, name: str, lines: list[str], encoding: str = "utf-8") -> Path:
    return write_text(folder / name, lines, encoding)


# ---------------------------------------------------------------------------
# 1. Word heading styles and automatic numbering (.docx)


def make_word_headings(folder: Path) -> Legacy:
    d = LegacyDocx("en")
    d.properties(title="质量管理手册", company="华东精密机械有限公司")
    d.numbering("n", LISTS["decimal"])
    cover = ["华东精密机械有限公司", "质量管理手册", "2013年6月1日"]
    for text in cover:
        d.paragraph(text)
    texts = list(cover)

    def h(text, level, item_level):
        d.heading(text, level, list="n", item_level=item_level)
        texts.append(text)

    def item(text, level):
        d.item(text, "n", level)
        texts.append(text)

    def para(text):
        d.paragraph(text)
        texts.append(text)

    h("文件控制程序", 1, 0)
    h("目的", 2, 1)
    para("确保使用的文件均为有效版本。")
    h("职责", 2, 1)
    item("品质部负责文件的编号与发放。", 2)
    item("各部门负责本部门文件的保管。", 2)
    para("编制：张三 审核：李四 批准：王五 日期：2013年6月1日")
    h("记录控制程序", 1, 0)
    h("范围", 2, 1)
    para("适用于本公司质量记录的控制。")
    h("程序", 2, 1)
    item("记录由使用部门填写。", 2)
    item("记录目录登记在《记录清单表》中。", 2)
    item("记录保存期不少于三年。", 2)
    para("编制：赵六 审核： 批准： 日期：2013年 月 日")
    h("组织机构与人员配备", 1, 0)
    d.table([["岗位", "人数"], ["品质经理", "1"], ["检验员", "3名"]])
    texts.extend(["岗位", "人数", "品质经理", "1", "检验员", "3名"])
    para("编制：张三 审核：李四 批准：王五 日期：2013年6月1日")
    path = d.save(folder / "word-headings.docx")
    return Legacy(path, [("0101-2013", "文件控制程序", 2, 2), ("0102-2013", "记录控制程序", 2, 3),
                         ("0103-2013", "组织机构与人员配备", 0, 0)], texts,
                  company="华东精密机械有限公司", year=2013,
                  defects={"incomplete_date": ["0102-2013"], "blank_name": [("0102-2013", "reviewed"),
                                                                              ("0102-2013", "approved")],
                           "unknown_form": [("0102-2013", "记录清单表")]})


# ---------------------------------------------------------------------------
# 2. Chapters with their codes in the heading line (.txt)

CHAPTERS = [
    "蓝海电子科技有限公司",
    "程序文件汇编",
    "发布日期：2013年3月1日",
    "第一章 文件控制程序 QP-4.2-01",
    "一、目的",
    "为确保文件有效，特制定本程序。",
    "二、职责",
    "1、品质部负责文件的编号。",
    "2、各部门负责本部门文件的保管。",
    "编制：张三 审核：李四 批准：王五 2013年3月1日",
    "第二章 客户管理程序 QP-7.2-01",
    "一、目的",
    "明确客户管理的要求。",
    "二、程序",
    "1、业务部建立《客户档案登记表》。",
    "2、每年评审客户一次。",
    "3、重大质量问题同时通报上海宝钢集团有限公司。",
    "编制：赵六 审核： 批准： 2013年 月 日",
]


def make_chapter_codes(folder: Path) -> Legacy:
    path = _txt(folder, "chapter-codes.txt", CHAPTERS)
    return Legacy(path, [("QP-4.2-01", "文件控制程序", 2, 2), ("QP-7.2-01", "客户管理程序", 2, 3)],
                  [line for line in CHAPTERS], company="蓝海电子科技有限公司", year=2013, scheme="QP-",
                  defects={"incomplete_date": ["QP-7.2-01"],
                           "blank_name": [("QP-7.2-01", "reviewed"), ("QP-7.2-01", "approved")],
                           "unknown_form": [("QP-7.2-01", "客户档案登记表")],
                           "foreign_company": [("QP-7.2-01", "上海宝钢集团有限公司")]})


# ---------------------------------------------------------------------------
# 3. Decimal clauses, no codes, a TOC with page numbers (.txt)

DECIMAL = [
    "星辰物流股份有限公司",
    "员工管理手册",
    "2013年9月1日",
    "目录",
    "1 招聘管理……………1",
    "2 培训管理……………3",
    "1 招聘管理",
    "1.1 招聘原则",
    "1.1.1 公开招聘，择优录取。",
    "1.1.2 用人部门提出需求。",
    "1.2 招聘流程",
    "1.2.1 人力资源部发布招聘信息。",
    "1.2.2 面试合格后录用。",
    "编制：张三 审核：李四 批准：王五 2013年9月1日",
    "2 培训管理",
    "2.1 培训计划",
    "2.1.1 每年十二月编制下年度培训计划。",
    "2.1.2 培训情况记入《培训记录表》。",
    "2.2 培训实施",
    "2.2.1 新员工入职培训不少于八小时。",
    "编制：赵六 审核：李四 批准：王五 2013年9月1日",
]


def make_decimal(folder: Path) -> Legacy:
    path = _txt(folder, "decimal.txt", DECIMAL)
    return Legacy(path, [("0101-2013", "招聘管理", 2, 4), ("0102-2013", "培训管理", 2, 3)], list(DECIMAL),
                  company="星辰物流股份有限公司", year=2013,
                  defects={"unknown_form": [("0102-2013", "培训记录表")]})


# ---------------------------------------------------------------------------
# 4. A document-control table at the top of each document (.docx)


def make_control_tables(folder: Path) -> Legacy:
    d = LegacyDocx("zh")
    texts = []

    def para(text):
        d.paragraph(text)
        texts.append(text)

    def table(rows):
        d.table(rows)
        texts.extend(c for row in rows for c in row if c)

    para("远大食品有限公司")
    para("管理制度汇编")
    para("2013年5月20日")
    d.heading("客户投诉处理程序", 1)
    texts.append("客户投诉处理程序")
    table([["文件编号", "YD-0101-2013", "版本", "A/0"], ["编制", "张三", "审核", "李四"],
           ["批准", "王五", "日期", "2013-05-20"]])
    para("1、接到投诉后二十四小时内答复客户。")
    para("2、投诉处理结果报品质部备案。")
    d.heading("供应商评价程序", 1)
    texts.append("供应商评价程序")
    table([["文件编号", "YD-0102-2012", "版本", "A/0"], ["编制", "赵六", "审核", "李四"],
           ["批准", "", "日期", "2013年 月 日"]])
    para("1、每年评价供应商一次。")
    para("2、评价结果记入《供应商评价表》。")
    d.heading("仓库管理制度", 1)
    texts.append("仓库管理制度")
    table([["文件编号", "YD-0103-2013", "版本", "A/0"], ["编制", "张三", "审核", "李四"],
           ["批准", "王五", "日期", "2013-05-20"]])
    para("1、物料按区存放：")
    table([["物料", "存放区"], ["原料", "A区"], ["成品", "B区"]])
    para("2、仓库平面图如下。")
    d.image(png(), text="仓库平面图")
    texts.append("仓库平面图")
    path = d.save(folder / "control-tables.docx")
    return Legacy(path, [("YD-0101-2013", "客户投诉处理程序", 0, 2), ("YD-0102-2012", "供应商评价程序", 0, 2),
                         ("YD-0103-2013", "仓库管理制度", 0, 2)], texts, company="远大食品有限公司", year=2013,
                  scheme="YD-",
                  defects={"code_year": ["YD-0102-2012"], "incomplete_date": ["YD-0102-2012"],
                           "blank_name": [("YD-0102-2012", "approved")],
                           "unknown_form": [("YD-0102-2012", "供应商评价表")]})


# ---------------------------------------------------------------------------
# 5. GBK text: 第X节 / 第X条 / （一）, no date on the cover (.txt)

GBK = [
    "金桥建材有限公司",
    "安全生产管理制度",
    "第一节 安全生产责任制",
    "第一条 总经理是安全生产第一责任人。",
    "第二条 各部门经理对本部门安全负责：",
    "（一）每月组织安全检查；",
    "（二）及时整改隐患。",
    "编制：张三 审核：李四 批准：王五",
    "第二节 消防管理",
    "第一条 仓库严禁烟火。",
    "第二条 灭火器每月检查，结果记入《消防检查表》。",
    "第三条 参照华南水泥集团有限公司的做法执行。",
    "编制： 审核：李四 批准：王五 2013年 月 日",
]


def make_gbk(folder: Path) -> Legacy:
    path = _txt(folder, "gbk.txt", GBK, "gbk")
    return Legacy(path, [("0101", "安全生产责任制", 0, 4), ("0102", "消防管理", 0, 3)], list(GBK),
                  company="金桥建材有限公司", year=None,
                  defects={"incomplete_date": ["0102"], "blank_name": [("0102", "prepared")],
                           "unknown_form": [("0102", "消防检查表")],
                           "foreign_company": [("0102", "华南水泥集团有限公司")]})


# ---------------------------------------------------------------------------
# 6. A coded table of contents, as in the seed (.txt)

CODED_TOC = [
    "示例五金制品有限公司业务部管理手册2013.05.20",
    "一、客户服务宗旨……………0101-2013",
    "二、客户回访制度……………0102-2013",
    "三、样品管理规定……………0103-2013",
    "一、客户服务宗旨0101-2013",
    "以客户为中心，服务至上。",
    "二、客户回访制度0102-2012",
    "一、每月回访重要客户。",
    "二、回访后填写《客户回访记录表》。",
    "编制:张三审核:李四批准:2013年月日",
    "三、样品管理规定0103-2013",
    "1、样品须登记。",
    "2、样品借出须经业务经理批准。",
    "编制:张三审核:李四批准:王五2013年05月20日",
]


def make_coded_toc(folder: Path) -> Legacy:
    path = _txt(folder, "coded-toc.txt", CODED_TOC)
    return Legacy(path, [("0101-2013", "客户服务宗旨", 0, 0), ("0102-2012", "客户回访制度", 0, 2),
                         ("0103-2013", "样品管理规定", 0, 2)], list(CODED_TOC), company="示例五金制品有限公司",
                  year=2013,
                  defects={"code_year": ["0102-2012"], "incomplete_date": ["0102-2012"],
                           "blank_name": [("0102-2012", "approved")],
                           "unknown_form": [("0102-2012", "客户回访记录表")]})


MAKERS = {"word-headings": make_word_headings, "chapter-codes": make_chapter_codes, "decimal": make_decimal,
          "control-tables": make_control_tables, "gbk": make_gbk, "coded-toc": make_coded_toc}


# ---------------------------------------------------------------------------
# Review of issue #16: Word lists numbered ① (lvlText "%1", no dot), alone and as a fourth level under
# chapter headings numbered 第%1章 / %1.%2 on the heading styles (tests/test_import_layouts2.py)


def make_circled(folder: Path) -> Legacy:
    d = LegacyDocx("en")
    d.numbering("c", [("decimalEnclosedCircle", "%1")])
    texts = ["某某仓储有限公司", "仓库管理制度", "物料分区存放。", "先进先出。", "原料存放在①号库，成品存放在②号库。"]
    d.paragraph(texts[0])
    d.heading(texts[1], 1)
    d.item(texts[2], "c")
    d.item(texts[3], "c")
    d.paragraph(texts[4])
    return Legacy(d.save(folder / "circled.docx"), [("0101", "仓库管理制度", 0, 2)], texts, company="某某仓储有限公司")


def make_word_chapters(folder: Path) -> Legacy:
    d = LegacyDocx("zh")
    d.numbering("h", [("chineseCounting", "第%1章"), Level("decimal", "%1.%2", lgl=True),
                      Level("decimal", "%1.%2.%3", lgl=True), ("decimalEnclosedCircleChinese", "%4")])
    d.number_style(1, "h", 0)
    d.number_style(2, "h", 1)
    texts: list[str] = []

    def para(text, **kw):
        d.paragraph(text, **kw)
        texts.append(text)

    def head(text, level):
        d.heading(text, level)
        texts.append(text)

    para("成都天府食品有限公司")
    para("管理手册")
    head("总则", 1)
    para("编号：TF-GL-01")
    para("本手册规定了公司的基本管理要求。")
    para("编制：陈一 审核：林二 批准：黄三 2019年5月1日")
    head("销售管理", 1)
    para("编号：TF-GL-02")
    head("职责", 2)
    para("销售部负责客户开发。", list="h", level=2)
    para("财务部负责回款核对，包括：", list="h", level=2)
    para("每月对账；", list="h", level=3)
    para("逾期款催收。", list="h", level=3)
    head("合同评审", 2)
    para("合同签订前填写《合同评审表》。", list="h", level=2)
    para("特殊要求报总经理批准。", list="h", level=2)
    para("编制：陈一 审核：林二 批准： 2019年 月 日")
    return Legacy(d.save(folder / "word-chapters.docx"), [("TF-GL-01", "总则", 0, 0), ("TF-GL-02", "销售管理", 2, 6)],
                  texts, company="成都天府食品有限公司")


def make_vertical_signoff(folder: Path) -> Legacy:
    """A control table under each heading and a vertical sign-off table (编制/审核/批准 over names over dates)
    after each procedure: whatever the import reads of them, each cell is in a file or listed as not imported."""
    d = LegacyDocx("zh")
    texts = ["苏州恒通电子有限公司", "管理制度汇编", "2015年7月1日"]
    for text in texts:
        d.paragraph(text)
    for code, title, names, dates in (("HT-ZD-001", "文件控制程序", ["李明", "周强", "陈刚"], ["2015.7.1"] * 3),
                                      ("HT-ZD-002", "仓库管理制度", ["李明", "周强", ""], ["2015.7.1", "2015.7.1", "年 月 日"])):
        d.heading(title, 1)
        control = [["文件编号", code, "版次", "A", "页次", "1/2"]]
        d.table(control)
        items = ["本制度适用于公司全部" + title[:2] + "工作。", "具体记录填入《" + title[:2] + "登记表》。"]
        for k, item in enumerate(items, 1):
            d.paragraph(f"{k}、{item}")
        signoff = [["编制", "审核", "批准"], names, dates]
        d.table(signoff)
        texts += [title, *[c for row in control for c in row], *[f"{k}、{t}" for k, t in enumerate(items, 1)],
                  *[c for row in signoff for c in row]]
    return Legacy(d.save(folder / "vertical-signoff.docx"), [("HT-ZD-001", "文件控制程序", 0, 2),
                                                            ("HT-ZD-002", "仓库管理制度", 0, 2)], texts,
                  company="苏州恒通电子有限公司")


def make_jiangnan(folder: Path) -> Legacy:
    """标题 1/2 numbered 一、/1.1 (chineseCounting + isLgl), a control table (编号, 版本, 生效日期, 页次) under each
    heading, a horizontal sign-off table with a row of dates, a staffing table with a 部门 column, an image."""
    d = LegacyDocx("zh")
    d.numbering("n", [("chineseCounting", "%1、"), Level("decimal", "%1.%2", lgl=True), Level("decimal", "%1.%2.%3", lgl=True)])
    d.header("江南精工机械股份有限公司")
    texts: list[str] = ["江南精工机械股份有限公司"]  # (the header: read as the first paragraph of its section)

    def para(text, **kw):
        d.paragraph(text, **kw)
        texts.append(text)

    def head(text, level):
        d.heading(text, level, list="n", item_level=level - 1)
        texts.append(text)

    def table(rows):
        d.table(rows)
        texts.extend(c for row in rows for c in row)

    for text in ("江南精工机械股份有限公司", "程序文件", "2014年3月1日发布"):
        para(text)
    signed = [["编制", "李明", "审核", "周强", "批准", "陈刚"], ["日期", "2014年3月1日", "日期", "2014年3月1日", "日期", "2014年3月1日"]]
    head("文件控制程序", 1)
    table([["文件编号", "JN-QP-01-2014", "版本", "A/0"], ["生效日期", "2014-03-01", "页次", "1/3"]])
    head("目的", 2)
    para("规范文件的编制、审批和发放。")
    head("程序", 2)
    para("文件发放时登记《文件发放回收登记表》。", list="n", level=2)
    para("作废文件加盖“作废”章。", list="n", level=2)
    table(signed)
    head("采购控制程序", 1)
    table([["文件编号", "JN-QP-02-2013", "版本", "A/0"], ["生效日期", "2014-03-01", "页次", "1/2"]])
    head("程序", 2)
    para("采购部从合格供方名录中选择供方。", list="n", level=2)
    para("进货检验合格后入库。", list="n", level=2)
    table([["编制", "李明", "审核", "", "批准", ""], ["日期", "2014年 月 日", "日期", "年 月 日", "日期", "年 月 日"]])
    head("组织机构与人员配备", 1)
    table([["文件编号", "JN-QP-03-2014", "版本", "A/0"], ["生效日期", "2014-03-01", "页次", "1/1"]])
    head("人员配备", 2)
    table([["部门", "岗位", "定员"], ["生产部", "生产经理", "1名"], ["生产部", "操作工", "12名"], ["质量部", "检验员", "3名"]])
    head("组织机构图", 2)
    para("公司组织机构如下图：")
    d.image(png())
    table(signed)
    return Legacy(d.save(folder / "jiangnan.docx"), [("JN-QP-01-2014", "文件控制程序", 2, 2)], texts,
                  company="江南精工机械股份有限公司")
