"""How wide text prints, estimated without a font: a CJK character is about 1 em, a Latin one about
0.56 em (0.7 for capitals).  Shared by the diagrams (``publishers/render/diagrams.py``) and the form
sheet's geometry (``model/formsheet.py``): line wrapping that never leaves one character alone on a
line and never splits a Latin word."""
from __future__ import annotations

import re
import unicodedata

FONT_SIZE = 14  # px: the diagrams' default size


def char_em(ch: str) -> float:
    """Approximate advance width of one character, in em."""
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.0
    if ch == " ":
        return 0.3
    if ch in "ilj":  # Latin letters narrower or wider than most, so that a long word is not
        return 0.3  # measured far wider than it prints (the estimate stays on the wide side)
    if ch in "tfr":
        return 0.4
    if ch in "mMW":
        return 0.85
    if ch.isupper() or ch in "w@%":
        return 0.7
    return 0.56


def text_width(text: str, size: float = FONT_SIZE) -> float:
    return sum(char_em(c) for c in str(text)) * size


def wrap(text: str, max_width: float, size: float = FONT_SIZE) -> list[str]:
    """Break ``text`` into lines no wider than ``max_width`` (character-wise, CJK style)."""
    lines: list[str] = []
    line, width = "", 0.0
    for ch in str(text):
        w = char_em(ch) * size
        if line and width + w > max_width:
            lines.append(line)
            line, width = "", 0.0
            if ch == " ":
                continue
        line += ch
        width += w
    if line or not lines:
        lines.append(line)
    return lines


NO_LINE_START = frozenset("。，、；：？！）》」』〕】,.;:?!)]%")  # never the first character of a wrapped line


# A Latin word (letters, digits and what joins them, with the closing punctuation after it) is never
# split; a space is where a line may break; every other character (CJK) is a unit of its own.
_TOKEN = re.compile(r"[0-9A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]"
                    r"[0-9A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff'\u2019&@_./+\-]*"
                    r"[,.;:?!)\]%]*|\s+|.", re.S)


def tokens(text: str) -> list[str]:
    """``text`` cut where a line may break: Latin words whole, spaces, single other characters."""
    return _TOKEN.findall(str(text))


def longest_word(text: str, size: float = FONT_SIZE) -> float:
    """The width of the widest unit of ``text`` that a line break never splits (a Latin word)."""
    return max([text_width(t, size) for t in tokens(text) if not t.isspace()] + [0.0])


def balanced_wrap(text: str, max_width: float, size: float = FONT_SIZE) -> list[str]:
    """``text`` in as few lines no wider than ``max_width`` as it needs (but no line starting with
    closing punctuation), the lines of about equal width: never one character left alone on a line,
    and a Latin word never split (a word wider than ``max_width`` stands on a line of its own: the
    caller sizes the box to ``longest_word`` or shrinks the text)."""
    text = str(text)
    total = text_width(text, size)
    if total <= max_width or len(text) < 4:
        return [text]
    units = tokens(text)
    count = max(2, int(-(-total // max_width)))
    while True:
        target = total / count
        lines, line, used = [], "", 0.0
        for unit in units:
            w = text_width(unit, size)
            if line.strip() and used + w / 2 > target and len(lines) < count - 1 and unit[0] not in NO_LINE_START:
                lines.append(line)
                line, used = "", 0.0
            line += unit
            used += w
        lines.append(line)
        if all(text_width(ln.strip(), size) <= max_width for ln in lines) or count >= len(units):
            return [ln.strip() for ln in lines if ln.strip()]
        count += 1
