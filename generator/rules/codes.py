"""Document codes: the manual's scheme, duplicates, year, numbering gaps.

The chapter list and the files behind the codes are ``rules/structure.py``."""
from __future__ import annotations

import re

from ..common.findings import error, texts, warning
from ..model.codes import format_code
from . import rule


def parse_code(manual, code: str):
    """The named groups of ``code`` in the manual's scheme, or None."""
    pattern = manual.code_scheme.pattern
    if not pattern:
        return None
    try:
        match = re.fullmatch(pattern, code)
    except re.error:
        return None
    return match.groupdict() if match else None


# The names that copying a file gives it: Windows ("X - 副本", "X - Copy (2)", "X (2)", older "复件 X",
# "Copy of X"), macOS ("X copy", "X copy 2", "X 副本", "X的副本", "X 拷贝").
_COPY = re.compile(
    r"^(?:copy\s+(?:\(\d+\)\s+)?of\s+|复件\s*(?:\(\d+\)\s*)?)(?P<a>.+)$"
    r"|^(?P<b>.+?)(?:\s+-\s*(?:副本|copy|拷贝)(?:\s*[(（]\d+[)）])?|\s*[(（]\d+[)）]"
    r"|\s+(?:copy|副本|拷贝)(?:\s*\d+)?|\s*的副本(?:\s*\d+)?|[ _-]?副本\d*)$",
    re.IGNORECASE)


def stem(path: str) -> str:
    """A source file's name without its folder and extension."""
    return path.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def copy_of(path: str) -> str | None:
    """The name a file named like a copy was copied from ("0110-2014 - 副本.md" → "0110-2014"), else None."""
    found = _COPY.match(stem(path).strip())
    if not found:
        return None
    return (found.group("a") or found.group("b") or "").strip() or None


def is_stray_copy(path: str, key: str) -> bool:
    """Whether a file is named like a copy, not after ``key`` (a document's code, a form's id)."""
    return copy_of(path) is not None and stem(path) != key


def scheme_example(manual) -> str | None:
    """A code that follows the scheme, to show in a message: ``code_scheme.example`` when it does, else the
    first document's code that does, else the code the scheme's format writes for chapter 1, sequence 1
    when that one does; None when there is none."""
    scheme = manual.code_scheme
    candidates = [scheme.example] if scheme.example else []
    candidates += [doc.code for doc in manual.documents if doc.code]
    try:
        candidates.append(format_code(scheme, "01", 1))
    except (KeyError, IndexError, ValueError, TypeError, AttributeError):
        pass
    return next((code for code in candidates if parse_code(manual, code) is not None), None)


@rule("code-scheme", unreviewed=True)
def code_scheme(manual):
    findings = []
    scheme = manual.code_scheme
    if scheme.pattern:
        try:
            re.compile(scheme.pattern)
        except re.error as exc:
            return [error("code-scheme", manual.config_loc("code_scheme", "pattern"), "code-scheme-pattern",
                          error=exc)]
    example = scheme_example(manual)
    example = texts("code-scheme-example", example=example) if example else \
        texts("code-scheme-shown", pattern=scheme.pattern) if scheme.pattern else ""
    for doc in manual.documents:
        if doc.code and parse_code(manual, doc.code) is None:
            findings.append(error("code-scheme", doc.loc("code"), "code-scheme", code=doc.code, example=example))
    return findings


@rule("code-year", unreviewed=True)
def code_year(manual):
    """A code in the scheme whose ``year`` is not the edition's (``code_scheme.year``)."""
    year = manual.code_scheme.year
    if year is None:
        return []
    findings = []
    for doc in manual.documents:
        parts = parse_code(manual, doc.code) if doc.code else None
        if parts and parts.get("year") and int(parts["year"]) != year:
            findings.append(error("code-year", doc.loc("code"), "code-year", code=doc.code, found=parts["year"],
                                  year=year, right=doc.code.replace(parts["year"], str(year))))
    return findings


@rule("duplicate-code")
def duplicate_code(manual):
    findings = []
    seen = {}
    for doc in manual.documents:
        if not doc.code or is_stray_copy(doc.path, doc.code):
            continue  # a stray copy ("0110-2014 - 副本.md") is reported by ``stray-copy``, at the copy
        if doc.code in seen:
            findings.append(error("duplicate-code", doc.loc("code"), "duplicate-code", code=doc.code,
                                  other=seen[doc.code].path))
        else:
            seen[doc.code] = doc
    return findings


def clause_number(manual, code: str) -> bool:
    """Whether ``code`` writes its sequence as the last part of a clause number (``QM-7.5``: chapter 7, seq 5),
    a number of the standard's clauses that skips by design, not a running sequence (``QP-7.5-01``)."""
    try:
        match = re.fullmatch(manual.code_scheme.pattern, code)
    except re.error:
        return False
    return bool(match) and match.start("seq") > 0 and match.end("chapter") == match.start("seq") - 1 \
        and code[match.end("chapter")] == "."


@rule("code-gap", severities=("warning",))
def code_gap(manual):
    """A warning for each missing sequence number within a chapter (not where the sequence is the last part
    of a clause number, ``QM-7.5``: ISO clause numbers skip).

    A file that stands for a code without a document read having it (one that could not be read, or
    whose name is not its code: their own findings say why) still holds that number: one broken file
    is one finding, not also a gap."""
    by_chapter: dict[str, list] = {}
    for doc in manual.documents:
        parts = parse_code(manual, doc.code) if doc.code else None
        if parts and parts.get("chapter") and parts.get("seq") and not clause_number(manual, doc.code):
            by_chapter.setdefault(parts["chapter"], []).append((int(parts["seq"]), doc))
    unread: dict[str, set[int]] = {}
    for code in manual.claimed_codes:
        parts = parse_code(manual, code)
        if parts and parts.get("chapter") and parts.get("seq"):
            unread.setdefault(parts["chapter"], set()).add(int(parts["seq"]))
    findings = []
    for chapter, items in sorted(by_chapter.items()):
        items.sort(key=lambda t: t[0])
        numbers = {n for n, _ in items} | unread.get(chapter, set())
        for n, doc in items:
            if n > 1 and (n - 1) not in numbers:
                findings.append(warning("code-gap", doc.loc("code"), "code-gap", chapter=chapter, missing=n - 1,
                                        code=doc.code))
    return findings
