"""The code scheme's arithmetic: document numbers, chapter numbers and form codes.

One place for what ``manual new`` writes and what the checks expect, for any
scheme ``manual/manual.yaml`` configures (``0108-2014``, ``YD-0302-2013``,
``QP-7.5-01``, codes without a year).
"""
from __future__ import annotations

import re

from . import CodeScheme

SEPARATORS = "-_./ "
_FORM_NUMBER = re.compile(r"(?P<document>.+?)[-_.]?F\d+")


def _fullmatch(pattern: str, code: str):
    try:
        return re.fullmatch(pattern, code) if pattern else None
    except re.error:
        return None  # the pattern itself is reported by its own rule


def same_chapter(a: str, b: str) -> bool:
    """Chapter numbers as the scheme writes them: "01" is chapter 1; "7.5" is itself."""
    return int(a) == int(b) if a.isdigit() and b.isdigit() else a == b


def format_code(scheme: CodeScheme, chapter: str, seq: int) -> str:
    """The code the scheme's ``format`` gives chapter ``chapter``, sequence ``seq``.

    A numeric chapter is passed as a number (``{chapter:02d}``), any other ("7.5") as text.
    Raises KeyError, IndexError, ValueError, TypeError or AttributeError when the format cannot.
    """
    value = int(chapter) if chapter.isdigit() else chapter
    return scheme.format.format(chapter=value, seq=seq, year=scheme.year)


def without_year(scheme: CodeScheme, code: str) -> str:
    """``code`` without the scheme's ``year`` part and the separator beside it: YD-0302-2013 → YD-0302.

    A form belongs to the document's number, not to its edition year.  A code the
    pattern does not match, or a scheme without a year, keeps the whole code.
    """
    m = _fullmatch(scheme.pattern, code)
    if not m or "year" not in m.groupdict() or not m.group("year"):
        return code
    start, end = m.span("year")
    left, right = code[:start], code[end:]
    if not right:
        return left.rstrip(SEPARATORS) or code
    if not left:
        return right.lstrip(SEPARATORS) or code
    return (left.rstrip(SEPARATORS) + right) if right[0] in SEPARATORS else left + right


def chapter_number_code(scheme: CodeScheme, chapter: str) -> str | None:
    """A chapter's own number in the scheme (sequence 0, no year): 0100, YD-0300, QP-7.5-00.

    The chapter's own forms carry it (``manual new form`` without ``--document``);
    None when the scheme's format cannot write it."""
    try:
        return without_year(scheme, format_code(scheme, chapter, 0))
    except (KeyError, IndexError, ValueError, TypeError, AttributeError):
        return None


def form_document(scheme: CodeScheme, code: str) -> str | None:
    """The document number a form code embeds: the ``document`` group of ``code_scheme.form_pattern`` when it
    has one, else what stands before ``-F<n>`` (``0108-F2`` → ``0108``)."""
    if scheme.form_pattern:
        match = _fullmatch(scheme.form_pattern, code)
        if match is None:
            return None  # off the pattern (or a bad pattern): form-code says so
        if "document" in match.groupdict():
            return match.group("document")
    found = _FORM_NUMBER.fullmatch(code)
    return found.group("document") if found else None


# ---------------------------------------------------------------------------
# The scheme a set of codes follows (``manual import``)

_NUMBER = re.compile(r"\d+(?:\.\d+)*")
_YEAR = re.compile(r"(?:19|20)\d{2}")


def _shape(code: str) -> tuple[tuple[str, ...], list[str]]:
    """The texts around the numbers of ``code`` and its numbers: ``QP-7.5-01`` → (("QP-", "-", ""), ["7.5", "01"])."""
    literals, numbers, last = [], [], 0
    for m in _NUMBER.finditer(code):
        literals.append(code[last:m.start()])
        numbers.append(m.group())
        last = m.end()
    literals.append(code[last:])
    return tuple(literals), numbers


def _digits(values: list[str]) -> str:
    widths = sorted({len(v) for v in values})
    return rf"\d{{{widths[0]}}}" if len(widths) == 1 else rf"\d{{{widths[0]},{widths[-1]}}}"


def _literal(text: str) -> tuple[str, str]:
    """``text`` as it stands in a pattern and in a format."""
    if isinstance(text, _Varying):
        return text.pattern, str(text).replace("{", "{{").replace("}", "}}")
    return re.escape(text).replace("\\-", "-").replace("\\ ", " "), text.replace("{", "{{").replace("}", "}}")


_LETTERS = re.compile(r"[A-Z]+")


class _Varying(str):
    """The text between two numbers of the codes when its letter groups differ: the most common text
    (for the format) that knows the pattern matching them all (``GL-HR-``, ``GL-XZ-`` → ``GL-[A-Z]{2}-``)."""

    pattern: str


def _varying(column: list[str]) -> str:
    if len(set(column)) == 1:
        return column[0]
    common = _Varying(max(column, key=column.count))
    runs = list(zip(*(_LETTERS.findall(text) for text in column)))
    parts, rest = [], _LETTERS.split(column[0])
    for n, text in enumerate(rest):
        parts.append(re.escape(text).replace("\\-", "-").replace("\\ ", " "))
        if n < len(runs):
            values = set(runs[n])
            if len(values) == 1:
                parts.append(runs[n][0])
            else:
                widths = sorted({len(v) for v in values})
                parts.append(f"[A-Z]{{{widths[0]}}}" if len(widths) == 1 else f"[A-Z]{{{widths[0]},{widths[-1]}}}")
    common.pattern = "".join(parts)
    return common


def infer_scheme(codes: list[str]) -> tuple[str, str] | None:
    """(pattern, format) of the scheme the most codes follow, found by comparing them.

    The codes are cut into numbers and the text between them; the shape most codes share is the
    scheme.  Of its numbers, a last one of four digits 19xx/20xx after another number is the
    ``year``; the last other one is the ``seq``; the one just before it is the ``chapter`` when it
    varies between codes or is written ``7.5``; a lone first number of four digits is chapter and
    sequence (``0101``).  Any other number that varies stays a number; one that never varies is
    text.  ``JN-QP-01-2014`` → ``^JN-QP-(?P<seq>\\d{2})-(?P<year>\\d{4})$``, ``JN-QP-{seq:02d}-{year}``;
    ``QP-7.5-01`` → ``^QP-(?P<chapter>…)-(?P<seq>\\d{2})$``; ``YD-0101-2013`` → chapter, seq, year;
    a clause number as the last number (``QM-4.1``, ``QM-8.2.1``) is chapter (``4``, ``8.2``) and seq.
    None when no code holds a number.
    """
    # Letter groups may differ between codes of one scheme (a department's prefix: GL-HR-001, GL-XZ-002):
    # codes are grouped by their shape with the letters left out, and a group that varies is a variable part.
    shapes: dict[tuple[str, ...], list[list[str]]] = {}
    texts: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for code in codes:
        literals, numbers = _shape(code)
        if numbers:
            key = tuple(_LETTERS.sub("A", text) for text in literals)
            shapes.setdefault(key, []).append(numbers)
            texts.setdefault(key, []).append(literals)
    if not shapes:
        return None
    key = max(shapes, key=lambda k: len(shapes[k]))  # the first of the most common shapes
    rows = shapes[key]
    literals = tuple(_varying(list(column)) for column in zip(*texts[key]))
    columns = [[row[i] for row in rows] for i in range(len(literals) - 1)]
    roles: dict[int, str] = {}
    last = len(columns) - 1
    if last >= 1 and not literals[-1].strip() and all(_YEAR.fullmatch(v) for v in columns[last]):
        roles[last] = "year"
        last -= 1
    roles[last] = "seq"
    before = last - 1
    if before >= 0 and (len(set(columns[before])) > 1 or any("." in v for v in columns[before])):
        roles[before] = "chapter"
    split = (last == 0 and "chapter" not in roles.values()
             and all(len(v) == 4 and v.isdigit() for v in columns[last]))
    pattern, fmt = ["^"], []
    for i, values in enumerate(columns):
        text, text_fmt = _literal(literals[i])
        pattern.append(text)
        fmt.append(text_fmt)
        role = roles.get(i)
        widths = {len(v) for v in values}
        if role == "seq" and "chapter" not in roles.values() and all("." in v for v in values):
            # a clause number (QM-4.1, QM-7.5-2018, QM-8.2.1): the chapter as the codes write it, the last part the seq
            last_parts = [v.rsplit(".", 1)[1] for v in values]
            pattern.append(r"(?P<chapter>\d+(?:\.\d+)*)\.(?P<seq>\d+)")
            width = min(len(v) for v in last_parts)
            fmt.append("{chapter}." + (f"{{seq:0{width}d}}" if width > 1 else "{seq}"))
        elif role == "seq" and split:
            pattern.append(r"(?P<chapter>\d{2})(?P<seq>\d{2})")
            fmt.append("{chapter:02d}{seq:02d}")
        elif role == "year":
            pattern.append(r"(?P<year>\d{4})")
            fmt.append("{year}")
        elif role == "chapter" and any("." in v for v in values):
            pattern.append(r"(?P<chapter>\d{1,3}(?:\.\d{1,3})*)")
            fmt.append("{chapter}")
        elif role in ("chapter", "seq"):
            pattern.append(f"(?P<{role}>{_digits(values)})")
            fmt.append(f"{{{role}:0{min(widths)}d}}" if min(widths) > 1 else f"{{{role}}}")
        elif len(set(values)) > 1:  # a number that varies but is neither: any number, written as most codes do
            pattern.append(_digits(values) if not any("." in v for v in values) else r"\d+(?:\.\d+)*")
            fmt.append(max(set(values), key=values.count))
        else:
            text, text_fmt = _literal(values[0])
            pattern.append(text)
            fmt.append(text_fmt)
    text, text_fmt = _literal(literals[-1])
    pattern.append(text + "$")
    fmt.append(text_fmt)
    return "".join(pattern), "".join(fmt)
