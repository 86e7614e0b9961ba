"""Document codes: the manual's scheme, duplicates, year, numbering gaps."""
from __future__ import annotations

import re

from ..common.findings import error, warning
from . import rule


def scheme(manual):
    return (manual.config.get("code_scheme") or {})


def parse_code(manual, code: str):
    """The named groups of ``code`` in the manual's scheme, or None."""
    pattern = scheme(manual).get("pattern")
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
    s = scheme(manual)
    pattern, year = s.get("pattern"), s.get("year")
    if pattern:
        try:
            re.compile(pattern)
        except re.error as exc:
            return [error("code-scheme", manual.config_loc("code_scheme", "pattern"),
                          f"the code pattern is not a valid regular expression: {exc}",
                          f"编号格式不是有效的正则表达式：{exc}")]
    example = s.get("example", "")
    for doc in manual.documents:
        if not doc.code:
            continue
        parts = parse_code(manual, doc.code)
        if parts is None:
            findings.append(error("code-scheme", doc.loc("code"),
                                  f"the code '{doc.code}' does not follow the manual's scheme"
                                  + (f" (e.g. {example})" if example else ""),
                                  f"编号 '{doc.code}' 不符合本手册的编号规则" + (f"（例如 {example}）" if example else "")))
            continue
        if year is not None and parts.get("year") and int(parts["year"]) != int(year):
            right = doc.code.replace(parts["year"], str(year))
            findings.append(error("code-year", doc.loc("code"),
                                  f"the code '{doc.code}' carries the year {parts['year']}, but this edition's year "
                                  f"is {year}; it should be '{right}'",
                                  f"编号 '{doc.code}' 的年份为 {parts['year']}，与本版年份 {year} 不符；应为 '{right}'"))
    return findings


@rule("duplicate-code")
def duplicate_code(manual):
    findings = []
    seen = {}
    for doc in manual.documents:
        if not doc.code:
            continue
        if doc.code in seen:
            findings.append(error("duplicate-code", doc.loc("code"),
                                  f"the code '{doc.code}' is already used by {seen[doc.code].path}",
                                  f"编号 '{doc.code}' 已被 {seen[doc.code].path} 使用"))
        else:
            seen[doc.code] = doc
    return findings


@rule("code-gap")
def code_gap(manual):
    """A warning for each missing sequence number within a chapter."""
    by_chapter: dict[str, list] = {}
    for doc in manual.documents:
        parts = parse_code(manual, doc.code) if doc.code else None
        if parts and parts.get("chapter") and parts.get("seq"):
            by_chapter.setdefault(parts["chapter"], []).append((int(parts["seq"]), doc))
    findings = []
    for chapter, items in sorted(by_chapter.items()):
        items.sort(key=lambda t: t[0])
        numbers = {n for n, _ in items}
        for n, doc in items:
            if n > 1 and (n - 1) not in numbers:
                missing = n - 1
                findings.append(warning("code-gap", doc.loc("code"),
                                        f"numbering gap in chapter {chapter}: no document with sequence "
                                        f"{missing:02d} before '{doc.code}'",
                                        f"第 {chapter} 章编号不连续：'{doc.code}' 之前缺少序号 {missing:02d}"))
    return findings


@rule("chapter-list")
def chapter_list(manual):
    """Codes listed in the chapters must exist, and every document must be listed.

    A listed code whose file (policies/<code>.md) could not be read is not
    reported again: the file's own finding says what is wrong with it.
    """
    findings = []
    listed = set()
    for ci, chapter in enumerate(manual.config.get("chapters") or []):
        for di, code in enumerate(chapter.get("documents") or []):
            listed.add(str(code))
            if manual.document(str(code)) is None and f"policies/{code}.md" not in manual.unreadable:
                findings.append(error("chapter-list", manual.config_loc("chapters", ci, "documents", di),
                                      f"the chapter lists '{code}', but no document in policies/ has that code",
                                      f"章节目录列出了 '{code}'，但 policies/ 中没有该编号的文件"))
    for doc in manual.documents:
        if doc.code and doc.code not in listed and doc.status != "superseded":
            findings.append(warning("chapter-list", doc.loc("code"),
                                    f"'{doc.code}' is not listed in any chapter of {manual.config_path}",
                                    f"'{doc.code}' 未列入 {manual.config_path} 的任何章节"))
    return findings
