"""`manual import` of sign-off and document-control tables in every orientation, and of dates as Chinese
manuals write them: each name and date lands on its own step, blank names and ``年 月 日`` stay as written so
that `manual check` reports them, every table cell is either in the written source or listed in the report's
"not imported" section with its row and column, and no output depends on the day of the import."""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
import yaml

from conftest import run_cli
from legacy_docx import LegacyDocx, write_text

from generator.authoring.importbase import dates_in, parse_date
from generator.authoring.importtables import signoff_table
from generator.model import PLACEHOLDER

pytestmark = pytest.mark.xdist_group("import-tables")


def split(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    head, body = text[4:].split("\n---\n", 1)
    return yaml.safe_load(head), body


def documents(root: Path) -> dict[str, tuple[dict, str]]:
    return {str(meta["code"]): (meta, body) for meta, body in
            (split(p) for p in sorted((root / "policies").glob("*.md")))}


def check_json(root: Path) -> list[dict]:
    result = run_cli("check", "--root", root, "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)["findings"]


def not_imported(root: Path) -> str:
    return (root / "import-report.md").read_text(encoding="utf-8").split("## 未导入 / not imported", 1)[1]


# ---------------------------------------------------------------------------
# The table reader on its own: three orientations


def test_a_header_row_with_names_and_dates_below():
    steps, used = signoff_table([["编制", "审核", "批准"], ["李明", "周强", ""], ["2015.7.1", "2015.7.2", "年 月 日"]])
    assert steps == {"prepared": {"name": "李明", "date": "2015.7.1"},
                     "reviewed": {"name": "周强", "date": "2015.7.2"},
                     "approved": {"name": "", "date": "年月日"}}
    assert used == {(r, c) for r in range(3) for c in range(3)}  # the blank name too: read as blank


def test_a_header_row_with_row_labels_in_the_first_column():
    steps, _ = signoff_table([["", "编制", "审核", "批准"], ["签名", "李明", "周强", "陈刚"],
                              ["日期", "2015年7月1日", "2015年7月1日", "2015年 月 日"]])
    assert steps["approved"] == {"name": "陈刚", "date": "2015年月日"}  # (spaces between Chinese dropped)
    assert steps["prepared"] == {"name": "李明", "date": "2015年7月1日"}


def test_a_header_row_with_a_date_column_after_each_step():
    steps, used = signoff_table([["编制", "日期", "审核", "日期", "批准", "日期"],
                                 ["李明", "2015.7.1", "周强", "2015.7.2", "", "年 月 日"]])
    assert steps == {"prepared": {"name": "李明", "date": "2015.7.1"},
                     "reviewed": {"name": "周强", "date": "2015.7.2"},
                     "approved": {"name": "", "date": "年月日"}}
    assert used == {(r, c) for r in range(2) for c in range(6)}


def test_label_value_pairs_in_a_row_with_a_date_row_under_them():
    steps, used = signoff_table([["编制", "李明", "审核", "", "批准", "陈刚"],
                                 ["日期", "2014年3月1日", "日期", "年 月 日", "日期", "2014年3月5日"]])
    assert steps == {"prepared": {"name": "李明", "date": "2014年3月1日"},
                     "reviewed": {"name": "", "date": "年月日"},
                     "approved": {"name": "陈刚", "date": "2014年3月5日"}}
    assert len(used) == 12  # every cell, the blank name read as blank


def test_a_label_column_with_the_values_to_its_right():
    steps, used = signoff_table([["编制", "李明", "2015/07/01"], ["审核", "周强", "2015/07/02"], ["批准", "", ""]])
    assert steps == {"prepared": {"name": "李明", "date": "2015/07/01"},
                     "reviewed": {"name": "周强", "date": "2015/07/02"},
                     "approved": {"name": "", "date": ""}}
    steps, _ = signoff_table([["编制：李明 2015.7.1"], ["审核：周强"], ["批准：陈刚 日期：2015.7.3"]])
    assert steps["prepared"] == {"name": "李明", "date": "2015.7.1"} and steps["approved"]["date"] == "2015.7.3"


def test_dates_as_chinese_manuals_write_them():
    found = {text: [(d.year, d.month, d.day) for d in dates_in(text)] for text in
             ("2017年6月", "A版 2019年", "二〇一五年一月", "二〇一五年一月二十日", "2015.7.1", "2015/07/01",
              "２０１５年７月１日", "2014年 月 日", "JN-QP-01-2014", "0101-2014", "QP-7.5-01", "2015-13-01")}
    assert found == {"2017年6月": [(2017, 6, 0)], "A版 2019年": [(2019, 0, 0)], "二〇一五年一月": [(2015, 1, 0)],
                     "二〇一五年一月二十日": [(2015, 1, 20)], "2015.7.1": [(2015, 7, 1)], "2015/07/01": [(2015, 7, 1)],
                     "２０１５年７月１日": [(2015, 7, 1)], "2014年 月 日": [(2014, 0, 0)], "JN-QP-01-2014": [],
                     "0101-2014": [], "QP-7.5-01": [], "2015-13-01": []}
    assert parse_date("二〇一五年一月二十日") == ("2015-01-20", True)
    assert parse_date("2014年 月 日") == ("2014年月日", False)


# ---------------------------------------------------------------------------
# A .docx with a control table and a sign-off table of a different orientation after each procedure


@pytest.fixture(scope="module")
def tables(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tables")
    doc = LegacyDocx(styles="zh")
    doc.paragraph("苏州恒通电子有限公司")
    doc.paragraph("程序文件汇编")
    doc.paragraph("2014年3月1日发布")
    doc.heading("文件控制程序", 1)
    doc.table([["文件编号", "HT-QP-01", "版本", "A/0"], ["生效日期", "2014-03-01", "页次", "1/3"]])
    doc.paragraph("1、文件发放时登记台账。")
    doc.paragraph("2、作废文件加盖作废章。")
    doc.table([["编制", "审核", "批准"], ["李明", "周强", "陈刚"], ["2014.3.1", "2014.3.2", "2014.3.3"]])
    doc.heading("采购控制程序", 1)
    doc.table([["文件编号", "HT-QP-02", "版本", "V2.1"], ["生效日期", "2014年 月 日", "编制", "王五"]])
    doc.paragraph("1、从合格供方中选择供方。")
    doc.table([["编制", "李明", "审核", "", "批准", ""],
               ["日期", "2014年3月1日", "日期", "年 月 日", "日期", "年 月 日"]])
    doc.heading("人员配备", 1)
    doc.table([["文件编号", "HT-QP-03"]])
    doc.table([["部门", "岗位", "定员"], ["生产部", "生产经理", "1名"], ["质量部", "检验员", "3名"]])
    doc.table([["编制", "李明", "2014/03/01"], ["审核", "周强", "2014/03/02"], ["批准", "", "2014年 月 日"]])
    source = doc.save(folder / "恒通.docx")
    out = folder / "out"
    result = run_cli("import", source, "--out", out, "-q")
    assert result.returncode == 0, result.stderr
    return out


def test_every_name_and_date_goes_to_its_own_step(tables):
    docs = documents(tables)
    assert docs["HT-QP-01"][0]["signoff"] == {"prepared": {"name": "李明", "date": dt.date(2014, 3, 1)},
                                              "reviewed": {"name": "周强", "date": dt.date(2014, 3, 2)},
                                              "approved": {"name": "陈刚", "date": dt.date(2014, 3, 3)}}
    assert docs["HT-QP-01"][0]["revisions"][0]["date"] == dt.date(2014, 3, 3)  # the approval's
    assert docs["HT-QP-02"][0]["signoff"] == {"prepared": {"name": "李明", "date": dt.date(2014, 3, 1)},
                                              "reviewed": {"name": "", "date": "年月日"},
                                              "approved": {"name": "", "date": "年月日"}}
    assert docs["HT-QP-03"][0]["signoff"] == {"prepared": {"name": "李明", "date": dt.date(2014, 3, 1)},
                                              "reviewed": {"name": "周强", "date": dt.date(2014, 3, 2)},
                                              "approved": {"name": "", "date": "2014年月日"}}
    for code in docs:
        text = (tables / "policies" / f"{code}.md").read_text(encoding="utf-8")
        assert "原稿没有签署行" not in text
        for cell in ("编制", "审核", "批准", "李明", "周强"):
            assert cell not in docs[code][1]  # the sign-off is in the front matter, not in the body


def test_check_reports_the_blank_names_and_dates_at_their_steps(tables):
    findings = [f for f in check_json(tables) if f["rule"] == "signoff-complete"]
    said = {(f["path"], f["message"]) for f in findings}
    lines = (tables / "policies" / "HT-QP-02.md").read_text(encoding="utf-8").splitlines()
    at = {f["path"] + ":" + lines[f["line"] - 1].split(":")[0].strip() for f in findings
          if f["path"] == "policies/HT-QP-02.md"}
    assert {"policies/HT-QP-02.md:reviewed", "policies/HT-QP-02.md:approved"} <= at
    for step in ("审核", "批准"):
        assert any(p == "policies/HT-QP-02.md" and f"{step}签署缺少签署人（name）" in m for p, m in said)
        assert any(p == "policies/HT-QP-02.md" and f"{step}签署日期“年月日”不完整" in m for p, m in said)
    assert any(p == "policies/HT-QP-03.md" and "批准签署缺少签署人（name）" in m for p, m in said)
    assert any(p == "policies/HT-QP-03.md" and "批准签署日期“2014年月日”不完整" in m for p, m in said)
    assert not any(p == "policies/HT-QP-01.md" and ("签署人（name）" in m or "日期（date）" in m) for p, m in said)
    assert not any("没有" in m and "签署" in m for _, m in said)  # no step is said to be missing
    # The 生效日期 the source left blank (2014年 月 日), written as it is: a warning at its line, no error.
    findings = check_json(tables)
    assert not [f for f in findings if f["severity"] == "error"]
    blank = [f for f in findings if f["rule"] == "effective-date-incomplete"]
    assert [(f["path"], f["severity"]) for f in blank] == [("policies/HT-QP-02.md", "warning")]
    assert lines[blank[0]["line"] - 1].startswith("effective: 2014年月日")


def test_no_cell_is_dropped(tables):
    docs = documents(tables)
    assert docs["HT-QP-01"][0]["effective"] == dt.date(2014, 3, 1)
    assert docs["HT-QP-02"][0]["effective"] == "2014年月日"  # no date invented: check reports it (schema)
    listed = not_imported(tables)
    # The control table's cells without a field, each at its row (paragraph) and column.
    for row, column, text in ((1, 3, "版本"), (1, 4, "A/0"), (2, 3, "页次"), (2, 4, "1/3")):
        assert re.search(rf"第 \d+ 段（[^）]*表格第 {row} 行第 {column} 列）：{re.escape(text)}\n", listed), text
    # A version the schema takes is the document's; a control table's sign-off that the sign-off table
    # overrides is listed, not dropped.
    assert docs["HT-QP-02"][0]["version"] == "2.1" and docs["HT-QP-02"][0]["revisions"][0]["version"] == "2.1"
    assert docs["HT-QP-01"][0]["version"] == "1.0"
    assert re.search(r"表格第 2 行第 3 列）：编制\n", listed) and re.search(r"表格第 2 行第 4 列）：王五\n", listed)
    # The staffing table's 部门 column stays with its posts (comments of roles.yaml).
    roles = (tables / "manual" / "roles.yaml").read_text(encoding="utf-8")
    assert re.search(r"id: 生产经理.*# 原稿第 \d+ 段，部门：生产部", roles)
    assert re.search(r"id: 检验员.*# 原稿第 \d+ 段，部门：质量部", roles)
    # The report's count: every non-empty cell of the four tables read or listed.
    report = (tables / "import-report.md").read_text(encoding="utf-8")
    counted = re.search(r"输入 (\d+)，导入 (\d+)，未导入 (\d+)", report)
    entries = re.findall(r"^- 第 \d+ 段（", listed, re.M)
    assert int(counted.group(3)) == len(entries) == 6  # 版本 A/0 页次 1/3, 编制 王五


# ---------------------------------------------------------------------------
# Dates of the cover: the edition's year and the first revision's date; never the day of the import


def decimal_manual(folder: Path, name: str, cover_date: str | None, signoff_date: str = "") -> Path:
    lines = ["绿源环保科技有限公司", "环境管理制度"] + ([cover_date] if cover_date else []) + [
        "1 废水管理", "1.1 职责", "1.1.1 环保部负责废水监测。", "1.1.2 生产部负责设备运行。",
        "2 废气管理", "2.1 职责", "2.1.1 环保部负责废气监测。"]
    if signoff_date:
        lines.append(f"编制：王芳 审核：李强 批准：张伟 {signoff_date}")
    return write_text(folder / f"{name}.txt", lines, "utf-8")


@pytest.mark.parametrize("cover, year, revision", [
    ("2017年6月", 2017, "2017-06-01"),
    ("A版 2019年", 2019, "2019-01-01"),
    ("二〇一五年一月", 2015, "2015-01-01"),
    ("２０１５年７月１日", 2015, "2015-07-01"),
    ("2015.7.1", 2015, "2015-07-01"),
    ("2015/07/01", 2015, "2015-07-01"),
])
def test_cover_dates_give_the_edition_year_and_the_revision_date(tmp_path, cover, year, revision):
    source = decimal_manual(tmp_path, "cover", cover)
    out = tmp_path / "out"
    assert run_cli("import", source, "--out", out, "-q").returncode == 0
    config = yaml.safe_load((out / "manual/manual.yaml").read_text(encoding="utf-8"))
    assert config["manual"]["edition"] == str(year) and config["code_scheme"]["year"] == year
    for meta, _ in documents(out).values():
        assert str(meta["revisions"][0]["date"]) == revision
    if revision.endswith("-01-01") or cover.endswith("月"):
        assert "date" not in config["manual"]  # a month or a year is not the manual's date
    if cover.startswith("A版"):
        assert "A版 2019年" in not_imported(out)  # the 'A版' is not lost


def test_a_signed_document_is_dated_by_its_signoff(tmp_path):
    source = decimal_manual(tmp_path, "signed", "2017年6月", "2017年6月20日")
    out = tmp_path / "out"
    assert run_cli("import", source, "--out", out, "-q").returncode == 0
    dates = sorted(str(meta["revisions"][0]["date"]) for meta, _ in documents(out).values())
    assert dates[-1] == "2017-06-20"  # the signed one; the other gets the latest date of the source
    assert dates == ["2017-06-20", "2017-06-20"]


def test_without_any_date_the_revision_is_a_placeholder_that_check_reports(tmp_path):
    source = decimal_manual(tmp_path, "undated", None)
    out = tmp_path / "out"
    assert run_cli("import", source, "--out", out, "-q").returncode == 0
    today = dt.date.today().isoformat()
    for code, (meta, _) in documents(out).items():
        assert meta["revisions"][0]["date"] == PLACEHOLDER
        assert today not in (out / "policies" / f"{code}.md").read_text(encoding="utf-8")
    findings = check_json(out)
    placeholders = {(f["path"], f["line"]) for f in findings if f["rule"] == "placeholder"}
    for code in documents(out):
        path = f"policies/{code}.md"
        line = next(n for n, text in enumerate((out / path).read_text(encoding="utf-8").splitlines(), 1)
                    if "- {version:" in text)
        assert (path, line) in placeholders
    assert not [f for f in findings if f["rule"] == "schema"]
    strict = run_cli("check", "--root", out, "--strict")
    assert strict.returncode != 0 and PLACEHOLDER in strict.stdout


def test_control_and_signoff_lines_of_a_text_file(tmp_path):
    """文件编号： lines: the code, 生效日期 → effective:, 版本/页次 listed as parts of the line; a sign-off line's
    dates each on their step, in full-width digits and Chinese numerals too."""
    source = write_text(tmp_path / "lines.txt", [
        "某某制药有限公司", "质量手册", "一、客户管理程序",
        "文件编号：QP-7.5-01 版本：B/0 页次：1/3 生效日期：２０１３年１月５日",
        "1、建立客户档案。", "2、每年评审。",
        "编制：张三 2013.1.1 审核：李四 二〇一三年一月二日 批准：王五 日期：2013年1月3日",
        "二、采购控制程序", "文件编号：QP-7.4-01", "1、合格供方名录。",
        "编制：张三 审核： 批准： 日期：2013年 月 日"], "gbk")
    out = tmp_path / "out"
    assert run_cli("import", source, "--out", out, "-q").returncode == 0
    docs = documents(out)
    first, second = docs["QP-7.5-01"][0], docs["QP-7.4-01"][0]
    assert first["effective"] == dt.date(2013, 1, 5)
    assert first["signoff"] == {"prepared": {"name": "张三", "date": dt.date(2013, 1, 1)},
                                "reviewed": {"name": "李四", "date": dt.date(2013, 1, 2)},
                                "approved": {"name": "王五", "date": dt.date(2013, 1, 3)}}
    assert second["signoff"] == {"prepared": {"name": "张三"}, "reviewed": {"name": ""},
                                 "approved": {"name": "", "date": "2013年月日"}}
    listed = not_imported(out)
    assert "- 第 4 行，一部分（文件控制行的“版本”）：B/0" in listed
    assert re.search(r"- 第 4 行，一部分（文件控制行的“页次”：页码/页次是打印版式信息，不是内容[^）]*）：1/3", listed)
    said = [f["message"] for f in check_json(out) if f["path"] == "policies/QP-7.4-01.md"]
    assert any("审核签署缺少签署人（name）" in m for m in said) and any("批准签署缺少签署人（name）" in m for m in said)
    assert any("批准签署日期“2013年月日”不完整" in m for m in said)
