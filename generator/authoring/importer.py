"""``manual import FILE --out DIR``: a legacy manual (.txt or .docx) as source files.

The steps, one module each: ``importfile`` (the file → ``Block``s, within limits), ``importoutline``
(each block's numbering style and the outline), ``importdocs`` (documents, sections, clauses, control
tables and sign-offs; the ``Ledger`` of where every paragraph went), ``importwrite`` (the repository and
``import-report.md``).  This module drives them, and keeps the path of the seed's layout: a table of
contents of coded entries (``一、客户服务宗旨……0101-2014``) over the whole text (lines joined, every
character still mapped to its source line), the manual to import being the one whose TOC has the most
coded entries; the TOC gives the titles, the body headings (``十、客户回访制度0110-2006``) the codes as the
text writes them.  Text a legacy file runs together on one line (clauses, sign-off, staffing, jobs) is
read by ``importsegment``.

The source's defects are kept for ``manual check`` (codes and years as written, blank names, incomplete
dates, unresolved 《forms》 unless ``--placeholder-forms``), every document and form is ``imported: true``,
and nothing is lost: what is not written into the source is listed, with its position, in the report's
"未导入 / not imported" section.
"""
from __future__ import annotations

import bisect
import datetime as dt
import re
from collections import Counter
from pathlib import Path

from ..errors import UsageError
from ..model import PLACEHOLDER
from .importbase import CJK, CN, COMPANY, DATE_ANY, MANUAL_TITLE, TOC_ENTRY, Imported, ImportedDoc, \
    Source, clean
from .importbase import CODE as CODE, MARKERS as MARKERS, STAFF as STAFF, to_fullwidth as to_fullwidth  # (tests)
from .importtables import latest_date
from .importdocs import Ledger, Options, build_documents, company_in
from .importextras import account, set_aside
from .importjobs import import_jobs, is_job_file
from .importfile import Block, check_file, docx_lines, docx_page_texts, docx_properties, read_blocks, text_lines
from .importsegment import _add_form, _blank as _blank, parse_document, split_appendix as split_appendix, \
    staff_lines as staff_lines
from .importbase import FORMS_BRACKETED as FORMS_BRACKETED  # (tests)
from .importlabels import content, join, report_language, say, source_unit, unit
from .importwrite import write_manual as write_manual


def read_source(path: Path) -> Source:
    """The legacy file as lines (``importfile``: size limits, guarded zip and XML, encodings)."""
    suffix = path.suffix.lower()
    if suffix == ".txt":
        return Source(path, text_lines(path), source_unit("line"))
    if suffix == ".docx":
        return Source(path, docx_lines(path), source_unit("paragraph"))
    check_file(path)
    if suffix == ".doc":
        raise UsageError("cli.authoring.import_doc", path=path)
    raise UsageError("cli.authoring.import_kind", path=path)




# ---------------------------------------------------------------------------
# Finding the manual


def find_toc(source: Source):
    """The largest run of coded TOC entries: [(match), ...]."""
    matches = list(TOC_ENTRY.finditer(source.text))
    groups: list[list[re.Match]] = []
    for m in matches:
        if groups and not source.text[groups[-1][-1].end(): m.start()].strip():
            groups[-1].append(m)
        else:
            groups.append([m])
    groups = [g for g in groups if len(g) >= 3]
    return groups


def header_text(source: Source, toc_start: int) -> tuple[str, int]:
    """The manual's title block before its TOC, and where it starts."""
    line_start = source.text.rfind("\n", 0, toc_start) + 1
    head = source.text[line_start:toc_start]
    if head.strip():
        return head, line_start
    # The title block on the lines just before (Word: one paragraph each).
    start = line_start
    lines = []
    for _ in range(4):
        if start <= 0:
            break
        prev = source.text.rfind("\n", 0, start - 1) + 1
        text = source.text[prev:start - 1]
        if not text.strip() or len(text) > 60:
            break
        lines.insert(0, text)
        start = prev
    return "\n".join(lines), start


def infer_header(result: Imported, head: str, codes: list[str]) -> None:
    company = COMPANY.search(head)
    if company:
        result.company = company.group(1)
    rest = head[company.end():] if company else head
    title = MANUAL_TITLE.search(rest)
    if title:
        result.title = title.group(1)
    date = DATE_ANY.search(head)
    if date:
        try:
            result.date = dt.date(*map(int, date.groups())).isoformat()
        except ValueError:
            result.date = None
    years = Counter(int(c[-4:]) for c in codes)
    if result.date:  # the year the cover states wins over the year most codes carry
        result.year = int(result.date[:4])
    elif years:
        result.year = years.most_common(1)[0][0]
    result.edition = str(result.year) if result.year else (result.date or "")[:4]


HEADING = re.compile(rf"(?<![{CN}])([{CN}]{{1,3}})\s*、\s*")
CODE_AHEAD = re.compile(r"(?=(\d{4})-\d{4})")
CODE_AT = re.compile(r"(\d{4})-\d{4}")
SPACE = re.compile(r"\s*")
SPACES = re.compile(r"\s+")


class Headings:
    """Where a body heading (``一、…``) can start after the TOC, indexed once.

    Each TOC entry's heading is then a look-up (``coded``, ``bare``) that returns exactly what
    ``pattern.search(text, start)`` would, instead of a search through the rest of the text: an
    entry whose heading has no code, or is missing, searched the whole text two or three times,
    which made import quadratic in the size of the file.
    """

    def __init__(self, text: str, start: int):
        self.text = text
        self.starts: dict[str, list[tuple[int, int]]] = {}  # numeral → [(heading start, title start)]
        for m in HEADING.finditer(text, start):
            self.starts.setdefault(m.group(1), []).append((m.start(), m.end()))
        self._coded: dict[str, dict[str, list[int]]] = {}  # numeral → code prefix → heading starts
        self._bare: dict[tuple[str, int], dict[str, list[int]]] = {}  # (numeral, length) → title → starts

    def _prefixes(self, s: int) -> set[str]:
        """The code prefixes ``([^\\n]{0,40}?)\\s*(PPPP-\\d{4})`` can reach from title start ``s``."""
        text = self.text
        newline = text.find("\n", s, s + 40)
        end = min(s + 40 if newline < 0 else newline, len(text))  # the title ends at or before here
        found = {m.group(1) for m in CODE_AHEAD.finditer(text, s, end + 9) if m.start() <= end}
        last = CODE_AT.match(text, SPACE.match(text, end).end())  # after whitespace (line breaks too)
        if last:
            found.add(last.group(1))
        return found

    def _squeezed(self, s: int, length: int) -> str:
        """The first ``length`` characters from ``s`` that are not whitespace."""
        width = 2 * length + 8
        while True:
            chunk = SPACES.sub("", self.text[s:s + width])
            if len(chunk) >= length or s + width >= len(self.text):
                return chunk[:length]
            width *= 4

    def _first(self, positions: list[int], pattern: re.Pattern, start: int) -> re.Match | None:
        for k in range(bisect.bisect_left(positions, start), len(positions)):
            m = pattern.match(self.text, positions[k])
            if m:
                return m
        return None

    def coded(self, numeral: str, prefix: str, pattern: re.Pattern, start: int) -> re.Match | None:
        """``pattern.search(text, start)`` for a heading ``numeral、title prefix-year``."""
        index = self._coded.get(numeral)
        if index is None:
            index = self._coded[numeral] = {}
            for p, s in self.starts.get(numeral, ()):
                for found in self._prefixes(s):
                    index.setdefault(found, []).append(p)
        return self._first(index.get(prefix, []), pattern, start)

    def bare(self, numeral: str, title: str, pattern: re.Pattern, start: int) -> re.Match | None:
        """``pattern.search(text, start)`` for a heading ``numeral、title`` (whitespace allowed inside)."""
        key = SPACES.sub("", title)
        index = self._bare.get((numeral, len(key)))
        if index is None:
            index = self._bare[(numeral, len(key))] = {}
            for p, s in self.starts.get(numeral, ()):
                index.setdefault(self._squeezed(s, len(key)), []).append(p)
        return self._first(index.get(key, []), pattern, start)


def locate_coded(source: Source, toc: list[re.Match], result: Imported) -> None:
    """Each TOC entry's heading in the body, in order; the segment runs to the next heading."""
    text = source.text
    toc_end = toc[-1].end()
    cursor = toc_end
    found = []
    headings = Headings(text, toc_end)
    for entry in toc:
        numeral, title, code = entry.group(1), entry.group(2).strip(), entry.group(3)
        prefix = code[:4]
        pattern = re.compile(rf"(?<![{CN}])({re.escape(numeral)})\s*、\s*([^\n]{{0,40}}?)\s*({prefix}-\d{{4}})")
        m = headings.coded(numeral, prefix, pattern, cursor) or headings.coded(numeral, prefix, pattern, toc_end)
        if m is None:  # a body heading without its code: 十、客户回访制度
            spaced = r"\s*".join(map(re.escape, clean(title)))
            bare = re.compile(rf"(?<![{CN}])({re.escape(numeral)})\s*、\s*({spaced})()")
            m = headings.bare(numeral, clean(title), bare, cursor)
            if m is not None:
                doc = ImportedDoc(code=code, title=clean(title), toc_code=code, start=m.start(), end=m.end())
                doc.notes.append(say("heading_without_code", where=source.where(m.start()), code=code))
                found.append(doc)
                cursor = m.end()
                continue
        if m is None:
            doc = ImportedDoc(code=code, title=clean(title), toc_code=code, start=-1, end=-1)
            doc.notes.append(say("listed_not_found", where=source.where(entry.start())))
            found.append(doc)
            continue
        doc = ImportedDoc(code=m.group(3), title=clean(title), toc_code=code, start=m.start(), end=m.end())
        body_title = clean(m.group(2))
        if re.sub(r"[^" + CJK + "]", "", body_title) != re.sub(r"[^" + CJK + "]", "", doc.title):
            doc.notes.append(say("title_differs", body=body_title, toc=doc.title, where=source.where(m.start())))
        elif body_title != doc.title:
            doc.notes.append(say("title_written", body=body_title, toc=doc.title, where=source.where(m.start())))
        if doc.code != code:
            doc.notes.append(say("code_differs", toc_code=code, toc_where=source.where(entry.start()), code=doc.code,
                                 where=source.where(m.start())))
        found.append(doc)
        cursor = m.end()
    located = sorted((d for d in found if d.start >= 0), key=lambda d: d.start)
    for i, doc in enumerate(located):
        doc.end_heading = doc.end
        doc.end = located[i + 1].start if i + 1 < len(located) else len(text.rstrip())
    if located and text[toc_end:located[0].start].strip():
        gap = text[toc_end:located[0].start]
        result.unclassified.append(say("gap_not_imported", where=source.where(toc_end, located[0].start),
                                       text=clean(gap)[:60]))
        result.gap = (toc_end, located[0].start)
    result.documents = found
    chapters = sorted({d.code[:2] for d in found})
    title = result.title or content("default_chapter")
    result.chapters = [{"number": n, "title": title if len(chapters) == 1 else content("chapter", n=int(n))}
                       for n in chapters]


# ---------------------------------------------------------------------------
# Roles


class RoleIndex:
    """Role ids in order, indexed so that matching a job heading does not compare it with every role."""

    def __init__(self, roles: list[str]):
        self.roles: list[str] = []
        self.by_id: dict[str, list[int]] = {}
        self.by_stripped: dict[str, list[int]] = {}
        self.sorted: list[tuple[str, int]] = []
        for role in roles:
            self.append(role)

    def append(self, role: str) -> None:
        n = len(self.roles)
        self.roles.append(role)
        self.by_id.setdefault(role, []).append(n)
        self.by_stripped.setdefault(role.replace("部", ""), []).append(n)
        bisect.insort(self.sorted, (role, n))

    def starting_with(self, prefix: str) -> list[int]:
        k = bisect.bisect_left(self.sorted, (prefix, -1))
        out = []
        while k < len(self.sorted) and self.sorted[k][0].startswith(prefix):
            out.append(self.sorted[k][1])
            k += 1
        return out

    def __contains__(self, role: str) -> bool:
        return role in self.by_id


def match_roles(name: str, roles: RoleIndex) -> tuple[list[str], bool]:
    """The roles a job heading names, and whether that was a guess."""
    plain = re.sub(r"[(（].*?[)）]", "", name)
    inner = re.findall(r"[(（](.*?)[)）]", name)
    stripped = plain.replace("部", "")
    # A role that is the heading without brackets, a bracketed name, any part of the heading,
    # starts with the heading, or equals it without 部; in the order of the roles.
    hits = set(roles.by_id.get(plain, ())) | set(roles.by_stripped.get(stripped, ()))
    for part in {name[i:j] for i in range(len(name)) for j in range(i + 1, len(name) + 1)} | set(inner):
        hits.update(roles.by_id.get(part, ()))
    if len(plain) >= 2:
        hits.update(roles.starting_with(plain))
    if hits:
        return [roles.roles[n] for n in sorted(hits)], False
    # A heading that names a department (市场部) instead of a post: the one post named after it (市场营销).
    if plain.endswith("部") and len(plain) >= 3:
        common = roles.starting_with(plain[:-1])
        if len(common) == 1:
            return [roles.roles[common[0]]], True
    return [], False


def settle_roles(result: Imported) -> None:
    """Roles from staffing lines, job headings and reporting lines; one tree under the head."""
    names = RoleIndex([r["id"] for r in result.roles])
    externals: list[str] = []
    external = set()
    for doc in result.documents:
        for job in doc.jobs:
            covers, guessed = match_roles(job["name"], names)
            if not covers:
                covers = [re.sub(r"[(（].*?[)）]", "", job["name"])]
                result.roles.append({"id": covers[0], "headcount": None, "where": job["where"]})
                names.append(covers[0])
                doc.notes.append(say("role_added", name=job["name"], where=job["where"]))
            elif guessed or covers != [job["name"]]:
                doc.notes.append(say("role_matched", name=job["name"], where=job["where"], roles=join(covers),
                                     guessed=say("role_guessed") if guessed else ""))
            job["covers"] = covers
            for boss in job.get("reports_to_all") or []:
                if boss not in names and boss not in external:
                    externals.append(boss)
                    external.add(boss)
    if not result.roles:
        placeholder_role = content("placeholder_role")
        result.roles.append({"id": placeholder_role, "headcount": 1, "where": ""})
        result.report.append(say("no_staffing", role=placeholder_role))
    head = result.roles[0]["id"]
    result.department_head = head
    # Reporting lines: what the job descriptions say (行政隶属上级主管), else the department head.
    stated = {}
    for doc in result.documents:
        for job in doc.jobs:
            boss = job.get("reports_to")
            for role in job.get("covers") or []:
                if boss and boss != role and (boss in names or boss in external):
                    stated.setdefault(role, boss)
    guessed = []
    for role in result.roles[1:]:
        role["reports_to"] = stated.get(role["id"]) or head
        if role["id"] not in stated:
            guessed.append(role["id"])
    if stated.get(head) in externals:
        result.roles[0]["reports_to"] = stated[head]
    elif externals:
        result.roles[0]["reports_to"] = externals[0]
    result.roles[:0] = [{"id": boss, "external": True, "headcount": None, "where": ""} for boss in externals]
    if guessed:
        result.report.append(say("reports_guessed", roles=join(guessed), head=head))
    for doc in result.documents:
        for job in doc.jobs:
            if job.get("reports_to") and job["reports_to"] not in names and job["reports_to"] not in external:
                job["reports_to"] = None


def other_manuals(source: Source, end: int) -> list[str]:
    """Lines before the chosen manual that look like the titles of other manuals."""
    out = []
    for i, line in enumerate(source.lines):
        if source.starts[i] >= end:
            break
        m = re.match(rf"[{CJK}A-Z()（）]{{2,20}}?手册(?:\s*[(（][{CJK}]+[)）])?(?:目录)?(?:模板|范本)?", line)
        if m and not re.match("本|以上|希望|同时|通过|至此", line):
            out.append(say("other_manual", position=i + 1, unit=unit(source.unit), title=clean(m.group(0))))
    return out


def run_import(source: Source, *, blocks: list[Block] | None = None, year: int | None = None,
               placeholder_forms: bool = False, lang: str = "zh-CN") -> Imported:
    """The manual in ``source``: by its coded table of contents over the joined text (the seed's layout),
    else by the outline of its blocks (``importoutline``, ``importdocs``); the notes for the report in
    ``lang`` (``importlabels``)."""
    with report_language(lang):
        return _run_import(source, blocks, year, placeholder_forms)


def _run_import(source: Source, blocks: list[Block] | None, year: int | None, placeholder_forms: bool) -> Imported:
    result = Imported(source=source, placeholder_forms=placeholder_forms, year_given=year is not None)
    groups = find_toc(source)
    if groups:
        groups.sort(key=lambda g: (-len(g), g[0].start()))
        toc = groups[0]
        for other in groups[1:]:
            result.unclassified.append(say("other_toc", where=source.where(other[0].start(), other[-1].end()),
                                           count=len(other)))
        head, start = header_text(source, toc[0].start())
        result.manual_start = start
        infer_header(result, head, [m.group(3) for m in toc])
        if year is not None:
            result.year, result.edition = year, str(year)
        locate_coded(source, toc, result)
        result.toc_span = (toc[0].start(), toc[-1].end())
        if result.manual_start > 0:
            others = other_manuals(source, result.manual_start)
            listed = say("other_manuals", manuals=say("other_manuals_sep").join(others)) if others else ""
            result.unclassified.insert(0, say("before_manual", where=source.where(0, result.manual_start),
                                              others=listed))
        for doc in result.documents:
            parse_document(doc, source, result)
        result.ledger = seed_ledger(source, result)
        if source.path.suffix.lower() == ".docx":  # (importextras: deleted text, comments, notes of the .docx)
            account(set_aside(read_blocks(source.path))[1], result, outline=False)
    else:
        if blocks is None and source.path.suffix.lower() == ".docx":
            blocks = read_blocks(source.path)  # Word's heading levels, numbers, tables and images
        if blocks is None:
            blocks = [Block("paragraph", n, line) for n, line in enumerate(source.lines, 1) if line.strip()]
        blocks, extras = set_aside(blocks)  # (importextras: page numbers, deleted paragraphs, notes, comments)
        if is_job_file(blocks):  # a 岗位说明书: jobs and roles, not clauses (importjobs)
            result.ledger = import_jobs(blocks, result, Options(year, placeholder_forms), source.unit)
        else:
            result.ledger = build_documents(blocks, result, Options(year, placeholder_forms), source.unit)
        account(extras, result)
        if not result.company and source.path.suffix.lower() == ".docx":
            company_from_docx(source.path, result)
        for doc in result.documents:
            if doc.jobs_text:
                segment_document(doc, result)
    latest_date(result)
    for line, why, text in result.parts:
        result.ledger.reported.append((line, why, text, 0))
    result.ledger.reported.sort(key=lambda r: r[0])
    for doc, title, where in result.pending_forms:
        _add_form(result, doc, title, where)
    settle_roles(result)
    if not result.title:
        result.report.append(say("no_title", title=content("default_title")))
    if not result.company:
        result.report.append(say("no_company", placeholder=PLACEHOLDER))
    if result.year is None:
        result.report.append(say("no_year"))
    return result


def company_from_docx(path, result: Imported) -> None:
    """A company name the .docx states outside its body: a header or footer line, else the Company property."""
    for where, texts in ((say("company_from_page"), docx_page_texts(path)),
                         (say("company_from_properties"), [docx_properties(path).get("company", "")])):
        for text in texts:
            company = company_in(text)
            if company:
                result.company = company
                result.report.append(say("company_from", company=company, where=where))
                return


def seed_ledger(source: Source, result: Imported) -> Ledger:
    """Where the lines of the coded-TOC path went: before the manual (another manual, a preface) and the
    text between the TOC and the first document are reported whole; the rest is in the documents."""
    ledger = Ledger()
    lines = source.lines
    ledger.paragraphs = sum(1 for line in lines if line.strip())
    spans = []
    if result.manual_start > 0:
        spans.append((0, result.manual_start, say("why_before_manual")))
    if result.toc_span:
        spans.append((*result.toc_span, say("why_toc")))
    if result.gap:
        spans.append((*result.gap, say("why_gap")))
    taken = 0
    for start, end, why in spans:
        first, last = source.line_of(start), source.line_of(max(start, end - 1))
        for n in range(first, last + 1):
            text = lines[n - 1]
            a = max(start, source.starts[n - 1]) - source.starts[n - 1]
            b = min(end, source.starts[n - 1] + len(text)) - source.starts[n - 1]
            part = text[a:b]
            if part.strip():
                whole = a == 0 and b >= len(text.rstrip())
                ledger.reported.append((n, why, part, 1 if whole else 0))
                taken += whole
    ledger.imported = ledger.paragraphs - taken
    return ledger


def segment_document(doc: ImportedDoc, result: Imported) -> None:
    """A document with job descriptions or staffing lines: its text run together as the seed path reads it
    (``importsegment``), its positions kept."""
    positions, texts = zip(*doc.jobs_text)
    width = max(positions)
    lines = [""] * width
    for position, text in doc.jobs_text:
        lines[position - 1] = (lines[position - 1] + " " + text).strip()
    source = Source(result.source.path, lines, result.source.unit)
    first = positions[0] - 1
    doc.start, doc.end = source.starts[first], len(source.text)
    doc.end_heading = source.starts[first] + len(lines[first])
    notes, signoff, where, revision = doc.notes, doc.signoff, doc.signoff_where, doc.revision_date
    doc.notes = []
    parse_document(doc, source, result)
    doc.notes = notes + [n for n in doc.notes if n != say("signoff_none")]
    if signoff and not any(e.get("name") or e.get("date") for e in doc.signoff.values()):  # (blank names only)
        doc.signoff, doc.signoff_where, doc.revision_date = signoff, where, revision
