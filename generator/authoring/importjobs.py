"""``manual import`` of a 岗位说明书 (汇编): job descriptions as ``jobs:`` entries and roles, not as clauses.

A job description is a record of labelled fields, in text or as a Word table (the usual HR form)::

    岗位名称：人事专员                     | 岗位名称 | 人事专员 | 所属部门 | 人力资源部 |
    所属部门：人力资源部                   | 直接上级 | 人力资源部经理 | 定员 | 2  |
    直接上级：人力资源部经理               | 岗位职责 | 1、…\\n2、…                  |
    岗位职责：                             | 任职资格 | …                           |
    1、…；
    2、…。
    任职资格：1、…；2、…

A file whose body is such records (``is_job_file``) is read here instead of by the outline (``importdocs``):
the cover (company, title, ``文件编号：``, the date) gives the manual and the one document's code; each
record is one ``jobs:`` entry (title: a heading right above it, else ``{post}岗位职责``; covers: the post;
``reports_to``: 直接上级; duties: the numbered items of 岗位职责, inline ``1、…；2、…`` split too; ``note``: 所属部门,
直接下级 and 任职资格 as written) and one role of roles.yaml (定员 its headcount; ``importer.settle_roles``
makes a 直接上级 that is no post an external role).  When every record has its own code (a 编号 field or a
code in its heading), each is a document of its own, with the sign-off that follows it.  A sign-off line
(``编制：… 审核：… 批准：…``) is the document's; a sign-off repeated word for word after each record is said
once in the report, a different one is listed as not imported.  Every line and cell is taken (its values
audited in the written front matter) or reported, as the ``Ledger`` requires.
"""
from __future__ import annotations

import re

from ..model import PLACEHOLDER
from .importbase import Imported, ImportedDoc, clean, md_escape
from .importdocs import DocBuild, Ledger, Options, ledger_of, assign_codes, build_forms, read_cover, sweep, table_markdown
from .importfile import Block
from .importlabels import content, join, say
from .importoutline import DOC_CODE, Line
from .importtables import LABEL_LINE, account, label_pairs, read_control_line, signoff_entries, signoff_pairs

FIELDS = [  # (field, pattern of its label), longest first
    ("name", r"岗\s*位\s*名\s*称|职\s*位\s*名\s*称"),
    ("dept", r"所\s*属\s*部\s*门|所\s*在\s*部\s*门"),
    ("reports_to", r"直\s*接\s*上\s*级|直\s*属\s*上\s*级|汇\s*报\s*对\s*象|上\s*级\s*岗\s*位"),
    ("subordinates", r"直\s*接\s*下\s*级|直\s*属\s*下\s*级|下\s*属\s*岗\s*位"),
    ("count", r"岗\s*位\s*定\s*员|定\s*员|编\s*制\s*人\s*数|人\s*数"),
    ("duties", r"岗\s*位\s*职\s*责|工\s*作\s*职\s*责|主\s*要\s*职\s*责|工\s*作\s*内\s*容|职\s*责"),
    ("requirements", r"任\s*职\s*资\s*格|任\s*职\s*要\s*求|任\s*职\s*条\s*件"),
    ("code", r"岗\s*位\s*编\s*号|文\s*件\s*编\s*号|编\s*号"),
]
FIELD = re.compile("|".join(f"(?P<{k}>{v})" for k, v in FIELDS))
FIELD_AT = re.compile(rf"(?:^|(?<=\s))(?:{FIELD.pattern})\s*[:：]")
LISTS = ("duties", "requirements")
ITEM = re.compile(r"^\s*(?:\d{1,2}\s*[.、．)）]|[(（]\d{1,2}[)）]|[①-⑳]|[一二三四五六七八九十]{1,2}\s*、)\s*")
ITEM_AHEAD = re.compile(r"(?<!\d)(?=(?:\d{1,2}[.、．]|[(（]\d{1,2}[)）]|[①-⑳])\s*[^\d\s.．、])")


def field_pairs(text: str) -> list[tuple[str, str]]:
    """``岗位名称：人事专员　所属部门：人力资源部`` → [(name, 人事专员), (dept, 人力资源部)]; [] when the line does
    not start with a job field's label and a colon."""
    found = list(FIELD_AT.finditer(text))
    if not found or text[:found[0].start()].strip():
        return []
    pairs = []
    for k, m in enumerate(found):
        end = found[k + 1].start() if k + 1 < len(found) else len(text)
        kind = next(name for name, value in m.groupdict().items() if value)
        pairs.append((kind, text[m.end():end].strip()))
    return pairs


def cell_field(text: str) -> str | None:
    """The job field a table cell labels (``岗位名称``, ``岗位职责：``), or None."""
    m = FIELD.fullmatch(re.sub(r"\s*[:：]\s*$", "", clean(text)))
    return m.lastgroup if m else None


def items_of(text: str) -> list[str]:
    """A field's text as its items: one per numbered item (``1、…；2、…`` on one line too) or line; the numbers
    and a closing ``；`` out.  Text without numbers or lines is one item."""
    text = ITEM_AHEAD.sub("\n", text.strip())
    out = []
    for part in text.split("\n"):
        part = clean(ITEM.sub("", part)).rstrip("；;，,").strip()
        if part:
            out.append(part)
    return out


def table_record(block: Block) -> dict | None:
    """A Word table that is one job description (``岗位名称 | 人事专员 | …``): {field: (value, (row, column))}."""
    fields: dict = {}
    for r, row in enumerate(block.rows):
        c = 0
        while c < len(row):
            kind = cell_field(row[c])
            if kind and kind not in fields and c + 1 < len(row) and not cell_field(row[c + 1]) and \
                    clean(row[c + 1]):
                fields[kind] = (row[c + 1], (r, c + 1))
                fields.setdefault("_cells", set()).update({(r, c), (r, c + 1)})
                c += 2
                continue
            below = [(k, v) for k, v in enumerate(block.rows[r + 1]) if clean(v)] if r + 1 < len(block.rows) else []
            if kind and kind not in fields and not any(clean(v) for v in row[c + 1:]) and len(below) == 1 and \
                    not cell_field(below[0][1]):  # a label across the row, its text in the row under it
                fields[kind] = (below[0][1], (r + 1, below[0][0]))
                fields.setdefault("_cells", set()).update({(r, c), (r + 1, below[0][0])})
            c += 1
    return fields if "name" in fields and clean(fields["name"][0]) else None


def record_fields(fields: dict) -> list[tuple[str, tuple[str, tuple[int, int]]]]:
    return [(kind, value) for kind, value in fields.items() if kind != "_cells"]


def first_record(blocks: list[Block]) -> int | None:
    """The index of the first block that opens a job description (a 岗位名称 line or a job table), or None."""
    return next((k for k, b in enumerate(blocks) if (b.kind == "table" and table_record(b)) or (
        b.kind == "paragraph" and any(kind == "name" for kind, _ in field_pairs(b.text)))), None)


def is_job_file(blocks: list[Block]) -> bool:
    """Whether the file is job descriptions: at least one record with its duties, and no more other paragraphs
    and tables after the first record (the cover aside) than records."""
    first = first_record(blocks)
    if first is None:
        return False
    records, _, other = read_records(blocks[first:])
    other = [b for b in other if b.kind == "table" or (b.kind == "paragraph" and b.text.strip())]
    return any(r["duties"] for r in records) and len(other) <= len(records)


# ---------------------------------------------------------------------------
# Reading


def new_record(position: int) -> dict:
    return {"position": position, "title": None, "fields": {}, "duties": [], "requirements": [], "values": [],
            "signoff": None, "code": None}


def read_records(body: list[Block]) -> tuple[list[dict], list[Block], list[Block]]:
    """(records, sign-off blocks in order with the record they follow, other blocks) of the text after the cover.
    A record's ``values``: (position, text) of what it read, audited once written."""
    records: list[dict] = []
    signoffs: list[tuple[Block, dict | None]] = []
    other: list[Block] = []
    title: Block | None = None  # a heading waiting for the record under it
    current: dict | None = None
    listing: str | None = None  # the field whose items follow (岗位职责：, 任职资格：)
    numbered: bool | None = None  # whether its items are numbered (None: no item yet)
    for k, block in enumerate(body):
        previous = body[k - 1] if k else None
        if block.kind == "table":
            fields = table_record(block)
            if fields:
                current = new_record(block.position)
                records.append(current)
                if title is not None:
                    current["title"], title = title, None
                for kind, (value, (r, _)) in record_fields(fields):
                    take_field(current, kind, value, block.position + r)
                current["table"], current["cells"] = block, fields["_cells"]
                listing = None
            else:
                other.append(block)
            continue
        if block.kind != "paragraph" or not block.text.strip():
            other.append(block)
            continue
        text = block.text
        pairs = field_pairs(text)
        steps = signoff_pairs(text) if not pairs else None
        if pairs and pairs[0][0] == "name":
            current = new_record(block.position)
            records.append(current)
            if title is None and other and other[-1] is previous and is_title(previous):
                title = other.pop()  # (a short line right above 岗位名称：: the record's title)
            if title is not None:
                current["title"], title = title, None
        if pairs and current is not None:
            current.setdefault("lines", []).append(block)
            listing = None
            for kind, value in pairs:
                take_field(current, kind, value, block.position)
                if kind in LISTS:
                    listing, numbered = kind, None
        elif steps and sum(1 for s in steps if s) >= 1 and LABEL_LINE.match(text):
            signoffs.append((block, current))
            if current is not None:
                current["signoff"] = block
            listing = None
        elif block.heading or (DOC_CODE.search(text) and len(text) <= 40 and not ITEM.match(text)):
            if title is not None:
                other.append(title)
            title, listing = block, None
        elif listing and current is not None and not LABEL_LINE.match(text) and (
                numbered is None or numbered == bool(ITEM.match(text) or block.number)):
            # (items numbered 1、2、: a line without a number ends them)
            numbered = bool(ITEM.match(text) or block.number) if numbered is None else numbered
            current.setdefault("lines", []).append(block)
            items = items_of(text)
            current[listing] += items
            current["values"] += [(block.position, item) for item in items]
        else:
            other.append(block)
    if title is not None:
        other.append(title)
    return records, signoffs, other


def is_title(block: Block | None) -> bool:
    """A short paragraph that is no sentence: the title of the record right under it (人事专员岗位说明书)."""
    return block is not None and block.kind == "paragraph" and 0 < len(block.text.strip()) <= 30 and \
        not re.search(r"[。；;，,：:]", block.text)


def take_field(record: dict, kind: str, value: str, position: int) -> None:
    value = value.strip()
    if kind in LISTS:
        items = items_of(value)
        record[kind] += items
        record["values"] += [(position, item) for item in items]
        return
    if value and kind not in record["fields"]:
        record["fields"][kind] = clean(value)
        if kind != "count":  # (a headcount is audited in roles.yaml)
            record["values"].append((position, clean(value)))


def job_entry(record: dict, where) -> dict:
    """The ``jobs:`` entry and its role of a record (``importer.settle_roles`` fills ``covers``)."""
    fields = record["fields"]
    name = fields.get("name") or PLACEHOLDER  # (岗位名称： left blank: check --strict refuses it until it is filled in)
    boss = fields.get("reports_to", "")
    bosses = [b for b in re.split(r"[、，,/／]", boss) if b and b != "无"]
    title = clean(record["title"].text) if record["title"] is not None else content("job_title", name=name)
    title = DOC_CODE.sub("", title).strip() or title
    note = []
    for kind in ("dept", "subordinates"):
        if fields.get(kind):
            note.append(content(f"job_{kind}", value=fields[kind]))
    if record["requirements"]:
        items = record["requirements"]
        note.append(content("job_requirements", value="；".join(
            f"{k}. {item}" if len(items) > 1 else item for k, item in enumerate(items, 1))))
    job = {"title": title, "name": name, "where": where(record["position"]), "duties": record["duties"],
           "reports_to": bosses[0] if bosses else None, "reports_to_all": bosses}
    if note:
        job["note"] = "；".join(note)
    return job


def headcount(record: dict) -> int | None:
    m = re.fullmatch(r"(\d{1,3})\s*[名人]?", record["fields"].get("count", ""))
    return int(m.group(1)) if m else None


# ---------------------------------------------------------------------------
# The import


def import_jobs(blocks: list[Block], result: Imported, options: Options, unit: str) -> Ledger:
    """Fill ``result`` from a job-description file (``is_job_file``): the cover, the documents, the roles."""
    ledger = ledger_of(blocks)

    def where(position: int) -> str:
        return f"第 {position} {unit}"

    first = first_record(blocks) or 0
    if first and blocks[first - 1].kind == "paragraph" and (blocks[first - 1].heading or (
            is_title(blocks[first - 1]) and post_of(blocks[first]) in blocks[first - 1].text)):
        first -= 1  # (the heading of the first record, or a line that names its post: 人事专员岗位说明书)
    cover, codes = [], []
    for block in blocks[:first]:
        pairs = label_pairs(block.text) if block.kind == "paragraph" else None
        code = next((DOC_CODE.search(v) for k, v in pairs or [] if k == "code" and DOC_CODE.search(v)), None)
        if code:
            codes.append((block, code.group(1)))
        else:
            cover.append(Line(block, block.text.strip()))
    read_cover(cover, result, ledger, where)
    records, signoffs, other = read_records(blocks[first:])
    each = len(records) > 1 and all(own_code(r) for r in records)
    docs: list[DocBuild] = []
    if each:
        for record in records:
            record["code"] = own_code(record)
            doc = ImportedDoc(code="", title="", toc_code=record["code"], start=0, end=0, kind="job")
            docs.append(DocBuild(doc, Line(Block("paragraph", record["position"]), "")))
            doc.notes.append(say("jobs_each_coded", where=where(record["position"]), code=record["code"]))
    else:
        code = codes[0][1] if codes else None
        title = result.title or content("jobs_title")
        doc = ImportedDoc(code="", title=title, toc_code=code, start=0, end=0, kind="job")
        docs.append(DocBuild(doc, Line(Block("paragraph", records[0]["position"]), "")))
        result.report.append(say("jobs_one_document", count=len(records), code=code or "")
                             if code else say("jobs_one_document_no_code", count=len(records)))
    for block, code in codes:
        doc = docs[0].doc
        if each:  # (the cover's 文件编号 is no job's: listed whole)
            ledger.report(block, say("jobs_cover_code"))
            continue
        read_control_line(Line(block, block.text), doc, ledger, where)
        ledger.front.setdefault(id(doc), []).append(Block("paragraph", block.position, code))
        if code != doc.toc_code:
            ledger.reported.append((block.position, say("jobs_cover_code_other"), code, 0))
    assign_codes(docs, [], result, options)
    # Records and their jobs; the roles.
    names: set[str] = set()
    for k, record in enumerate(records):
        doc = docs[k if each else 0].doc
        job = job_entry(record, where)
        doc.jobs.append(job)
        if each:
            doc.title = job["title"]
        doc.notes.append(say("jobs_post_table" if record.get("table") is not None else "jobs_post_lines",
                             name=job["name"], where=job["where"], duties=len(job["duties"]),
                             boss=job["reports_to"] or "—"))
        if not job["duties"]:
            doc.notes.append(say("jobs_no_duties", name=job["name"], where=job["where"]))
        for block in [record["title"], *record.get("lines", [])]:
            if block is not None:
                ledger.take(block)
        if record.get("table") is not None:  # (a cell that is no field of a job: listed with its row and column)
            account(ledger, record["table"], record["cells"], say("jobs_table_other"))
        values = [(p, v) for p, v in record["values"]]
        if record["title"] is not None:
            values.append((record["title"].position, job["title"]))
        ledger.front.setdefault(id(doc), []).extend(Block("paragraph", p, v) for p, v in values)
        if job["name"] not in names:
            names.add(job["name"])
            dept = record["fields"].get("dept")
            if headcount(record) is not None:  # audited once roles.yaml is written (audit_roles)
                ledger.roles.append(Block("table", record["position"], rows=(("",), (job["name"], record["fields"]["count"]))))
            result.roles.append({"id": job["name"], "headcount": headcount(record),
                                 "where": job["where"] + (content("jobs_role_dept", dept=dept) if dept else "")})
        for position, text in record["values"]:
            for m in re.finditer(r"《([^《》\n]{1,40})》", text):
                build_forms(result, doc, clean(m.group(1)), where(position), options)
        if job["name"] == PLACEHOLDER:
            doc.notes.append(say("jobs_no_name", where=job["where"], placeholder=PLACEHOLDER))
        if headcount(record) is None and record["fields"].get("count"):
            doc.notes.append(say("jobs_count_unread", name=job["name"], value=record["fields"]["count"]))
    # Sign-offs: each document's own (per record), or the one document's.
    owner = {id(record): docs[k if each else 0] for k, record in enumerate(records)}
    for build in docs:
        doc = build.doc
        mine = [(b, r) for b, r in signoffs if r is not None and owner[id(r)] is build] if each else signoffs
        if not mine:
            doc.notes.append(say("signoff_none"))
            continue
        chosen = mine[-1][0]
        doc.signoff_where = where(chosen.position)
        ledger.take(chosen)
        ledger.front.setdefault(id(doc), []).append(chosen)
        signoff_entries(signoff_pairs(chosen.text) or {}, doc, doc.signoff_where)
        same = [b for b, _ in mine[:-1] if clean(b.text) == clean(chosen.text)]
        kept = {id(b) for b in same}
        for block in same:
            ledger.take(block)
        if same:
            doc.notes.append(say("jobs_signoff_repeated", where=join(where(b.position) for b in same),
                                 chosen=doc.signoff_where))
        for block, _ in mine[:-1]:
            if id(block) not in kept:
                ledger.report(block, say("jobs_signoff_other", chosen=doc.signoff_where))
    if each:
        for block, record in signoffs:
            if record is None:
                ledger.report(block, say("jobs_signoff_before"))
    # What is not a job field: the body of the (first) document, in order.
    body = []
    for block in other:
        if block.kind == "table":
            ledger.take(block)
            body.append(table_markdown(block.rows))
        elif block.kind == "paragraph" and block.text.strip():
            ledger.take(block)
            body.append(md_escape(clean(block.text)))
            doc = docs[0].doc
            for m in re.finditer(r"《([^《》\n]{1,40})》", block.text):
                build_forms(result, doc, clean(m.group(1)), where(block.position), options)
    if body:
        docs[0].doc.body = "\n\n".join(body) + "\n"
        docs[0].doc.notes.append(say("jobs_other_text", count=len(body)))
    starts = [r["title"].position if r["title"] is not None else r["position"] for r in records]
    spans = [(starts[k], starts[k + 1] - 1 if k + 1 < len(starts) else blocks[-1].position)
             for k in range(len(starts))] if each else [(starts[0], blocks[-1].position)]
    for build, (start, end) in zip(docs, spans):
        build.doc.lines = where(start) if start >= end else f"第 {start}–{end} {unit}"
    result.documents = [b.doc for b in docs]
    result.report.append(say("jobs_read", count=len(records), roles=len(names)))
    superiors(result, [job for b in docs for job in b.doc.jobs])
    sweep(blocks, ledger)
    return ledger


def post_of(block: Block) -> str:
    """The post a record's first block names (岗位名称), or "\\0" (in no text)."""
    if block.kind == "table":
        fields = table_record(block) or {}
        return clean(fields["name"][0]) if "name" in fields else "\0"
    return next((value for kind, value in field_pairs(block.text) if kind == "name" and value), "\0")


def own_code(record: dict) -> str | None:
    """A record's own document code: its 编号 field, or a code in the heading above it."""
    value = record["fields"].get("code")
    m = DOC_CODE.search(value) if value else None
    if m:
        return m.group(1)
    if record["title"] is not None:
        m = DOC_CODE.search(record["title"].text)
        return m.group(1) if m else None
    return None


def superiors(result: Imported, jobs: list[dict]) -> None:
    """The 直接上级 that are no post of the file are posts of the company all the same: roles of roles.yaml
    (without a headcount: the file describes no job of theirs).  The root of the tree (``department_head``,
    the first role for ``importer.settle_roles``): the one superior over all, else a placeholder head over
    the several superiors (posts of several departments; the source does not say whom they report to), else
    the post that reports to no other post."""
    posts = [role["id"] for role in result.roles]
    tops: list[str] = []
    for job in jobs:
        for boss in job.get("reports_to_all") or []:
            if boss not in posts and boss not in tops:
                tops.append(boss)
    bosses = [{"id": boss, "headcount": None, "where": ""} for boss in tops]
    if len(tops) > 1:
        head = content("placeholder_role")
        result.roles[:0] = [{"id": head, "headcount": None, "where": ""}] + bosses
        result.report.append(say("jobs_placeholder_head", head=head, superiors=join(tops)))
    elif tops:
        result.roles[:0] = bosses
    else:
        top = next((job["name"] for job in jobs if not job.get("reports_to")), None)
        at = next((k for k, role in enumerate(result.roles) if role["id"] == top), 0)
        result.roles.insert(0, result.roles.pop(at))
