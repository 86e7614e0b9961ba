"""Checks on legacy manuals (issue #16): imported files, other companies' names, placeholders.

* ``imported: true`` (a file ``manual import`` wrote, not yet reviewed): the sign-off, code and citation checks
  run on it whatever its status and report as warnings; ``imported`` says so at the flag; ``--strict`` and
  ``manual release`` refuse it.
* ``company-foreign``: another company's name, found from the configured company alone (no terminology list):
  the seed's 申江公司, “申江配送”品牌, 蜀瑞 (a near-miss of 属瑞), 宝钢、马钢; none on ordinary words.
* ``placeholder``: 【待填写】 left in a value or in prose.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, MINIMAL, REPO, copy_manual, run_cli
from generator.model import Manual, PLACEHOLDER
from generator.rules import RULES, SEVERITIES, UNREVIEWED
from generator.rules.check import check, strict
from generator.rules.companies import Finder, own_names, short_name

SEED = FIXTURES / "seed" / "000_588cbaa8d7d657b2.txt"
SHURUI = ("东莞市属瑞电子有限公司", "属瑞")

LEGACY_DOC = """---
code: 0102-2006
title: 客户档案管理制度
kind: policy
version: "1.0"
status: {status}
{flag}owner: 业务经理
signoff:
  prepared: {{name: 张三, role: 业务员, date: 2020-02-01}}
  reviewed: {{name: 李四, role: 业务经理, date: 2020年 月 日}}
  approved: {{name: "", role: 总经理, date: 2020-02-20}}
revisions:
  - {{version: "1.0", date: 2020-02-01, summary: 从旧手册导入, by: 业务部}}
---

1. 对所有客户建立客户资料档案，填写《客户档案登记表》。
2. 每季度按0109-2020对客户进行评审，评审结果报申江公司备案。
"""


def legacy_manual(root: Path, *, status: str = "draft", imported: bool = True) -> Path:
    """The minimal manual with 0102 as an imported legacy document: a code of 2006 in a 2020 manual, an
    incomplete date, a blank 批准 name, an unknown form, an unknown code and another company's name."""
    copy_manual(MINIMAL, root)
    (root / "policies" / "0102-2020.md").unlink()
    (root / "policies" / "0102-2006.md").write_text(
        LEGACY_DOC.format(status=status, flag="imported: true\n" if imported else ""), encoding="utf-8")
    for rel in ("manual/manual.yaml", "policies/0101-2020.md"):
        path = root / rel
        path.write_text(path.read_text(encoding="utf-8").replace("0102-2020", "0102-2006"), encoding="utf-8")
    return root


def found(findings, path="policies/0102-2006.md"):
    return sorted((f.rule, f.line, f.severity) for f in findings if f.path == path)


# -- imported: true ---------------------------------------------------------------------------------
LEGACY_FINDINGS = [("citation-unknown", 17), ("code-unknown", 18), ("code-year", 2), ("company-foreign", 18),
                   ("signoff-complete", 11), ("signoff-complete", 12)]


def test_an_imported_draft_is_checked_and_every_finding_is_a_warning(tmp_path):
    _, findings = check(legacy_manual(tmp_path / "m"))
    assert found(findings) == sorted([(rule, line, "warning") for rule, line in LEGACY_FINDINGS]
                                     + [("imported", 7, "warning")])
    assert [f for f in findings if f.severity == "error"] == []
    date = next(f for f in findings if f.rule == "signoff-complete" and f.line == 11)
    assert "2020年 月 日" in date.message("zh-CN") and "YYYY-MM-DD" in date.message("en")
    blank = [f.message("en") for f in findings if f.rule == "signoff-complete" and f.line == 12]
    assert len(blank) == 1 and blank[0].startswith("the approved (批准) sign-off has no signer (name): ")
    assert "manual approve 0102-2006 --step approved" in blank[0] and "role" not in blank[0].split(":")[0]


def test_without_the_flag_a_draft_keeps_its_exemptions_and_its_errors(tmp_path):
    """The same file not marked imported: the schema rejects the incomplete date and the blank name (errors),
    the code and citation checks are errors, and a draft's sign-off is not checked for completeness."""
    _, findings = check(legacy_manual(tmp_path / "m", imported=False))
    got = found(findings)  # no flag line: one line up
    assert ("schema", 10, "error") in got and ("schema", 11, "error") in got
    assert {("code-year", 2, "error"), ("citation-unknown", 16, "error"), ("code-unknown", 17, "error")} <= set(got)
    assert not any(rule in ("signoff-complete", "imported") for rule, _, _ in got)


def test_an_imported_approved_document_is_warned_not_failed(tmp_path):
    _, findings = check(legacy_manual(tmp_path / "m", status="approved"))
    assert [f for f in findings if f.severity == "error"] == []
    assert ("imported", 7, "warning") in found(findings)


def test_strict_turns_the_imported_warnings_into_errors(tmp_path):
    root = legacy_manual(tmp_path / "m")
    plain = run_cli("check", "--root", root, "--lang", "en")
    assert plain.returncode == 0, plain.stdout + plain.stderr
    assert "imported from a legacy file, not yet reviewed" in plain.stdout + plain.stderr
    strict_run = run_cli("check", "--strict", "--root", root)
    assert strict_run.returncode == 1 and "Traceback" not in strict_run.stderr
    _, findings = check(root)
    assert {f.severity for f in strict(findings)} == {"error"}


def test_release_refuses_an_unreviewed_import(tmp_path):
    root = legacy_manual(tmp_path / "m")
    result = run_cli("release", "2020.1", "--date", "2020-03-01", "--root", root, "--lang", "en")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "imported" in result.stdout + result.stderr
    assert not (root / "editions").exists() or not any((root / "editions").iterdir())


def test_the_imported_manual_builds(tmp_path):
    """Warnings do not stop a build: the forms of the imported manual are built."""
    root = legacy_manual(tmp_path / "m")
    result = run_cli("build", "forms", "--quiet", "--root", root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (root / "dist" / "forms" / "visit-record.pdf").is_file()


def test_reviewed_and_fixed_the_file_is_clean(tmp_path):
    """Fixing what the warnings say and removing the flag is enough for a clean check."""
    root = legacy_manual(tmp_path / "m")
    path = root / "policies" / "0102-2006.md"
    text = path.read_text(encoding="utf-8").replace("imported: true\n", "")
    text = text.replace("2020年 月 日", "2020-02-10").replace('name: ""', "name: 王五")
    text = text.replace("，填写《客户档案登记表》", "").replace("按0109-2020", "").replace("报申江公司备案", "存档")
    path.write_text(text, encoding="utf-8")
    shutil.move(path, root / "policies" / "0102-2020.md")
    for rel in ("manual/manual.yaml", "policies/0101-2020.md", "policies/0102-2020.md"):
        p = root / rel
        p.write_text(p.read_text(encoding="utf-8").replace("0102-2006", "0102-2020"), encoding="utf-8")
    _, findings = check(root)
    assert findings == []


def test_unreviewed_rules_declare_both_severities_and_are_the_signoff_code_and_citation_checks():
    check(MINIMAL)  # loads every rule
    assert UNREVIEWED == {"signoff-complete", "signoff-order", "signoff-person", "signoff-role-held",
                          "sod-same-person", "sod-same-day", "sod-role", "code-scheme", "code-year",
                          "code-unknown", "code-outdated", "form-document", "citation-unknown"}
    for name in UNREVIEWED:
        assert name in RULES and set(SEVERITIES[name]) == {"error", "warning"}, name


# -- company-foreign --------------------------------------------------------------------------------
def finder(name: str, short: str = "", others=()) -> Finder:
    return Finder(Manual(root=Path("."), company=name, company_short=short, company_others=list(others)))


def names_in(f: Finder, text: str) -> list[tuple[str, str]]:
    return [(key, name) for line in text.splitlines() for _, _, key, name in f.find(line)]


def test_short_names_are_derived_from_the_full_name():
    assert short_name("东莞市属瑞电子有限公司") == "属瑞"
    assert short_name("广东省东莞市属瑞电子科技股份有限公司") == "属瑞"
    assert short_name("上海申江配送有限公司") == "申江"
    assert short_name("鑫泰钢材有限公司") == "鑫泰"
    assert {"属瑞", "东莞市属瑞电子有限公司"} <= own_names(Manual(root=Path("."), company=SHURUI[0]))


def test_the_seeds_foreign_names_are_found_without_a_terminology_list():
    """Issue #16, point 7: 申江 (a quoted brand and 申江公司), 蜀瑞 (a near-miss of 属瑞) and 宝钢、马钢."""
    got = names_in(finder(*SHURUI), SEED.read_text(encoding="utf-8"))
    assert got.count(("company-foreign", "申江公司")) == 2
    assert ("company-foreign", "申江配送") in got
    near = [name for key, name in got if key == "company-near-miss"]
    assert len(near) == 4 and all(name.startswith("蜀瑞") for name in near)  # 蜀瑞企业标准 ×2, 经营, 各项
    assert ("company-foreign", "宝钢") in got and ("company-foreign", "马钢") in got
    # the seed holds other manuals too: China Mobile's is another company, and nothing else is reported
    assert {name for _, name in got} <= {"申江公司", "申江配送", "蜀瑞企业", "蜀瑞", "宝钢", "马钢", "中国移动",
                                          "中国移动集团", "中国移动通信集团公司"}


ORDINARY = """员工应遵守公司规定。本公司、子公司、分公司、总公司和各公司均适用。母公司与该公司、我公司、贵公司、全公司。
公司领导；向集团公司汇报；企业文化与企业标准；品牌形象；知名品牌；国有企业、民营企业、中小企业、外资企业、上市公司。
委托物流公司、快递公司、运输公司、保险公司、劳务公司、中介公司、担保公司、租赁公司、保安公司、物业公司、广告公司。
客户公司与供应商公司；外协公司；合作公司；关联公司；其他公司；兄弟公司；同行企业；相关企业；生产企业；下属企业。
1、服从公司安排。2、维护公司利益，提升企业形象。3、对公司负责。执行公司决定；上报公司；经公司同意；由公司统一。
产品价格、品牌、质量；自有品牌；国内知名企业；附属医院；隶属于公司；金属材料；所属部门；属于本部门；下属员工。
年采购量居公司客户前列的；审核后报公司人力资源部门备案；新公司；原公司；老公司；大公司；一家公司；某公司；他公司。
“服务理念”；“以客户为中心”的服务品牌；“优质服务”品牌；树立“质量第一”品牌意识；集团内各企业；控股公司；投资公司。
我们联想到；完美的公司形象；集中化管理；北京东路；其中建立；创新浪潮；开拓市场企业；区域公司；市场部公司。"""


@pytest.mark.parametrize("company", [SHURUI, ("示例电子有限公司", "示例电子"), ("上海申江配送有限公司", ""),
                                     ("Acme Trading Ltd", "Acme")])
def test_no_false_positives_on_ordinary_words(company):
    assert names_in(finder(*company), ORDINARY) == []


def test_other_companies_are_found_for_any_configured_company():
    f = finder("上海申江配送有限公司")
    assert names_in(f, "树立“申江配送”品牌；申江公司质量异议处理。") == []  # its own names
    assert names_in(f, "属瑞公司的产品；与华为公司合作；联想集团；美的公司；按照宝钢的标准。") == [
        ("company-foreign", "属瑞公司"), ("company-foreign", "华为公司"), ("company-foreign", "联想集团"),
        ("company-foreign", "美的公司"), ("company-foreign", "宝钢")]
    assert names_in(f, "评审结果报申汇公司。") == [("company-near-miss", "申汇公司")]


def test_an_english_manual_has_no_findings():
    f = finder("Acme Trading Ltd", "Acme")
    assert names_in(f, "All staff follow company rules. Acme Corp and Globex Inc. are customers of the company.") == []


def test_company_others_lists_real_customers_and_suppliers():
    text = "钢材向鑫泰钢材有限公司采购（鑫泰公司为长期供应商），宝钢的期货另行订购。"
    assert names_in(finder(*SHURUI), text) == [("company-foreign", "鑫泰钢材有限公司"), ("company-foreign", "鑫泰公司"),
                                               ("company-foreign", "宝钢")]
    assert names_in(finder(*SHURUI, others=["鑫泰钢材有限公司", "宝钢"]), text) == []


def test_a_misspelt_full_name_is_company_names_alone(tmp_path):
    """东莞市蜀瑞电子有限公司 is the configured name misspelt: ``company-name`` reports it, not
    ``company-foreign`` as well; the bare near-miss 蜀瑞 elsewhere is ``company-foreign``'s."""
    root = copy_manual(MINIMAL, tmp_path / "m")
    config = root / "manual" / "manual.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("示例电子有限公司", SHURUI[0])
                      .replace("short: 示例电子", "short: 属瑞"), encoding="utf-8")
    doc = root / "policies" / "0102-2020.md"
    doc.write_text(doc.read_text(encoding="utf-8") + "3. 档案归东莞市蜀瑞电子有限公司所有，由蜀瑞业务部保管。\n", encoding="utf-8")
    _, findings = check(root)
    got = [(f.rule, f.line, f.column) for f in findings]
    assert got == [("company-name", 16, 7), ("company-foreign", 16, 22)], got


def test_the_shipped_manual_names_no_other_company():
    """The shipped manual replaced every foreign name of the seed: the rule finds none, even without its
    terminology list (which forbids 蜀瑞, 申江, 宝钢, 马钢)."""
    manual, findings = check(REPO)
    assert [f for f in findings if f.rule == "company-foreign"] == []
    manual.forbidden_terms = []
    assert RULES["company-foreign"](manual) == []


def test_check_reports_the_foreign_names_of_the_imported_seed(tmp_path):
    """Issue #16's acceptance for point 7: after `manual import` of the seed, `manual check` reports 蜀瑞, 申江
    and 宝钢/马钢 (the imported manual has no terminology list of them)."""
    out = tmp_path / "imported"
    result = run_cli("import", SEED, "--out", out)
    assert result.returncode == 0, result.stderr
    _, findings = check(out)
    text = " ".join(f.message("zh-CN") for f in findings if f.rule == "company-foreign")
    for name in ("蜀瑞", "申江公司", "申江配送", "宝钢", "马钢"):
        assert f"'{name}" in text, name
    assert all(f.severity == "warning" for f in findings if f.rule == "company-foreign")


# -- placeholder ------------------------------------------------------------------------------------
def test_placeholders_are_reported_in_every_kind_of_source_file(tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    config = root / "manual" / "manual.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("name: 示例电子有限公司", f"name: {PLACEHOLDER}")
                      + f"# {PLACEHOLDER} 只出现在注释中：不报告\n", encoding="utf-8")
    (root / "manual" / "people.yaml").write_text(
        f"people:\n  - id: jia\n    name: {PLACEHOLDER}甲\n    roles:\n      - {{role: 业务员}}\n", encoding="utf-8")
    form = root / "forms" / "visit-record.yaml"
    form.write_text(form.read_text(encoding="utf-8").replace("label: 客户意见", f"label: {PLACEHOLDER}"),
                    encoding="utf-8")
    doc = root / "policies" / "0102-2020.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("title: 客户档案管理制度", f"title: {PLACEHOLDER}")
                   + f"3. 档案保存 {PLACEHOLDER} 年。\n", encoding="utf-8")
    _, findings = check(root)
    got = sorted((f.path, f.line, f.column) for f in findings if f.rule == "placeholder")
    assert got == [("forms/visit-record.yaml", 11, 27), ("manual/manual.yaml", 2, 9), ("manual/people.yaml", 3, 11),
                   ("policies/0102-2020.md", 3, 8), ("policies/0102-2020.md", 16, 9)], got
    assert all(f.severity == "warning" for f in findings if f.rule == "placeholder")
    message = next(f for f in findings if f.rule == "placeholder" and f.path == "manual/people.yaml")
    assert f"name: {PLACEHOLDER}甲" in message.message("zh-CN")
    assert re.search("replace .*【待填写】", message.message("en"))


def test_an_imported_draft_without_a_step_is_told_to_have_it_signed(tmp_path):
    """The minimal manual's draft 0102 has only 编制: marked imported, the missing 审核 and 批准 are warnings."""
    root = copy_manual(MINIMAL, tmp_path / "m")
    doc = root / "policies" / "0102-2020.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("status: draft\n", "status: draft\nimported: true\n"),
                   encoding="utf-8")
    _, findings = check(root)
    missing = [f.message("en") for f in findings if f.rule == "signoff-complete"]
    assert [f.severity for f in findings if f.rule == "signoff-complete"] == ["warning", "warning"]
    assert missing == ["imported from a legacy file without the reviewed (审核) sign-off (the legacy file has none): "
                       "once reviewed, have it signed (manual approve)",
                       "imported from a legacy file without the approved (批准) sign-off (the legacy file has none): "
                       "once reviewed, have it signed (manual approve)"]


def test_the_readme_lists_the_rules_that_warn_on_imported_files():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    paragraph = text.split("**Imported, not yet reviewed.**", 1)[1].split("\n\n", 1)[0]
    listed = set(re.findall(r"`([a-z]+(?:-[a-z]+)+)`", paragraph.split("unreviewed=True)`):", 1)[1].split(";")[0]))
    check(MINIMAL)
    assert listed == UNREVIEWED


def test_the_preview_reads_an_imported_file_as_check_does(tmp_path):
    """``manual serve`` reads leniently (read_lenient): an imported file's blank 批准 name and incomplete date
    are the same warnings there as in ``manual check``, not schema errors that would mark the page unparsable."""
    from generator.publishers.site.preview import read_lenient

    root = legacy_manual(tmp_path / "m")
    reading = read_lenient(root, {})
    mine = found(reading.findings)
    assert not [f for f in mine if f[0] == "schema"], mine
    assert ("signoff-complete", 11, "warning") in mine and ("signoff-complete", 12, "warning") in mine
    assert mine == found(check(root)[1])


def test_a_full_legal_name_made_of_ordinary_words_is_a_name():
    """Before 有限公司/集团有限公司 a name may be ordinary words (华南水泥); the verb before it is not part of it."""
    f = finder("金桥建材有限公司")
    assert names_in(f, "3. 参照华南水泥集团有限公司的做法执行。") == [("company-foreign", "华南水泥集团有限公司")]
    assert names_in(f, "委托中国物流有限公司运输；选择东方印刷股份有限公司。") == [
        ("company-foreign", "中国物流有限公司"), ("company-foreign", "东方印刷股份有限公司")]
    assert names_in(f, "金桥建材有限公司的产品；本有限公司；各有限公司。") == []  # its own name; determiners


def test_a_legal_name_is_reported_whole_with_its_region_and_industry_words():
    """Issue #16 review, defect 7: names up to about twelve characters before a legal form, industry words
    such as 制品 and 阀门, the region written before them, as written."""
    f = finder("东方电气设备制造有限公司")
    assert names_in(f, "参照苏州华利达金属制品有限公司的采购标准执行。") == [
        ("company-foreign", "苏州华利达金属制品有限公司")]
    assert names_in(f, "4.2.1 阀门参照上海宏达阀门有限公司的供货条件；苏州宏远金属制品有限公司供货。") == [
        ("company-foreign", "上海宏达阀门有限公司"), ("company-foreign", "苏州宏远金属制品有限公司")]
    assert names_in(f, "2.1.2.1 委托北京金隅红树林环保技术有限责任公司处置；") == [
        ("company-foreign", "北京金隅红树林环保技术有限责任公司")]
    assert names_in(f, "参照江苏省苏州市华利达精密五金制品有限公司；水泥由华新水泥股份有限公司供应。") == [
        ("company-foreign", "江苏省苏州市华利达精密五金制品有限公司"), ("company-foreign", "华新水泥股份有限公司")]
    assert names_in(f, "委托中国物流有限公司运输；建材向金隅建材有限公司采购。") == [
        ("company-foreign", "中国物流有限公司"), ("company-foreign", "金隅建材有限公司")]
    # the company's own name, a legal form named in passing
    assert names_in(f, "东方电气设备制造有限公司的产品；本公司是一家有限责任公司，于2010年改制成立股份有限公司。") == []


def test_a_quoted_brand_before_a_noun_and_no_near_miss_on_the_parties():
    f = finder("东方电气设备制造有限公司")
    assert names_in(f, "4.2.2 优先选用“宏达”牌阀门；采用“长城”牌电脑。") == [
        ("company-foreign", "宏达"), ("company-foreign", "长城")]
    assert names_in(f, "“东方”牌电机；采购“宏达”牌的产品；树立“质量第一”牌子；执行“三检”制度。") == []
    # 供方 and 东方 differ by one character, but 供方 (supplier) is an ordinary word: no near-miss
    assert names_in(f, "3.1 采购部负责供方的评价；合格供方列入名录；需方、甲方、乙方和顾客的要求；东方公司。") == []
    assert names_in(f, "评审结果报东芳公司；南方、西方。") == [("company-near-miss", "东芳公司")]


def test_a_full_name_with_another_trade_name_is_foreign_not_misspelt():
    """上海精工机械有限公司 shares 机械有限公司 with 宁波海纳精密机械有限公司 but names another company:
    ``company-foreign`` reports it from its region (上海), not ``company-name`` from 品按."""
    from generator.rules.terminology import misspelt_company_spans
    own = "宁波海纳精密机械有限公司"
    text = "3.2 供方不合格品按上海精工机械有限公司提供的标准处理。"
    assert misspelt_company_spans(text, own) == []
    assert ("company-foreign", "上海精工机械有限公司") in names_in(finder(own), text)
    assert not [n for _, n in names_in(finder(own), text) if n.startswith("品按")]
    # A misspelling of our own name stays company-name's.
    misspelt = "3.3 文件归宁波海钠精密机械有限公司所有。"
    assert [misspelt[s:e] for s, e in misspelt_company_spans(misspelt, own)] == ["宁波海钠精密机械有限公司"]


# -- sign-off messages a non-programmer reads ------------------------------------------------------
def _signoff_messages(root, lang="zh-CN", rule="signoff-complete"):
    _, findings = check(root)
    return [(f.path, f.line, f.message(lang)) for f in findings if f.rule == rule]


def test_an_incomplete_step_is_one_finding_naming_what_is_missing_in_words(tmp_path):
    """批准 with a date only: one finding (not "缺少 name" and "缺少 role"), the parts in words with their keys,
    and how to fill them in; a document that is not imported is not told about legacy files."""
    root = copy_manual(MINIMAL, tmp_path / "m")
    doc = root / "policies" / "0101-2020.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("approved: {name: 王五, role: 总经理, date: 2020-02-20}",
                                                           "approved: {date: 2020-02-20}"), encoding="utf-8")
    zh = _signoff_messages(root)
    assert len(zh) == 1 and zh[0][:2] == ("policies/0101-2020.md", 17), zh
    assert zh[0][2].startswith("批准签署缺少签署人（name）、职务（role）：")
    assert "manual approve 0101-2020 --step approved" in zh[0][2] and "旧手册" not in zh[0][2]
    en = _signoff_messages(root, "en")[0][2]
    assert en.startswith("the approved (批准) sign-off has no signer (name), role (role): ") and "legacy" not in en


def test_an_imported_step_without_a_role_says_a_legacy_sign_off_never_has_one(tmp_path):
    """A legacy sign-off (编制：张三 2020年2月1日) has a name and a date but never a role: the finding says so and
    where the role is found (manual/people.yaml), and says nothing of name or date."""
    root = legacy_manual(tmp_path / "m")
    doc = root / "policies" / "0102-2006.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("{name: 张三, role: 业务员, date: 2020-02-01}",
                                                           "{name: 张三, date: 2020-02-01}"), encoding="utf-8")
    zh = [m for path, line, m in _signoff_messages(root) if line == 10]
    assert len(zh) == 1, zh
    assert zh[0].startswith("编制签署缺少职务（role）：") and "name" not in zh[0] and "日期" not in zh[0]
    assert "旧手册" in zh[0] and "manual/people.yaml" in zh[0] and "role: " in zh[0]
    en = [m for path, line, m in _signoff_messages(root, "en") if line == 10][0]
    assert "never names a role" in en and "manual/people.yaml" in en
    # the blank 批准 name (line 12) and the incomplete 审核 date (line 11) are still one finding each
    assert [line for _, line, _ in _signoff_messages(root)] == [10, 11, 12]


def test_the_covers_incomplete_step_names_manual_yaml(tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    config = root / "manual" / "manual.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "approved: {name: 王五, role: 总经理, date: 2020-02-20}", "approved: {name: 王五}"), encoding="utf-8")
    got = _signoff_messages(root, rule="signoff-manual")
    assert len(got) == 1 and got[0][0] == "manual/manual.yaml", got
    assert got[0][2].startswith("手册本身（封面）的批准签署缺少职务（role）、日期（date）：")
    assert "manual approve manual --step approved" in got[0][2]
