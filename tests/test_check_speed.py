"""The one shortcut of `manual check`: the rules' shared prose (``rules.memo``) finds exactly
what each rule finds on its own, on a 300-document synthetic manual full of defects.

Speed itself is never asserted here (bench/run.py measures it).
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from conftest import REPO
from generator import rules
from generator.rules.check import check

sys.path.insert(0, str(REPO / "bench"))


# -- a synthetic manual with defects of every kind -------------------------------------------
def dirty_manual(out: Path, documents: int = 300) -> Path:
    """bench/synth.py's manual, with forbidden terms, unknown citations, misspelt company names,
    duplicate keys, schema errors, unknown references, tables, quotes, code blocks, CRLF and BOMs."""
    import synth

    synth.write_manual(out, documents, max(1, documents // 10))
    config = out / "manual" / "manual.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "terminology:\n  forbidden:\n"
                      "    - {term: 蜀瑞, use: 属瑞, why: 误写}\n    - {term: 库存周期, use: 周转期}\n"
                      "    - {term: 示列集团}\n", encoding="utf-8")
    policies = sorted((out / "policies").glob("*.md"))
    for i, path in enumerate(policies):
        text = path.read_text(encoding="utf-8")
        if i % 7 == 0:
            text = text.replace("## 二、适用范围", "## 二、适用范围\n\n蜀瑞公司与示列集团有限公司、示例集圑有限公司签约，"
                                "见《不存在的表》和《业务记录表9999》。\n")
        if i % 11 == 0:
            text = text.replace("owner: 业务经理", "owner: 业务经理\ntitle: 重复标题")
        if i % 13 == 0:
            text = text.replace("version: '1.0'\nstatus", "version: 1.0\nstatus")
        if i % 17 == 0:
            text = text.replace("kind: policy", "kind: policy\nkindd: x")
        if i % 19 == 0:
            text = text.replace("references: {documents: [", "references: {documents: [9999-2014, ")
        if i % 23 == 0:
            text = text.replace("effective: 2014-05-20", "effective: 2014-05")
        if i % 41 == 0:
            text = text.replace("approved: {name: 示例丙, role: 总经理", "approved: {name: 示例甲, role: 业务经理")
        if i % 43 == 0:
            text = text.replace("\n", "\r\n")
        if i % 47 == 0:
            text = "\ufeff" + text
        if i % 53 == 0:
            text = text.replace("1. ", "1. 库存\n   周期很长。", 1)
        if i % 59 == 0:
            text = text.replace("title: 业务管理制度", "title: 业务管理制度蜀瑞")
        if i % 61 == 0:
            text = text.replace("## 一、目的", "## 一、目的\n\n| 表 | 说明 |\n|---|---|\n| 《没有的表》 | 蜀瑞 |\n\n"
                                "> 引用 示列集团有限公司\n\n```\n蜀瑞 code\n```\n")
        if i % 67 == 0:
            text = re.sub(r"title: (业务管理制度\d+)", r"title: '\1''甲'", text).replace("kind: policy", 'kind: "policy"')
        path.write_bytes(text.encode("utf-8"))
    forms = sorted((out / "forms").glob("*.yaml"))
    for i, path in enumerate(forms):
        text = path.read_text(encoding="utf-8")
        if i % 5 == 0:
            text = text.replace("label: 说明", "label: 说明蜀瑞 见《无此表》")
        if i % 7 == 0:
            text = text.replace("id: form-", "id: form-000", 1)
        if i % 9 == 0:
            text = text.replace("options: [上门, 电话]", "options: []")
        if i % 11 == 0:
            text = text.replace("paper: A4", "paper: A4\npaper: A3")
        path.write_text(text, encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def dirty(tmp_path_factory) -> Path:
    return dirty_manual(tmp_path_factory.mktemp("dirty") / "m")


def as_rows(findings):
    return [(f.severity, f.rule, f.path, f.line, f.column, f.message("zh-CN"), f.message("en")) for f in findings]


# -- rules that share their prose ------------------------------------------------------------------
def test_each_rule_alone_finds_what_it_finds_in_a_full_run(dirty):
    manual, _ = check(dirty)
    together = rules.run_rules(manual)
    assert "_rules_memo" not in manual.__dict__  # nothing of a run is left on the model
    alone = []
    for name in sorted(rules.RULES):
        alone.extend(rules.RULES[name](manual))
    assert as_rows(together) == as_rows(alone)
