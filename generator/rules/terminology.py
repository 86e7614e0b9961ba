"""Terminology: forbidden terms, cited titles, the company's name.

* ``term-forbidden``: prose that uses a term listed in
  ``terminology.forbidden`` of manual/manual.yaml (``{term, use, why}``).
* ``citation-unknown``: a 《title》 in prose that names no form (title or
  ``aliases``) and no document (``generator.links.resolve``).
* ``company-name`` (warning): a name ending in 有限公司 that looks like the
  configured ``company.name`` but is not it (e.g. a misspelt character).

Prose is every text a reader reads: the body (headings, clauses,
paragraphs, table cells), titles, job titles, duties and notes, workflow
step titles and descriptions, and the forms' titles, instructions, section
titles, labels, options, help texts and column labels.  Revision summaries
are history, not prose, and are not checked (they name the old terms they
replaced).  Findings point at the line and column of the term itself.
"""
from __future__ import annotations

import bisect
import difflib
import re
from typing import NamedTuple

from ..read.markdown import iter_text
from ..model.citations import CITATION, resolve
from ..read.yamlsrc import SourceError, read_text
from ..common.findings import error, warning
from ..model import Location
from . import memo, rule


class Piece(NamedTuple):
    """One piece of prose: where it starts in its file, and its text."""

    path: str
    line: int
    column: int
    text: str


def _yaml_texts(meta, positions, path, keys):
    """Pieces for the string values at ``keys`` (tuples; "*" walks a list)."""
    def walk(value, prefix, rest):
        if not rest:
            if isinstance(value, str) and value.strip():
                line, col = positions.at(prefix)
                yield line, col, value
            return
        head, tail = rest[0], rest[1:]
        if head == "*":
            if isinstance(value, list):
                for i, v in enumerate(value):
                    yield from walk(v, prefix + (i,), tail)
        elif isinstance(value, dict) and head in value:
            yield from walk(value[head], prefix + (head,), tail)

    for key in keys:
        for line, col, text in walk(meta, (), key):
            yield Piece(path, line, col, text)


DOCUMENT_TEXT = [("title",), ("jobs", "*", "title"), ("jobs", "*", "note"), ("jobs", "*", "duties", "*"),
                 ("workflow", "*", "title"), ("workflow", "*", "description")]
FIELD_TEXT = [("label",), ("help",), ("placeholder",), ("options", "*"), ("columns", "*"), ("columns", "*", "label")]
FORM_TEXT = [("title",), ("instructions",), ("sections", "*", "title")] + \
    [("fields", "*") + k for k in FIELD_TEXT] + [("sections", "*", "fields", "*") + k for k in FIELD_TEXT]
CONFIG_TEXT = [("manual", "title"), ("chapters", "*", "title")]


def prose(manual):
    """Every piece of prose of the manual, in file order (computed once per run of the rules)."""
    return memo(manual, "terminology.prose", lambda: list(_prose(manual)))


def _prose(manual):
    yield from _yaml_texts(manual.config, manual.config_positions, manual.config_path, CONFIG_TEXT)
    for doc in manual.documents:
        yield from _yaml_texts(doc.meta, doc.positions, doc.path, DOCUMENT_TEXT)
        path = doc.path
        for line, text in iter_text(doc.blocks):
            if text and text.strip():
                yield Piece(path, line, 1, text)
    for form in manual.forms.values():
        yield from _yaml_texts(form.meta, form.positions, form.path, FORM_TEXT)


_NEWLINE = re.compile("\n")


def sources(manual) -> "Sources":
    """The raw source texts, shared by the rules of one run."""
    return memo(manual, "terminology.sources", lambda: Sources(manual))


class Sources:
    """The raw text of source files, read once, to find columns."""

    def __init__(self, manual):
        self.root = manual.root
        self.cache: dict[str, tuple[str, list[int]] | None] = {}

    def get(self, path):
        if path not in self.cache:
            try:
                text = read_text(self.root / path)
            except (OSError, SourceError):
                self.cache[path] = None
            else:
                starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]
                self.cache[path] = (text, starts)
        return self.cache[path]

    def locate(self, piece: Piece, pattern: re.Pattern, nth: int) -> Location:
        """Where the ``nth`` match of ``pattern`` within ``piece`` stands in its file."""
        fallback = Location(piece.path, piece.line, piece.column)
        source = self.get(piece.path)
        if source is None or piece.line < 1 or piece.line > len(source[1]):
            return fallback
        text, starts = source
        start = starts[piece.line - 1] + max(piece.column - 1, 0)
        first = piece.text.strip().split("\n", 1)[0][:30]
        if first:
            at = text.find(first, start, start + 4000)
            if at != -1:
                start = at
        for i, m in enumerate(pattern.finditer(text, start)):
            if i == nth:
                line = bisect.bisect_right(starts, m.start())
                return Location(piece.path, line, m.start() - starts[line - 1] + 1)
        return fallback


def term_pattern(term: str) -> re.Pattern:
    """The term, allowing line breaks and spaces between its characters."""
    return re.compile(r"\s*".join(re.escape(c) for c in term.strip()))


def forbidden_terms(manual):
    out = []
    for entry in ((manual.config.get("terminology") or {}).get("forbidden") or []):
        if isinstance(entry, dict) and isinstance(entry.get("term"), str) and entry["term"].strip():
            out.append(entry)
    return out


@rule("term-forbidden")
def term_forbidden(manual):
    terms = [(e, term_pattern(e["term"])) for e in forbidden_terms(manual)]
    if not terms:
        return []
    # A piece none of the terms occurs in (nearly all of them) is passed over with one search.
    any_term = re.compile("|".join(f"(?:{p.pattern})" for _, p in terms))
    located = sources(manual)
    findings = []
    for piece in prose(manual):
        if any_term.search(piece.text) is None:
            continue
        for entry, pattern in terms:
            for nth, _ in enumerate(pattern.finditer(piece.text)):
                loc = located.locate(piece, pattern, nth)
                use, why = entry.get("use"), entry.get("why")
                en = f"the term '{entry['term']}' is not to be used" + (f" ({why})" if why else "") + \
                     (f"; write '{use}'" if use else "")
                zh = f"禁用词 '{entry['term']}'" + (f"（{why}）" if why else "") + (f"；应写作 '{use}'" if use else "")
                findings.append(error("term-forbidden", loc, en, zh))
    return findings


def known_titles(manual) -> list[str]:
    titles = []
    for form in manual.forms.values():
        titles.append(form.title)
        titles.extend(str(a) for a in form.meta.get("aliases") or [])
    titles.extend(doc.title for doc in manual.documents)
    return [t for t in titles if t]


def title_index(manual) -> dict | None:
    """{title: form or document}: ``links.resolve`` as one lookup, same precedence.

    ``resolve`` walks every form, then every document, for each citation; the
    first form whose title or one of whose aliases matches wins, then the first
    document.  Built once, the same answer costs a dictionary lookup.
    """
    index: dict = {}
    for form in manual.forms.values():
        aliases = form.meta.get("aliases") or []
        if not isinstance(aliases, list):
            return None  # ``in`` on a text or a mapping is not a list's match: leave it to ``resolve``
        index.setdefault(form.title, form)
        for alias in aliases:
            if isinstance(alias, str):
                index.setdefault(alias, form)
    for doc in manual.documents:
        index.setdefault(doc.title, doc)
    return index


@rule("citation-unknown")
def citation_unknown(manual):
    if manual.unreadable:
        return []  # a citation may name the unreadable file; its own finding comes first
    located = sources(manual)
    index = title_index(manual)
    titles = None
    suggestions: dict[str, list] = {}
    findings = []
    for piece in prose(manual):
        if "《" not in piece.text:
            continue
        seen: dict[str, int] = {}
        for _, _, title in _citations(piece.text):
            nth = seen.get(title, 0)
            seen[title] = nth + 1
            if (title.strip() in index) if index is not None else (resolve(manual, title) is not None):
                continue
            if titles is None:
                titles = known_titles(manual)
            wanted = title.strip()
            close = suggestions.get(wanted)
            if close is None:
                close = suggestions[wanted] = difflib.get_close_matches(wanted, titles, n=1, cutoff=0.5)
            en_hint = f"; did you mean 《{close[0]}》?" if close else ""
            zh_hint = f"；是否应为《{close[0]}》？" if close else ""
            pattern = re.compile("《" + re.escape(title) + "》")
            findings.append(error("citation-unknown", located.locate(piece, pattern, nth),
                                  f"《{title}》 names no form and no document of this manual{en_hint}",
                                  f"《{title}》不是本手册中的表单或文件{zh_hint}"))
    return findings


def _citations(text):
    for m in CITATION.finditer(text):
        yield m.start(), m.end(), m.group(1)


COMPANY_LIKE = re.compile(r"[\u4e00-\u9fff（）()]{2,24}?有限公司")


@rule("company-name")
def company_name(manual):
    canonical = manual.company.strip()
    if not canonical.endswith("有限公司"):
        return []
    located = sources(manual)
    likeness: dict[str, float] = {}
    findings = []
    for piece in prose(manual):
        if "有限公司" not in piece.text:
            continue  # COMPANY_LIKE cannot match
        seen: dict[str, int] = {}
        for m in COMPANY_LIKE.finditer(piece.text):
            name = m.group(0)
            if canonical in name:
                continue
            tail = name[-len(canonical):]
            nth = seen.get(tail, 0)
            seen[tail] = nth + 1
            ratio = likeness.get(tail)
            if ratio is None:
                ratio = likeness[tail] = difflib.SequenceMatcher(None, tail, canonical).ratio()
            if ratio < 0.6:
                continue  # another company (a customer, a supplier): not ours misspelt
            loc = located.locate(piece, re.compile(re.escape(tail)), nth)
            findings.append(warning("company-name", loc,
                                    f"'{tail}' looks like the company's name but is not it; the company is "
                                    f"'{canonical}' ({manual.config_path})",
                                    f"'{tail}' 与公司标准名称不一致；公司名称应为 '{canonical}'（见 {manual.config_path}）"))
    return findings
