"""``manual import``, step 2: the outline of a legacy manual from its own signals.

Each block (``importfile.read_blocks``) becomes a ``Line``: its numbering marker and style, the
value of the marker, the text after it, and a document code if the line carries one.  The styles
are what Chinese company manuals use: Word heading levels (``heading1``…), ``第X章/节/条``
(``chapter``, ``jie``, ``tiao``), ``一、`` (``cn``), ``（一）`` (``paren_cn``), ``1、`` (``num``), ``1.``
(``num_dot``), ``(1)`` (``paren_num``), ``1)`` (``num_paren``), ``①`` (``circled``), ``a)`` (``alpha``),
``A.`` (``ALPHA``) and decimal numbers at any depth (``decimal1`` ``1 范围``, ``decimal2`` ``1.1``,
``decimal3`` ``1.1.1`` …).  Word's automatic numbers (``Block.number``) are read the same way.

``outline`` then nests the styled lines by order of appearance, never by a fixed depth: a style
seen for the first time inside another is one level deeper; a style seen before closes every level
opened after it (the way a reader reads ``一、`` after ``（三）``).  Decimal numbers carry their own
depth: ``2.1.1`` is always under the latest ``2.1``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .importbase import CJK, CN, CODE_LABEL, cn_number
from .importfile import Block

CN_ALL = CN + "百零〇两"
# Document codes as manuals write them: 0101-2014, QP-7.5-01, XX/QM-01, YD-0101-2013, QM-01, Q/ABC-001,
# and with several letter groups before the number: HN-QP-01, GL-HR-001, QM-HR-02-2019.
DOC_CODE = re.compile(r"(?<![A-Za-z0-9/.\-])("
                      r"[A-Z]{1,5}(?:[/-][A-Z]{1,5}){0,2}-\d{1,4}(?:\.\d{1,2})*(?:-\d{1,4}){0,2}"
                      r"|\d{4}-(?:19|20)\d{2}"
                      r"|Q/[A-Z]{1,6}\s?\d{1,5}(?:\.\d{1,3})?-(?:19|20)\d{2}"  # an enterprise standard
                      r")(?![A-Za-z0-9/\-]|\.\d)")
# The dashes a code is typed with besides the hyphen: Word's AutoCorrect makes ``QP-02`` ``QP–02`` (en dash), a
# Chinese IME types ``QP－02`` (full-width hyphen).  One character each, so positions in the text stay the same.
DASHES = str.maketrans("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d\ufe63", "-" * 9)
# A code written without the hyphen after its letters (``QP02``, ``QP02-2015``): a code only when the letters
# are those of the manual's hyphenated codes (``QP`` of ``QP-01``), never ``ISO9001`` or ``GB19001``.
BARE_CODE = re.compile(r"(?<![A-Za-z0-9/.\-])((?:[A-Z]{1,5}[/-]){0,2}[A-Z]{1,5})(\d{1,4})((?:-\d{1,4}){0,2})"
                       r"(?![A-Za-z0-9/\-]|\.\d)")
PREFIX = re.compile(r"^((?:[A-Z]{1,5}[/-]){0,2}[A-Z]{1,5})-\d")


def code_prefixes(texts) -> frozenset[str]:
    """The letter groups before the number of the hyphenated codes in ``texts`` (``QP`` of ``QP-01``,
    ``HX-QP`` of ``HX-QP-01-2016``): the codes of the manual, as its own spelling writes them."""
    found = set()
    for text in texts:
        for m in DOC_CODE.finditer(text.translate(DASHES)):
            p = PREFIX.match(m.group(1))
            if p:
                found.add(p.group(1))
    return frozenset(found)


def find_code(text: str, prefixes: frozenset[str] = frozenset()) -> tuple[int, int, str] | None:
    """(start, end, code in the manual's spelling) of the first document code in ``text``: a code typed with an
    en dash or a full-width hyphen is the hyphenated code; one without the hyphen after its letters
    (``QP02``) is ``QP-02`` when ``QP`` is the letters of the manual's other codes (``prefixes``)."""
    plain = text.translate(DASHES)
    m = DOC_CODE.search(plain)
    if m:
        return m.start(1), m.end(1), m.group(1)
    if prefixes:
        for m in BARE_CODE.finditer(plain):
            if m.group(1) in prefixes:
                return m.start(1), m.end(3), f"{m.group(1)}-{m.group(2)}{m.group(3)}"
    return None


def codes_in(text: str, prefixes: frozenset[str] = frozenset()) -> list[str]:
    """Every document code in ``text``, in the manual's spelling (``find_code``; in no particular order)."""
    plain = text.translate(DASHES)
    out = [m.group(1) for m in DOC_CODE.finditer(plain)]
    if prefixes:
        out += [f"{m.group(1)}-{m.group(2)}{m.group(3)}" for m in BARE_CODE.finditer(plain) if m.group(1) in prefixes]
    return out

MARKER_RULES = [
    ("chapter", re.compile(rf"第\s*([{CN_ALL}\d]{{1,4}})\s*章\s*[:：、.．]?\s*")),
    ("jie", re.compile(rf"第\s*([{CN_ALL}\d]{{1,4}})\s*节\s*[:：、.．]?\s*")),
    ("tiao", re.compile(rf"第\s*([{CN_ALL}\d]{{1,4}})\s*条\s*[:：、.．]?\s*")),
    ("decimal", re.compile(r"(\d{1,2}(?:[.．]\d{1,2}){1,5})(?![\d.．])[.．、]?\s*")),
    ("paren_cn", re.compile(rf"[(（]\s*([{CN}]{{1,3}})\s*[)）]\s*[、.．]?\s*")),
    ("paren_num", re.compile(r"[(（]\s*(\d{1,2})\s*[)）]\s*[、.．]?\s*")),
    ("cn", re.compile(rf"([{CN}]{{1,3}})\s*[、.．]\s*")),
    ("num", re.compile(r"(\d{1,2})\s*、\s*")),
    ("num_paren", re.compile(r"(\d{1,2})\s*[)）]\s*")),
    ("num_dot", re.compile(r"(\d{1,2})\s*[.．](?!\d)\s*")),
    ("decimal1", re.compile(rf"(\d{{1,2}})\s+(?=[{CJK}])")),
    ("circled", re.compile(r"([\u2460-\u2473])\s*")),
    ("alpha", re.compile(r"([a-z])\s*[)）.．、]\s*")),
    ("ALPHA", re.compile(r"([A-Z])\s*[)）.．、]\s*")),
]


def marker_of(text: str, numbered: bool = False) -> tuple[str, int, str, str] | None:
    """(style, value, marker as written, rest of the text) of a line that starts with a marker."""
    for style, pattern in MARKER_RULES:
        m = pattern.match(text)
        if not m:
            continue
        raw = m.group(1)
        if style == "decimal":
            parts = re.split(r"[.．]", raw)
            return f"decimal{len(parts)}", int(parts[-1]), raw, text[m.end():]
        if style in ("chapter", "jie", "tiao"):
            # (第３章 in full-width digits, retyped, is the same numbering as 第1章 and 第2章 around it)
            value = int(raw) if raw.isdecimal() else cn_number(raw.replace("两", "二"))
            if value is None:
                continue
        elif style in ("cn", "paren_cn"):
            value = cn_number(raw)
            if value is None:
                continue
        elif style == "circled":
            value = ord(raw) - 0x2460 + 1
        elif style in ("alpha", "ALPHA"):
            value = ord(raw.lower()) - ord("a") + 1
        else:
            value = int(raw)
        if style == "decimal1" and not 1 <= value <= 30:
            continue
        rest = text[m.end():]
        if style in ("alpha", "ALPHA") and not rest[:1].strip() and not numbered:
            continue
        return style, value, m.group(0).strip(), rest
    return None


@dataclass
class Line:
    """One block as structure recognition sees it."""

    block: Block
    text: str  # the text after the marker (a code in a heading line taken out)
    style: str = ""  # "" for a line without a marker
    value: int = 0
    marker: str = ""  # as written (or as Word numbers it)
    code: str | None = None  # a document code in the line
    spelled: str = ""  # the code as the line writes it, when not as the manual's own spelling (QP–02, QP02)
    depth: int = -1  # nesting depth of a styled line (0 = outermost)
    children: list["Line"] = field(default_factory=list)  # styled lines under it
    body: list["Line"] = field(default_factory=list)  # unstyled lines, tables and images right under it

    @property
    def position(self) -> int:
        return self.block.position


CODE_BRACKETS = re.compile(r"^[\s(（\[【]*|[\s)）\]】]*$")


def take_code(text: str, prefixes: frozenset[str] = frozenset()) -> tuple[str, str | None, str]:
    """A heading line's text without its document code, the code in the manual's spelling
    (``客户管理程序 QP-7.5-01``, ``QP–02 不合格品控制程序``: ``find_code``) and the code as the line writes it."""
    m = find_code(text, prefixes)
    if not m:
        return text, None, ""
    before, after = text[:m[0]], text[m[1]:]
    before = re.sub(r"[\s(（\[【]*(?:文件)?(?:编号|No\.?)?[:：]?\s*$", "", before)
    after = re.sub(r"^[\s)）\]】]*", "", after)
    return (before + (" " if before and after else "") + after).strip(), m[2], text[m[0]:m[1]]


SENTENCE = re.compile(r"[。；;，,：:！？!?]")
LEADER = re.compile(r"…|[.·．]{3,}|\t")
CONTROL_LINE = re.compile(rf"\s*(?:{CODE_LABEL})\s*[:：]")


def heading_like(text: str) -> bool:
    """A line that reads as a heading, not a sentence: short, no sentence punctuation, no TOC leader."""
    text = text.strip()
    return 0 < len(text) <= 40 and not SENTENCE.search(text) and not LEADER.search(text)


def coded_title(text: str, prefixes: frozenset[str] = frozenset()) -> tuple[str, str] | None:
    """(title, code) of an unnumbered heading line that carries a document code, in either order:
    ``QP-7.4-01 采购控制程序``, ``采购控制程序 QP-7.4-01``, ``Q/DF 102-2012 进货检验规范``; None for a
    sentence, a TOC entry or a manual's own title (``质量手册 DF/QM-02``)."""
    if not heading_like(text):
        return None
    title, code, _ = take_code(text.strip(), prefixes)
    if not code or not re.search(f"[{CJK}]", title) or len(title) > 30 or re.search(r"(?:手册|汇编|程序文件)$", title):
        return None
    return title, code


def line_of(block: Block, prefixes: frozenset[str] = frozenset()) -> Line:
    if block.kind != "paragraph":
        return Line(block, block.text)
    text = block.text.strip()
    if block.number:
        number = block.number.strip()
        if number.isascii() and number.isdecimal():  # the first level of a decimal list: 1, 2, 3 (not ①: isdigit)
            return Line(block, text, "decimal1", int(number), number)
        found = marker_of(number + " ", numbered=True)
        if found:
            return Line(block, text, found[0], found[1], block.number.strip())
        return Line(block, text, "word_list", 0, block.number.strip())
    found = marker_of(text)
    if found and found[3].strip():
        return Line(block, found[3].strip(), found[0], found[1], found[2])
    coded = coded_title(text, prefixes) if not block.heading else None
    if coded:  # an unnumbered heading line with a code: the ISO layout's ``QP-7.4-01 采购控制程序``
        return Line(block, coded[0], "coded", 0, "", code=coded[1],
                    spelled=spelled_as(coded[1], take_code(text, prefixes)[2]))
    return Line(block, text)


# A numbered item run on after a short heading on the same line: ``二、部门管理职责及权限1. 部门管理职责1.1 部门…``.
RUN_ON = re.compile(rf"(?<=[{CJK}])(?=(?:\d{{1,2}}(?:[.．]\d{{1,2}})+|\d{{1,2}}\s*[.．、]|[(（][{CN}\d]{{1,3}}[)）])\s*[{CJK}])")


def spelled_as(code: str, written: str) -> str:
    """The code as written when that is not the manual's spelling of it, else ""."""
    return written if written and written != code else ""


def lines_of(block: Block, prefixes: frozenset[str] = frozenset()) -> list[Line]:
    """The block as one line, or, when a short numbered heading runs on into a numbered item on the same
    line (text copied out of Word often does), the heading and each item run on after it."""
    first = line_of(block, prefixes)
    if not first.style or block.number or block.heading:
        return [first]
    out = [first]
    while True:
        line = out[-1]
        m = RUN_ON.search(line.text, 1, 31)
        if not m or re.search(r"[。；;，,：:]", line.text[:m.start()]):
            return out
        found = marker_of(line.text[m.start():])
        if not found or not found[3].strip():
            return out
        rest = Line(block, found[3].strip(), found[0], found[1], found[2])
        line.text = line.text[:m.start()].strip()
        out.append(rest)


def heading_style(line: Line) -> str:
    """A Word heading level wins over the marker: the file says what the paragraph is."""
    return f"heading{line.block.heading}" if line.block.heading else line.style


def _ranked(style: str) -> tuple[str, int] | None:
    """("decimal", 3) for decimal3, ("heading", 2) for heading2: styles that carry their own depth."""
    kind = style.rstrip("0123456789")
    if kind in ("decimal", "heading") and style != kind:
        return kind, int(style[len(kind):])
    return None


def holds_documents(style: str, documents: str) -> bool:
    """Whether a line of ``style`` can hold documents of style ``documents``: a chapter (第X章, 第X节), a Word
    heading of a higher level, a decimal number of a lower depth.  A section or clause style (一、, 1.) cannot."""
    if style in ("chapter", "jie"):
        return True
    mine, theirs = _ranked(style), _ranked(documents)
    if mine and mine[0] == "heading":
        return not theirs or theirs[0] != "heading" or mine[1] < theirs[1]
    return bool(mine and theirs and mine[0] == theirs[0] == "decimal" and mine[1] < theirs[1])


def outline(lines: list[Line], documents: str = "") -> Line:
    """A root whose ``body`` holds every line in order: styled lines nested by order of appearance,
    each unstyled line, table and image in the ``body`` of the latest styled line before it.  With
    ``documents`` (the style of the documents, once known) a document's line is never nested under a
    section or clause (the numbered lines of an uncoded document before it, say): it closes them."""
    root = Line(Block("paragraph", 0), "", style="", depth=-1)
    stack: list[tuple[str, Line]] = [("", root)]
    for line in lines:
        style = heading_style(line) if line.block.kind == "paragraph" else ""
        if not style:
            stack[-1][1].body.append(line)
            continue
        line.style = style
        if documents and style == documents:
            while len(stack) > 1 and not holds_documents(stack[-1][0], documents):
                stack.pop()
        ranked = _ranked(style)
        if ranked:
            kind, n = ranked
            same = [(k, _ranked(s)[1]) for k, (s, _) in enumerate(stack) if _ranked(s) and _ranked(s)[0] == kind]
            smaller = [k for k, m in same if m < n]
            if smaller:
                del stack[smaller[-1] + 1:]  # 2.1.1 goes under the latest 2.1, whatever was opened since
            elif same:
                del stack[same[0][0]:]  # 2.1 closes 2.1.1; Heading 2 closes Heading 3
        else:
            styles = [s for s, _ in stack]
            if style in styles:
                del stack[styles.index(style):]
        parent = stack[-1][1]
        line.depth = parent.depth + 1
        parent.children.append(line)
        parent.body.append(line)
        stack.append((style, line))
    return root


def walk(node: Line):
    """Every styled line under ``node``, depth first."""
    for child in node.children:
        yield child
        yield from walk(child)
