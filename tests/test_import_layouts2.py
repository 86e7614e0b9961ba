"""`manual import` of the layouts an independent review of issue #16 found cut wrongly: the ISO 9001 layout
(an unnumbered title line carrying its code, or a title over a ``文件编号：`` line, sections ``1 目的`` and
clauses ``3.1``/``4.1.1`` below), a coded TOC in either order, 第X章 mixing direct 第X条 with 第X节, Word
lists numbered ①.  Each import is checked for its documents, codes, titles, sections and clauses, the
sign-off landing on its own document (so that `manual check` reports a blank 批准 and ``2012年 月 日``),
and conservation: every non-empty input line is in a written file or in the report's 未导入 section,
counted in normalised characters, and the summary counts add up from the ledger."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from conftest import run_cli
from legacy_inputs import make_circled, make_jiangnan, make_vertical_signoff, make_word_chapters
from test_import_legacy import LABELS, CODE, check_json, documents, findings_of, normalise, normalise_all, \
    written_text

pytestmark = pytest.mark.xdist_group("import-layouts2")

# ---------------------------------------------------------------------------
# Inputs (in the style of the review's; the variants are derived from one ISO procedure manual)

ISO_COVER = ["东方电气设备制造有限公司", "ISO 9001:2008 程序文件汇编", "手册编号：DF/QM-02", "2012年8月1日发布"]
PURCHASE = ["文件编号：QP-7.4-01   版本：B/0   页次：1/3", "1 目的", "对采购过程进行控制，确保采购产品符合规定要求。",
            "2 范围", "适用于对产品质量有影响的原材料、外协件的采购。", "3 职责", "3.1 采购部负责供方的评价和采购实施。",
            "3.2 质检部负责进货检验，执行Q/DF 102-2012《进货检验规范》。", "4 工作程序", "4.1 供方评价",
            "4.1.1 采购部填写《供方评价表》，经质检部会签。", "4.1.2 合格供方列入《合格供方名录》。", "4.2 采购实施",
            "4.2.1 阀门参照上海宏达阀门有限公司的供货条件。", "4.2.2 优先选用“宏达”牌阀门。",
            "编制：刘洋 审核：孙丽 批准：吴军 日期：2012年8月1日"]
PRODUCTION = ["文件编号：QP-7.5-01   版本：B/0   页次：1/2", "1 目的", "对生产过程进行控制，确保产品质量。", "2 职责",
              "2.1 生产部负责组织生产。", "2.2 技术部负责编制作业指导书。", "3 工作程序", "3.1 生产前由班长填写《开工检查记录》。",
              "3.2 首件检验合格后方可批量生产。", "编制：刘洋 审核：孙丽 批准：   日期：2012年 月 日"]


def iso(first: str, second: str, cover=ISO_COVER, control: bool = True) -> list[str]:
    body = lambda lines: lines if control else lines[1:]  # noqa: E731
    return list(cover) + [first] + body(PURCHASE) + [second] + body(PRODUCTION)


SMALL_COVER = ["东方电气设备制造有限公司", "程序文件", "2012年8月1日"]
SMALL_1 = ["一、目的", "确保采购产品符合要求。", "二、职责", "1、采购部负责采购。", "编制：刘洋 审核：孙丽 批准：吴军 日期：2012年8月1日"]
SMALL_2 = ["一、目的", "确保产品质量。", "二、职责", "1、生产部负责组织生产。", "编制：刘洋 审核：孙丽 批准： 日期：2012年 月 日"]


def small(first: str, second: str, toc: list[str] = ()) -> list[str]:
    return SMALL_COVER + (["目录", *toc] if toc else []) + [first] + SMALL_1 + [second] + SMALL_2


ISO = {  # name: (lines, encoding, expected full ISO bodies)
    "code-first-gbk": (iso("QP-7.4-01 采购控制程序", "QP-7.5-01 生产过程控制程序"), "gbk", True),
    "title-first": (iso("采购控制程序 QP-7.4-01", "生产过程控制程序 QP-7.5-01"), "utf-8", True),
    "code-in-control-line": (iso("采购控制程序", "生产过程控制程序"), "utf-8", True),
    "no-iso-cover": (iso("采购控制程序 QP-7.4-01", "生产过程控制程序 QP-7.5-01", ISO_COVER[:1] + ["程序文件汇编", ISO_COVER[3]]),
                     "utf-8", True),
    "no-control-line": (iso("QP-7.4-01 采购控制程序", "QP-7.5-01 生产过程控制程序", control=False), "utf-8", True),
    "cn-sections": (small("采购控制程序 QP-7.4-01", "生产过程控制程序 QP-7.5-01"), "utf-8", False),
    "toc-code-first": (small("采购控制程序 QP-7.4-01", "生产过程控制程序 QP-7.5-01",
                             ["QP-7.4-01 采购控制程序……………3", "QP-7.5-01 生产过程控制程序……………5"]), "utf-8", False),
    "toc-title-first": (small("采购控制程序 QP-7.4-01", "生产过程控制程序 QP-7.5-01",
                              ["采购控制程序 QP-7.4-01……………3", "生产过程控制程序 QP-7.5-01……………5"]), "utf-8", False),
    "toc-only-code-first": (small("采购控制程序", "生产过程控制程序",
                                  ["QP-7.4-01 采购控制程序……………3", "QP-7.5-01 生产过程控制程序……………5"]), "utf-8", False),
    "toc-only-title-first": (small("采购控制程序", "生产过程控制程序",
                                   ["采购控制程序 QP-7.4-01……………3", "生产过程控制程序 QP-7.5-01……………5"]), "gbk", False),
}

HUABEI = ["华北重工集团", "员工手册", "二〇一五年一月", "第一章 总则", "第一条 为规范员工行为，制定本手册。", "第二条 本手册适用于全体员工。",
          "第二章 考勤管理", "第一节 工作时间", "第三条 公司实行每周五天工作制。", "第四条 员工应按时上下班：",
          "（一）迟到十分钟以内的，口头警告；", "（二）迟到超过十分钟的，按旷工半天处理。", "第二节 请假",
          "第五条 请假须填写《请假单》，经部门经理批准。", "第六条 病假须提供医院证明。", "第三章 附则", "第七条 本手册由人力资源部负责解释。",
          "第八条 本手册自发布之日起施行。", "编制：人力资源部 审核：何平 批准：  日期：2015年 月 日"]
DIRECT = ["华北重工集团", "考勤管理制度", "第一章 总则", "第一条 为规范考勤，制定本制度。", "第二条 本制度适用于全体员工。", "第二章 工作时间",
          "第三条 公司实行每周五天工作制。", "第四条 员工应按时上下班：", "（一）迟到十分钟以内的，口头警告；",
          "（二）迟到超过十分钟的，按旷工半天处理。", "第三章 附则", "第五条 本制度由人力资源部负责解释。",
          "编制：人力资源部 审核：何平 批准：  日期：2015年 月 日"]
HAITIAN = ["海天塑业有限公司", "质量手册", "版本：A/0  发布日期：2016年4月1日", "第1章 质量方针与目标（HT/QM-01）", "1.1 质量方针",
           "质量第一，顾客满意，持续改进。", "1.2 质量目标", "a) 产品一次交验合格率≥98%；", "b) 顾客满意度≥90分；", "c) 顾客投诉处理及时率100%。",
           "编制：郑伟 审核：钱进 批准：冯涛 日期：2016年4月1日", "第2章 管理职责（HT/QM-02）", "2.1 总经理职责", "① 制定质量方针和质量目标；",
           "② 确保资源的获得；", "③ 主持管理评审。", "2.2 管理者代表职责", "a) 确保质量管理体系的过程得到建立和保持；",
           "b) 向总经理报告体系的业绩，包括：", "① 内部审核结果；", "② 顾客反馈。", "编制：郑伟 审核：钱进 批准：冯涛 日期：2016年4月1日",
           "第3章 资源管理（HT/QM-03）", "3.1 人力资源", "人力资源部每年编制培训计划，培训记录填入《员工培训记录》。", "3.2 基础设施",
           "设备部负责设备的维护保养，参照杭州中策橡胶有限公司的设备管理办法。", "编制：郑伟 审核：钱进 批准： 日期：2016年 月 日"]
LVYUAN = ["绿源环保科技有限公司", "环境管理制度", "2017年6月", "1 废水管理", "1.1 职责", "1.1.1 生产部负责废水处理设施的运行。",
          "1.1.2 安环部负责监督检查：", "1.1.2.1 每日巡查一次；", "1.1.2.2 每月取样送检一次。", "1.2 要求", "1.2.1 废水达标后方可排放。",
          "1.2.2 运行情况记入《废水处理运行记录》。", "编制：王芳 审核：李强 批准：张伟 2017年6月1日", "2 固废管理", "2.1 分类",
          "2.1.1 一般固废与危险废物分开存放。", "2.1.2 危险废物交由有资质的单位处置：", "2.1.2.1 委托北京金隅红树林环保技术有限责任公司处置；",
          "2.1.2.2 转移时填写转移联单。", "2.2 台账", "固废台账由安环部保管。", "编制：王芳 审核：李强 批准：张伟 2017年6月1日"]
NONAME = ["质量手册", "本公司成立于一九九八年，是一家专业生产阀门的公司。", "第一章 质量方针 QM-01", "一、质量第一，顾客满意。",
          "编制：张三 审核：李四 批准：王五 日期：2018年1月1日", "第二章 组织机构 QM-02", "一、公司设总经理一名。",
          "编制：张三 审核：李四 批准：王五 日期：2018年1月1日"]
# A chapter with no document under it (only a paragraph): manual.yaml's chapters do not take its title.
OVER = ["华北重工集团", "考勤管理制度", "第一章 考勤", "第一节 工作时间", "第一条 公司实行每周五天工作制。", "第二节 请假",
        "第二条 请假须经部门经理批准。", "第二章 附则", "本制度自发布之日起施行。"]

STANDARDS = ["东方电气设备制造有限公司", "企业标准汇编", "2012年8月1日", "Q/DF 102-2012 进货检验规范", "1 范围", "本标准规定了进货检验的要求。",
             "2 要求", "2.1 按批抽样。", "2.2 不合格品隔离存放。", "编制：刘洋 审核：孙丽 批准：吴军 日期：2012年8月1日",
             "Q/DF 103-2012 成品检验规范", "1 范围", "本标准规定了成品检验的要求。", "编制：刘洋 审核：孙丽 批准：吴军 日期：2012年8月1日"]

# A 相关文件 section citing codes on unnumbered lines: citations, not documents.
CITING = ["东方电气设备制造有限公司", "程序文件", "2012年8月1日", "QP-7.4-01 采购控制程序", "1 目的", "确保采购产品符合要求。", "2 相关文件",
          "Q/DF 102-2012 进货检验规范", "QP-7.5-01 生产过程控制程序", "3 记录", "《供方评价表》",
          "编制：刘洋 审核：孙丽 批准：吴军 日期：2012年8月1日", "QP-7.5-01 生产过程控制程序", "1 目的", "确保产品质量。", "2 相关文件",
          "QP-7.4-01 采购控制程序", "编制：刘洋 审核：孙丽 批准：吴军 日期：2012年8月1日"]

TEXTS = {**{f"iso-{k}": (v[0], v[1], "\n") for k, v in ISO.items()},
         "huabei-utf16": (HUABEI, "utf-16", "\r\n"), "direct-utf16be": (DIRECT, "utf-16-be-bom", "\n"),
         "direct-bom8": (DIRECT, "utf-8-sig", "\n"), "direct-gbk-cr": (DIRECT, "gbk", "\r"),
         "haitian": (HAITIAN, "utf-8", "\n"),
         "haitian-years": ([re.sub(r"(HT/QM-0\d)", lambda m: m.group(1) + ("-2015" if "02" in m.group(1) else "-2016"), x)
                            for x in HAITIAN], "utf-8", "\n"),
         "lvyuan-crlf": (LVYUAN, "utf-8", "\r\n"), "noname": (NONAME, "utf-8", "\n"),
         "standards": (STANDARDS, "utf-8", "\n"), "citing": (CITING, "utf-8", "\n"),
         "part-over-codes": (OVER, "utf-8", "\n")}


CONTROL = re.compile(r"[页版]\s*次|编\s*号|生效")  # control labels that become front-matter keys (文件编号 is in LABELS)


def write_input(folder: Path, name: str) -> tuple[Path, list[str]]:
    lines, encoding, newline = TEXTS[name]
    text = newline.join(lines) + newline
    data = (b"\xfe\xff" + text.encode("utf-16-be")) if encoding == "utf-16-be-bom" else text.encode(encoding)
    path = folder / f"{name}.txt"
    path.write_bytes(data)
    return path, lines


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> dict[str, tuple[list[str], Path]]:
    folder = tmp_path_factory.mktemp("layouts2")
    out = {}
    for name in TEXTS:
        path, lines = write_input(folder, name)
        target = folder / f"{name}-out"
        result = run_cli("import", path, "--out", target, "-q")
        assert result.returncode == 0 and "Traceback" not in result.stderr, (name, result.stderr)
        out[name] = (lines, target)
    for name, make in (("circled-docx", make_circled), ("word-chapters-docx", make_word_chapters),
                       ("vertical-signoff-docx", make_vertical_signoff), ("jiangnan-docx", make_jiangnan)):
        legacy = make(folder)
        target = folder / f"{name}-out"
        result = run_cli("import", legacy.path, "--out", target, "-q")
        assert result.returncode == 0 and "Traceback" not in result.stderr, (name, result.stderr)
        out[name] = (legacy.paragraphs, target)
    return out


def report_of(root: Path) -> str:
    return (root / "import-report.md").read_text(encoding="utf-8")


def sections_and_clauses(body: str) -> tuple[list[str], int]:
    return re.findall(r"^#+ (.+)$", body, re.M), len(re.findall(r"^\s*\d+\. ", body, re.M))


# ---------------------------------------------------------------------------
# Defect 2: the ISO layout


@pytest.mark.parametrize("name", list(ISO))
def test_iso_layout_gives_one_document_per_procedure(imported, name):
    _, root = imported[f"iso-{name}"]
    docs = documents(root)
    assert {code: meta["title"] for code, (meta, _) in docs.items()} == {"QP-7.4-01": "采购控制程序",
                                                                          "QP-7.5-01": "生产过程控制程序"}
    purchase, production = docs["QP-7.4-01"][1], docs["QP-7.5-01"][1]
    if ISO[name][2]:
        assert sections_and_clauses(purchase) == (["1 目的", "2 范围", "3 职责", "4 工作程序", "4.1 供方评价", "4.2 采购实施"], 6)
        assert sections_and_clauses(production) == (["1 目的", "2 职责", "3 工作程序"], 4)
        # 4.1.1 is clause 1 of section 4.1; a clause sentence keeps the code it cites, and is never a title.
        assert "### 4.1 供方评价\n\n1. 采购部填写《供方评价表》，经质检部会签。\n2. 合格供方列入《合格供方名录》。" in purchase
        assert "2. 质检部负责进货检验，执行Q/DF 102-2012《进货检验规范》。" in purchase
    else:
        assert sections_and_clauses(purchase) == (["一、目的", "二、职责"], 1)
        assert "1. 采购部负责采购。" in purchase and "1. 生产部负责组织生产。" in production
    # Each sign-off lands on its own document: check reports the second one's blank 批准 and date.
    assert docs["QP-7.4-01"][0]["signoff"]["approved"]["name"] == "吴军"
    assert not docs["QP-7.5-01"][0]["signoff"]["approved"].get("name")
    assert docs["QP-7.5-01"][0]["signoff"]["prepared"]["name"] == "刘洋"
    data = check_json(root)
    hits = findings_of(data, "signoff-complete", "policies/QP-7.5-01.md")
    assert [f for f in hits if "批准" in f["message"] and "name" in f["message"]], hits
    assert [f for f in hits if "年月日" in f["message"]], hits
    assert not [f for f in findings_of(data, "signoff-complete", "policies/QP-7.4-01.md")
                if "name" in f["message"] or "年月日" in f["message"]]
    assert data["errors"] == 0, [f for f in data["findings"] if f["severity"] == "error"]
    report = report_of(root)
    assert "作为章标题" not in report
    if name.startswith("toc-only"):
        assert "QP-7.4-01：正文标题（第 7 行）没有编号；采用目录（第 5 行）中的编号 QP-7.4-01" in report


def test_enterprise_standard_codes_in_unnumbered_heading_lines(imported):
    _, root = imported["standards"]
    docs = documents(root)
    assert {code: meta["title"] for code, (meta, _) in docs.items()} == {"Q/DF 102-2012": "进货检验规范",
                                                                          "Q/DF 103-2012": "成品检验规范"}
    assert sections_and_clauses(docs["Q/DF 102-2012"][1]) == (["1 范围", "2 要求"], 2)
    assert sorted(p.name for p in (root / "policies").glob("*.md")) == ["Q_DF_102-2012.md", "Q_DF_103-2012.md"]


def test_codes_cited_in_a_related_documents_section_are_not_documents(imported):
    _, root = imported["citing"]
    docs = documents(root)
    assert {code: meta["title"] for code, (meta, _) in docs.items()} == {"QP-7.4-01": "采购控制程序",
                                                                          "QP-7.5-01": "生产过程控制程序"}
    assert sections_and_clauses(docs["QP-7.4-01"][1])[0] == ["1 目的", "2 相关文件", "3 记录"]
    assert "生产过程控制程序" in docs["QP-7.4-01"][1] and "采购控制程序" in docs["QP-7.5-01"][1]


# ---------------------------------------------------------------------------
# Defect 3: 第X章 holding 条 directly beside 第X章 holding 节


def test_chapters_mixing_articles_and_sections_are_the_documents(imported):
    _, root = imported["huabei-utf16"]
    docs = documents(root)
    assert [(meta["title"], sections_and_clauses(body)) for _, (meta, body) in sorted(docs.items())] == [
        ("总则", ([], 2)), ("考勤管理", (["第一节 工作时间", "第二节 请假"], 6)), ("附则", ([], 2))]
    (code, rules), = [(code, doc) for code, doc in docs.items() if doc[0]["title"] == "附则"]
    assert rules[0]["signoff"]["prepared"]["name"] == "人力资源部" and not rules[0]["signoff"]["approved"].get("name")
    data = check_json(root)
    hits = findings_of(data, "signoff-complete", f"policies/{code}.md")
    assert [f for f in hits if "批准" in f["message"] and "name" in f["message"]] and \
        [f for f in hits if "年月日" in f["message"]], hits
    report = report_of(root)
    assert "每个第X章各为一个文件，其中的“第X节”为节" in report and "作为章标题" not in report
    # Every line written; the cover date 二〇一五年一月 only as the edition's year: its text listed as a part.
    assert "输入 19，导入 19，未导入 0" in report and "：二〇一五年一月\n" in report


def test_chapters_holding_articles_directly_are_the_documents(imported):
    for name in ("direct-utf16be", "direct-bom8", "direct-gbk-cr"):
        _, root = imported[name]
        assert [meta["title"] for _, (meta, _) in sorted(documents(root).items())] == ["总则", "工作时间", "附则"], name


# ---------------------------------------------------------------------------
# Defect 4: conservation as an invariant, and chapter titles claimed only when true


def test_a_heading_no_chapter_takes_is_reported_not_claimed(imported):
    _, root = imported["part-over-codes"]
    config = yaml.safe_load((root / "manual/manual.yaml").read_text(encoding="utf-8"))
    assert [(c["title"], c["documents"]) for c in config["chapters"]] == [("考勤", ["0101", "0102"])]
    report = report_of(root)
    assert not re.search(r"附则”作为章标题", report)
    listed = report.split("## 未导入 / not imported", 1)[1]
    assert re.search(r"^- 第 8 行（导入没有把它写入任何文件.*）：第二章 附则$", listed, re.M), listed
    assert re.search(r"^- 第 9 行（.*）：本制度自发布之日起施行。$", listed, re.M), listed
    assert re.search(r"“第一章\s?考勤”作为章标题", report), report


@pytest.mark.parametrize("name", [*TEXTS, "circled-docx", "word-chapters-docx", "vertical-signoff-docx", "jiangnan-docx"])
def test_no_text_is_lost(imported, name):
    lines, root = imported[name]
    out = normalise_all(written_text(root) + (root / "manual/roles.yaml").read_text(encoding="utf-8"))  # (its comments too)
    needed = Counter("".join(CONTROL.sub("", normalise(p)) for p in lines))
    missing = needed - Counter(out)
    assert not missing, "".join(sorted(missing.elements()))
    for line in lines:  # each body line in one piece
        if LABELS.search(line) or CONTROL.search(line) or CODE.search(line) or re.search(r"\d{4}\s*[年.\-/]|Q/", line):
            continue
        assert normalise(line) in out, line
    report = report_of(root)
    m = re.search(r"段落（表格按单元格计）：输入 (\d+)，导入 (\d+)，未导入 (\d+)", report)
    total, taken, left = map(int, m.groups())
    assert total == taken + left == sum(1 for p in lines if p.strip())  # both counted, neither derived
    listed = report.split("## 未导入 / not imported", 1)[1]
    assert left == len(re.findall(r"^- 第 \d+ [行段]（", listed, re.M))
    if "作为章标题" in report:  # said only of a heading manual.yaml has as a chapter title
        config = yaml.safe_load((root / "manual/manual.yaml").read_text(encoding="utf-8"))
        titles = {c["title"] for c in config["chapters"]}
        for said in re.findall(r"“(.+?)”作为章标题", report):
            assert any(said.endswith(t) for t in titles), (said, titles)


def test_cells_read_into_a_front_matter_are_written_or_listed(imported):
    """The audit after writing (importdocs.audit_front): a cell of a control or sign-off table that the front
    matter does not hold (a page number, a name the reader of the table missed) is listed with its position."""
    _, root = imported["vertical-signoff-docx"]
    docs = documents(root)
    assert set(docs) == {"HT-ZD-001", "HT-ZD-002"}
    report = report_of(root)
    listed = report.split("## 未导入 / not imported", 1)[1]
    for code, (meta, _) in docs.items():
        head = split_head(root, code)
        for cell in ("1/2", "李明", "周强"):
            assert cell in head or re.search(rf"^- 第 \d+ 段[^\n]*：{re.escape(cell)}$", listed, re.M), (code, cell, listed)


def split_head(root: Path, code: str) -> str:
    return (root / "policies" / f"{code}.md").read_text(encoding="utf-8").split("\n---\n", 1)[0]


# ---------------------------------------------------------------------------
# Defect 1: Word lists numbered ①


def test_word_list_numbered_circled_imports_as_items(imported):
    lines, root = imported["circled-docx"]
    (meta, body), = documents(root).values()
    assert meta["title"] == "仓库管理制度"
    assert "1. 物料分区存放。\n2. 先进先出。" in body
    assert "原料存放在①号库，成品存放在②号库。" in body  # a ① in the text is text


def test_word_chapters_with_a_circled_fourth_level(imported):
    _, root = imported["word-chapters-docx"]
    docs = documents(root)
    assert {code: meta["title"] for code, (meta, _) in docs.items()} == {"TF-GL-01": "总则", "TF-GL-02": "销售管理"}
    body = docs["TF-GL-02"][1]
    assert "2. 财务部负责回款核对，包括：\n   1. 每月对账；\n   2. 逾期款催收。" in body
    hits = findings_of(check_json(root), "signoff-complete", "policies/TF-GL-02.md")
    assert [f for f in hits if "批准" in f["message"] and "name" in f["message"]], hits
