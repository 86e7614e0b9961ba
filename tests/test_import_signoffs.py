"""`manual import` of every way a legacy file writes its 编制/审核/批准: a sign-off split over lines (label on one
line, name on the next), ``编制/日期：张三/2016-3-1``, a date in brackets after the name, a sign-off table of
``编制：X`` cells over ``日期：Y`` cells, a blank 生效日期.  Each name and date lands on its own step, blank names and
``年 月 日`` stay as written, `manual check` reports them (as warnings: 0 errors, so the manual builds), nothing
is lost and nothing written is listed as not imported."""
from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from conftest import run_cli
from legacy_docx import LegacyDocx, write_text
from test_import_legacy import normalise, normalise_all, written_text

from generator.authoring.importbase import ascii_dates
from generator.read.markdown import parse

pytestmark = pytest.mark.xdist_group("import-signoffs")

TEXT = [
    "成都锦程机械有限公司", "管理制度汇编", "2020年5月1日",
    "第一章 设备管理制度 JC-01-2020", "一、目的", "规范设备的使用。", "二、要求", "1、设备每日点检。",
    # a sign-off over seven lines: each label on its line, its name on the next
    "编制：", "赵一", "审核：", "钱二", "批准：", "孙三", "日期：2020年5月6日",
    "第二章 安全管理制度 JC-02-2020", "一、要求", "1、进入车间应佩戴安全帽。",
    # step and date under one label; 批准 left blank, its date 年 月 日
    "编制/日期：赵一/2020-5-7  审核/日期：钱二/2020.5.8  批准/日期：/ 年 月 日",
    "第三章 仓库管理制度 JC-03-2020", "文件编号：JC-03-2020  生效日期：2020年 月 日", "一、要求", "1、物料分区存放。",
    # the date in brackets after each name, one in Chinese numerals
    "编制：赵一（2020年5月9日）审核：钱二（二〇二〇年五月十日）批准：孙三（2020年5月11日）",
    "第四章 质量管理制度 JC-04-2020", "一、要求", "1、不合格品隔离存放。",
    # one step a line, 批准 blank, an empty line, the date under its label and left blank
    "编制：赵一", "审核：钱二", "批准：", "", "日期：", "2020年 月 日",
]


def make_docx(path: Path) -> Path:
    d = LegacyDocx("zh")
    for text in ["苏州恒泰电子有限公司", "程序文件", "2021年4月1日"]:
        d.paragraph(text)
    d.heading("HT-QP-01-2021 记录控制程序", 1)
    d.table([["文件编号：HT-QP-01-2021", "版本：A/0", "生效日期：2021年 月 日"]])
    d.paragraph("1 目的")
    d.paragraph("对记录进行控制。")
    d.table([["项目", "要求"], ["记录保存", "1、记录按年度归档；\n2、借阅时登记。"]])
    # 编制：X cells over 日期：Y cells: each date its step's; 批准 blank, its date 年 月 日
    d.table([["编制：周六", "审核：吴七", "批准："], ["日期：2021-4-1", "日期：2021.4.2", "日期：年 月 日"]])
    d.heading("HT-QP-02-2021 内部审核程序", 1)
    d.paragraph("1 目的")
    d.paragraph("验证体系运行的有效性。")
    d.paragraph("编制：周六 审核：吴七 批准：郑八 日期：2021年4月3日")  # an older sign-off, kept in the body
    for text in ["编制：", "周六", "审核：", "吴七", "批准：", "", "日期：", "2021年 月 日"]:
        d.paragraph(text)
    return d.save(path)


DOCX = ["苏州恒泰电子有限公司", "程序文件", "2021年4月1日", "HT-QP-01-2021 记录控制程序",
        "文件编号：HT-QP-01-2021", "版本：A/0", "生效日期：2021年 月 日", "1 目的", "对记录进行控制。",
        "项目", "要求", "记录保存", "1、记录按年度归档；2、借阅时登记。",
        "编制：周六", "审核：吴七", "批准：", "日期：2021-4-1", "日期：2021.4.2", "日期：年 月 日",
        "HT-QP-02-2021 内部审核程序", "1 目的", "验证体系运行的有效性。",
        "编制：周六 审核：吴七 批准：郑八 日期：2021年4月3日",
        "编制：", "周六", "审核：", "吴七", "批准：", "日期：", "2021年 月 日"]


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("signoffs")
    sources = {"txt": write_text(base / "split.txt", TEXT), "docx": make_docx(base / "split.docx")}
    out = {}
    for name, source in sources.items():
        root = base / f"out-{name}"
        result = run_cli("import", source, "--out", root, "-q")
        assert result.returncode == 0, result.stderr
        out[name] = root
    return out


def front(root: Path, code: str) -> dict:
    text = (root / "policies" / f"{code}.md").read_text(encoding="utf-8")
    return yaml.safe_load(text[4:].split("\n---\n", 1)[0])


def body(root: Path, code: str) -> str:
    return (root / "policies" / f"{code}.md").read_text(encoding="utf-8")[4:].split("\n---\n", 1)[1]


def check(root: Path) -> dict:
    result = run_cli("check", "--root", root, "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def not_imported(root: Path) -> str:
    return (root / "import-report.md").read_text(encoding="utf-8").split("## 未导入 / not imported", 1)[1]


def line_of(root: Path, code: str, needle: str) -> int:
    lines = (root / "policies" / f"{code}.md").read_text(encoding="utf-8").splitlines()
    return next(n for n, text in enumerate(lines, 1) if needle in text)


def test_every_text_layout_lands_on_its_steps(imported):
    root = imported["txt"]
    assert front(root, "JC-01-2020")["signoff"] == {  # over seven lines, the one date shared by the named steps
        "prepared": {"name": "赵一", "date": dt.date(2020, 5, 6)},
        "reviewed": {"name": "钱二", "date": dt.date(2020, 5, 6)},
        "approved": {"name": "孙三", "date": dt.date(2020, 5, 6)}}
    assert front(root, "JC-02-2020")["signoff"] == {  # 编制/日期：name/date
        "prepared": {"name": "赵一", "date": dt.date(2020, 5, 7)},
        "reviewed": {"name": "钱二", "date": dt.date(2020, 5, 8)},
        "approved": {"name": "", "date": "年月日"}}
    assert front(root, "JC-03-2020")["signoff"] == {  # （date） after the name: the name has no brackets
        "prepared": {"name": "赵一", "date": dt.date(2020, 5, 9)},
        "reviewed": {"name": "钱二", "date": dt.date(2020, 5, 10)},
        "approved": {"name": "孙三", "date": dt.date(2020, 5, 11)}}
    assert front(root, "JC-04-2020")["signoff"] == {  # one step a line, the blank date under its label
        "prepared": {"name": "赵一", "date": "2020年月日"},
        "reviewed": {"name": "钱二", "date": "2020年月日"},
        "approved": {"name": ""}}
    assert front(root, "JC-03-2020")["effective"] == "2020年月日"
    for code in ("JC-01-2020", "JC-02-2020", "JC-04-2020"):  # no sign-off word is left in a body
        assert not re.search("编制|审核|批准|赵一", body(root, code)), body(root, code)


def test_every_docx_layout_lands_on_its_steps(imported):
    root = imported["docx"]
    first, second = front(root, "HT-QP-01-2021"), front(root, "HT-QP-02-2021")
    assert first["signoff"] == {"prepared": {"name": "周六", "date": dt.date(2021, 4, 1)},
                                "reviewed": {"name": "吴七", "date": dt.date(2021, 4, 2)},
                                "approved": {"name": "", "date": "年月日"}}
    assert first["effective"] == "2021年月日"
    # The last sign-off is the document's; the older one stays in the body, its fields apart.
    assert second["signoff"] == {"prepared": {"name": "周六", "date": "2021年月日"},
                                 "reviewed": {"name": "吴七", "date": "2021年月日"}, "approved": {"name": ""}}
    assert "编制：周六\u3000审核：吴七\u3000批准：郑八\u3000日期：2021年4月3日" in body(root, "HT-QP-02-2021")


def test_a_table_cells_paragraphs_stay_lines_of_their_own(imported):
    text = body(imported["docx"], "HT-QP-01-2021")
    table = next(b for b in parse(text, 1) if b.kind == "table")
    cell = table.row_spans[0][1]
    assert [s.kind for s in cell] == ["text", "hardbreak", "text"]
    assert [s.text for s in cell if s.kind == "text"] == ["1、记录按年度归档；", "2、借阅时登记。"]


@pytest.mark.parametrize("name", ["txt", "docx"])
def test_nothing_is_lost_and_nothing_written_is_listed(imported, name):
    root = imported[name]
    paragraphs = TEXT if name == "txt" else DOCX
    out = normalise_all(ascii_dates(written_text(root)))
    # (生效日期 is a label: it becomes the key effective:)
    needed = Counter("".join(normalise(ascii_dates(p.replace("生效日期", ""))) for p in paragraphs))
    missing = needed - Counter(out)
    assert not missing, "".join(sorted(missing.elements()))
    listed = not_imported(root)
    # No value that the front matter holds is listed as not written (dates in any form, names, labels).
    for value in ("赵一", "钱二", "孙三", "周六", "吴七", "日期", "二〇二〇", "2020", "2021", "年 月 日", "HT-QP-01"):
        assert value not in listed, listed
    report = (root / "import-report.md").read_text(encoding="utf-8")
    total, taken, left = map(int, re.search(r"输入 (\d+)，导入 (\d+)，未导入 (\d+)", report).groups())
    assert total == taken + left
    if name == "txt":
        assert left == 0 and "无：原稿的每一段都已写入源文件" in listed


@pytest.mark.parametrize("name", ["txt", "docx"])
def test_check_reports_the_blanks_as_warnings_and_the_manual_builds(imported, name, tmp_path):
    root = imported[name]
    data = check(root)
    assert data["errors"] == 0, [f for f in data["findings"] if f["severity"] == "error"]
    found = [(f["rule"], f["path"], f["line"], f["message"]) for f in data["findings"]]
    codes = ("JC-02-2020", "JC-03-2020", "JC-04-2020") if name == "txt" else ("HT-QP-01-2021", "HT-QP-01-2021",
                                                                                  "HT-QP-02-2021")
    blank_date, effective, blank_approval = codes

    def said(rule: str, code: str, line: int | None, words: str) -> bool:
        return any(r == rule and p == f"policies/{code}.md" and (line is None or n == line) and words in m
                   for r, p, n, m in found)

    approved = line_of(root, blank_date, "approved:")
    assert said("signoff-complete", blank_date, approved, "批准签署缺少签署人（name）")  # the blank 批准 name …
    assert said("signoff-complete", blank_date, approved, "批准签署日期“年月日”不完整")  # … and its 年 月 日
    assert said("effective-date-incomplete", effective, line_of(root, effective, "effective:"), "生效日期“")
    assert said("signoff-complete", blank_approval, None, "批准签署缺少签署人（name）")
    assert all(f["severity"] == "warning" for f in data["findings"])
    if name == "docx":  # check has 0 errors: the imported manual builds as it is
        build = run_cli("build", "site", "--root", root, timeout=1200)
        assert build.returncode == 0, build.stderr
        page = (root / "site" / "documents" / "HT-QP-01-2021.html").read_text(encoding="utf-8")
        assert "对记录进行控制" in page
        assert re.search(r"1、记录按年度归档；\s*<br\s*/?>\s*2、借阅时登记", page)  # the cell's two lines


def test_a_line_that_only_starts_like_a_label_is_no_sign_off(tmp_path):
    """Label lines that are not all sign-off labels, or a second 编制 before the first sign-off ends, are not
    joined: two one-line sign-offs stay two, and a 编制： with a sentence under it is body text."""
    source = write_text(tmp_path / "two.txt", [
        "成都锦程机械有限公司", "管理制度汇编", "2020年5月1日",
        "第一章 设备管理制度 JC-01-2020", "一、要求", "1、设备每日点检。",
        "编制：", "设备部负责设备台账的建立和维护，每季度核对一次。",
        "编制：赵一 审核：钱二 批准：孙三 日期：2020年5月6日",
        "第二章 安全管理制度 JC-02-2020", "一、要求", "1、进入车间应佩戴安全帽。",
        "编制：赵一 审核：钱二 批准：孙三 日期：2020年5月7日",
        "编制：赵一 审核：钱二 批准：孙三 日期：2020年5月8日"])
    out = tmp_path / "out"
    assert run_cli("import", source, "--out", out, "-q").returncode == 0
    assert "设备部负责设备台账的建立和维护" in body(out, "JC-01-2020")
    assert front(out, "JC-01-2020")["signoff"]["approved"] == {"name": "孙三", "date": dt.date(2020, 5, 6)}
    assert front(out, "JC-02-2020")["signoff"]["approved"] == {"name": "孙三", "date": dt.date(2020, 5, 8)}
    assert "2020年5月7日" in body(out, "JC-02-2020")



def test_label_values_written_elsewhere_are_not_listed(tmp_path):
    """A control line's print-only fields are listed once, by their reader, not again as a leftover of the line
    (``C/1 页次``); a sign-off date in Chinese numerals is compared as the date it is."""
    source = write_text(tmp_path / "line.txt", [
        "成都锦程机械有限公司", "管理制度汇编", "第一章 设备管理制度",
        "文件编号：JC-05-2020 版本：C/1 页次：2/4", "一、要求", "1、设备每日点检。",
        "编制：赵一 2020.5.1 审核：钱二 二〇二〇年五月二日 批准：孙三 日期：2020年5月3日"])
    out = tmp_path / "out"
    assert run_cli("import", source, "--out", out, "-q").returncode == 0
    assert front(out, "JC-05-2020")["signoff"]["reviewed"] == {"name": "钱二", "date": dt.date(2020, 5, 2)}
    listed = [line for line in not_imported(out).splitlines() if line.startswith("- ")]
    assert len(listed) == 2, listed
    assert listed[0].endswith("（文件控制行的“版本”）：C/1") and listed[1].endswith("：2/4")


def test_date_cells_under_or_beside_their_step():
    from generator.authoring.importtables import signoff_pairs, signoff_table

    under, used = signoff_table([["编制：周六", "审核：吴七", "批准："],
                                 ["日期：2021-4-1", "日期：", "日期：2021年 月 日"]])
    assert under == {"prepared": {"name": "周六", "date": "2021-4-1"}, "reviewed": {"name": "吴七", "date": ""},
                     "approved": {"name": "", "date": "2021年月日"}}  # (cells are read cleaned)
    assert used == {(r, c) for r in range(2) for c in range(3)}
    beside, _ = signoff_table([["编制：周六", "日期：2021.4.1", "审核：吴七", "日期：二〇二一年四月二日"]])
    assert beside["prepared"]["date"] == "2021.4.1" and beside["reviewed"]["date"] == "二〇二一年四月二日"
    assert signoff_pairs("编制/日期：周六/2021-4-1 审核/日期：吴七/2021.4.2 批准/日期：/ 年 月 日") == {
        "prepared": {"name": "周六", "date": "2021-4-1"}, "reviewed": {"name": "吴七", "date": "2021.4.2"},
        "approved": {"name": "", "date": "年 月 日"}}
    assert signoff_pairs("编制：周六（2021年4月1日）批准：郑八(2021.4.3)")["approved"] == {"name": "郑八",
                                                                                 "date": "2021.4.3"}
