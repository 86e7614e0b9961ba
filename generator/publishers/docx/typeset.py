"""The DOCX's typography, and where its pages break (an estimate, good enough for the contents list).

Fonts, as a Chinese Office install has them: 宋体 (SimSun) for the body and 黑体 (SimHei) for
headings, with Times New Roman and Arial for Latin letters and digits.  The font table names their
English names (``w:altName``) and their GB2312 character set, so Word on a non-Chinese Windows finds
them too.  LibreOffice on Linux has neither (``fc-match SimSun`` gives DejaVu Serif, which has no
Chinese): it draws the Chinese text from its glyph fallback (WenQuanYi Micro Hei or Noto Sans CJK,
whichever fontconfig offers), so the text shows, in a sans face.

Every paragraph has an *exact* line height (固定值 line spacing, as Chinese templates use): the
height of a page's text then does not depend on the font that draws it, and a Chinese character is one
em wide in every CJK font.  That is what makes the page estimate below hold in Word (SimSun), WPS and
LibreOffice (its fallback font) alike.

``paginate(body)`` walks the finished ``w:body`` and lays it out the way a word processor does, with
the measures written in the XML: section breaks start new pages, each paragraph is its lines at its
exact height plus its spacing, text wraps at the column width (CJK one em a character, Latin about
half), table rows never split and repeat their header rows, keep-with-next chains move to the next
page together, a paragraph leaves no single line behind or ahead (widow and orphan control).  It
returns the page each bookmark lands on: the contents list prints those numbers as the TOC field's
current result.  Measured against LibreOffice's own layout of the shipped manual and the test
manuals (tests/test_docx_layout.py), the numbers are those LibreOffice prints; Word with SimSun
breaks lines where the estimate does as long as the text is Chinese.  The field stays a real TOC
field: Word's "update field" recomputes the numbers from Word's own layout.
"""
from __future__ import annotations

import functools
import subprocess
import unicodedata
from dataclasses import dataclass, field

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

# -- fonts ---------------------------------------------------------------------------------------
SERIF_EA, SANS_EA = "宋体", "黑体"  # the East Asian faces, by the names Chinese Office writes
SERIF_LATIN, SANS_LATIN = "Times New Roman", "Arial"
MONO = "Courier New"
SYMBOLS = "Segoe UI Symbol"  # ☐ ☑: Windows has them there; LibreOffice falls back to DejaVu Sans
# fontTable.xml entries: name, English name, panose, family, pitch (charset 86 = GB2312)
FONT_TABLE = (
    (SERIF_EA, "SimSun", "02010600030101010101", "auto", "variable"),
    (SANS_EA, "SimHei", "02010609060101010101", "modern", "fixed"),
)

# -- paragraph styles: (style id, font size pt, exact line height pt, space before pt, space after pt) ------
PT = 20  # twips per point
STYLE_METRICS = {
    "Normal": (10.5, 18, 0, 3),
    "Title": (26, 40, 0, 6),
    "Heading1": (16, 26, 0, 8),
    "Heading2": (12, 20, 10, 4),
    "Heading3": (10.5, 18, 8, 3),
    "TOCHeading": (16, 26, 0, 12),
    "TOC1": (10.5, 22, 0, 0),
    "TOC2": (10.5, 22, 0, 0),
    "FormHeading": (12, 20, 0, 4),
    "TableText": (9.5, 15, 0, 0),
    "Header": (8.5, 12, 0, 0),
    "Footer": (8.5, 12, 0, 0),
}
CELL_MARGIN_PT = 108 / PT  # Table Grid: 0.08 in left and right, nothing above and below
BORDER_PT = 0.5  # one ruled line (w:sz 4) per row


def line_for(size: float) -> int:
    """The exact line height (pt) a paragraph of ``size`` pt text gets."""
    return int(round(size * 1.5 + 2))


# -- text width -------------------------------------------------------------------------------
def char_em(ch: str) -> float:
    """The width of a character in ems: CJK and full-width one em, Latin about half."""
    if ch == " ":
        return 0.25
    if ch in "“”‘’":
        return 0.75  # Word draws them from the East Asian font, LibreOffice from the Latin one
    eaw = unicodedata.east_asian_width(ch)
    if eaw in ("W", "F"):
        return 1.0
    if ch in "il.,;:'|!()[]fjt":
        return 0.3
    if ch in "mwMW@%":
        return 0.85
    if ch.isupper():
        return 0.65
    return 0.55


# -- Latin glyph widths ----------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=None)
def font_file(family: str) -> tuple[str, int] | None:
    """(file, face index) fontconfig draws ``family`` with, or None."""
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}\t%{index}", family], capture_output=True, text=True,
                             timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    file, _, index = out.partition("\t")
    return (file, int(index or 0)) if file else None


@functools.lru_cache(maxsize=None)
def advances(family: str) -> dict[int, float]:
    """Code point → advance width in em of the font fontconfig gives for ``family`` ({} if none)."""
    found = font_file(family)
    if found is None:
        return {}
    try:
        from fontTools.ttLib import TTFont

        font = TTFont(found[0], fontNumber=found[1], lazy=True)
        upem = font["head"].unitsPerEm
        hmtx = font["hmtx"]
        cmap = font.getBestCmap() or {}
        return {cp: hmtx[name][0] / upem for cp, name in cmap.items() if cp < 0x3000}
    except Exception:  # a font that cannot be read: the estimate stands
        return {}


@functools.lru_cache(maxsize=None)
def glyph_em(ch: str) -> float:
    """A character's width in ems as the layout draws it: CJK one em; a Latin letter as wide as its glyph
    in the font fontconfig gives for Times New Roman (what LibreOffice draws it with: DejaVu Serif where
    neither it nor Liberation Serif is installed), never less than ``char_em``."""
    em = char_em(ch)
    if em == 1.0 or ch in "“”‘’":
        return em
    return max(em, advances(SERIF_LATIN).get(ord(ch), 0.0))


def text_width(pieces: list[tuple[str, float]]) -> float:
    """Points that ``(text, size)`` pieces take on one line; Word and LibreOffice put about a quarter em
    between CJK characters and Latin letters or digits (autoSpaceDE/DN)."""
    total, prev = 0.0, ""
    for text, size in pieces:
        for ch in text:
            if prev and ((_wide(prev) and _latin(ch)) or (_latin(prev) and _wide(ch))):
                total += 0.25 * size
            total += char_em(ch) * size
            prev = ch
    return total


def count_lines(pieces: list[tuple[str, float]], avail: float) -> int:
    """How many lines ``(text, size)`` pieces fill in a column ``avail`` points wide, wrapped as LibreOffice
    and Word wrap them: a line breaks between two CJK characters, at a space, or between CJK and Latin;
    a run of other characters (a Latin word with its punctuation: ``complaint,`` ``(ISO`` ``0106-2026``)
    goes to the next line whole, unless it is wider than a line; a space at the end of a line hangs.
    Latin letters are as wide as their glyphs (``glyph_em``)."""
    lines, x, prev = 1, 0.0, ""
    word = 0.0  # the width of the unbreakable run (a Latin word) set last on this line
    for text, size in pieces:
        for ch in text:
            w = glyph_em(ch) * size
            if prev and ((_wide(prev) and _latin(ch)) or (_latin(prev) and _wide(ch))):
                w += 0.25 * size
            if ch == " ":
                x += w  # hangs at a line's end if it does not fit (an ideographic space is a character)
                word = 0.0
            elif _wide(ch):
                if x + w > avail + 0.01:
                    lines += 1
                    x = w
                else:
                    x += w
                word = 0.0
            elif x + w > avail + 0.01:
                lines += 1
                if 0.0 < word < x - 0.01 and word + w <= avail + 0.01:
                    x = word + w  # the word goes over whole
                    word += w
                else:
                    x = word = w
            else:
                x += w
                word += w
            prev = ch
    return lines


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


# -- reading the XML ----------------------------------------------------------------------------
def _twips(el, attr: str, default: float = 0.0) -> float:
    if el is None:
        return default
    value = el.get(W + attr)
    return int(value) / PT if value not in (None, "") else default


def _on(ppr, tag: str) -> bool:
    if ppr is None:
        return False
    el = ppr.find(W + tag)
    return el is not None and el.get(W + "val") not in ("false", "0", "off")


@dataclass
class Geometry:
    width: float  # text column, pt
    height: float  # text area, pt


def geometry(sect) -> Geometry:
    size, mar = sect.find(W + "pgSz"), sect.find(W + "pgMar")
    width = _twips(size, "w") - _twips(mar, "left") - _twips(mar, "right") - _twips(mar, "gutter", 0.0)
    height = _twips(size, "h") - _twips(mar, "top") - _twips(mar, "bottom")
    return Geometry(width, height)


@dataclass
class Unit:
    """A piece that goes on a page as a whole or in lines: a paragraph or a table row."""

    height: float  # without space after
    after: float = 0.0
    before: float = 0.0
    line: float = 0.0  # a paragraph's line height (0: a table row, which never splits)
    lines: int = 1
    keep_next: bool = False
    keep_lines: bool = False
    break_before: bool = False
    bookmarks: list[str] = field(default_factory=list)
    table: int = 0  # table rows: which table (a running number), 0 for a paragraph
    header: bool = False  # a repeated header row
    head_height: float = 0.0  # the height of its table's header rows (repeated on a new page)


def _styles_of(p) -> tuple:
    ppr = p.find(W + "pPr")
    style = "Normal"
    if ppr is not None:
        ps = ppr.find(W + "pStyle")
        if ps is not None:
            style = ps.get(W + "val")
    return ppr, STYLE_METRICS.get(style, STYLE_METRICS["Normal"]), style


def _runs(p, default_size: float) -> list[list[tuple[str, float]]]:
    """The paragraph's text as lines (split at w:br) of (text, size) pieces; field codes left out."""
    lines: list[list[tuple[str, float]]] = [[]]
    for r in p.iter(W + "r"):
        rpr = r.find(W + "rPr")
        size = default_size
        if rpr is not None:
            sz = rpr.find(W + "sz")
            if sz is not None:
                size = int(sz.get(W + "val")) / 2
        for child in r:
            tag = child.tag
            if tag == W + "t":
                lines[-1].append((child.text or "", size))
            elif tag == W + "tab":
                lines[-1].append(("\u3000\u3000", size))
            elif tag == W + "br":
                lines.append([])
    return lines


def paragraph_unit(p, width: float) -> Unit:
    ppr, (size, line, before, after), style = _styles_of(p)
    spacing = ppr.find(W + "spacing") if ppr is not None else None
    if spacing is not None:
        before = _twips(spacing, "before", before)
        after = _twips(spacing, "after", after)
        if spacing.get(W + "lineRule") == "exact":
            line = _twips(spacing, "line", line)
    ind = ppr.find(W + "ind") if ppr is not None else None
    avail = max(width - _twips(ind, "left") - _twips(ind, "right"), 20.0)
    nlines = sum(count_lines(pieces, avail) for pieces in _runs(p, size))
    bookmarks = [b.get(W + "name") for b in p.iter(W + "bookmarkStart")]
    return Unit(height=before + nlines * line, before=before, after=after, line=line, lines=nlines,
                keep_next=_on(ppr, "keepNext") or style.startswith("Heading") or style == "FormHeading",
                keep_lines=_on(ppr, "keepLines"), break_before=_on(ppr, "pageBreakBefore"), bookmarks=bookmarks)


def table_units(tbl, number: int) -> list[Unit]:
    widths = [_twips(g, "w") for g in tbl.find(W + "tblGrid").findall(W + "gridCol")]
    units: list[Unit] = []
    for tr in tbl.findall(W + "tr"):
        trpr = tr.find(W + "trPr")
        col, tallest, keep = 0, 0.0, False
        marks: list[str] = []
        for tc in tr.findall(W + "tc"):
            tcpr = tc.find(W + "tcPr")
            span = tcpr.find(W + "gridSpan") if tcpr is not None else None
            n = int(span.get(W + "val")) if span is not None else 1
            width = sum(widths[col:col + n]) - 2 * CELL_MARGIN_PT
            col += n
            height = 0.0
            for p in tc.findall(W + "p"):
                u = paragraph_unit(p, width)
                height += u.height + u.after
                keep = keep or u.keep_next
                marks += u.bookmarks
            tallest = max(tallest, height)
        if trpr is not None:
            h = trpr.find(W + "trHeight")
            if h is not None:
                rule = h.get(W + "hRule") or "atLeast"
                tallest = _twips(h, "val") if rule == "exact" else max(tallest, _twips(h, "val"))
        units.append(Unit(height=tallest + BORDER_PT, keep_next=keep, table=number, bookmarks=marks,
                          header=_on(trpr, "tblHeader")))
    head = sum(u.height for u in units if u.header)
    for u in units:
        u.head_height = head
    return units


def sections(body) -> list[tuple[Geometry, list]]:
    """The body's sections: (geometry, block elements), in order."""
    out, blocks = [], []
    for child in body:
        if child.tag == W + "sectPr":
            out.append((geometry(child), blocks))
            blocks = []
            continue
        blocks.append(child)
        if child.tag == W + "p":
            ppr = child.find(W + "pPr")
            sect = ppr.find(W + "sectPr") if ppr is not None else None
            if sect is not None:
                out.append((geometry(sect), blocks))
                blocks = []
    return out


class _Pages:
    def __init__(self):
        self.page = 0
        self.y = 0.0
        self.height = 0.0

    def new(self, height: float | None = None):
        self.page += 1
        self.y = 0.0
        if height is not None:
            self.height = height

    def room(self) -> float:
        return self.height - self.y


def _chain(units: list[Unit], i: int) -> float:
    """The height that must stand on one page with units[i]: the keep-with-next chain from it up to the
    first lines of the first unit that does not keep with its next."""
    total, j = 0.0, i
    while j < len(units):
        u = units[j]
        if j > i:
            total += units[j - 1].after
        if not u.keep_next or j == len(units) - 1:
            first = u.height if not u.line or u.keep_lines else u.before + min(u.lines, 2) * u.line
            return total + (first if j > i else u.height)
        total += u.height
        j += 1
    return total


def paginate(body, trace: list | None = None) -> dict[str, int]:
    """The page (1 = the first) each bookmark of ``body`` starts on; ``trace`` collects (page, y, unit)
    for every unit placed."""
    found: dict[str, int] = {}
    pages = _Pages()
    for geo, blocks in sections(body):
        units: list[Unit] = []
        tables = 0
        for block in blocks:
            if block.tag == W + "p":
                units.append(paragraph_unit(block, geo.width))
            elif block.tag == W + "tbl":
                tables += 1
                units.extend(table_units(block, tables))
        pages.new(geo.height)
        for i, u in enumerate(units):
            top = pages.y == 0
            if u.break_before and not top:
                pages.new()
            elif not top:
                chain = _chain(units, i)
                if u.keep_next and chain > pages.room() and chain <= pages.height:
                    pages.new()
            top = pages.y == 0
            before = 0.0 if top and pages.page > 1 and not u.break_before else u.before
            body_h = u.height - u.before + before
            if body_h <= pages.room() + 0.01:
                start = pages.page
                pages.y = min(pages.y + body_h + u.after, pages.height)  # space after ends with the page
            elif u.line and not u.keep_lines and u.lines > 1 and not top:
                fit = int((pages.room() - before) // u.line)
                if u.lines - fit < 2:  # widow control: two lines at least go over
                    fit = u.lines - 2
                if fit >= 2:  # orphan control: two lines at least stay
                    start = pages.page
                    pages.new()
                    pages.y = (u.lines - fit) * u.line + u.after
                else:
                    pages.new()
                    start = pages.page
                    pages.y = u.lines * u.line + u.after
            else:
                if not top:
                    pages.new()
                start = pages.page
                repeat = u.head_height if (u.table and not u.header and i and units[i - 1].table == u.table) else 0
                pages.y = repeat + u.height - u.before + u.after
            while pages.y > pages.height and pages.height > 0:  # a block taller than a page runs on
                overflow = pages.y - pages.height
                pages.new()
                pages.y = overflow
            for name in u.bookmarks:
                found.setdefault(name, start)
            if trace is not None:
                trace.append((start, pages.page, round(pages.y, 1), u))
    return found
