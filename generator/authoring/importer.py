"""``manual import FILE --out DIR``: a legacy manual (.txt or .docx) as source files.

Legacy manuals are Word files or text copied out of them, often several
manuals in one file, with headings, clauses and sign-off lines run together
on one line.  The importer works on the whole text (lines joined, every
character still mapped to its source line) with patterns for what such
manuals carry:

* a table of contents of coded entries (``一、客户服务宗旨……0101-2014``): the
  manual to import is the one whose TOC has the most coded entries; the TOC
  gives the titles, the body headings (``十、客户回访制度0110-2006``) the codes
  as the text writes them — a code whose year differs from the edition's is
  kept, so that ``manual check`` reports it;
* without a coded TOC: ``第X章`` chapters and ``1.1`` sections;
* numbered clauses ``1、`` ``一、`` ``一.`` ``(一)`` ``(1)`` ``a、``, accepted only in
  sequence (``三、`` only after ``二、``), so that ``统一、`` is not a clause;
* ``编制:审核:批准:2014年05月20日`` sign-off lines; an incomplete date
  (``2006年月日``) is kept as written, and the schema check reports it;
* ``附:《…》`` form mentions → form stubs in ``forms/`` and ``uses_forms``;
* staffing lines (``业务经理:1名``, ``岗位核定人数:13名``) → ``manual/roles.yaml``;
* job descriptions (``(一)业务经理岗位职责``, ``行政隶属上级主管``,
  ``主要职责``) → ``jobs:``.

It writes a complete manual repository (like ``manual init``) and
``import-report.md`` with what it inferred or could not classify, each item
with its source line.  Imported documents are drafts: their content is the
legacy text, unreviewed.
"""
from __future__ import annotations

from ..errors import UsageError

import bisect
import datetime as dt
import functools
import re
import shutil
from collections import Counter
from pathlib import Path

from ..common.progress import progress
from ..common.resources import TEMPLATES
from ..labels import text as label_text
from .importbase import (CHAPTER, CJK, CN, COMPANY, DATE_ANY, FORM_PLAIN, FORM_TITLE, FORMS_BRACKETED,
                         JOB_HEAD, MANUAL_TITLE, MARKERS, REPORTS_TO, SECTION, SIGNOFF, STAFF, STYLES, TOC_ENTRY,
                         Imported, ImportedDoc, Item, Source, clean, cn_number, marker_value, md_escape,
                         parse_date, to_fullwidth)
from .importbase import CODE as CODE  # (the bench and tests read it here)
from .importfile import check_file, docx_lines, text_lines
from .scaffold import (check_empty_target, move_into, site_config_template, staging_folder, template_environment,
                       write_repo_files)
from .yamltext import yaml_scalar


def read_source(path: Path) -> Source:
    """The legacy file as lines (``importfile``: size limits, guarded zip and XML, encodings)."""
    suffix = path.suffix.lower()
    if suffix == ".txt":
        return Source(path, text_lines(path), "行")
    if suffix == ".docx":
        return Source(path, docx_lines(path), "段")
    check_file(path)
    if suffix == ".doc":
        raise UsageError("cli.authoring.import_doc", path=path)
    raise UsageError("cli.authoring.import_kind", path=path)




# ---------------------------------------------------------------------------
# Clauses


WORD_CHAR = re.compile(rf"[{CJK}A-Za-z]")


def tokenize(text: str, base: int, source: Source) -> tuple[str, list[Item]]:
    """(preamble, items) of ``text``: clause markers accepted only in sequence."""
    last: dict[str, int] = {}
    found = []  # (style, value, marker start, text start)
    for m in MARKERS.finditer(text):
        style = m.lastgroup if m.lastgroup in STYLES else next(s for s in STYLES if m.group(s))
        value = marker_value(style, m.group(f"v_{style}"))
        if value is None:
            continue
        before = text[m.start() - 1] if m.start() else "\n"
        if value == 1:
            # A first item must stand at a boundary: 统一、 is not a clause.
            if style in ("cn", "alpha", "ALPHA") and WORD_CHAR.match(before):
                continue
        elif value != last.get(style, 0) + 1:
            continue
        last[style] = value
        found.append((style, value, m.start(), m.end()))
    preamble = text[: found[0][2]] if found else text
    items = []
    for i, (style, value, start, text_start) in enumerate(found):
        stop = found[i + 1][2] if i + 1 < len(found) else len(text)
        items.append(Item(style, value, text[text_start:stop], source.line_of(base + start)))
    return preamble, items


def structure(items: list[Item]) -> list:
    """Blocks: ('heading', Item) and ('list', [Item with children])."""
    def is_heading(i: int) -> bool:
        item = items[i]
        if item.style == "paren_cn":
            return True
        if item.style != "cn":
            return False
        if len(clean(item.text)) > 24:
            return False
        nxt = items[i + 1] if i + 1 < len(items) else None
        return nxt is not None and nxt.style not in ("cn", "paren_cn")

    blocks: list = []
    top_style = None
    current: list[Item] | None = None
    for i, item in enumerate(items):
        if is_heading(i):
            blocks.append(("heading", item))
            top_style, current = None, None
            continue
        if top_style is None or current is None:
            top_style = item.style
            current = []
            blocks.append(("list", current))
        if item.style == top_style or not current:
            current.append(item)
        else:
            current[-1].children.append(item)
    return blocks


APPENDIX = re.compile(r"附\s*+[:：]")


def split_appendix(text: str) -> tuple[str, str]:
    r"""An item's own text and a trailing 附:… paragraph that follows it on a new line or sentence.

    The 附: must follow a line break or 。；; with only whitespace between.  (This was one
    regex, ``(?:\n|(?<=[。；;]))\s*(附\s*[:：].*)$``, which from every line break of a run of
    blank lines scanned the rest of the run: quadratic in the length of the run.)
    """
    for m in APPENDIX.finditer(text):
        at = m.start()
        run = at
        while run > 0 and text[run - 1].isspace():
            run -= 1
        if run > 0 and text[run - 1] in "。；;":
            return text[:run], text[at:]
        newline = text.find("\n", run, at)
        if newline >= 0:
            return text[:newline], text[at:]
    return text, ""


def body_markdown(blocks: list, trailing: list[str]) -> str:
    parts: list[str] = []
    for kind, value in blocks:
        if kind == "heading":
            raw = clean(value.text).rstrip("；;，,。:：")
            label = f"（{value_label(value)}）" if value.style == "paren_cn" else f"{value_label(value)}、"
            parts.append(f"## {md_escape(label + raw)}")
        else:
            lines = []
            for n, item in enumerate(value, 1):
                own, extra = split_appendix(item.text)
                if extra:
                    trailing.append(clean(extra))
                lines.append(f"{n}. {md_escape(clean(own))}")
                for k, child in enumerate(item.children, 1):
                    own_c, extra_c = split_appendix(child.text)
                    if extra_c:
                        trailing.append(clean(extra_c))
                    lines.append(f"   {k}. {md_escape(clean(own_c))}")
            parts.append("\n".join(lines))
    for paragraph in trailing:
        if paragraph:
            parts.append(md_escape(paragraph))
    return "\n\n".join(p for p in parts if p.strip()) + ("\n" if parts else "")


def value_label(item: Item) -> str:
    if item.style in ("cn", "paren_cn"):
        return cn_label(item.value)
    if item.style in ("alpha", "ALPHA"):
        return chr(ord("a") + item.value - 1)
    return str(item.value)


def cn_label(n: int) -> str:
    digits = " 一二三四五六七八九"
    if n < 10:
        return digits[n].strip()
    tens, ones = divmod(n, 10)
    return (digits[tens].strip() if tens > 1 else "") + "十" + (digits[ones].strip() if ones else "")


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
    if years:
        result.year = years.most_common(1)[0][0]
    elif result.date:
        result.year = int(result.date[:4])
    result.edition = str(result.year) if result.year else (result.date or "")[:4]


# ---------------------------------------------------------------------------
# Documents


def kind_of(title: str) -> str:
    if "宗旨" in title:
        return "statement"
    if "岗位职责" in title:
        return "job"
    if re.search("组织|框架|人员配备|岗位划分|编制", title):
        return "organisation"
    if "流程" in title:
        return "procedure"
    return "policy"


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
                doc.notes.append(f"正文标题（{source.where(m.start())}）没有编号；采用目录中的编号 {code}")
                found.append(doc)
                cursor = m.end()
                continue
        if m is None:
            doc = ImportedDoc(code=code, title=clean(title), toc_code=code, start=-1, end=-1)
            doc.notes.append(f"目录（{source.where(entry.start())}）列有此文件，但正文中没有找到；"
                             "写成了一个空白草稿，请补充正文或从章节目录中删除")
            found.append(doc)
            continue
        doc = ImportedDoc(code=m.group(3), title=clean(title), toc_code=code, start=m.start(), end=m.end())
        body_title = clean(m.group(2))
        if re.sub(r"[^" + CJK + "]", "", body_title) != re.sub(r"[^" + CJK + "]", "", doc.title):
            doc.notes.append(f"正文标题“{body_title}”与目录标题“{doc.title}”不同（{source.where(m.start())}）；"
                             "采用目录标题")
        elif body_title != doc.title:
            doc.notes.append(f"正文标题写作“{body_title}”（{source.where(m.start())}）；采用目录标题“{doc.title}”")
        if doc.code != code:
            doc.notes.append(f"目录写作 {code}（{source.where(entry.start())}），正文写作 {doc.code}"
                             f"（{source.where(m.start())}）；保留正文的编号，manual check 会指出年份不符")
        found.append(doc)
        cursor = m.end()
    located = sorted((d for d in found if d.start >= 0), key=lambda d: d.start)
    for i, doc in enumerate(located):
        doc.end_heading = doc.end
        doc.end = located[i + 1].start if i + 1 < len(located) else len(text.rstrip())
    if located and text[toc_end:located[0].start].strip():
        gap = text[toc_end:located[0].start]
        result.unclassified.append(f"{source.where(toc_end, located[0].start)}：目录与第一个文件之间的文字未导入："
                                   f"“{clean(gap)[:60]}”")
    result.documents = found
    chapters = sorted({d.code[:2] for d in found})
    title = result.title or "手册"
    result.chapters = [{"number": n, "title": title if len(chapters) == 1 else f"第 {int(n)} 章"} for n in chapters]


def locate_uncoded(source: Source, result: Imported) -> None:
    """No coded TOC: 第X章 chapters and N.M sections become chapters and documents."""
    text = source.text
    chapters = list(CHAPTER.finditer(text))
    year = result.year or (int(result.date[:4]) if result.date else None)
    if year is None:
        from ..model.review import today

        year = today().year
        result.report.append(f"原稿中没有年份；编号使用今年的年份 {year}")
    result.year, result.edition = year, result.edition or str(year)
    sections = []
    for m in SECTION.finditer(text):
        sections.append(m)
    if not sections and not chapters:
        doc = ImportedDoc(code=f"0101-{year}", title=result.title or source.path.stem, toc_code=None,
                          start=0, end=len(text))
        doc.end_heading = 0
        doc.notes.append("原稿中没有识别出章节或编号文件；全文导入为一个文件")
        result.documents = [doc]
        result.chapters = [{"number": "01", "title": doc.title}]
        return
    docs = []
    chapter_titles: dict[int, str] = {}
    for ch in chapters:
        n = cn_number(ch.group(1)) if not ch.group(1).isdigit() else int(ch.group(1))
        if n is None:
            continue
        rest = text[ch.end(): ch.end() + 40]
        stop = re.search(r"\n|\d{1,2}\.\d|[。；;]", rest)
        chapter_titles.setdefault(n, clean(rest[: stop.start()] if stop else rest[:20]))
    for m in sections:
        chapter_no, seq = int(m.group(1)), int(m.group(2))
        rest = text[m.end(): m.end() + 60]
        stop = re.search(r"\n|[。；;:：,，]|\d{1,2}[、.]", rest)
        title = clean(rest[: stop.start()] if stop else rest[:20])
        if len(title) > 20:
            title = title[:20]
        doc = ImportedDoc(code=f"{chapter_no:02d}{seq:02d}-{year}", title=title or f"{chapter_no}.{seq}",
                          toc_code=None, start=m.start(), end=m.end())
        doc.end_heading = m.end() + (stop.start() if stop and stop.group(0) == "\n" else len(title))
        doc.notes.append(f"标题由“{m.group(1)}.{m.group(2)}”节的开头推定为“{doc.title}”，请核对")
        docs.append(doc)
    seen = set()
    unique = []
    for doc in docs:
        if doc.code in seen:
            continue
        seen.add(doc.code)
        unique.append(doc)
    starts = sorted(unique, key=lambda d: d.start)
    boundaries = sorted([d.start for d in starts] + [c.start() for c in chapters] + [len(text)])
    for doc in starts:
        doc.end = boundaries[bisect.bisect_right(boundaries, doc.start)]
    result.documents = starts
    numbers = sorted({int(d.code[:2]) for d in starts})
    result.chapters = [{"number": f"{n:02d}", "title": chapter_titles.get(n) or f"第 {n} 章"} for n in numbers]
    result.report.append("原稿没有带编号的目录：按“第X章”和“N.M”节导入，编号为 章(2位)+节(2位)-年份")


STAFF_TAIL = re.compile(r"\s*[:：]\s*\d{1,3}\s*名")
COLON = re.compile(r"[:：]")
CJK_CHAR = re.compile(rf"[{CJK}]")


def staff_lines(text: str) -> list[re.Match]:
    """``list(STAFF.finditer(text))``, found from the colons.

    STAFF may start at any Chinese character, and from each it tried up to 14 characters and gave
    them back one by one: most of the time of a large import.  A match needs a colon after its
    name (and whitespace), so each colon gives the one place where the leftmost match can start:
    the name runs back over Chinese characters to at most 14 before the whitespace, and not into
    the previous match.
    """
    found: list[re.Match] = []
    last = 0
    for colon in COLON.finditer(text):
        name_end = colon.start()
        while name_end > last and text[name_end - 1].isspace():
            name_end -= 1
        start = name_end
        while start > max(last, name_end - 14) and CJK_CHAR.match(text, start - 1):
            start -= 1
        if name_end - start < 2 or not STAFF_TAIL.match(text, name_end):
            continue
        m = STAFF.match(text, start)
        if m:
            found.append(m)
            last = m.end()
    return found


def parse_document(doc: ImportedDoc, source: Source, result: Imported) -> None:
    if doc.start < 0:
        doc.kind = kind_of(doc.title)
        doc.body = ""
        return
    text_start = doc.end_heading if doc.end_heading >= 0 else doc.end
    segment = source.text[text_start:doc.end]
    base = text_start
    doc.lines = source.where(doc.start, doc.end)
    doc.kind = kind_of(doc.title)

    # Sign-off line(s): the last one counts; all are removed from the body.
    sign = list(SIGNOFF.finditer(segment))
    if sign:
        m = sign[-1]
        doc.signoff_where = source.where(base + m.start())
        entries = {}
        for step in ("prepared", "reviewed", "approved"):
            name = clean(m.group(step) or "")
            if name:
                entries[step] = {"name": name}
        value, complete = parse_date(m.group("date"))
        if value:
            entries.setdefault("approved", {})["date"] = value
            if complete:
                doc.revision_date = value
            else:
                doc.notes.append(f"签署日期“{value}”不完整（{doc.signoff_where}）；原样保留，manual check 会指出")
        else:
            doc.notes.append(f"签署行没有日期（{doc.signoff_where}）")
        if not any(e.get("name") for e in entries.values()):
            doc.notes.append(f"编制、审核、批准人姓名空白（{doc.signoff_where}）")
        doc.signoff = entries
        for extra in sign[:-1]:
            doc.notes.append(f"另有一行签署（{source.where(base + extra.start())}）未采用")
        segment = _blank(segment, [(s.start(), s.end()) for s in sign])
    else:
        doc.notes.append("没有找到编制/审核/批准行")

    # Staffing data → roles.yaml.
    staff = staff_lines(segment)
    if len(staff) >= 2:
        doc.staffing = True
        doc.kind = "organisation"
        for s in staff:
            name, count = s.group(1), int(s.group(2))
            if "核定" in name:
                result.authorized = count
            else:
                name = re.sub(r"^.*?(?:配备|人员)[:：]?", "", name) or name
                if name not in result._role_ids:
                    result._role_ids.add(name)
                    result.roles.append({"id": name, "headcount": count, "where": source.where(base + s.start())})
        lead = max(segment.rfind(ch, 0, staff[0].start()) for ch in "。；;\n")
        start = lead + 1 if lead >= 0 else 0
        stop = staff[-1].end()
        while stop < len(segment) and segment[stop] in "。；;，, ":
            stop += 1
        doc.notes.append(f"人员配备（{source.where(base + staff[0].start(), base + stop)}）写入 manual/roles.yaml；"
                         "正文中不再重复，网站和打印版由 staffing: true 生成人员配备表")
        segment = _blank(segment, [(start, stop)])
    if re.search("框架图|组织架构|组织结构", doc.title):
        doc.orgchart = True
        doc.kind = "organisation"
        doc.notes.append("组织框架图在原稿中不是文字（可能是图片）；改由 manual/roles.yaml 生成（orgchart: true），"
                         "请在 roles.yaml 中核对汇报关系")
    if doc.kind == "procedure" and "图" in doc.title:
        doc.notes.append("流程图在原稿中不是文字（可能是图片）；请在 workflow: 中写出流程步骤")

    # Forms: 附:《…》 and 附:…表, and any 《…》 in the text whose title reads like a form (…表, …单, …卡).
    appended = set()
    for m in FORMS_BRACKETED.finditer(segment):
        for title in re.findall(r"《([^《》\n]+)》", m.group(1)):
            appended.add(clean(title))
            _add_form(result, doc, clean(title), source.where(base + m.start()))
    for m in FORM_PLAIN.finditer(segment):
        if "《" not in m.group(0):
            _add_form(result, doc, clean(m.group(1)), source.where(base + m.start()))
    doc_titles = result.document_titles()
    for m in re.finditer(r"《([^《》\n]{1,40})》", segment):
        title = clean(m.group(1))
        if title in appended or title in doc_titles:
            continue
        if FORM_TITLE.search(title):
            _add_form(result, doc, title, source.where(base + m.start()))
        else:
            doc.notes.append(f"正文引用的《{title}》（{source.where(base + m.start())}）既不是本手册的文件，"
                             "也不像表单；manual check 会指出，请改写或删除书名号")

    # Job descriptions.
    heads = list(JOB_HEAD.finditer(segment))
    if heads:
        doc.kind = "job"
        for i, h in enumerate(heads):
            stop = heads[i + 1].start() if i + 1 < len(heads) else len(segment)
            doc.jobs.append(_job(h, segment[h.end():stop], base + h.end(), source, result))
        before = segment[: heads[0].start()]
        segment = before
    preamble, items = tokenize(segment, base, source)
    trailing = []
    blocks = structure(items)
    first = [clean(p) for p in re.split(r"\n+", preamble) if clean(p)]
    doc.body = ""
    head = "\n\n".join(md_escape(p) for p in first)
    if first and items:
        doc.notes.append(f"条款之前的文字作为段落保留：“{first[0][:30]}”")
    rest = body_markdown(blocks, trailing)
    doc.body = "\n\n".join(x for x in (head, rest.strip()) if x) + ("\n" if (head or rest.strip()) else "")


def _blank(text: str, spans) -> str:
    """``text`` with each of ``spans`` (in order, not overlapping) replaced by its line breaks, at least one.

    (Line numbers stay valid; offsets after a span move.  Built from slices: the list of every
    character it was made from took eight bytes a character, 400 MB for a 50 MB import.)
    """
    parts, pos = [], 0
    for a, b in spans:
        if a >= b:
            continue
        parts.append(text[pos:a])
        parts.append("\n" * (1 + text.count("\n", a + 1, b)))
        pos = b
    parts.append(text[pos:])
    return "".join(parts)


def _add_form(result: Imported, doc: ImportedDoc, title: str, where: str) -> None:
    form = result._forms.get(title)
    if form is not None:
        users = result._form_users[title]
        if doc.code not in users:
            users.add(doc.code)
            form["documents"].append(doc.code)
        if title not in doc.forms:
            doc.forms.append(title)
        return
    prefix = doc.code.split("-")[0]
    result._form_counts[prefix] += 1
    n = result._form_counts[prefix]
    form = {"id": f"form-{prefix}-{n}", "code": f"{prefix}-F{n}", "title": title, "where": where,
            "documents": [doc.code]}
    result.forms.append(form)
    result._forms[title] = form
    result._form_users[title] = {doc.code}
    doc.forms.append(title)


def _job(head: re.Match, text: str, base: int, source: Source, result: Imported) -> dict:
    name = to_fullwidth(head.group(2))
    job = {"title": f"{name}岗位职责", "name": name, "where": source.where(base), "reports_to": None, "duties": []}
    m = REPORTS_TO.search(text)
    if m:
        bosses = [b for b in re.split(r"[、，,/]", m.group(1)) if b]
        job["reports_to_all"] = bosses
        job["reports_to"] = bosses[0] if bosses else None
        text = _blank(text, [(m.start(), m.end())])
    duty_start = text.find("主要职责")
    if duty_start >= 0:
        text = _blank(text, [(0, duty_start + len("主要职责"))])
    _, items = tokenize(text, base, source)
    items = [it for it in items if clean(it.text)]
    # Structural markers such as (1)、行政隶属… (2)、主要职责 leave empty items; drop them.
    top = None
    duties: list[str] = []
    for it in items:
        if top is None:
            top = it.style
        if it.style == top or not duties:
            duties.append(clean(it.text))
        else:
            duties[-1] += clean(it.text)
    if not duties and clean(text):
        duties = [clean(text)]
    job["duties"] = [d.rstrip() for d in duties if d]
    return job


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
                doc.notes.append(f"岗位“{job['name']}”（{job['where']}）不在人员配备表中；已加入 manual/roles.yaml"
                                 "（未写编制人数），请核对")
            elif guessed or covers != [job["name"]]:
                doc.notes.append(f"岗位“{job['name']}”（{job['where']}）对应为 {'、'.join(covers)}"
                                 + ("（推定）" if guessed else "") + "，请核对")
            job["covers"] = covers
            for boss in job.get("reports_to_all") or []:
                if boss not in names and boss not in external:
                    externals.append(boss)
                    external.add(boss)
    if not result.roles:
        result.roles.append({"id": "部门负责人", "headcount": 1, "where": ""})
        result.report.append("原稿中没有人员配备；manual/roles.yaml 只写了一个占位角色“部门负责人”，请补全")
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
        result.report.append(f"原稿没有写出 {'、'.join(guessed)} 的汇报关系：manual/roles.yaml 中暂定向 {head} 汇报，"
                             "请按实际组织架构修改")
    for doc in result.documents:
        for job in doc.jobs:
            if job.get("reports_to") and job["reports_to"] not in names and job["reports_to"] not in external:
                job["reports_to"] = None


# ---------------------------------------------------------------------------
# Writing


def _date_or_scalar(value) -> str:
    """A sign-off date: an ISO date as it is (read as a date), anything else as text."""
    return value if _is_iso(value) else yaml_scalar(value, flow=True)


@functools.cache
def _templates():
    """One Jinja environment for the whole import (it was made again for every file written)."""
    env = template_environment(TEMPLATES / "import")
    env.filters["yaml_date"] = _date_or_scalar
    return env


def write_document(doc: ImportedDoc, result: Imported, form_ids: dict[str, str]) -> str:
    src = result.source.path.name
    return _templates().get_template("document.md.j2").render(
        doc=doc, src=src, origin=f"{doc.lines}" if doc.lines else "目录", owner=result.department_head,
        form_ids=form_ids, revision_date=doc.revision_date or result.date)


def _is_iso(value) -> bool:
    return isinstance(value, str) and bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value))


def write_form(form: dict, result: Imported) -> str:
    return _templates().get_template("form.yaml.j2").render(
        form=form, src=result.source.path.name, owner=result.department_head, date=result.date)


def write_manual_yaml(result: Imported) -> str:
    codes = [d.code for d in result.documents]
    chapters = [{"number": c["number"], "title": c["title"],
                 "documents": [d.code for d in result.documents if d.code[:2] == c["number"]]}
                for c in result.chapters]
    return _templates().get_template("manual.yaml.j2").render(
        src=result.source.path.name, company=result.company or "示例公司有限公司", company_found=bool(result.company),
        title=result.title or "管理手册", edition=result.edition or str(result.year or ""), date=result.date,
        year=result.year, codes=codes, chapters=chapters)


def write_roles_yaml(result: Imported) -> str:
    return _templates().get_template("roles.yaml.j2").render(
        department_head=result.department_head, authorized=result.authorized, roles=result.roles)


def write_report(result: Imported, out_name: str) -> str:
    src = result.source
    lines = [f"# 导入报告：{src.path.name}", ""]
    lines.append(f"- 手册：{result.company or '（未识别公司名称）'}《{result.title or '（未识别标题）'}》，"
                 f"版本 {result.edition or '？'}，日期 {result.date or '（未识别）'}；"
                 f"从原稿{src.where(result.manual_start)}开始。")
    lines.append(f"- 导入了 {len(result.documents)} 个文件、{len(result.forms)} 个表单占位、{len(result.roles)} 个岗位。"
                 "所有文件都是草稿（status: draft）。")
    lines.append("- 原稿中句中的半角标点（, ; : ( )）改为全角。")
    lines.append(f"- 下一步：`manual check --root {out_name}` 列出原稿本身的问题（编号年份、签署日期等）。")
    for note_text in result.report:
        lines.append(f"- {note_text}")
    lines += ["", "## 文件", "", "| 编号 | 标题 | 类别 | 原稿位置 | 条款 | 表单 |", "|---|---|---|---|---|---|"]
    for doc in result.documents:
        clauses = len(re.findall(r"^\s*\d+\. ", doc.body, flags=re.M)) + sum(len(j["duties"]) for j in doc.jobs)
        lines.append(f"| {doc.code} | {doc.title} | {doc.kind} | {doc.lines or '（无正文）'} | {clauses} | "
                     f"{'、'.join('《' + t + '》' for t in doc.forms)} |")
    lines += ["", "## 需要核对的地方", ""]
    any_note = False
    for doc in result.documents:
        for text in doc.notes:
            lines.append(f"- {doc.code}：{text}")
            any_note = True
    for form in result.forms:
        lines.append(f"- 表单 {form['code']}《{form['title']}》（{form['where']}）：原稿只有表名，"
                     f"forms/{form['id']}.yaml 是占位，请补充字段")
        any_note = True
    if not any_note:
        lines.append("- 无")
    lines += ["", "## 未归类、未导入的内容", ""]
    if result.unclassified:
        lines += [f"- {u}" for u in result.unclassified]
    else:
        lines.append("- 无")
    return "\n".join(lines) + "\n"


def other_manuals(source: Source, end: int) -> list[str]:
    """Lines before the chosen manual that look like the titles of other manuals."""
    out = []
    for i, line in enumerate(source.lines):
        if source.starts[i] >= end:
            break
        m = re.match(rf"[{CJK}A-Z()（）]{{2,20}}?手册(?:\s*[(（][{CJK}]+[)）])?(?:目录)?(?:模板|范本)?", line)
        if m and not re.match("本|以上|希望|同时|通过|至此", line):
            out.append(f"第 {i + 1} {source.unit}“{clean(m.group(0))}”")
    return out


def run_import(source: Source) -> Imported:
    result = Imported(source=source)
    groups = find_toc(source)
    if groups:
        groups.sort(key=lambda g: (-len(g), g[0].start()))
        toc = groups[0]
        for other in groups[1:]:
            result.unclassified.append(f"{source.where(other[0].start(), other[-1].end())}：另一个带编号的目录"
                                       f"（{len(other)} 项）未导入")
        head, start = header_text(source, toc[0].start())
        result.manual_start = start
        infer_header(result, head, [m.group(3) for m in toc])
        locate_coded(source, toc, result)
    else:
        head = "\n".join(source.lines[:3])
        infer_header(result, head, [])
        locate_uncoded(source, result)
        result.manual_start = 0
    if result.manual_start > 0:
        others = other_manuals(source, result.manual_start)
        result.unclassified.insert(0, f"{source.where(0, result.manual_start)}：所选手册之前的内容未导入"
                                      + (f"（其中有其他手册：{'；'.join(others)}）" if others else ""))
    for doc in result.documents:
        parse_document(doc, source, result)
    settle_roles(result)
    if not result.title:
        result.report.append("原稿中没有识别出手册名称；manual/manual.yaml 中写了“管理手册”，请修改")
    if not result.company:
        result.report.append("原稿中没有识别出公司名称；manual/manual.yaml 中写了占位“示例公司有限公司”，请修改")
    if result.year is None:
        from ..model.review import today

        result.year = today().year
        result.edition = result.edition or str(result.year)
    return result


def write_output(result: Imported, dest: Path, quiet: bool, lang: str = "zh-CN") -> None:
    form_ids = {f["title"]: f["id"] for f in result.forms}
    values = {"year": result.year, "today": result.date or "", "title": result.title or "管理手册"}
    write_repo_files(dest, values)
    mkdocs = site_config_template()
    if mkdocs is not None:
        shutil.copyfile(mkdocs, dest / "mkdocs.yml")
    (dest / "manual").mkdir(exist_ok=True)
    (dest / "policies").mkdir(exist_ok=True)
    (dest / "forms").mkdir(exist_ok=True)
    (dest / "manual" / "manual.yaml").write_text(write_manual_yaml(result), encoding="utf-8")
    (dest / "manual" / "roles.yaml").write_text(write_roles_yaml(result), encoding="utf-8")
    for doc in progress(result.documents, label_text("cli.authoring.import_writing", lang), quiet=quiet, label=lambda d: d.code):
        (dest / "policies" / f"{doc.code}.md").write_text(write_document(doc, result, form_ids), encoding="utf-8")
    for form in result.forms:
        (dest / "forms" / f"{form['id']}.yaml").write_text(write_form(form, result), encoding="utf-8")


def write_manual(result: Imported, target: Path, out_name: str, *, quiet: bool = False, lang: str = "zh-CN") -> None:
    """The imported manual and its ``import-report.md`` at ``target`` (new or empty): all of it, or nothing."""
    check_empty_target(target)
    tmp = staging_folder(target, "import")
    try:
        write_output(result, tmp, quiet, lang)
        (tmp / "import-report.md").write_text(write_report(result, out_name), encoding="utf-8")
        move_into(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
