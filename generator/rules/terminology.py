"""Terminology: forbidden terms, cited titles, the company's name.

* ``term-forbidden``: prose that uses a term listed in
  ``terminology.forbidden`` of manual/manual.yaml (``{term, use, why}``).
* ``citation-unknown``: a 《title》 in prose that names no form (title or
  ``aliases``), no document and no registered external document
  (control/external.yaml; ``generator.model.citations.resolve``).
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
import os
import difflib
import re
from functools import lru_cache
from typing import NamedTuple

from ..read.markdown import iter_text
from ..model.citations import citations, resolve_external
from ..read.yamlsrc import SourceError, read_text
from ..common.findings import close_hint, error, texts, warning
from ..model import Location
from . import memo, rule


class Piece(NamedTuple):
    """One piece of prose: where it starts in its file, and its text."""

    path: str
    line: int
    column: int
    text: str


def _document_texts(doc):
    """(key path, text) of a document's prose outside its body."""
    yield ("title",), doc.title
    for job in doc.jobs:
        yield ("jobs", job.index, "title"), job.title
        yield ("jobs", job.index, "note"), job.note
        for k, duty in enumerate(job.duties):
            yield ("jobs", job.index, "duties", k), duty
    for step in doc.workflow:
        yield ("workflow", step.index, "title"), step.title
        yield ("workflow", step.index, "description"), step.description


def _form_texts(form):
    """(key path, text) of a form's prose."""
    yield ("title",), form.title
    yield ("instructions",), form.instructions
    for section in form.sections:
        yield ("sections", section.index, "title"), section.title
    for f in form.fields():
        yield f.path + ("label",), f.label
        yield f.path + ("help",), f.help
        yield f.path + ("placeholder",), f.placeholder
        for i, option in enumerate(f.options):
            yield f.path + ("options", i), option
        for i, column in enumerate(f.columns):
            yield f.path + ("columns", i, "label"), column.label  # a column written as text: ("columns", i)


def _config_texts(manual):
    yield ("manual", "title"), manual.title
    for chapter in manual.chapters:
        yield ("chapters", chapter.index, "title"), chapter.title


def _pieces(path, positions, texts):
    """Pieces for the non-blank texts of one source file, each where its key stands."""
    for keys, text in texts:
        if text.strip():
            line, col = positions.at(keys)
            yield Piece(path, line, col, text)


def prose(manual):
    """Every piece of prose of the manual, in file order (computed once per run of the rules)."""
    return memo(manual, "terminology.prose", lambda: list(_prose(manual)))


def _prose(manual):
    yield from _pieces(manual.config_path, manual.config_positions, _config_texts(manual))
    for doc in manual.documents:
        yield from _pieces(doc.path, doc.positions, _document_texts(doc))
        path = doc.path
        for line, text in iter_text(doc.blocks):
            if text and text.strip():
                yield Piece(path, line, 1, text)
    for form in manual.forms.values():
        yield from _pieces(form.path, form.positions, _form_texts(form))


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


@rule("term-forbidden")
def term_forbidden(manual):
    terms = [(term, term_pattern(term.term)) for term in manual.forbidden_terms if term.term.strip()]
    if not terms:
        return []
    # A piece none of the terms occurs in (nearly all of them) is passed over with one search.
    any_term = re.compile("|".join(f"(?:{p.pattern})" for _, p in terms))
    located = sources(manual)
    findings = []
    for piece in prose(manual):
        if any_term.search(piece.text) is None:
            continue
        for term, pattern in terms:
            why = texts("term-forbidden-why", why=term.why) if term.why else ""
            use = texts("term-forbidden-use", use=term.use) if term.use else ""
            for nth, _ in enumerate(pattern.finditer(piece.text)):
                findings.append(error("term-forbidden", located.locate(piece, pattern, nth), "term-forbidden",
                                      term=term.term, why=why, use=use))
    return findings


def known_titles(manual) -> list[str]:
    titles = []
    for form in manual.forms.values():
        titles.append(form.title)
        titles.extend(form.aliases)
    titles.extend(doc.title for doc in manual.documents)
    return [t for t in titles if t]


def title_index(manual) -> dict:
    """{title: form or document}: ``model.citations.resolve`` as one lookup, same precedence.

    ``resolve`` walks every form, then every document, for each citation; the
    first form whose title or one of whose aliases matches wins, then the first
    document.  Built once, the same answer costs a dictionary lookup.
    """
    index: dict = {}
    for form in manual.forms.values():
        index.setdefault(form.title, form)
        for alias in form.aliases:
            index.setdefault(alias, form)
    for doc in manual.documents:
        index.setdefault(doc.title, doc)
    return index


SENTENCE = re.compile(r"[《》。；;！!？?]|[，,：:].*[，,：:]")


def citable(title: str) -> bool:
    """Whether a known title may be proposed as the one a citation meant: not one that holds 《》 or is a
    sentence (an imported document whose heading was a clause: 合格供方列入《合格供方名录》。)."""
    return SENTENCE.search(title) is None and len(title) <= 40


@rule("citation-unknown", unreviewed=True)
def citation_unknown(manual):
    if manual.unreadable:
        return []  # a citation may name the unreadable file; its own finding comes first
    located = sources(manual)
    index = title_index(manual)
    titles = None
    hints: dict[str, object] = {}  # the same unknown title cited many times: one search for the closest
    findings = []
    for piece in prose(manual):
        if "《" not in piece.text:
            continue
        seen: dict[str, int] = {}
        for _, _, title in citations(piece.text):
            nth = seen.get(title, 0)
            seen[title] = nth + 1
            wanted = title.strip()
            if wanted in index or resolve_external(manual, wanted) is not None:
                continue
            if titles is None:
                titles = [t for t in known_titles(manual) if citable(t)]
            if wanted not in hints:
                hints[wanted] = close_hint(wanted, titles, key="citation-did-you-mean")
            pattern = re.compile("《" + re.escape(title) + "》")
            findings.append(error("citation-unknown", located.locate(piece, pattern, nth), "citation-unknown",
                                  title=title, hint=hints[wanted]))
    return findings


COMPANY_LIKE = re.compile(r"[\u4e00-\u9fff（）()]{2,24}?有限公司")


# Legal forms by the kind of legal entity they name, longest first: a name with another kind (上海新越电器「集团」
# 有限公司 for 上海新越电器有限公司, or 股份有限公司) is another company, never ours misspelt.
LEGAL_FAMILIES = (("集团股份有限公司", "group"), ("集团有限公司", "group"), ("集团股份公司", "group"),
                  ("集团公司", "group"), ("股份有限公司", "stock"), ("股份公司", "stock"), ("有限责任公司", "limited"),
                  ("有限公司", "limited"))


def legal_family(name: str) -> str:
    """The kind of legal entity a company's name ends in: group, stock, limited, or "" (none written);
    a bracketed 集团 counts (海尔（集团）股份有限公司 is a group)."""
    for form, family in LEGAL_FAMILIES:
        if name.endswith(form):
            return "group" if re.search(r"[（(]集团[）)]", name) else family
    return ""


@lru_cache(maxsize=4096)
def _likeness(tail: str, canonical: str) -> float:
    return difflib.SequenceMatcher(None, tail, canonical).ratio()


def misspelt_company_spans(text: str, canonical: str) -> list[tuple[int, int]]:
    """(start, end) of each name ending in 有限公司 in ``text`` that looks like ``canonical`` but is not it.

    ``company-name`` reports them; ``company-foreign`` (``rules/companies.py``) leaves them to it.
    """
    if not canonical.endswith("有限公司") or "有限公司" not in text:
        return []
    spans = []
    for m in COMPANY_LIKE.finditer(text):
        name = m.group(0)
        if canonical in name:
            continue
        if legal_family(name) != legal_family(canonical):  # another kind of entity: company-foreign's
            continue
        tail = name[-len(canonical):]
        if _likeness(tail, canonical) < 0.6:  # another company (a customer, a supplier), not ours misspelt
            continue
        # What comes before the suffix both share (机械有限公司) must read like ours too: 上海精工机械有限公司
        # shares the industry with 宁波海纳精密机械有限公司 but names another company (company-foreign's).
        shared = len(os.path.commonprefix([name[::-1], canonical[::-1]]))
        head = canonical[:len(canonical) - shared]
        if head and _likeness(tail[:len(tail) - shared][-len(head):], head) < 0.5:
            continue
        spans.append((m.end() - len(tail), m.end()))
    return spans


@rule("company-name", severities=("warning",))
def company_name(manual):
    canonical = manual.company.strip()
    if not canonical.endswith("有限公司"):
        return []
    located = sources(manual)
    findings = []
    for piece in prose(manual):
        seen: dict[str, int] = {}
        for start, end in misspelt_company_spans(piece.text, canonical):
            tail = piece.text[start:end]
            nth = seen.get(tail, 0)
            seen[tail] = nth + 1
            loc = located.locate(piece, re.compile(re.escape(tail)), nth)
            findings.append(warning("company-name", loc, "company-name", name=tail, company=canonical,
                                    config=manual.config_path))
    return findings
