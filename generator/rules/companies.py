"""Other companies' names in the text: ``company-foreign`` (warning).

A manual copied from another company's keeps that company's name ("申江公司", a brand "“申江配送”品牌"), a
near-miss of the company's own short name ("蜀瑞" for 属瑞) or that company's suppliers ("宝钢、马钢期货到货").
The rule finds them from the configured company alone, without the manual's terminology list:

* the company's own names: ``company.name``, ``company.short`` and the short name derived from the full one
  (the region prefix up to 省/市/区/县 and the industry and legal-form suffix taken off:
  东莞市属瑞电子有限公司 → 属瑞), and the other companies the manual may name, ``company.others``;
* a name before 公司/集团/企业/品牌/有限公司/股份…: the characters before the suffix, less industry words
  (电子, 配送 …) and a region prefix, are a name when they are no ordinary word: not a word of the
  dictionary in ``ordinary_words.txt`` (遵守公司规定, 提升企业形象), not ending in a determiner (本公司, 子公司,
  分公司, 总公司, 各公司) and without a function character (的, 对, 向 …); before a legal form (有限公司,
  集团有限公司 …) a name of up to about twelve characters may be ordinary words (华南水泥集团有限公司), only the
  verb before it (参照, 委托) is not, and it is reported whole, as written, its region included
  (苏州华利达金属制品有限公司, 北京金隅红树林环保技术有限责任公司; the cities written without 市 are in
  ``companies.yaml``); ordinary words right before a legal form, no industry word between, are no name
  (一家有限责任公司, 改制成立股份有限公司), nor is an example (某仓储有限公司); a place in brackets is part of a
  legal name (金桥精密（苏州）有限公司, 博世（中国）投资有限公司), and so are a branch after it (…有限公司上海分公司)
  and a partnership's form (…事务所（特殊普通合伙）);
* a legal name is the company's own only with its trade name, its kind of legal entity (有限公司 / 股份 / 集团,
  ``terminology.legal_family``) and, when both say where, its region: for 南京金桥科技有限公司, 金桥精密（苏州）
  有限公司 is another company; for 上海新越电器有限公司, 上海新越电器集团有限公司 and 杭州新越电器有限公司 are;
* before 研究院/研究所/设计院 and an industry word + 厂 a name needs a region (苏州电器科学研究院, 无锡红星化工厂;
  技术研究院, 进入化工厂 are none), before 事务所 a region or a word of its own (立信会计师事务所);
* a quoted brand: “…” or 「…」 followed by 品牌/牌/商标/公司/集团, or ending in an industry word; “…”牌 followed by a
  noun (“宏达”牌阀门) and a quote of up to three characters before 品牌/商标 (「宏达」品牌) are brands even when
  the name is an ordinary word;
* a near-miss of the short name: as long as it, one character different, no ordinary word and not part of a
  longer one (属于, 附属医院 are not near-misses of 属瑞; 供方, 需方 are not of 东方: the parties of a contract
  are ordinary words of ``companies.yaml``);
* a well-known enterprise of ``companies.yaml`` (a small generic list, not the manual's terms).

A full name ending in 有限公司 that looks like the configured one, of the same kind of entity, is
``company-name``'s (misspelt), not reported again here.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from ..common.findings import warning
from . import memo, rule
from .terminology import legal_family, misspelt_company_spans, prose, sources

HERE = Path(__file__).resolve().parent
CJK = re.compile(r"[\u4e00-\u9fff]")
SUFFIX = re.compile(r"集团股份有限公司|股份有限公司|有限责任公司|集团有限公司|集团股份公司|集团公司|股份公司|有限公司|公司|集团"
                    r"|企业|品牌|设计研究院|研究院|研究所|设计院|事务所|厂")
# Suffixes that are no legal form and that ordinary words stand before too (本公司, 提升企业形象).
GENERIC = ("公司", "集团", "企业", "品牌")
# Institutions and works: a name before them (苏州电器科学研究院, 立信会计师事务所, 无锡红星化工厂) is one when it has
# a region or is no ordinary word (技术研究院, 会计师事务所, 进入化工厂 are none); 厂 only after an industry word.
INSTITUTE = ("设计研究院", "研究院", "研究所", "设计院", "事务所", "厂")
# The professions before 事务所, taken off like industry words (立信「会计师」事务所).
PROFESSIONS = ("会计师", "律师", "税务师", "评估", "审计", "专利", "商标", "代理", "咨询")
# A bracket inside a legal name: a place (金桥精密（苏州）有限公司, 博世（中国）投资有限公司) or 集团.
BRACKET = re.compile(r"[（(]([\u4e00-\u9fff]{2,6})[）)]$")
# What may follow a legal name and belongs to it: a branch (上海分公司), a partnership's form (（特殊普通合伙）).
TRAILER = re.compile(r"(?:[\u4e00-\u9fff]{2,4}?(?:分公司|分厂|办事处))|[（(](?:特殊普通合伙|普通合伙|有限合伙)[）)]")
LEGAL = ("集团股份有限公司", "股份有限公司", "有限责任公司", "集团有限公司", "集团股份公司", "集团公司", "股份公司",
         "有限公司", "公司", "集团", "企业", "厂")
# Words between a trade name and its legal form: 东莞市属瑞「电子」有限公司, “申江「配送」”.
INDUSTRY = ("电子", "科技", "配送", "物流", "贸易", "商贸", "实业", "通信", "通讯", "电器", "电气", "机械", "制造",
            "工业", "信息", "技术", "网络", "软件", "食品", "医药", "化工", "建设", "建筑", "工程", "投资", "控股",
            "发展", "钢铁", "汽车", "能源", "服装", "纺织", "印刷", "包装", "塑胶", "塑料", "五金", "家具", "咨询",
            "服务", "国际", "加工", "光电", "材料", "精密", "模具", "运输", "快递", "传媒", "文化", "餐饮", "酒店",
            "置业", "地产", "房地产", "环保", "设备", "仪器", "玻璃", "金属", "橡胶", "超市", "百货", "电脑",
            "数码", "照明", "陶瓷", "钢材", "有色", "新材料", "智能", "集团", "制品", "阀门", "建材", "水泥", "机电",
            "电机", "电力", "电缆", "线缆", "管业", "钢管", "铸造", "锻造", "不锈钢", "紧固件", "轴承", "标准件", "液压",
            "仪表", "自动化", "化学", "涂料", "纸业", "木业", "石材", "矿业", "铝业", "铜业", "重工", "机床", "工贸",
            "经贸", "商务", "生物", "制药", "药业", "医疗器械", "器械", "农业", "饲料", "乳业", "水务", "燃气", "环境",
            "检测", "安装", "装饰", "园林", "物业", "劳务", "泵业", "塑业", "橡塑", "制衣", "服饰", "鞋业", "皮革",
            "家居", "厨具", "卫浴", "半导体", "电池", "光伏", "动力", "工具", "注塑", "冲压", "钣金", "电镀", "精工", "速运", "速递", "仓储", "供应链")
REGION = ("自治区", "省", "市", "区", "县")
NOT_REGION = ("市场", "区域", "区别", "区分", "省份", "县城")
DETERMINERS = frozenset("本我贵该各子分总母全此其每某他这那诸旧原老")
FUNCTION = frozenset("的了和与及或对向为在从由到把被将等于是有按以给跟同并而且也都就才又还应须需要让使令回据之"
                     "后前时再已未不没所因若即则")
# Provinces, municipalities and regions written without 省/市 before a trade name: 上海申江配送有限公司.
PROVINCES = ("中国", "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽",
             "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃",
             "青海", "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港", "澳门")
# Verbs and prepositions that stand before a company's name (「委托」中国物流有限公司): never part of it.
LEADING = ("委托", "参照", "选择", "通知", "联系", "通报", "报送", "委派", "选用", "采购", "使用", "按照", "依照",
           "根据", "参考", "转交", "交由", "要求", "邀请", "告知", "报告", "上报", "送交", "提交", "联合", "协同")
QUOTED = re.compile(r"[“\"「『‘]([\u4e00-\u9fff]{2,12})[”\"」』’]\s*(品牌|牌子|牌|商标|公司|集团)?")
# How far back from a legal form a name may start: a verb, a region (江苏省苏州市), a trade name of up to
# about twelve characters and its industry words (金属制品).
LEGAL_REACH = 24


@lru_cache(maxsize=None)
def ordinary_words() -> frozenset[str]:
    """The ordinary two-character words (``ordinary_words.txt``, written by scripts/ordinary_words.py)."""
    text = (HERE / "ordinary_words.txt").read_text(encoding="utf-8")
    body = "".join(line for line in text.splitlines() if line and not line.startswith("#"))
    return frozenset({body[i:i + 2] for i in range(0, len(body), 2)} | well_known()[2])


@lru_cache(maxsize=None)
def well_known() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(names found anywhere, names found only before a company suffix, ordinary words the dictionary lacks)
    of ``companies.yaml``."""
    data = yaml.load((HERE / "companies.yaml").read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader",
                                                                                           yaml.SafeLoader))
    return frozenset(data["anywhere"]), frozenset(data["with_suffix"]), frozenset(data["ordinary"])


@lru_cache(maxsize=None)
def cities() -> tuple[str, ...]:
    """The cities of ``companies.yaml`` written before a trade name without 市, longest first."""
    data = yaml.load((HERE / "companies.yaml").read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader",
                                                                                           yaml.SafeLoader))
    return tuple(sorted(data["cities"], key=len, reverse=True))


def region_length(name: str) -> int:
    """How many characters a region takes at the start of ``name``, leaving a name of two characters or more:
    江苏省苏州市华利达 → 6, 苏州华利达 → 2 (a city of ``companies.yaml``), 北京金隅 → 2, 中国 → 0."""
    at = 0
    while True:
        rest = name[at:]
        step = 0
        for place in PROVINCES + cities():
            if rest.startswith(place):
                step = len(place)
                for mark in ("自治区", "省", "市"):
                    if rest.startswith(mark, step):
                        step += len(mark)
                        break
                break
        if not step and len(rest) > 2 and rest[2] in "市县区" and not rest.startswith(NOT_REGION, 2) \
                and CJK.match(rest[0]) and CJK.match(rest[1]):
            step = 3  # 东莞市, 顺德区
        if not step or len(rest) - step < 2:
            return at
        at += step


def _strip_industry(name: str) -> str:
    changed = True
    while changed:
        changed = False
        for word in INDUSTRY:
            if name.endswith(word) and len(name) > len(word):
                name, changed = name[: -len(word)], True
    return name


def _strip_region(name: str) -> str:
    """Take off a region prefix (广东省东莞市…, 上海…) when a name of two characters or more is left."""
    for province in PROVINCES:
        if name.startswith(province) and len(name) - len(province) >= 2:
            name = name[len(province):]
            break
    for city in cities():
        if name.startswith(city) and len(name) - len(city) >= 2:
            name = name[len(city):]
            break
    cut = 0
    for i, ch in enumerate(name):
        if name.startswith(NOT_REGION, i):
            continue  # 市场部, 区域: no region
        if any(name.startswith(r, i) for r in REGION):
            end = i + next(len(r) for r in REGION if name.startswith(r, i))
            if len(name) - end >= 2:
                cut = end
    return name[cut:]


def _strip_profession(name: str) -> str:
    for word in PROFESSIONS:
        if name.endswith(word) and len(name) >= len(word):
            return name[: -len(word)]
    return name


def _legal_stem(full: str) -> str:
    """A legal name without its legal form and a bracket in it: 金桥精密（苏州）有限公司 → 金桥精密."""
    name = re.sub(r"[（(][\u4e00-\u9fff]{2,6}[）)]", "", full.strip())
    for legal in LEGAL:
        if name.endswith(legal) and len(name) > len(legal):
            return name[: -len(legal)]
    return name


def _same_place(written: str, ours: str) -> bool:
    """Whether two regions of a company's name may be one (either not written, or one holds the other:
    东莞 and 广东省东莞市), not two (上海 and 杭州; 苏州 and 昆山 in brackets)."""
    a, b = (re.sub("自治区|省|市", "", place) for place in (written, ours))
    return not a or not b or a in b or b in a


def _branch_place(branch: str) -> bool:
    """Whether the words before 分公司/分厂/办事处 are a place (上海分公司, 苏州市分公司), not a sentence."""
    place = re.sub(r"(分公司|分厂|办事处)$", "", branch)
    return place in PROVINCES or place in cities() or (len(place) >= 2 and place[-1] in "省市区县"
                                                      and not place.endswith(NOT_REGION))


def short_name(full: str) -> str:
    """The trade name of a company's full name: 东莞市属瑞电子有限公司 → 属瑞."""
    return _strip_region(_strip_industry(_legal_stem(full)))


def own_names(manual) -> set[str]:
    """The company's names (full, short, derived short) and the other companies it may name, with theirs."""
    names = set()
    for full in [manual.company, manual.company_short, *manual.company_others]:
        if full.strip():
            names.update({full.strip(), short_name(full), _strip_industry(short_name(full))})
    return {n for n in names if len(n) >= 2}


def _ordinary_around(text: str, start: int, end: int, words) -> bool:
    """Whether an ordinary word runs across the start or the end of ``text[start:end]`` (part of a longer word)."""
    return (start > 0 and text[start - 1:start + 1] in words) or (end < len(text) and text[end - 1:end + 1] in words)


def _plain(name: str, words) -> bool:
    """Whether a two-character candidate is no name: an ordinary word, a determiner last, a function character."""
    return name in words or name[-1] in DETERMINERS or any(ch in FUNCTION for ch in name)


class Finder:
    """What the rule looks for in each piece of prose, set up once per manual."""

    def __init__(self, manual):
        self.company_name = manual.company.strip()
        self.words = ordinary_words()
        self.anywhere, self.with_suffix, _ = well_known()
        self.own = own_names(manual)
        short = manual.company_short.strip() or short_name(manual.company)
        self.short = short if len(short) >= 2 and all(CJK.match(c) for c in short) else ""
        # The company's legal identity: its trade name (with industry words, region off) and kind of entity; a
        # legal name with another trade name or another kind is another company (金桥精密（苏州）有限公司 for
        # 南京金桥科技有限公司, 上海新越电器集团有限公司 for 上海新越电器有限公司).
        self.identities: list[tuple[frozenset[str], str, str]] = []
        for full, strict in [(manual.company, True), *((other, False) for other in manual.company_others)]:
            full = full.strip()
            family = legal_family(full)
            if not family:
                if not strict and full:
                    self.identities.append((frozenset({full, short_name(full), _strip_industry(short_name(full))}),
                                            "", ""))
                continue
            stem = _legal_stem(full)
            trade = _strip_region(stem)
            accepted = {trade, _strip_industry(trade), short_name(full)}
            if strict and manual.company_short.strip():
                accepted.add(manual.company_short.strip())
            place = stem[:len(stem) - len(trade)] + "".join(re.findall(r"[（(]([\u4e00-\u9fff]{2,6})[）)]", full))
            self.identities.append((frozenset(a for a in accepted if len(a) >= 2), family if strict else "",
                                    place.replace("集团", "") if strict else ""))
        self.strict = bool(legal_family(manual.company.strip()))
        self.anywhere_re = re.compile("|".join(map(re.escape, sorted(self.anywhere, key=len, reverse=True))))
        self.near_re = None
        if self.short:
            n = len(self.short)
            alternatives = [re.escape(self.short[:i]) + "[\u4e00-\u9fff]" + re.escape(self.short[i + 1:])
                            for i in range(n)]
            self.near_re = re.compile("(?=(" + "|".join(alternatives) + "))")

    def _ours_legal(self, trade: str, family: str, place: str = "") -> bool:
        """Whether a legal name with the trade name ``trade`` (industry words kept, region off), the kind of
        entity ``family`` and the region ``place`` (as written, "" when none) is the company's own or one of
        company.others: 新越电器有限公司 and 上海新越电器有限公司 are 上海新越电器有限公司, 杭州新越电器有限公司 is not."""
        if not self.strict and (self._ours(trade) or self._ours(_strip_region(trade))):
            return True  # a company without a legal form configured: its names, as before
        return any((trade in accepted or _strip_region(trade) in accepted) and (not kind or kind == family)
                   and _same_place(place, region) for accepted, kind, region in self.identities)

    def _ours(self, core: str) -> bool:
        """Whether ``core`` is one of our names (or company.others'), or the end of one, or the first two characters
        or more of a trade name (顺丰 for 顺丰速运: the usual short form)."""
        return any(core.endswith(name) or (name.endswith(core) or not SUFFIX.search(name) and name.startswith(core))
                   and len(core) >= 2 for name in self.own)

    def near_miss(self, text: str, start: int, end: int) -> bool:
        name = text[start:end]
        if not self.short or len(name) != len(self.short) or name == self.short:
            return False
        diff = [(a, b) for a, b in zip(name, self.short) if a != b]
        return len(diff) == 1 and CJK.match(diff[0][0]) is not None and diff[0][0] not in FUNCTION \
            and diff[0][0] not in DETERMINERS and name not in self.words \
            and not _ordinary_around(text, start, end, self.words)

    def _words_only(self, text: str) -> bool:
        """Whether ``text`` is ordinary words, read from its end (成立, 改制成立; 年改制成立: one character left
        after two words)."""
        words = 0
        while len(text) >= 2 and text[-2:] in self.words:
            text, words = text[:-2], words + 1
        return not text or (len(text) == 1 and words >= 2)

    def named(self, core: str, whole: bool, legal: bool = False, industry: bool = True, industry_words: str = "",
              family: str = "", institute: str = "", bracket: str = "") -> tuple[str, str] | None:
        """(message key, name) when ``core``, the characters before a company suffix (or in quotes) less
        industry words and a region prefix, names another company; ``whole``: ``core`` starts at a word
        boundary (punctuation, a number, the start of the text, quotes), not cut off after 16 characters;
        ``legal``: before a legal form (有限公司, 集团公司 …), where a name may be made of ordinary words
        (华南水泥集团有限公司): only the words before it (参照, 选择) are taken off, never a region; ``industry``:
        an industry word stood before the legal form, without one a name made of ordinary words is none
        (一家有限责任公司, 改制成立股份有限公司); ``industry_words``: the industry words taken off ``core`` (金桥
        「精密」), ``family``: the kind of entity of the legal form: a legal name is ours only with our trade name and
        our kind (``_ours_legal``), and when both say where, our region; ``institute``: the suffix when it is
        研究院/研究所/设计院/厂 (a name needs a region: 苏州电器科学研究院; 技术研究院, 送至计量研究所 are none) or
        事务所 (a region or a word of its own: 立信会计师事务所); ``bracket``: the place in brackets before the legal
        form (金桥精密「（苏州）」有限公司)."""
        if len(core) < 2 or (self._ours(core) and not (legal and self.strict)):
            return None
        for k in range(min(len(core), 6), 1, -1):
            tail = core[-k:]
            if (tail in self.anywhere or tail in self.with_suffix) and not self._ours(tail) \
                    and not _ordinary_around(core, len(core) - k, len(core), self.words):
                if legal:  # its region with it: 青岛海尔股份有限公司
                    head = core[:-k]
                    tail = next((head[i:] + tail for i in range(len(head))
                                 if region_length(head[i:] + tail) == len(head) - i), tail)
                return "company-foreign", tail
        n = len(self.short)
        if n and len(core) >= n and self.near_miss(core, len(core) - n, len(core)):
            return "company-near-miss", core[-n:]
        # A name of its own: what follows the last function character or determiner (员工应「遵守」公司,
        # 本公司), or the whole run from a boundary, two to four characters, no ordinary word.
        # A determiner inside an ordinary word is none (电「子」技术, 安「全」, 成「本」).
        cut = max((i for i, ch in enumerate(core) if ch in FUNCTION
                   or ch in DETERMINERS and not (i > 0 and core[i - 1:i + 1] in self.words)), default=-1)
        if cut >= 0 and core[cut] == "某":
            return None  # 某仓储有限公司: "a warehousing company", an example, no name
        name = core[cut + 1:]
        # A verb that introduces a name ends the sentence's words, wherever it stands (本指导书「参照」顺丰速运有限公司).
        # Only before a legal form (有限公司, 事务所 …): before a bare 公司 the words are a sentence's (年采购量居公司).
        if legal:
            lead = max((i + 2 for i in range(len(name) - 3) if name.startswith(LEADING, i)), default=0)
            name = name[lead:]
        while len(name) > 2 and name.startswith(LEADING):
            name = name[2:]
        if legal:
            # The words before the name (「参照」华南水泥集团有限公司, 阀门「参照」上海宏达阀门有限公司, 「如」上海宏达阀门厂)
            # are taken off, never a region (苏州华利达 …): the name is reported as written, its region with it.
            # Ours when any of the names on the way is ours (海天塑机集团有限公司: 海天 is an ordinary word).
            # A region right before the name is part of it, even where a function character of the region cut it
            # off (由「成都」蓉欧物流有限公司: 都 is also a word of its own).
            for i in range(len(core) - len(name)):
                if region_length(core[i:]) == len(core) - len(name) - i > 0:
                    name = core[i:]
                    break
            # A region inside the run opens the name: the words before it are the sentence's (外修设备参照「无锡」惠山
            # 机床有限公司, 原料采购自「宁波」镇海炼化有限公司).
            if not region_length(name):
                name = next((name[i:] for i in range(1, len(name) - 1) if region_length(name[i:])), name)
            names = [name]
            while not region_length(name) and len(name) >= 4:
                if region_length(name[1:]):
                    name = name[1:]
                elif name[:2] in self.words:
                    name = name[2:]
                else:
                    break
                names.append(name)
            trade = name[region_length(name):]
            if cut < 0 and not whole:
                return None
            if institute and institute != "事务所":
                if trade == name:
                    return None  # 技术研究院, 送至计量研究所, 进入化工厂: no region, no name
            elif institute or not industry:
                # 一家有限责任公司, 改制成立股份有限公司, 委托律师事务所; with a region before it a name of ordinary
                # words is a name all the same (上海三菱电梯有限公司: 三菱 and 电梯 are words of the dictionary)
                if (institute and trade == name and len(trade) > 4) or (trade == name and self._words_only(trade)):
                    return None
            if institute and self._ours(trade):
                return None
            if any(self._ours_legal(n[region_length(n):] + industry_words, family, n[:region_length(n)] + bracket)
                   for n in names):
                return None
            if 2 <= len(trade) <= 12:
                return "company-foreign", name
            return None
        while len(name) > 2 and name[:2] in self.words:
            name = name[2:]  # 「选择」申江公司
        if (cut < 0 and not whole) or not 2 <= len(name) <= 4 or _plain(name[-2:], self.words):
            return None
        return "company-foreign", name

    def _regional(self, kept: str, run: str) -> tuple[str, str] | None:
        """A name before a bare 集团/公司 that a region opens (佛山联邦家私集团, 江苏省电力公司): a name even when it is
        made of dictionary words, as before a legal form. Its trade name must be three characters or more, or two
        that are no ordinary word (广州客户公司 is none); ours, a determiner or a function character in it, never."""
        for i in range(len(kept)):
            at = region_length(kept[i:])
            if not at or (i and CJK.match(kept[i - 1]) and kept[i - 1] not in FUNCTION and kept[i - 1] not in DETERMINERS
                          and kept[:i][-2:] not in self.words and not kept[:i].endswith(LEADING)):
                continue
            name, trade = kept[i:], kept[i + at:]
            if len(trade) < 2 or (len(trade) == 2 and trade in self.words) or _plain(trade[-1] * 2, self.words) \
                    or any(ch in FUNCTION or ch in DETERMINERS for ch in trade):
                return None
            if self._ours(trade) or self._ours(run[i + at:]) or self._ours(name):
                return None
            return "company-foreign", name
        return None

    def _suffixed(self, text: str, m: re.Match):
        """(start, end, key, name) when the name before the suffix ``m`` is another company's, else None."""
        form = m.group(0)
        legal = form not in GENERIC
        institute = form in INSTITUTE
        reach = LEGAL_REACH if legal else 16
        # Walk back over the name: CJK characters, and in a legal name one bracket (（苏州）, （集团）).
        start, brackets = m.start(), []
        while start > 0 and start > m.start() - reach:
            if CJK.match(text[start - 1]):
                start -= 1
                continue
            b = BRACKET.search(text, max(0, start - 8), start) if legal and not institute and not brackets else None
            if b is None or b.start() == 0 or not CJK.match(text[b.start() - 1]):
                break
            brackets.append((b.start(), start))
            start = b.start()
        inside = [i for i in range(start, m.start()) if not any(a <= i < b for a, b in brackets)]
        run = "".join(text[i] for i in inside)
        kept = _strip_industry(run)
        if institute:
            kept = _strip_profession(kept)
            if form == "厂" and (kept == run or CJK.match(text[m.end():m.end() + 1] or "")
                                 and text[m.start():m.end() + 1] in self.words):
                return None  # 本厂, 全厂; 化工厂长, 厂区
        if not kept:
            return None
        family = legal_family(form)
        if any(text[a + 1:b - 1] == "集团" for a, b in brackets):
            family = "group"
        whole = start == 0 or CJK.match(text[start - 1]) is None
        if legal:
            bracket = "".join(text[a + 1:b - 1] for a, b in brackets if text[a + 1:b - 1] != "集团")
            found = self.named(kept, whole, True, kept != run or form.startswith("集团"),
                               industry_words=run[len(kept):] if not institute else "", family=family,
                               institute=form if institute else "", bracket=bracket)
        else:
            found = self.named(_strip_region(kept), whole, False)
            if not found and form in ("集团", "公司"):
                found = self._regional(kept, run)
        if not found:
            return None
        key, name = found
        at = inside[len(kept) - len(name)]
        end = m.end()
        if legal and not institute:
            trailer = TRAILER.match(text, end)
            if trailer and (trailer.group(0)[0] in "（(" or _branch_place(trailer.group(0))):
                end = trailer.end()
        elif form == "事务所":
            trailer = TRAILER.match(text, end)
            if trailer and trailer.group(0)[0] in "（(":
                end = trailer.end()
        return at, end, key, name

    def find(self, text: str):
        """(start, end, key, name) of every other company's name in ``text``, in order, none overlapping."""
        spans: list[tuple[int, int, str, str]] = []

        def add(start, end, key, name):
            if all(end <= s or start >= e for s, e, _, _ in spans):
                spans.append((start, end, key, name))

        for start, end in misspelt_company_spans(text, self.company_name):
            spans.append((start, end, "", ""))  # company-name's: not reported twice
        for m in QUOTED.finditer(text):
            inner = m.group(1)
            if not (m.group(2) or any(inner.endswith(w) for w in INDUSTRY + LEGAL)):
                continue
            core = _strip_region(_strip_industry(short_name(inner)))
            after = text[m.end():m.end() + 1]
            if (m.group(2) == "牌" and CJK.match(after) and after not in FUNCTION) \
                    or (m.group(2) in ("品牌", "商标") and len(inner) <= 3):
                # “宏达”牌阀门, 「宏达」品牌, “宏达”商标: a brand, even when its name is an ordinary word (a longer
                # quote before 品牌 is a slogan: “质量第一”品牌意识, “优质服务”品牌)
                found = None if self._ours(core) or any(ch in FUNCTION or ch in DETERMINERS for ch in core) \
                    else ("company-foreign", inner)
            else:
                found = self.named(core, True)
            if found:
                add(m.start(1), m.end(1), found[0], inner)
        for m in SUFFIX.finditer(text):
            found = self._suffixed(text, m)
            if found:
                at, end, key, name = found
                add(at, end, key, text[at:end])
        if self.anywhere_re.pattern:
            for m in self.anywhere_re.finditer(text):
                if not _ordinary_around(text, m.start(), m.end(), self.words) \
                        and not self._ours(m.group(0)):
                    add(m.start(), m.end(), "company-foreign", m.group(0))
        if self.near_re is not None:
            n = len(self.short)
            for m in self.near_re.finditer(text):
                if self.near_miss(text, m.start(), m.start() + n):
                    add(m.start(), m.start() + n, "company-near-miss", text[m.start():m.start() + n])
        return sorted(s for s in spans if s[2])


@rule("company-foreign", severities=("warning",))
def company_foreign(manual):
    if not manual.company.strip():
        return []
    finder = memo(manual, "companies.finder", lambda: Finder(manual))
    located = sources(manual)
    short = finder.short or manual.company.strip()
    findings = []
    for piece in prose(manual):
        if CJK.search(piece.text) is None:
            continue
        for start, end, key, name in finder.find(piece.text):
            written = piece.text[start:end]
            nth = piece.text.count(written, 0, start)
            loc = located.locate(piece, re.compile(re.escape(written)), nth)
            findings.append(warning("company-foreign", loc, key, name=name, company=manual.company.strip(),
                                    short=short, config=manual.config_path))
    return findings
