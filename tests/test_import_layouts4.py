"""`manual import` of the structure findings of a fourth review of issue #16, on inputs of its own:

* ``end-code``: a UTF-8 .txt 办法 whose ``文件编号：`` line stands at its END (under the sign-off), chapters
  ``第1章`` indented with U+3000, decimal clauses to five levels and ``①②`` items under them: one document with
  that code, titled by the line above its first chapter (never by the ``②`` sentence above the code line);
* ``end-code-above``: the same with the code line between the last clause and the sign-off.

For each: the documents (codes, titles), section and clause counts, conservation, and the planted code of
another year (``code-year``)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from import_expect import assert_documents, assert_nothing_lost, assert_planted_defects, import_each, report_of
from legacy_docx import write_text
from test_import_legacy import documents

pytestmark = pytest.mark.xdist_group("import-layouts4")


BODY = ["苏州恒远物流有限公司", "2023年版", "车辆调度管理办法", "",
        "\u3000\u3000第1章\u3000总则", "1.1\u3000目的", "1.1.1\u3000规范车辆调度，提高运输效率。",
        "1.1.1.1\u3000本办法所称“车辆”，指公司自有及租赁的货车。", "1.1.1.1.1\u3000调度优先级如下：",
        "\u3000\u3000①\u3000生鲜货物优先；", "\u3000\u3000②\u3000其余按下单顺序。", "1.1.2\u3000本办法适用于运输部。",
        "1.2\u3000职责", "1.2.1\u3000调度员负责每日排班，填写《车辆排班表》。",
        "\u3000\u3000第2章\u3000调度流程", "2.1\u3000派车", "2.1.1\u3000调度员根据订单派车。",
        "2.1.1.1\u3000长途运输须两名司机轮换：", "\u3000\u3000①\u3000每人连续驾驶不超过4小时；",
        "\u3000\u3000②\u3000交接时填写交接记录。", ""]
SIGN = "编制：陈静\u3000\u3000审核：刘洋\u3000\u3000批准：\u3000\u3000\u3000\u3000日期：2023年\u3000月\u3000日"
CODE_LINE = "文件编号：HY-YS-07-2019"
END_CODE = BODY + [SIGN, CODE_LINE]
END_CODE_ABOVE = BODY + [CODE_LINE, SIGN]

EXPECTED = {
    "end-code": {"documents": [("HY-YS-07-2019", "车辆调度管理办法", 5, 11)], "company": "苏州恒远物流有限公司",
                 "year": 2023},
    "end-code-above": {"documents": [("HY-YS-07-2019", "车辆调度管理办法", 5, 11)],
                       "company": "苏州恒远物流有限公司", "year": 2023},
}
DEFECTS = {"code_year": ["HY-YS-07-2019"], "blank_approver": ["HY-YS-07-2019"],
           "unknown_form": [("HY-YS-07-2019", "车辆排班表")], "foreign": []}


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> dict[str, tuple[list[str], Path]]:
    folder = tmp_path_factory.mktemp("layouts4")
    inputs = {"end-code": (write_text(folder / "end-code.txt", END_CODE), END_CODE),
              "end-code-above": (write_text(folder / "end-code-above.txt", END_CODE_ABOVE), END_CODE_ABOVE)}
    return import_each(folder, inputs)


@pytest.mark.parametrize("name", ["end-code", "end-code-above"])
def test_a_code_line_at_the_end_belongs_to_the_document_it_ends(imported, name):
    lines, root = imported[name]
    assert_documents(root, EXPECTED[name])
    body = documents(root)["HY-YS-07-2019"][1]
    assert "\n## 第1章 总则\n\n### 1.1 目的\n" in body and "\n## 第2章 调度流程\n" in body, body
    assert not re.search(r"^#+ .*[。；]$", body, re.M), body
    assert "交接时填写交接记录。" in body and "生鲜货物优先；" in body
    assert "文件编号" not in body
    assert "带编号的“①”" not in report_of(root)
    assert_nothing_lost(lines, root, re.compile(r"编\s*号|编制|审核|批准|日期"))
    assert_planted_defects(root, DEFECTS)
