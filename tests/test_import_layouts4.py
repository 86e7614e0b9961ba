"""`manual import` of the structure findings of a fourth review of issue #16, on inputs of its own:

* ``end-code``: a UTF-8 .txt 办法 whose ``文件编号：`` line stands at its END (under the sign-off), chapters
  ``第1章`` indented with U+3000, decimal clauses to five levels and ``①②`` items under them: one document with
  that code, titled by the line above its first chapter (never by the ``②`` sentence above the code line);
* ``end-code-above``: the same with the code line between the last clause and the sign-off;
* ``zhidu``: a GB18030 .txt 制度汇编 whose documents are a title line over a ``制度编号：`` / ``程序编号：`` line,
  ``第X章`` sections and ``第X条`` clauses, each signed at its end;
* ``cover-tab``: the same whose cover line is ``仓库制度汇编<TAB><TAB>版本：B/1``: the title is the manual's, the
  版本 part is in the report;
* ``chapters-signed``: an uncoded 员工手册 of 第X章 with 第X条, two of its three chapters signed: the report
  says how many chapters carry a sign-off, not that each one does.

For each: the documents (codes, titles), section and clause counts, conservation, and the planted code of
another year (``code-year``)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

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
# The last clause leads into what no longer follows (…须两名司机轮换：): still a sentence, not the code's heading.
END_CODE_LEAD_IN = BODY[:-3] + ["", SIGN, CODE_LINE]

ZHIDU = ["常州博远电子有限公司", "管理制度汇编", "2019年版",
         "仓库管理制度", "制度编号：BY-CK-01-2019", "第一章 总则", "第一条 为规范仓库管理，制定本制度。",
         "第二条 本制度适用于公司所有仓库。", "第二章 入库", "第三条 货物入库须填写《入库单》。", "第四条 仓管员核对数量后签收。",
         "编制：孙丽\u3000审核：马强\u3000批准：\u3000日期：2019年 月 日",
         "安全生产管理制度", "程序编号：BY-AQ-02-2016", "第一章 总则", "第一条 为保障安全生产，制定本制度。",
         "第二章 检查", "第二条 安全员每周巡查一次。", "第三条 发现隐患须当日整改。",
         "编制：孙丽\u3000审核：马强\u3000批准：赵刚\u3000日期：2019年1月2日"]

COVER_TAB = [ZHIDU[0], "仓库制度汇编\t\t版本：B/1"] + ZHIDU[2:]

SIGNED = ["常州博远电子有限公司", "员工手册", "2019年版",
          "第一章 考勤管理", "第一条 员工每日打卡两次。", "第二条 迟到三次计旷工半天。",
          "编制：孙丽\u3000审核：马强\u3000批准：赵刚\u3000日期：2019年1月2日",
          "第二章 休假管理", "第三条 年假按工龄计算。", "第四条 病假须提供医院证明。",
          "第三章 奖惩管理", "第五条 表现优秀者年终评优。", "第六条 违反制度者予以警告。",
          "编制：孙丽\u3000审核：马强\u3000批准：赵刚\u3000日期：2019年1月2日"]

EXPECTED = {
    "end-code": {"documents": [("HY-YS-07-2019", "车辆调度管理办法", 5, 11)], "company": "苏州恒远物流有限公司",
                 "year": 2023},
    "end-code-above": {"documents": [("HY-YS-07-2019", "车辆调度管理办法", 5, 11)],
                       "company": "苏州恒远物流有限公司", "year": 2023},
    "end-code-lead-in": {"documents": [("HY-YS-07-2019", "车辆调度管理办法", 5, 9)],
                         "company": "苏州恒远物流有限公司", "year": 2023},
}
ZHIDU_EXPECTED = {"documents": [("BY-CK-01-2019", "仓库管理制度", 2, 4), ("BY-AQ-02-2016", "安全生产管理制度", 2, 3)],
                  "company": "常州博远电子有限公司", "year": 2019}
ZHIDU_DEFECTS = {"code_year": ["BY-AQ-02-2016"], "blank_approver": ["BY-CK-01-2019"],
                 "unknown_form": [("BY-CK-01-2019", "入库单")], "foreign": []}
DEFECTS = {"code_year": ["HY-YS-07-2019"], "blank_approver": ["HY-YS-07-2019"],
           "unknown_form": [("HY-YS-07-2019", "车辆排班表")], "foreign": []}


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> dict[str, tuple[list[str], Path]]:
    folder = tmp_path_factory.mktemp("layouts4")
    inputs = {"end-code": (write_text(folder / "end-code.txt", END_CODE), END_CODE),
              "end-code-above": (write_text(folder / "end-code-above.txt", END_CODE_ABOVE), END_CODE_ABOVE),
              "end-code-lead-in": (write_text(folder / "end-code-lead-in.txt", END_CODE_LEAD_IN), END_CODE_LEAD_IN),
              "zhidu": (write_text(folder / "zhidu.txt", ZHIDU, "gb18030"), ZHIDU),
              "cover-tab": (write_text(folder / "cover-tab.txt", COVER_TAB), COVER_TAB),
              "chapters-signed": (write_text(folder / "chapters-signed.txt", SIGNED), SIGNED)}
    return import_each(folder, inputs)


@pytest.mark.parametrize("name", ["end-code", "end-code-above", "end-code-lead-in"])
def test_a_code_line_at_the_end_belongs_to_the_document_it_ends(imported, name):
    lines, root = imported[name]
    assert_documents(root, EXPECTED[name])
    body = documents(root)["HY-YS-07-2019"][1]
    assert "\n## 第1章 总则\n\n### 1.1 目的\n" in body and "\n## 第2章 调度流程\n" in body, body
    assert not re.search(r"^#+ .*[。；]$", body, re.M), body
    assert ("交接时填写交接记录。" in body or name == "end-code-lead-in") and "生鲜货物优先；" in body
    assert "文件编号" not in body
    assert "带编号的“①”" not in report_of(root)
    assert_nothing_lost(lines, root, re.compile(r"编\s*号|编制|审核|批准|日期"))
    assert_planted_defects(root, DEFECTS)


def test_any_code_label_of_a_document_is_its_code_line(imported):
    lines, root = imported["zhidu"]
    assert_documents(root, ZHIDU_EXPECTED)
    docs = documents(root)
    assert docs["BY-AQ-02-2016"][0]["signoff"]["approved"]["name"] == "赵刚"
    assert "安全生产管理制度" not in docs["BY-CK-01-2019"][1] and "编号" not in docs["BY-CK-01-2019"][1]
    assert "签署的第X章" not in report_of(root)
    # 第X条 run on through the chapters: 第三条 opens 第二章 and stays clause 3 (not 1 again)
    assert "## 第二章 入库\n\n3. 货物入库须填写《入库单》。\n4. 仓管员核对数量后签收。" in docs["BY-CK-01-2019"][1]
    assert "## 第二章 检查\n\n2. 安全员每周巡查一次。" in docs["BY-AQ-02-2016"][1]
    assert_nothing_lost(lines, root, re.compile(r"(?:制度|程序)?编\s*号|编制|审核|批准|日期|第.[章条]"))
    assert_planted_defects(root, ZHIDU_DEFECTS)


def test_a_cover_line_split_by_tabs_gives_the_manual_title(imported):
    lines, root = imported["cover-tab"]
    assert_documents(root, ZHIDU_EXPECTED)
    config = yaml.safe_load((root / "manual/manual.yaml").read_text(encoding="utf-8"))
    assert config["manual"]["title"] == "仓库制度汇编", config["manual"]
    assert "第 2 行，一部分（封面行上手册名称以外的文字）：版本：B/1" in report_of(root)
    assert "没有识别出手册名称" not in report_of(root)
    assert_nothing_lost(lines, root, re.compile(r"(?:制度|程序)?编\s*号|编制|审核|批准|日期|第.[章条]"))


def test_the_report_says_how_many_chapters_carry_a_signoff(imported):
    _, root = imported["chapters-signed"]
    assert list(documents(root)) == ["0101-2019", "0102-2019", "0103-2019"]
    report = report_of(root)
    assert "- 原稿没有文件编号：2 个第X章标题下有编制/审核/批准签署，因此每个第X章标题各为一个文件（其中 1 个没有签署）" \
        in report, report
    assert "每个带编制/审核/批准签署的" not in report
    assert "- 0102-2019：没有找到编制/审核/批准签署" in report
