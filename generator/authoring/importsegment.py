"""``manual import``: one document's text as the legacy file runs it together (the coded-TOC path, and
job descriptions and staffing lines on any path): numbered clauses accepted only in sequence, the
``编制/审核/批准`` line, staffing lines, ``附:《…》`` forms and job descriptions."""
from __future__ import annotations

import re

from ..model import SIGNOFF_STEPS
from .importbase import (CJK, FORM_PLAIN, FORM_TITLE, FORMS_BRACKETED, JOB_HEAD, MARKERS, REPORTS_TO, SIGNOFF,
                         STAFF, STYLES, Imported, ImportedDoc, Item, Source, clean, marker_value, md_escape,
                         parse_date, to_fullwidth)
from .importlabels import content, join, say, step_name

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
        # Every step of the line, its name blank ('') when the source leaves it blank, as the block path
        # (importtables.signoff_entries) writes it: signoff-complete reports the blank name at the step.
        entries = {step: {"name": clean(m.group(step) or "")} for step in SIGNOFF_STEPS}
        value, complete = parse_date(m.group("date"))
        if value:
            entries["approved"]["date"] = value
            if complete:
                doc.revision_date = value
            else:
                doc.notes.append(say("date_incomplete", date=value, where=doc.signoff_where))
        else:
            doc.notes.append(say("signoff_no_date", where=doc.signoff_where))
        if not any(e["name"] for e in entries.values()):
            doc.notes.append(say("signoff_names_blank", where=doc.signoff_where))
        else:
            blank = [step_name(step) for step in SIGNOFF_STEPS if not entries[step]["name"]]
            if blank:
                doc.notes.append(say("signoff_some_blank", steps=join(blank), where=doc.signoff_where))
        doc.signoff = entries
        for extra in sign[:-1]:
            doc.notes.append(say("signoff_other", where=source.where(base + extra.start())))
        segment = _blank(segment, [(s.start(), s.end()) for s in sign])
    else:
        doc.notes.append(say("signoff_none"))

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
        doc.notes.append(say("staffing", where=source.where(base + staff[0].start(), base + stop)))
        result.parts.append((source.line_of(base + start), say("why_staffing"), clean(segment[start:stop])))
        segment = _blank(segment, [(start, stop)])
    if re.search("框架图|组织架构|组织结构", doc.title):
        doc.orgchart = True
        doc.kind = "organisation"
        doc.notes.append(say("orgchart"))
    if doc.kind == "procedure" and "图" in doc.title:
        doc.notes.append(say("flowchart"))

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
            doc.notes.append(say("not_a_form", title=title, where=source.where(base + m.start())))

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
        doc.notes.append(say("preamble_kept", text=first[0][:30]))
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


def form_base(result: Imported, code: str) -> str:
    """A form's code starts with its document's code without the year (``0108-2014`` → ``0108``,
    ``YD-0101-2013`` → ``YD-0101``, ``QP-7.2-01`` as it is), as ``manual new form`` writes it."""
    scheme = result.code_scheme
    if scheme is None:
        return code.split("-")[0]  # the seed path's NNNN-YYYY
    try:
        m = re.fullmatch(scheme["pattern"], code)
    except re.error:
        m = None
    if not m or not m.groupdict().get("year"):
        return code
    start, end = m.span("year")
    return (code[:start].rstrip("-_./ ") + code[end:]) or code


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
    if not result.placeholder_forms:
        if (doc.code, title) not in result._unresolved:
            result._unresolved.add((doc.code, title))
            result.unresolved_forms.append((doc.code, title, where))
        return
    prefix = form_base(result, doc.code)
    result._form_counts[prefix] += 1
    n = result._form_counts[prefix]
    slug = re.sub(r"[^a-z0-9]+", "-", prefix.lower()).strip("-") or "doc"
    form = {"id": f"form-{slug}-{n}", "code": f"{prefix}-F{n}", "title": title, "where": where,
            "documents": [doc.code]}
    result.forms.append(form)
    result._forms[title] = form
    result._form_users[title] = {doc.code}
    doc.forms.append(title)


def _job(head: re.Match, text: str, base: int, source: Source, result: Imported) -> dict:
    name = to_fullwidth(head.group(2))
    job = {"title": content("job_title", name=name), "name": name, "where": source.where(base), "reports_to": None, "duties": []}
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


