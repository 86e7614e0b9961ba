"""`manual import`: document codes with several letter groups before the number (HN-QP-01, GL-HR-001,
QM-HR-02-2019), in a heading line, in 【】 brackets and in a 文件编号： line (issue #16, second review)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from conftest import run_cli
from generator.authoring.importoutline import coded_title, take_code
from generator.model.codes import infer_scheme



def documents(out: Path) -> dict[str, dict]:
    found = {}
    for path in sorted(out.glob("*/*.md")):
        head = path.read_text(encoding="utf-8").split("\n---\n")[0]
        data = yaml.safe_load(head)
        if isinstance(data, dict) and "code" in data:
            found[data["code"]] = {"title": data["title"], "text": path.read_text(encoding="utf-8")}
    return found


@pytest.mark.parametrize("line, title, code", [
    ("入职管理QM-HR-01-2021", "入职管理", "QM-HR-01-2021"),
    ("【GL-HR-002】薪酬管理制度", "薪酬管理制度", "GL-HR-002"),
    ("安全生产管理 CJ-AQ-03-2021", "安全生产管理", "CJ-AQ-03-2021"),
    ("HN-QP-01 文件控制程序", "文件控制程序", "HN-QP-01"),
    ("客户管理程序 QP-7.5-01", "客户管理程序", "QP-7.5-01"),
])
def test_several_letter_groups_make_a_code(line, title, code):
    assert coded_title(line) == (title, code)


def test_control_line_code():
    assert take_code("文件编号：GL-HR-001")[1] == "GL-HR-001"
    assert take_code("编号：QM-HR-02-2019")[1] == "QM-HR-02-2019"


@pytest.mark.parametrize("sentence", [
    "按 ISO-9001 标准执行。",  # a standard's name, not a letter group followed by a number code
    "使用 A-B 型号的设备。",
    "电话 0571-88886666。",
    "见 GB/T 19001-2016 第 7 章。",
])
def test_no_false_codes_in_body_sentences(sentence):
    assert coded_title(sentence) is None


QM = """宁波海纳精密机械有限公司
质量手册
2020年1月

文件控制程序
文件编号：HN-QP-01
版本：A/0
1 目的
对质量管理体系文件进行控制。
2 范围
适用于本公司所有质量管理体系文件。
3 职责
3.1 质量部负责文件的编号。
3.2 各部门负责本部门文件的使用。
编制：李娜  审核：周斌  批准：吴涛  日期：2020年1月1日

不合格品控制程序
文件编号：HN-QP-02
版本：A/0
1 目的
对不合格品进行控制。
2 范围
适用于原材料、半成品和成品。
编制：李娜  审核：周斌  批准：吴涛  日期：2020年1月1日
"""

GL = """成都蓉信物流股份有限公司
管理制度汇编
二〇二二年版

【GL-HR-001】招聘管理制度
第一条 为规范招聘流程，制定本制度。
第二条 人力资源部负责组织面试。
编制：陈静  审核：刘洋  批准：张伟  日期：2022年2月1日

【GL-HR-002】薪酬管理制度
第一条 员工薪酬由基本工资、绩效工资构成。
第二条 工资每月十日发放。
编制：陈静  审核：刘洋  批准：张伟  日期：2022年2月1日
"""


def test_control_line_codes_make_documents_with_sections(tmp_path):
    source = tmp_path / "QM.txt"
    source.write_text(QM, encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("import", source, "--out", out)
    assert result.returncode == 0, result.stderr
    docs = documents(out)
    assert sorted(docs) == ["HN-QP-01", "HN-QP-02"]
    assert docs["HN-QP-01"]["title"] == "文件控制程序"
    assert docs["HN-QP-02"]["title"] == "不合格品控制程序"
    assert "## 1 目的" in docs["HN-QP-01"]["text"] and "## 3 职责" in docs["HN-QP-01"]["text"]
    assert "## 2 范围" in docs["HN-QP-02"]["text"]


def test_bracketed_codes_make_documents(tmp_path):
    source = tmp_path / "GL.txt"
    source.write_text(GL, encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("import", source, "--out", out)
    assert result.returncode == 0, result.stderr
    docs = documents(out)
    assert sorted(docs) == ["GL-HR-001", "GL-HR-002"]
    assert docs["GL-HR-001"]["title"] == "招聘管理制度"
    assert docs["GL-HR-002"]["title"] == "薪酬管理制度"


# ---------------------------------------------------------------------------
# The edition year and department prefixes

def imported_and_checked(tmp_path, text: str) -> tuple[dict, list[dict]]:
    source = tmp_path / "manual.txt"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("import", source, "--out", out)
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load((out / "manual" / "manual.yaml").read_text(encoding="utf-8"))
    checked = run_cli("check", "--root", out, "--format", "json")
    return config, json.loads(checked.stdout)["findings"]


PREFIXES = """成都蓉信物流股份有限公司
管理制度汇编
二〇二二年版

【HR-001】招聘管理制度
第一条 为规范招聘流程，制定本制度。
编制：陈静  审核：刘洋  批准：张伟  日期：2022年2月1日

【HR-002】薪酬管理制度
第一条 员工薪酬由基本工资、绩效工资构成。
编制：陈静  审核：刘洋  批准：张伟  日期：2022年2月1日

【XZ-001-2019】车辆管理制度
第一条 公司车辆由行政部统一管理。
编制：何丽  审核：刘洋  批准：张伟  日期：2022年2月1日
"""


def test_cover_year_wins_and_prefixes_vary(tmp_path):
    config, findings = imported_and_checked(tmp_path, PREFIXES)
    scheme = config["code_scheme"]
    assert scheme["year"] == 2022 and config["manual"]["edition"] == "2022"
    for code in ("HR-001", "HR-002", "XZ-001-2019"):
        assert re.fullmatch(scheme["pattern"], code), (code, scheme["pattern"])
    assert not [f for f in findings if f["rule"] == "code-scheme"], findings
    years = [f for f in findings if f["rule"] == "code-year"]
    assert [(f["path"], f["line"]) for f in years] == [("policies/XZ-001-2019.md", 4)]
    assert "'XZ-001-2022'" in years[0]["message"]


def test_cover_year_beats_the_most_common_code_year(tmp_path):
    text = PREFIXES.replace("二〇二二年版", "2023年").replace("【HR-001】", "【HR-001-2019】").replace(
        "【HR-002】", "【HR-002-2019】")
    config, findings = imported_and_checked(tmp_path, text)
    assert config["code_scheme"]["year"] == 2023
    years = sorted(f["path"] for f in findings if f["rule"] == "code-year")
    assert years == ["policies/HR-001-2019.md", "policies/HR-002-2019.md", "policies/XZ-001-2019.md"]
    assert not [f for f in findings if f["rule"] == "code-scheme"], findings


def test_department_prefixes_are_a_variable_part():
    pattern, fmt = infer_scheme(["GL-HR-001", "GL-HR-002", "GL-XZ-001", "GL-AQ-003"])
    assert pattern == r"^GL-[A-Z]{2}-(?P<seq>\d{3})$" and fmt == "GL-HR-{seq:03d}"


# ---------------------------------------------------------------------------
# Forms named after 附件1： / 附件： as after 附：

ATTACHED = """成都蓉信物流股份有限公司
管理制度汇编
二〇二二年版

【GL-HR-001】招聘管理制度
第一条 为规范招聘流程，制定本制度。
附件1：招聘需求申请表
编制：陈静  审核：刘洋  批准：张伟  日期：2022年2月1日

【GL-XZ-001】车辆管理制度
第一条 公司车辆由行政部统一管理。
附件：派车单
编制：何丽  审核：刘洋  批准：张伟  日期：2022年2月1日
"""


def test_attachment_lines_name_forms(tmp_path):
    source = tmp_path / "manual.txt"
    source.write_text(ATTACHED, encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("import", source, "--out", out, "--placeholder-forms")
    assert result.returncode == 0, result.stderr
    titles = sorted(yaml.safe_load(p.read_text(encoding="utf-8"))["title"] for p in (out / "forms").glob("*.yaml"))
    assert titles == ["招聘需求申请表", "派车单"]
