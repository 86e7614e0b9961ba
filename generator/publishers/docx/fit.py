"""Text fitted to the columns of the DOCX tables (forms, table headers, the metadata block), by real widths.

A word processor wraps a table cell's text where the column ends, so a label in a narrow column comes out
as 客户编/号 and a Latin word as Custome/r.  The DOCX writers therefore size the columns to their text
and write each label's lines themselves (``w:br`` between them), the way the PDF's forms do
(``model/formsheet.py``: a label up to ``LABEL_ONE_LINE`` em stays on one line, a longer one takes
two balanced lines, the label column at most 60% of a label and value pair):

* **widths** (``Face.width``): a CJK or full-width character is one em; any other character is as wide
  as its glyph in the fonts that draw it, read with fontTools from the files fontconfig gives for the
  family the DOCX names (``fc-match``: what LibreOffice draws with), never less than the estimate of
  ``typeset.char_em`` (Word's Times New Roman and Arial, which this machine may not have); a quarter em
  between CJK and Latin (Word's and LibreOffice's autospace).  Without fontconfig the estimate alone.
* **lines** (``lines``): as few as the column allows, of about equal width (the widest as narrow as it
  can be), broken between CJK characters or at spaces, never inside a Latin word, no line starting with
  closing punctuation or ending with opening punctuation, and no line holding a single character.
* **shrinking** (``fit``): when no such lines fit (a word wider than its column, a three-character label
  in a two-character column), the text is set half a point smaller, down to ``MIN_SIZE``, before anything
  is broken; only below that are characters wrapped one by one.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from ...model.formsheet import LABEL_ONE_LINE, label_share, widen  # a label up to this many em stays on one line, in the PDF and here
from .typeset import CELL_MARGIN_PT, char_em
from .typeset import advances as _advances

NO_LINE_START = frozenset("。，、；：？！）》」』〕】”’,.;:?!)]}%")  # never the first character of a line
NO_LINE_END = frozenset("（《「『〔【“‘([{")  # never the last character of a line
LABEL_MIN_EM = 4  # em: the narrowest label column (as spec._label_width_em)
MIN_SIZE = 6.5  # pt: the smallest a label or header is set (a CJK label is wrapped below it)
WORD_MIN_SIZE = 5.0  # pt: a Latin word wider than its column is shrunk down to this (the PDF's floor) rather than broken
SLACK_PT = 1.0  # room left in every line for what a renderer adds (kerning, rounding)
BOLD = 1.08  # bold Latin letters are this much wider


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


# -- fonts: ``typeset.advances`` (what fontconfig gives for a family, read with fontTools) ---------------------


@dataclass(frozen=True)
class Face:
    """The fonts a run's Latin letters may be drawn with: ``families`` (the DOCX's ``w:ascii`` font and
    any other a renderer may use); CJK characters are one em whatever the font."""

    families: tuple[str, ...]

    def em(self, ch: str) -> float:
        if _wide(ch):
            return 1.0
        if ch in "“”‘’":
            return 1.0  # Word draws them from the East Asian font
        best = char_em(ch)
        for family in self.families:
            best = max(best, _advances(family).get(ord(ch), 0.0))
        return best

    def width(self, text: str, size: float, bold: bool = False) -> float:
        """Points ``text`` takes on one line at ``size`` pt."""
        total, prev = 0.0, ""
        for ch in text:
            if prev and ((_wide(prev) and _latin(ch)) or (_latin(prev) and _wide(ch))):
                total += 0.25
            w = self.em(ch)
            total += w * BOLD if bold and not _wide(ch) else w
            prev = ch
        return total * size


# -- lines ----------------------------------------------------------------------------------------------
def _units(text: str) -> list[tuple[str, bool]]:
    """``text`` as (unit, a space before it): a CJK character or a run of other non-space characters (a
    Latin word, a number) is one unit; lines break only between units."""
    out: list[tuple[str, bool]] = []
    word, space = "", False
    for ch in str(text):
        if ch.isspace():
            if word:
                out.append((word, space))
                word = ""
            space = bool(out)
            continue
        if _wide(ch):
            if word:
                out.append((word, space))
                word, space = "", False
            out.append((ch, space))
            space = False
        else:
            word += ch
    if word:
        out.append((word, space))
    return out


def _joinable(units, i: int) -> bool:
    """May a line break before unit ``i``?"""
    unit, space = units[i]
    prev = units[i - 1][0]
    if space:
        return True
    return unit[0] not in NO_LINE_START and prev[-1] not in NO_LINE_END


def _line(units, i: int, j: int) -> str:
    return "".join((" " if space and k > i else "") + unit for k, (unit, space) in enumerate(units[i:j], i))


def lines(text: str, avail: float, size: float, face: Face, *, bold: bool = False, tail: float = 0.0,
          most: int = 0) -> list[str] | None:
    """``text`` in as few lines no wider than ``avail`` pt as it can (at most ``most`` if given), the
    widest as narrow as it can be; no Latin word broken, no line of one character, no line starting with
    closing or ending with opening punctuation.  ``tail``: pt the last line must leave free (a red star).
    None when no such lines fit."""
    text = " ".join(str(text).split())
    units = _units(text)
    n = len(units)
    if n == 0:
        return [""]
    alone = sum(len(u) for u, _ in units) < 2  # a one-character text is one line of one character
    breaks = [0] + [i for i in range(1, n) if _joinable(units, i)] + [n]
    width = {}
    for a in range(len(breaks)):
        for b in range(a + 1, len(breaks)):
            i, j = breaks[a], breaks[b]
            s = _line(units, i, j)
            w = face.width(s, size, bold) + (tail if j == n else 0.0)
            if w > avail:
                break
            if alone or len(s.replace(" ", "")) >= 2:
                width[a, b] = w
    # best[k][b]: the narrowest widest line of k lines ending at break b
    inf = float("inf")
    last = len(breaks) - 1
    best = [[inf] * len(breaks) for _ in range(len(breaks))]
    back = [[-1] * len(breaks) for _ in range(len(breaks))]
    best[0][0] = 0.0
    for k in range(1, len(breaks)):
        for b in range(1, len(breaks)):
            for a in range(b):
                w = width.get((a, b))
                if w is None or best[k - 1][a] == inf:
                    continue
                cand = max(best[k - 1][a], w)
                if cand < best[k][b] - 1e-9:
                    best[k][b], back[k][b] = cand, a
        if best[k][last] < inf:
            if most and k > most:
                return None
            out, b = [], last
            for kk in range(k, 0, -1):
                a = back[kk][b]
                out.append(_line(units, breaks[a], breaks[b]))
                b = a
            return out[::-1]
    return None


def _char_lines(text: str, avail: float, size: float, face: Face) -> list[str]:
    """The last resort: character by character."""
    out, line = [], ""
    for ch in " ".join(str(text).split()):
        if line and face.width(line + ch, size) > avail:
            out.append(line.rstrip())
            line = "" if ch == " " else ch
        else:
            line += ch
    return out + [line] if line or not out else out


def fit(text: str, avail: float, size: float, face: Face, *, bold: bool = False, tail: float = 0.0,
        most: int = 0) -> tuple[list[str], float]:
    """(lines, size): ``lines`` at ``size``, or at a size half a point smaller each time, down to
    ``MIN_SIZE`` (``WORD_MIN_SIZE`` for a text with a Latin word: a word is shrunk, never broken), until
    they fit; below that, wrapped character by character at that size."""
    s = size
    floor = WORD_MIN_SIZE if any(len(u) > 1 and not _wide(u[0]) for u, _ in _units(text)) else MIN_SIZE
    while s >= floor - 1e-9:
        got = lines(text, avail - SLACK_PT, s, face, bold=bold, tail=tail * s / size, most=most)
        if got is not None:
            return got, s
        s -= 0.5
    return _char_lines(text, avail - SLACK_PT, floor, face), floor


def longest_word(text: str, size: float, face: Face, bold: bool = False) -> float:
    """Points the widest unit of ``text`` (a Latin word, or two CJK characters) takes."""
    units = [u for u, _ in _units(text)]
    widths = [face.width(u, size, bold) for u in units if not _wide(u[0])]
    pairs = [face.width(units[i] + units[i + 1], size, bold) for i in range(len(units) - 1)
             if _wide(units[i][0]) and _wide(units[i + 1][0])]
    return max(widths + pairs + [face.width(units[0], size, bold) if units else 0.0])


def two_line_width(text: str, size: float, face: Face, bold: bool = False, tail: float = 0.0) -> float:
    """Points the wider of ``text``'s two balanced lines takes (its one line if it cannot break in two)."""
    text = " ".join(str(text).split())
    units = _units(text)
    best = face.width(text, size, bold) + tail
    for i in range(1, len(units)):
        if not _joinable(units, i):
            continue
        first, second = _line(units, 0, i), _line(units, i, len(units))
        if len(first.replace(" ", "")) < 2 or len(second.replace(" ", "")) < 2:
            continue
        best = min(best, max(face.width(first, size, bold), face.width(second, size, bold) + tail))
    return best


# -- columns ----------------------------------------------------------------------------------------------
PAD_PT = 2 * CELL_MARGIN_PT + SLACK_PT  # a cell's left and right margins (Table Grid), and the slack


def label_width(labels: list[str], pair: float, size: float, face: Face, star: float = 0.0,
                spans: list[int] | None = None) -> float:
    """Points of a form grid's label column (``pair``: a label and value column together): the longest
    label on one line up to ``LABEL_ONE_LINE`` em, a longer one in two balanced lines, at least
    ``LABEL_MIN_EM``, at most ``formsheet.label_share(spans)`` of the pair (``spans``: the units of the
    fields with a label cell; 60% if not given); ``star``: pt of a required field's star."""
    need = [LABEL_MIN_EM * size]
    for label in labels:
        one = face.width(label, size) + star
        need.append(one if one <= LABEL_ONE_LINE * size + star else two_line_width(label, size, face, tail=star))
        need.append(longest_word(label, size, face) + star)
    return min(max(need) + PAD_PT + SLACK_PT, pair * label_share(spans if spans is not None else [1]))


def column_widths(headers: list[str], weights: list[float], room: float, size: float, face: Face,
                  bold: bool = False) -> list[float]:
    """Points of each column of a table ``room`` pt wide: the ``weights``' proportions, widened where a
    header would wrap (the others give up the room): every header on one line if they can all be, else
    in two balanced lines, else no column narrower than its header's longest word."""
    total = sum(weights) or 1.0
    width = [room * w / total for w in weights]
    for need_of in (lambda h: face.width(h, size, bold), lambda h: two_line_width(h, size, face, bold),
                    lambda h: longest_word(h, size, face, bold)):
        need = [need_of(h) + PAD_PT for h in headers]
        if sum(need) <= room:
            return _widen(width, need)
    return width


def at_least(width: list[float], need: list[float]) -> list[float]:
    """``width`` with every column at least its ``need`` (when they fit together), the others giving way."""
    return _widen(width, need) if sum(need) <= sum(width) else list(width)


def _widen(width: list[float], need: list[float]) -> list[float]:
    """``width`` with every column at least its ``need`` (``model.formsheet.widen``, as the PDF's forms)."""
    return widen(width, need)
