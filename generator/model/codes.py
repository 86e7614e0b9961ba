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
