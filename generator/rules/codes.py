"""Document codes: the manual's scheme, duplicates, year, numbering gaps."""
from __future__ import annotations

import re
from pathlib import Path

from ..common.findings import error, texts, warning
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


@rule("code-scheme")
def code_scheme(manual):
    findings = []
    scheme = manual.code_scheme
    if scheme.pattern:
        try:
            re.compile(scheme.pattern)
        except re.error as exc:
            return [error("code-scheme", manual.config_loc("code_scheme", "pattern"), "code-scheme-pattern",
                          error=exc)]
    example = texts("code-scheme-example", example=scheme.example) if scheme.example else ""
    for doc in manual.documents:
        if not doc.code:
            continue
        parts = parse_code(manual, doc.code)
        if parts is None:
            findings.append(error("code-scheme", doc.loc("code"), "code-scheme", code=doc.code, example=example))
            continue
        if scheme.year is not None and parts.get("year") and int(parts["year"]) != scheme.year:
            findings.append(error("code-year", doc.loc("code"), "code-year", code=doc.code, found=parts["year"],
                                  year=scheme.year, right=doc.code.replace(parts["year"], str(scheme.year))))
    return findings


@rule("duplicate-code")
def duplicate_code(manual):
    findings = []
    seen = {}
    for doc in manual.documents:
        if not doc.code:
            continue
        if doc.code in seen:
            findings.append(error("duplicate-code", doc.loc("code"), "duplicate-code", code=doc.code,
                                  other=seen[doc.code].path))
        else:
            seen[doc.code] = doc
    return findings


@rule("code-gap")
def code_gap(manual):
    """A warning for each missing sequence number within a chapter.

    A policy file that could not be read (its own finding says why) still holds its number when
    its file is named after its code: one broken file is one finding, not also a gap."""
    by_chapter: dict[str, list] = {}
    for doc in manual.documents:
        parts = parse_code(manual, doc.code) if doc.code else None
        if parts and parts.get("chapter") and parts.get("seq"):
            by_chapter.setdefault(parts["chapter"], []).append((int(parts["seq"]), doc))
    unread: dict[str, set[int]] = {}
    for path in manual.unreadable:
        parts = parse_code(manual, Path(path).stem) if path.startswith("policies/") else None
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


@rule("chapter-list")
def chapter_list(manual):
    """Codes listed in the chapters must exist, and every document must be listed.

    A listed code whose file (policies/<code>.md) could not be read is not
    reported again: the file's own finding says what is wrong with it.
    """
    findings = []
    listed = set()
    for chapter in manual.chapters:
        for di, code in enumerate(chapter.documents):
            listed.add(code)
            if manual.document(code) is None and f"policies/{code}.md" not in manual.unreadable:
                findings.append(error("chapter-list", manual.config_loc("chapters", chapter.index, "documents", di),
                                      "chapter-list-unknown", code=code))
    for doc in manual.documents:
        if doc.code and doc.code not in listed and doc.status != "superseded":
            findings.append(warning("chapter-list", doc.loc("code"), "chapter-list-unlisted", code=doc.code,
                                    config=manual.config_path))
    return findings
