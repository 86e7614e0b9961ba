"""company-foreign after import (issue #16 point 7, review 16c D-3/W-3): other companies' names read whole.

A legal name is the company's own only with its trade name, its kind of legal entity (有限公司 / 股份 / 集团) and,
when both say where, its region: 金桥精密（苏州）有限公司 is another company than 南京金桥科技有限公司 (a city in
brackets, the brand shared), 上海新越电器集团有限公司 another than 上海新越电器有限公司 (company-name no longer takes
it for ours misspelt, and reports it with its city). Names before 研究院/研究所/事务所 and an industry word + 厂,
branches and partnerships are read whole; ordinary words, the company's own short name and departments, the
parties (供方, 客户, 本公司) and examples (某仓储有限公司) are no names.

The sentences are the tests' own; the checks run on a real manual through ``check`` where a file:line matters.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import MINIMAL, copy_manual
from generator.model import Manual
from generator.rules.check import check
from generator.rules.companies import Finder
from generator.rules.terminology import legal_family, misspelt_company_spans

JINQIAO = "南京金桥科技有限公司"
XINYUE = "上海新越电器有限公司"
HAITIAN = "宁波海天塑机集团有限公司"


def names_in(company: str, text: str, others=()) -> list[str]:
    finder = Finder(Manual(root=Path("."), company=company, company_short="", company_others=list(others)))
    return [name for line in text.splitlines() for _, _, _, name in finder.find(line)]


# (the manual's company, a sentence, the names company-foreign reports in it, as written)
HITS = [
    (JINQIAO, "2.3 参照金桥精密（苏州）有限公司的退货处理办法。", ["金桥精密（苏州）有限公司"]),
    (JINQIAO, "委托博世（中国）投资有限公司提供培训。", ["博世（中国）投资有限公司"]),
    (JINQIAO, "供方为海尔（集团）股份有限公司。", ["海尔（集团）股份有限公司"]),
    (XINYUE, "3.1 参照上海新越电器集团有限公司的规定。", ["上海新越电器集团有限公司"]),
    (XINYUE, "上海新越电器股份有限公司的产品。", ["上海新越电器股份有限公司"]),
    (XINYUE, "杭州新越电器有限公司负责华东区的销售。", ["杭州新越电器有限公司"]),
    (XINYUE, "新越集团有限公司为本公司的母公司。", ["新越集团有限公司"]),
    (XINYUE, "由浙江省宁波市宏达阀门有限公司提供阀门。", ["浙江省宁波市宏达阀门有限公司"]),
    (XINYUE, "天津渤海化工集团有限责任公司供应原料。", ["天津渤海化工集团有限责任公司"]),
    (XINYUE, "青岛海尔股份有限公司；海尔集团公司。", ["青岛海尔股份有限公司", "海尔集团公司"]),
    (XINYUE, "参照江苏宏达阀门有限公司上海分公司的做法。", ["江苏宏达阀门有限公司上海分公司"]),
    (XINYUE, "委托无锡红星化工厂处理废液。", ["无锡红星化工厂"]),
    (XINYUE, "采购部应从合格供方名录中选择供应商，如上海宏达阀门厂。", ["上海宏达阀门厂"]),
    (XINYUE, "委托苏州电器科学研究院检测。", ["苏州电器科学研究院"]),
    (XINYUE, "由中国电子技术标准化研究院认证。", ["中国电子技术标准化研究院"]),
    (XINYUE, "年度审计由立信会计师事务所（特殊普通合伙）承担。", ["立信会计师事务所（特殊普通合伙）"]),
    (XINYUE, "优先选用「宏达」品牌；“宏达”商标；「华凌」牌空调。", ["宏达", "宏达", "华凌"]),
    (XINYUE, "广州华凌制冷设备有限公司供货。", ["广州华凌制冷设备有限公司"]),
    (HAITIAN, "宁波海天塑机有限公司的注塑机。", ["宁波海天塑机有限公司"]),  # 有限公司, not 集团: another entity
]

# (the manual's company, a sentence naming no other company)
NON_HITS = [
    (JINQIAO, "南京金桥科技有限公司质检部负责判定；金桥科技有限公司；金桥公司；金桥质检部。"),
    (JINQIAO, "南京金桥科技有限公司（以下简称本公司）"),
    (XINYUE, "新越电器有限公司；新越公司；新越电器质检部；本公司各部门；新越电器集团。"),
    (XINYUE, "上海新越电器有限公司苏州分公司负责华东销售。"),
    (XINYUE, "供方、客户、本公司、顾客的要求；合格供方名录；需方与甲方。"),
    (XINYUE, "有限公司；分公司经理；子公司；集团总部；集团各公司；本集团；公司内部；一家大型企业；企业标准。"),
    (XINYUE, "股份有限公司的治理结构；外资企业；合资企业；各分公司；下属各厂；全厂职工；发电厂；本化工厂；一家化工厂。"),
    (XINYUE, "进入化工厂区域应佩戴安全帽；本厂、全厂、分厂、总厂；厂长负责；出厂检验；进厂检验。"),
    (XINYUE, "送至计量研究所检定；委托律师事务所；省计量研究院；技术研究院负责；本研究所；会计师事务所出具报告。"),
    (XINYUE, "本公司是一家有限责任公司；改制为股份有限公司；有限公司的章程；由股份公司董事会决定；报集团公司审批。"),
    (XINYUE, "委托某仓储有限公司保管；树立“质量第一”品牌意识；“优质服务”品牌；“新越”牌电器。"),
    (HAITIAN, "海天集团；海天塑机集团有限公司；海天公司；宁波海天塑机集团有限公司注塑车间。"),
    ("金桥精密（苏州）有限公司", "金桥精密（苏州）有限公司质量部；金桥公司；金桥精密有限公司；苏州金桥精密有限公司。"),
]


@pytest.mark.parametrize("company,text,expected", HITS, ids=[h[1][:14] for h in HITS])
def test_another_companys_name_is_reported_whole(company, text, expected):
    assert names_in(company, text) == expected


@pytest.mark.parametrize("company,text", NON_HITS, ids=[n[1][:14] for n in NON_HITS])
def test_ordinary_words_own_names_and_departments_are_not_names(company, text):
    assert names_in(company, text) == []


def test_company_others_accepts_a_listed_entity_of_any_kind():
    text = "钢材向上海宏达阀门有限公司采购；宏达阀门厂。"
    assert names_in(XINYUE, text) == ["上海宏达阀门有限公司"]
    assert names_in(XINYUE, text, others=["上海宏达阀门有限公司"]) == []


def test_a_name_of_another_kind_of_entity_is_not_ours_misspelt():
    """company-name reports a misspelling of the configured name, never a group or a company limited by shares
    with the same trade name (W-3: '新越电器集团有限公司' was reported as ours misspelt, its city cut off)."""
    assert (legal_family("上海新越电器集团有限公司"), legal_family(XINYUE)) == ("group", "limited")
    assert legal_family("海尔（集团）股份有限公司") == "group" and legal_family("华新水泥股份有限公司") == "stock"
    assert misspelt_company_spans("参照上海新越电器集团有限公司的规定。", XINYUE) == []
    text = "文件归上海新越电气有限公司所有。"
    assert [text[s:e] for s, e in misspelt_company_spans(text, XINYUE)] == ["上海新越电气有限公司"]


def _manual_with(tmp_path, company: str, line: str):
    root = copy_manual(MINIMAL, tmp_path / "m")
    config = root / "manual" / "manual.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("示例电子有限公司", company)
                      .replace("short: 示例电子", "short: ''"), encoding="utf-8")
    doc = root / "policies" / "0102-2020.md"
    text = doc.read_text(encoding="utf-8") + line + "\n"
    doc.write_text(text, encoding="utf-8")
    return root, text.count("\n")


@pytest.mark.parametrize("company,line,name,column", [
    (JINQIAO, "3. 参照金桥精密（苏州）有限公司的退货处理办法。", "金桥精密（苏州）有限公司", 6),
    (XINYUE, "3. 参照上海新越电器集团有限公司的规定。", "上海新越电器集团有限公司", 6),
])
def test_check_reports_the_name_at_its_line_and_column(tmp_path, company, line, name, column):
    """Through ``check`` on a real manual: one company-foreign warning, the name whole in the message, nothing
    from company-name."""
    root, number = _manual_with(tmp_path, company, line)
    _, findings = check(root)
    got = [(f.rule, f.line, f.column) for f in findings if f.rule in ("company-foreign", "company-name")]
    assert got == [("company-foreign", number, column)], got
    message = next(f for f in findings if f.rule == "company-foreign")
    assert f"'{name}'" in message.message("zh-CN") and company in message.message("zh-CN")
    assert message.severity == "warning"


def test_a_region_before_a_name_of_dictionary_words_is_part_of_a_company_name():
    """With 杭州西子电梯有限公司 configured: 上海三菱电梯有限公司 and 广州日立电梯有限公司 are other companies although
    三菱, 日立 and 电梯 are dictionary words (the region before them makes a name of them), and 成都蓉欧物流有限公司 keeps
    its city although 都 alone is a function word (由成都…)."""
    from types import SimpleNamespace

    from generator.rules.companies import Finder

    manual = SimpleNamespace(company="杭州西子电梯有限公司", company_short="", company_others=[])
    finder = Finder(manual)
    text = "本公司采购上海三菱电梯有限公司、广州日立电梯有限公司和苏州迅达电梯有限公司的部件，由成都蓉欧物流有限公司承运。"
    assert [name for *_, name in finder.find(text)] == ["上海三菱电梯有限公司", "广州日立电梯有限公司", "苏州迅达电梯有限公司",
                                                       "成都蓉欧物流有限公司"]
    # Still none: our own name, a company of ordinary words with no region, a generic phrase.
    assert finder.find("杭州西子电梯有限公司成立于1998年，后改制成立股份有限公司，并与一家有限责任公司合作。") == []


def test_a_region_before_a_bare_group_or_company_makes_a_name():
    """佛山联邦家私集团: a region, then dictionary words, then 集团 — another company; a two-character ordinary word
    after a region (广州客户公司, 江苏省电力公司) or our own name after one is none."""
    from types import SimpleNamespace

    from generator.rules.companies import Finder

    finder = Finder(SimpleNamespace(company="宁波东海塑业有限公司", company_short="", company_others=[]))
    assert [n for *_, n in finder.find("家具采购参照佛山联邦家私集团的标准。")] == ["佛山联邦家私集团"]
    for text in ("由广州客户公司负责。", "江苏省电力公司供电。", "报宁波东海集团审批。", "上海公司负责华东。", "本集团各公司。"):
        assert finder.find(text) == [], text


def test_a_region_inside_a_run_of_words_opens_the_name():
    """The words of the sentence before a region are not part of the name (外修设备参照无锡惠山机床有限公司 →
    无锡惠山机床有限公司), whatever word stands before the region."""
    from types import SimpleNamespace

    from generator.rules.companies import Finder

    finder = Finder(SimpleNamespace(company="江苏华信精工有限公司", company_short="", company_others=[]))
    assert [n for *_, n in finder.find("外修设备参照无锡惠山机床有限公司的维修规范执行。")] == ["无锡惠山机床有限公司"]
    assert [n for *_, n in finder.find("原料采购自宁波镇海炼化有限公司。")] == ["宁波镇海炼化有限公司"]
    assert finder.find("本公司全称江苏华信精工有限公司。") == []


def test_a_verb_inside_the_run_ends_the_sentences_words_and_others_short_forms_are_ours():
    """本指导书参照顺丰速运有限公司: 参照 introduces the name, wherever it stands in the run (not '书参照顺丰…');
    天健会计师事务所（特殊普通合伙） after 要求参照 is found; with 顺丰速运有限公司 in company.others neither the full
    name nor its short form 顺丰 is reported; before a bare 公司 a verb does not cut (年采购量居公司客户前列)."""
    from types import SimpleNamespace

    from generator.rules.companies import Finder

    def names(text, others=()):
        finder = Finder(SimpleNamespace(company="东莞市达顺仓储有限公司", company_short="", company_others=list(others)))
        return [n for *_, n in finder.find(text)]

    assert names("本指导书参照顺丰速运有限公司仓储标准编制。") == ["顺丰速运有限公司"]
    assert names("单据粘贴要求参照天健会计师事务所（特殊普通合伙）标准执行。") == ["天健会计师事务所（特殊普通合伙）"]
    assert names("本指导书参照顺丰速运有限公司仓储标准编制。", ["顺丰速运有限公司"]) == []
    assert names("参照顺丰速运仓储标准。", ["顺丰速运有限公司"]) == []
    assert names("年采购量居公司客户前列的。") == []
