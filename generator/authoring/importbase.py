"""What the steps of ``manual import`` share: the legacy text with its line map, the patterns of
legacy manuals, the result model (plain data) and the text helpers (clean-up, Markdown escaping,
dates).  The steps: ``importer`` (reading, the coded-TOC path over the joined text, orchestration),
``importoutline`` (markers and levels of each block), ``importdocs`` (documents, sections, clauses from
the outline), ``importwrite`` (the files and ``import-report.md``)."""
from __future__ import annotations

import bisect
import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN = "一二三四五六七八九十"
CJK = r"\u3400-\u4dbf\u4e00-\u9fff"
# The label of a document's code: 文件编号, 编号, No., and …编号 / …代号 / …编码 of a document (制度编号, 程序编号,
# 文件代号, 标准编号); not 表单编号 (a form's code is not the document's) nor 受控编号 / 发放编号 (a copy number).
CODE_LABEL = (r"(?:文件|制度|程序|办法|规定|规范|标准|规程|细则|指导书|体系文件)?\s*(?:编\s*号|代\s*号|编\s*码|代\s*码)"
              r"|No\.?")


def cn_number(text: str) -> int | None:
    """一 → 1, 十 → 10, 十四 → 14, 二十三 → 23 (up to 99)."""
    if not text or any(ch not in CN for ch in text):
        return None
    if text == "十":
        return 10
    if "十" in text:
        tens, _, ones = text.partition("十")
        value = (CN_DIGITS.get(tens, 0) if tens else 1) * 10
        if tens and tens not in CN_DIGITS:
            return None
        if ones:
            if ones not in CN_DIGITS:
                return None
            value += CN_DIGITS[ones]
        return value
    return CN_DIGITS.get(text) if len(text) == 1 else None


# ---------------------------------------------------------------------------
# Source text with line mapping


@dataclass
class Source:
    path: Path
    lines: list[str]
    unit: str  # 行 (text line) or 段 (Word paragraph)
    text: str = ""
    starts: list[int] = field(default_factory=list)

    def __post_init__(self):
        self.text = "\n".join(self.lines)
        pos, self.starts = 0, []
        for line in self.lines:
            self.starts.append(pos)
            pos += len(line) + 1

    def line_of(self, index: int) -> int:
        return max(1, bisect.bisect_right(self.starts, index))

    def where(self, start: int, end: int | None = None) -> str:
        a = self.line_of(start)
        b = self.line_of(max(start, (end or start) - 1))
        return f"第 {a} {self.unit}" if a == b else f"第 {a}–{b} {self.unit}"

# ---------------------------------------------------------------------------
# Patterns

CODE = r"\d{4}-\d{4}"
# (The whitespace around the leader is matched possessively, each character once: with ``\s*(?:…|\t)\s*``
# a long run of tabs or spaces after a heading was split in every possible way, quadratic in its length.)
TOC_ENTRY = re.compile(rf"(?<![{CN}])([{CN}]{{1,3}})\s*、\s*+([^…\n\t]{{1,40}}?)"
                       rf"(?:\s*+[…\.·．]{{2,}}+\s*+|[^\S\t]*+\t\s*+)({CODE})")
COMPANY = re.compile(rf"([{CJK}（）()]{{2,30}}?(?:股份有限公司|有限责任公司|有限公司|集团公司|公司))")
MANUAL_TITLE = re.compile(rf"([{CJK}]{{2,24}}?(?:手册|制度汇编|管理制度(?:汇编)?))")  # (生产管理制度汇编 whole)
DATE_ANY = re.compile(r"(\d{4})\s*[.\-/年]\s*(\d{1,2})\s*[.\-/月]\s*(\d{1,2})")
SIGNOFF = re.compile(
    r"编\s*制\s*[:：]\s*(?P<prepared>[^:：\n\d《》]{0,12}?)\s*"
    r"审\s*核\s*[:：]\s*(?P<reviewed>[^:：\n\d《》]{0,12}?)\s*"
    r"批\s*准\s*[:：]\s*(?P<approved>[^:：\n\d《》\s]{0,12})\s*"
    r"(?P<date>\d{4}\s*年\s*\d{0,2}\s*月\s*\d{0,2}\s*日|\d{4}[.\-/]\d{1,2}[.\-/]\d{1,2})?")
STAFF = re.compile(rf"([{CJK}]{{2,14}})\s*[:：]\s*(\d{{1,3}})\s*名")
FORMS_BRACKETED = re.compile(r"附\s*+[:：]?\s*+((?:《[^《》\n]{1,40}》\s*[、，,及和]?\s*)+)")
# 附：派车单, 附件：派车单, 附件1：招聘需求申请表, 附表：设备清单, 附表2：检查记录表.  The title is the shortest
# that ends in a form word and is not followed by another (附：检查记录表 is 检查记录表, not 检查记录; 附：申请表和
# 评价表 is 申请表).
FORM_WORD = r"(?:表|单|卡|册|记录|台账|登记簿|簿)"
FORM_PLAIN = re.compile(rf"附(?:\s*[件表]\s*[\d{CN}]{{0,2}})?\s*[:：]\s*([{CJK}A-Za-z0-9]{{2,30}}?{FORM_WORD})"
                        rf"(?!{FORM_WORD}|[清登])")
FORM_TITLE = re.compile(rf"{FORM_WORD}$")
# The next form of a list after FORM_PLAIN's first (附：派车单、车辆维修申请表和加油记录): matched at its end.
FORM_MORE = re.compile(rf"\s*[、和及]\s*([{CJK}A-Za-z0-9]{{2,30}}?{FORM_WORD})(?!{FORM_WORD}|[清登])")
JOB_HEAD = re.compile(rf"[(（]([{CN}]{{1,3}})[)）]\s*、?\s*([{CJK}]{{1,16}}(?:[(（][{CJK}、]{{1,12}}[)）])?)\s*岗位职责")
REPORTS_TO = re.compile(rf"行政隶属上级主管\s*[:：]\s*([{CJK}、，,/]{{1,40}})")
CHAPTER = re.compile(rf"第([{CN}]{{1,3}}|\d{{1,2}})章\s*[:：、]?\s*")
SECTION = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})(?![\d.])\s*")

# Clause markers, one style per named group.
# (The look-ahead is the first character of every alternative: most positions fail at once.)
MARKERS = re.compile(
    rf"(?=[(（{CN}\dA-Za-z])"
    rf"(?:(?P<paren_cn>[(（](?P<v_paren_cn>[{CN}]{{1,3}})[)）]\s*、?)"
    rf"|(?P<paren_num>[(（](?P<v_paren_num>\d{{1,2}})[)）]\s*、?)"
    rf"|(?P<cn>(?<![{CN}第])(?P<v_cn>[{CN}]{{1,3}})\s*[、.．](?!\d))"
    rf"|(?P<num>(?<![\d.．])(?P<v_num>\d{{1,2}})\s*(?:、|[.．](?![\d.．])))"
    rf"|(?P<alpha>(?<![A-Za-z])(?P<v_alpha>[a-z])\s*[、.．])"
    rf"|(?P<ALPHA>(?<![A-Za-z])(?P<v_ALPHA>[A-Z])\s*[、.．(（]))")
STYLES = ("paren_cn", "paren_num", "cn", "num", "alpha", "ALPHA")


def marker_value(style: str, raw: str) -> int | None:
    if style in ("paren_cn", "cn"):
        return cn_number(raw)
    if style in ("paren_num", "num"):
        return int(raw)
    return ord(raw.lower()) - ord("a") + 1

# ---------------------------------------------------------------------------
# The result model (plain data)


@dataclass
class Item:
    style: str
    value: int
    text: str
    line: int
    children: list["Item"] = field(default_factory=list)


@dataclass
class ImportedDoc:
    code: str
    title: str
    toc_code: str | None
    start: int  # index in the source text of the heading
    end: int
    end_heading: int = -1  # where the text after the heading starts
    lines: str = ""  # "第 183–184 行"
    kind: str = "policy"
    body: str = ""
    signoff: dict = field(default_factory=dict)
    signoff_where: str = ""
    forms: list[str] = field(default_factory=list)  # form titles
    jobs: list[dict] = field(default_factory=list)
    orgchart: bool = False
    staffing: bool = False
    notes: list[str] = field(default_factory=list)
    revision_date: str | None = None
    effective: str | None = None  # a control table's 生效日期, when a whole date
    version: str | None = None  # a control table's 版本, when the schema takes it ("2" → "2.0")
    images: list[tuple[str, bytes]] = field(default_factory=list)  # (file name in policies/images/, bytes)
    jobs_text: list[tuple[int, str]] = field(default_factory=list)  # (position, text): read as run-together text
    revisions: list[dict] = field(default_factory=list)  # a 修订记录 read (importtables.take_revisions), oldest first
    revisions_where: str = ""  # where it was, with its column headings: the comment above revisions:


@dataclass
class Imported:
    source: Source
    company: str = ""
    title: str = ""
    edition: str = ""
    date: str | None = None
    year: int | None = None
    manual_start: int = 0
    documents: list[ImportedDoc] = field(default_factory=list)
    chapters: list[dict] = field(default_factory=list)  # {number, title}
    roles: list[dict] = field(default_factory=list)
    department_head: str = ""
    authorized: int | None = None
    forms: list[dict] = field(default_factory=list)  # {id, code, title, where, documents}
    report: list[str] = field(default_factory=list)  # general notes
    unclassified: list[str] = field(default_factory=list)
    code_scheme: dict | None = None  # {pattern, format, year?, example}; None: the NNNN-YYYY scheme
    placeholder_forms: bool = True  # a 《…表》 without a form gets a placeholder form (--placeholder-forms)
    unresolved_forms: list[tuple[str, str, str]] = field(default_factory=list)  # (document code, title, where)
    pending_forms: list = field(default_factory=list)  # (ImportedDoc, title, where): placeholders to make
    ledger: object = None  # importdocs.Ledger: where every paragraph went
    year_given: bool = False  # --year
    partial_date: object = None  # FoundDate: a cover date without its day (2017年6月, A版 2019年)
    latest_date: str | None = None  # the latest date in the source (YYYY-MM-DD): revisions without their own date
    parts: list[tuple[int, str, str]] = field(default_factory=list)  # (line, why, text): parts of lines written
    # as data elsewhere whose wording is not kept (staffing lines), listed in the report's not-imported section
    toc_span: tuple[int, int] | None = None  # coded-TOC path: the TOC's entries
    gap: tuple[int, int] | None = None  # coded-TOC path: the text between the TOC and the first document
    _titles: set[str] | None = field(default=None, repr=False)
    _forms: dict[str, dict] = field(default_factory=dict, repr=False)  # title → form
    _form_users: dict[str, set[str]] = field(default_factory=dict, repr=False)  # title → document codes
    _form_counts: Counter = field(default_factory=Counter, repr=False)  # code prefix → forms
    _role_ids: set[str] = field(default_factory=set, repr=False)
    _unresolved: set[tuple[str, str]] = field(default_factory=set, repr=False)

    def document_titles(self) -> set[str]:
        """The titles of all documents (they are settled before any document is parsed)."""
        if self._titles is None:
            self._titles = {d.title for d in self.documents}
        return self._titles


# ---------------------------------------------------------------------------
# Text helpers


FULLWIDTH = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
HALFWIDTH_NEAR_CJK = re.compile(rf"(?<=[{CJK}）”])[,;:?!]|[,;:?!](?=[{CJK}（“])|\((?=[{CJK}])|(?<=[{CJK}])\)")


def to_fullwidth(text: str) -> str:
    """ASCII , ; : ? ! next to Chinese characters (or ）” before, （“ after), ( before and ) after one,
    → their full-width forms."""
    return HALFWIDTH_NEAR_CJK.sub(lambda m: FULLWIDTH[m.group()], text)


# A run of whitespace that holds a line break.  The look-behind makes the run match from its
# start only: without it each position of a long run of spaces scanned the rest of the run.
LINE_BREAK = re.compile(r"(?<!\s)\s*\n\s*")


BLANKS = re.compile(r"[ \t\u3000]+")
# A space next to a Chinese character or full-width punctuation is a layout artefact.
WIDE = CJK + "，。；：、！？（）《》“”"
SPACE_NEAR_WIDE = re.compile(rf"(?<=[{WIDE}]) +| +(?=[{WIDE}])")


def clean(text: str) -> str:
    """One line of prose: no line breaks (Chinese text joins without a space)."""
    text = LINE_BREAK.sub("", text)
    text = BLANKS.sub(" ", text).strip()
    text = to_fullwidth(text)
    return SPACE_NEAR_WIDE.sub("", text)


MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


MD_BLOCK_START = re.compile(r"^(#+|[-+=]|\d+[.)])(\s|$)")


def md_escape(text: str) -> str:
    """Prose as Markdown that shows exactly this text."""
    text = MD_SPECIAL.sub(r"\\\1", text)
    text = MD_BLOCK_START.sub(r"\\\1\2", text)
    return text


def parse_date(raw: str | None) -> tuple[str | None, bool]:
    """(value, complete): '2014年05月20日', '2014.5.20', '二〇一四年五月二十日', '２０１４/05/20' → ('2014-05-20',
    True); '2006年 月 日' → ('2006年月日', False): a date that is not whole is kept as written (without spaces)."""
    if not raw:
        return None, False
    for found in dates_in(raw):
        if found.complete:
            return found.iso, True
    return re.sub(r"\s+", "", raw), False


# ---------------------------------------------------------------------------
# Dates as Chinese manuals write them

FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９．／－", "0123456789./-")
CN_YEAR_DIGITS = str.maketrans("〇○零一二三四五六七八九", "000123456789")
CN_NUM = "一二三四五六七八九十"
# 二〇一五年一月二十日: the year digit by digit, the month and day as numbers.
CN_DATE = re.compile(rf"([〇○零一二三四五六七八九]{{4}})\s*年(?:\s*([{CN_NUM}]{{1,2}})\s*月(?:\s*([{CN_NUM}]{{1,3}})\s*日)?)?")
# On ASCII digits: 2015年7月1日 / 2017年6月 / 2019年 / 2015.7.1 / 2015/07/01 / 2015-07-01 (not inside a code).
DATE_FLEX = re.compile(r"(?<![\dA-Za-z\-/.])((?:19|20)\d{2})(?:\s*年(?:\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?)?"
                       r"|([.\-/])(\d{1,2})\4(\d{1,2})(?![\d.\-/]))(?![\dA-Za-z])")


@dataclass(frozen=True)
class FoundDate:
    """A date in the text: the year, with the month and day when written (0 when not)."""

    year: int
    month: int = 0
    day: int = 0

    @property
    def complete(self) -> bool:
        return bool(self.month and self.day)

    @property
    def iso(self) -> str:
        """YYYY-MM-DD; a date without its day or month is dated the first (the caller says so)."""
        return f"{self.year:04d}-{self.month or 1:02d}-{self.day or 1:02d}"


def ascii_dates(text: str) -> str:
    """``text`` with full-width digits and Chinese-numeral dates (二〇一五年一月) written in ASCII digits."""
    text = text.translate(FULLWIDTH_DIGITS)

    def digits(m: re.Match) -> str:
        out = m.group(1).translate(CN_YEAR_DIGITS) + "年"
        if m.group(2):
            out += f"{cn_number(m.group(2)) or 0}月"
            if m.group(3):
                out += f"{cn_number(m.group(3)) or 0}日"
        return out

    return CN_DATE.sub(digits, text) if "年" in text else text


def dates_in(text: str) -> list[FoundDate]:
    """Every real date in ``text`` (months 1–12, days that exist), in order; year-only and year-month dates
    too (``2019年``, ``2017年6月``).  A year alone counts only with 年 after it: a code's year is not a date."""
    found = []
    for m in DATE_FLEX.finditer(ascii_dates(text)):
        year = int(m.group(1))
        month = int(m.group(2) or m.group(5) or 0)
        day = int(m.group(3) or m.group(6) or 0)
        if month and not 1 <= month <= 12:
            continue
        if day:
            try:
                dt.date(year, month, day)
            except ValueError:
                continue
        found.append(FoundDate(year, month, day))
    return found
