"""Citations in prose: 《title》 and bare codes resolved to a form or a document.

Every output turns a known citation into a link; the terminology rule
flags an unknown one.  Titles match a form's ``title`` or ``aliases``, or a
document's ``title``.

A *bare code* is a document or form code written in prose without 《》
("按0108-2014执行", "填写0104-F1"), in the manual's own ``code_scheme``
(``pattern`` and ``form_pattern``): see ``bare_codes``.  A known one is linked
like a citation; the references rules report an unknown, outdated or
superseded one.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from pathlib import PurePosixPath
from typing import NamedTuple

from . import CodeScheme, Document, ExternalDocument, Form, Manual

CITATION = re.compile(r"《([^《》\n]{1,60})》")


def resolve(manual: Manual, title: str) -> Document | Form | ExternalDocument | None:
    """What a 《title》 names: a form (title or alias), else a document, else a registered external
    document (control/external.yaml: title or alias); None when nothing."""
    title = title.strip()
    for form in manual.forms.values():
        if form.title == title or title in form.aliases:
            return form
    for doc in manual.documents:
        if doc.title == title:
            return doc
    return resolve_external(manual, title)


def external_index(manual: Manual) -> dict[str, ExternalDocument]:
    """Every title or alias of the register of external documents → its entry (the first one wins)."""
    key = (id(manual.externals), len(manual.externals))
    cached = manual.__dict__.get("_external_index")
    if cached is not None and cached[0] == key:
        return cached[1]
    index: dict[str, ExternalDocument] = {}
    for entry in manual.externals:
        for title in entry.titles:
            if title:
                index.setdefault(title, entry)
    manual.__dict__["_external_index"] = (key, index)
    return index


def resolve_external(manual: Manual, title: str) -> ExternalDocument | None:
    """The registered external document a 《title》 names, or None."""
    if not manual.externals:
        return None
    return external_index(manual).get(title.strip())


def external_href(entry: ExternalDocument) -> str | None:
    """Where a mention of ``entry`` links: its URL when it has one an output may make live (http, https),
    else None (the mention prints as text)."""
    return entry.url if entry.url and link_scheme(entry.url) in ("http", "https") else None


def citations(text: str):
    """(start, end, title) for each 《…》 in ``text``."""
    for m in CITATION.finditer(text):
        yield m.start(), m.end(), m.group(1)


def split_citations(manual: Manual, text: str, resolver=resolve, *,
                    codes: bool = False) -> list[tuple[str, Document | Form | ExternalDocument | None]]:
    """``text`` cut into pieces: (text, None) for plain text, (《title》, target) for a known citation
    (a form, a document, or a registered external document: outputs link the last to its URL, if any),
    and with ``codes`` (prose a writer wrote, not a line the generator composed such as
    "0108-F1 《客户名册》"), (code as written, target) for a known bare code (``bare_codes``).

    An unknown 《title》 or code stays part of the plain text.  ``resolver(manual, title)`` finds a
    citation's target (default ``resolve``; a build may pass a cached one)."""
    found = []
    for start, end, title in citations(text):
        target = resolver(manual, title)
        if target is not None:
            found.append((start, end, target))
    for bare in bare_codes(manual.code_scheme, text) if codes else ():
        target = resolve_code(manual, bare.code)
        if target is not None:
            found.append((bare.start, bare.end, target))
    if not found:
        return [(text, None)] if text else []
    found.sort(key=lambda t: t[0])
    out: list[tuple[str, Document | Form | None]] = []
    pos = 0
    for start, end, target in found:
        if start > pos:
            out.append((text[pos:start], None))
        out.append((text[start:end], target))
        pos = end
    if pos < len(text):
        out.append((text[pos:], None))
    return out


# -- links in document bodies --------------------------------------------------------------------
# Link targets an output may make live: the web, mail, and places inside the manual (no scheme).
# Anything else (javascript:, data:, vbscript:, file:, ftp: …) prints as its text.
LIVE_SCHEMES = ("http", "https", "mailto")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")


def link_scheme(href: str) -> str | None:
    """The scheme of a link target, lower case ("" for a link inside the manual; None: an unsafe target).

    Browsers ignore control characters and spaces inside a scheme (``java\tscript:``), so they are
    dropped before looking; ``//host/…`` leaves the manual without naming a scheme."""
    target = "".join(ch for ch in href if ch > " ")
    found = _SCHEME.match(target)
    if found:
        return found.group(1).lower()
    return None if target.startswith("//") else ""


def live_link(href: str) -> bool:
    """Whether an output may make ``href`` a live link."""
    scheme = link_scheme(href)
    return scheme == "" or scheme in LIVE_SCHEMES


def link_target(manual: Manual, href: str) -> Document | Form | None:
    """The document or form a link inside the manual points at (``0102-2014.md``, ``../forms/x.yaml``,
    ``0102-2014``), or None.  A bare ``#anchor`` points into the same page: None."""
    path = href.split("#", 1)[0].split("?", 1)[0]
    if not path:
        return None
    stem = PurePosixPath(path).stem if PurePosixPath(path).suffix in (".md", ".html", ".yaml", ".pdf", ".docx") \
        else PurePosixPath(path).name
    for doc in manual.documents:
        if stem in (doc.code, PurePosixPath(doc.path).stem):
            return doc
    for form in manual.forms.values():
        if stem in (form.id, form.code, PurePosixPath(form.path).stem):
            return form
    return None


# -- bare codes ------------------------------------------------------------------------------------
# A code may be typed with any dash (‐ ‑ ‒ – — ― − ﹣ －), spaces around it or instead of it, and
# full-width digits and letters (０１０８－２０１４).  Text is folded character for character (so
# positions stay those of the text as written) before the scheme's pattern looks at it.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_WIDE_ALNUM = [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]
# In a pattern only digits, letters and dashes are folded: full-width punctuation there is syntax.
_PATTERN_FOLD = {ord(ch): "-" for ch in _DASHES}
_PATTERN_FOLD.update({cp: chr(cp - 0xFEE0) for cp in _WIDE_ALNUM})
# In text also what a code may touch at its ends (．／＿＠＼) and the ideographic space; other full-width
# punctuation (，：（）) is no part of a code either way, and most prose has nothing to fold at all.
_TEXT_FOLD = dict(_PATTERN_FOLD)
_TEXT_FOLD.update({cp: chr(cp - 0xFEE0) for cp in (0xFF0E, 0xFF0F, 0xFF20, 0xFF3C, 0xFF3F)})
_TEXT_FOLD[0x3000] = " "
_FOLDABLE = re.compile("[" + "".join(re.escape(chr(cp)) for cp in sorted(_TEXT_FOLD)) + "]")

_BLANK = r"[^\S\n]"  # a space of one line (ASCII, ideographic, tab …)
# A separator of the scheme ("-") as it may be typed: a dash with spaces around it, or spaces alone.
_SEPARATOR = rf"(?:{_BLANK}*-{_BLANK}*|{_BLANK}+)"
# A code stands apart: not glued to letters, digits or a longer dashed or dotted number (a phone number
# 0769-22881234, a date 2014-05-20, a file name 0108-2014.md, an e-mail address), not next to another
# number after a space, and not a span of years (2013—2014年).  Its end is part of the pattern; its start
# is checked on each match (``_starts_apart``): lookbehinds tried at every character cost more than the
# pattern itself.
_GLUED = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_@/\\")
_JOINS = frozenset("-./_")
_END = rf"(?![0-9A-Za-z_@]|[-./_][0-9A-Za-z]|{_BLANK}*-?{_BLANK}*[0-9]|{_BLANK}*年)"
# Web addresses in plain text: a code inside one is part of the address.
_URL = re.compile(r"(?i)(?:\b[a-z][a-z0-9+.\-]*://|\bwww\.|\bmailto:)[!-~]*")
_GLOBAL_FLAGS = re.compile(r"^\^?\(\?[aiLmsux]+\)")


def fold(text: str) -> str:
    """``text`` with full-width digits and letters (and ．／＿＠＼, the ideographic space) as ASCII and
    every dash as "-", one character for one (a position in the result is the same position in ``text``)."""
    return text.translate(_TEXT_FOLD) if _FOLDABLE.search(text) else text


def prose_pattern(pattern: str) -> str:
    """The regular expression that finds codes of the scheme ``pattern`` in running text.

    Derived from the pattern itself, whatever its shape (``NNNN-YYYY``, ``YD-NNNN-YYYY``,
    ``QP-7.5-01`` …): its anchors (``^ $ \\A \\Z``) go (a code's end in prose is checked here, its start
    by ``bare_codes``), and each literal "-" outside a character class accepts any dash, spaces around
    it, or spaces alone."""
    pattern = pattern.translate(_PATTERN_FOLD)
    flags = ""
    found = _GLOBAL_FLAGS.match(pattern)
    if found:
        flags = found.group(0).lstrip("^")
        pattern = pattern[:found.start()] + ("^" if found.group(0).startswith("^") else "") + pattern[found.end():]
    out: list[str] = []
    i, n, in_class = 0, len(pattern), False
    while i < n:
        ch = pattern[i]
        if ch == "\\" and i + 1 < n:
            pair = pattern[i:i + 2]
            if not in_class and pair in ("\\A", "\\Z"):
                pass
            elif not in_class and pair == "\\-":
                out.append(_SEPARATOR)
            else:
                out.append(pair)
            i += 2
            continue
        if in_class:
            out.append(ch)
            if ch == "]":
                in_class = False
            i += 1
            continue
        if ch == "[":
            in_class = True
            out.append(ch)
            i += 1
            # a "]" first in the class (after an optional "^") is a literal
            if i < n and pattern[i] == "^":
                out.append("^")
                i += 1
            if i < n and pattern[i] == "]":
                out.append("]")
                i += 1
            continue
        if ch in "^$":
            i += 1
            continue
        out.append(_SEPARATOR if ch == "-" else ch)
        i += 1
    return f"{flags}(?:{''.join(out)}){_END}"


def _starts_apart(text: str, i: int) -> bool:
    """Whether a code may start at ``text[i]`` (``text`` folded): see ``_GLUED``."""
    before = text[i - 1] if i >= 1 else ""
    if not before:
        return True
    if before in _GLUED:
        return False
    earlier = text[i - 2] if i >= 2 else ""
    if before in _JOINS and earlier.isascii() and earlier.isalnum():
        return False
    return not (before != "\n" and before.isspace() and earlier.isascii() and earlier.isdigit())


class CodeMatcher(NamedTuple):
    """The compiled patterns of one scheme: the scheme's own (to confirm a code) and the prose finders."""

    documents: re.Pattern | None  # the scheme's pattern, folded
    forms: re.Pattern | None  # the form pattern, folded
    find_documents: re.Pattern | None
    find_forms: re.Pattern | None


def _compile(pattern: str) -> tuple[re.Pattern | None, re.Pattern | None]:
    if not pattern:
        return None, None
    try:
        return re.compile(pattern.translate(_PATTERN_FOLD)), re.compile(prose_pattern(pattern))
    except re.error:  # the code-scheme / form-code rules report a pattern that does not compile
        return None, None


@lru_cache(maxsize=32)
def code_matcher(pattern: str, form_pattern: str = "") -> CodeMatcher:
    """The matcher of a code scheme (``code_scheme.pattern`` and ``form_pattern``), compiled once."""
    documents, find_documents = _compile(pattern)
    forms, find_forms = _compile(form_pattern)
    return CodeMatcher(documents, forms, find_documents, find_forms)


class BareCode(NamedTuple):
    """A code written in prose: where it stands in the text, as written, and as the scheme writes it."""

    start: int
    end: int
    written: str  # as in the text (０１０８－２００６, 0108 – 2006 …)
    code: str  # in the scheme's form (0108-2006)
    kind: str  # "document" or "form": the scheme's pattern it matches


def _canonical(written: str, confirm: re.Pattern) -> str | None:
    """The code as the scheme writes it: folded, no spaces around a dash, spaces alone read as "-"."""
    tight = re.sub(rf"{_BLANK}*-{_BLANK}*", "-", fold(written))
    for candidate in (re.sub(rf"{_BLANK}+", "-", tight), tight):
        if confirm.fullmatch(candidate):
            return candidate
    return None


def _masked(text: str) -> list[tuple[int, int]]:
    """The parts of ``text`` where a code is not a bare code: 《…》 mentions and web addresses."""
    spans = [(m.start(), m.end()) for m in CITATION.finditer(text)]
    spans += [(m.start(), m.end()) for m in _URL.finditer(text)]
    return spans


def bare_codes(scheme: CodeScheme, text: str) -> list[BareCode]:
    """Every document or form code of ``scheme`` that ``text`` writes without 《》, in order.

    Not inside a 《…》 mention or a web address; never part of a longer number, a date or a file
    name (see ``prose_pattern``).  ``text`` is a run of plain text: code spans and links are not
    passed here (``prose_runs``)."""
    matcher = code_matcher(scheme.pattern, scheme.form_pattern)
    if matcher.find_documents is None and matcher.find_forms is None:
        return []
    folded = fold(text)
    found: list[BareCode] = []
    for kind, finder, confirm in (("document", matcher.find_documents, matcher.documents),
                                  ("form", matcher.find_forms, matcher.forms)):
        if finder is None:
            continue
        pos = 0
        while True:
            m = finder.search(folded, pos)
            if m is None:
                break
            if not _starts_apart(folded, m.start()):
                pos = m.start() + 1
                continue
            written = text[m.start():m.end()]
            code = _canonical(written, confirm)
            if code is not None:
                found.append(BareCode(m.start(), m.end(), written, code, kind))
            pos = max(m.end(), m.start() + 1)
    if not found:
        return []
    masked = _masked(text)
    found.sort(key=lambda c: (c.start, -(c.end - c.start)))
    out: list[BareCode] = []
    for code in found:
        if any(a < code.end and code.start < b for a, b in masked):
            continue
        if out and code.start < out[-1].end:  # a document and a form pattern both matched: the longer wins
            continue
        out.append(code)
    return out


def bare_codes_in(scheme: CodeScheme, texts: list[str]) -> list[list[BareCode]]:
    """``bare_codes`` of each of ``texts``: the same answer, searched in one pass (a line break between
    two texts is a boundary no code crosses), which is what makes the check fast on a large manual."""
    if not texts:
        return []
    starts, pos = [], 0
    for text in texts:
        starts.append(pos)
        pos += len(text) + 1
    out: list[list[BareCode]] = [[] for _ in texts]
    for code in bare_codes(scheme, "\n".join(texts)):
        i = bisect_right(starts, code.start) - 1
        shift = starts[i]
        if code.end - shift <= len(texts[i]):
            out[i].append(code._replace(start=code.start - shift, end=code.end - shift))
    return out


def prose_runs(blocks) -> list[tuple[int, str]]:
    """(line, text) of every run of plain text a reader reads in ``blocks`` (``read.markdown`` blocks):
    text spans outside links, code spans and code blocks; the line counts the line breaks before it."""
    out: list[tuple[int, str]] = []

    def walk(spans, line: list[int]):
        for span in spans:
            kind = span.kind
            if kind == "text":
                out.append((line[0], span.text))
            elif kind in ("softbreak", "hardbreak"):
                line[0] += 1
            elif kind in ("strong", "em"):
                walk(span.children, line)

    def blocks_of(items):
        for block in items:
            if block.code is None:
                walk(block.spans, [block.line])
            for cells in (block.header_spans, *block.row_spans):
                for cell in cells:
                    walk(cell, [block.line])
            for item in block.items:
                walk(item.spans, [item.line])
                blocks_of(item.children)

    blocks_of(blocks)
    return out


def _code_index(manual: Manual) -> dict[str, Document | Form]:
    """fold(code) → the document (first of that code) or else the form of that code."""
    key = (id(manual.documents), len(manual.documents), id(manual.forms), len(manual.forms))
    cached = manual.__dict__.get("_code_index")
    if cached is not None and cached[0] == key:
        return cached[1]
    index: dict[str, Document | Form] = {}
    for doc in manual.documents:
        if doc.code:
            index.setdefault(fold(doc.code), doc)
    for form in manual.forms.values():
        if form.code:
            index.setdefault(fold(form.code), form)
    manual.__dict__["_code_index"] = (key, index)
    return index


def resolve_code(manual: Manual, code: str) -> Document | Form | None:
    """The document or form whose code is ``code`` (as ``BareCode.code``), or None."""
    return _code_index(manual).get(fold(code))


def same_but_year(manual: Manual, code: str, kind: str = "document") -> Document | Form | None:
    """The document (or form) whose code is ``code`` in another year: the same named groups of the
    scheme's pattern except ``year`` (0108-2014 for 0108-2006).  One in force is preferred, then the
    latest year; None when the scheme has no ``year`` group or nothing matches."""
    matcher = code_matcher(manual.code_scheme.pattern, manual.code_scheme.form_pattern)
    confirm = matcher.documents if kind == "document" else matcher.forms
    if confirm is None or "year" not in confirm.groupindex:
        return None
    wanted = confirm.fullmatch(fold(code))
    if wanted is None:
        return None
    parts = _without_year(wanted)
    if not parts:
        return None
    best = None
    for year, item in _year_index(manual, kind, confirm).get(parts, ()):
        if year == wanted.group("year"):
            continue
        rank = (item.status != "superseded", year or "")
        if best is None or rank > best[0]:
            best = (rank, item)
    return best[1] if best else None


def _without_year(found: re.Match) -> tuple:
    return tuple(sorted((k, v) for k, v in found.groupdict().items() if k != "year"))


def _year_index(manual: Manual, kind: str, confirm: re.Pattern) -> dict[tuple, list]:
    """The scheme's groups but ``year`` → [(year, document or form)], built once per manual and kind."""
    items = manual.documents if kind == "document" else list(manual.forms.values())
    key = (kind, id(manual.documents), len(manual.documents), id(manual.forms), len(manual.forms), confirm.pattern)
    cached = manual.__dict__.get(f"_year_index_{kind}")
    if cached is not None and cached[0] == key:
        return cached[1]
    index: dict[tuple, list] = {}
    for item in items:
        found = confirm.fullmatch(fold(item.code)) if item.code else None
        if found is not None:
            index.setdefault(_without_year(found), []).append((found.group("year"), item))
    manual.__dict__[f"_year_index_{kind}"] = (key, index)
    return index
