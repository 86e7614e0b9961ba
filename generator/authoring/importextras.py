"""``manual import``: what a .docx keeps outside its body text, accounted for around the recognition.

The reader (``importfile.docx_blocks``) gives each block a ``role`` and ``marks``: section headers as blocks at
the start of their section and footers at its end, TOC paragraphs, page-number paragraphs, footnotes appended
to their paragraph, tracked changes read as accepted, comments.  ``set_aside`` takes out of the blocks what is
not content (a paragraph that is only page numbers, a footer's 受控 stamp or company line, a paragraph deleted
whole in tracked changes) before the recognition (``importdocs.build_documents``); ``account`` then puts it,
the deleted text and the comments in the ledger ("未导入", each with its position) and says in the report's
summary what was read and how.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from .importbase import COMPANY
from .importfile import Block, Place
from .importlabels import join, say, unit


@dataclass
class Extras:
    furniture: list[Block] = field(default_factory=list)
    marks: list[tuple[int, str, str, str]] = field(default_factory=list)  # (position, kind, text, who)
    headers: list[int] = field(default_factory=list)  # positions of the header blocks read
    footers: list[int] = field(default_factory=list)  # positions of the footer blocks read (set aside or not)
    toc: list[int] = field(default_factory=list)  # positions of the TOC paragraphs
    gone: set[int] = field(default_factory=set)  # positions of the paragraphs deleted whole


def set_aside(blocks: list[Block]) -> tuple[list[Block], Extras]:
    """The blocks the recognition is to see, and what was taken out or marked (for ``account``)."""
    extras = Extras()
    kept = []
    for block in blocks:
        for kind, text, who in block.marks:
            extras.marks.append((block.position, kind, text, who))
        footer = isinstance(block.position, Place) and block.position.part == "footer"
        if footer:
            extras.footers.append(block.position)
            if block.kind == "paragraph" and COMPANY.fullmatch(block.text.strip()):
                block = replace(block, role="company")  # the company line of every page (the name is read apart)
        if block.role in ("furniture", "stamp", "company"):
            extras.furniture.append(block)
            continue
        if block.kind == "paragraph" and not block.text.strip() and not block.number:
            extras.gone.add(block.position)  # a paragraph deleted whole (its text is in a "deleted" mark)
            continue
        if block.role == "header":
            extras.headers.append(block.position)
        elif block.role == "toc":
            extras.toc.append(block.position)
        kept.append(block)
    return kept, extras


def account(extras: Extras, result, outline: bool = True) -> None:
    """Into ``result.ledger`` and ``result.report``: the paragraphs set aside, the deleted text, the comments
    (each counted as a paragraph read and not imported, with its position), and one line for each kind of
    thing read outside the body text.  On the coded-TOC path (``outline`` False: the lines of ``docx_lines``,
    page-number paragraphs among them, no headers) only the deleted text, comments and notes."""
    ledger = result.ledger
    source_unit = result.source.unit
    if not outline:
        extras = Extras(marks=extras.marks, gone=extras.gone)
    for block in extras.furniture:
        ledger.paragraphs += 1
        why = {"stamp": "why_stamp", "company": "why_footer_company"}.get(block.role, "why_furniture")
        ledger.reported.append((block.position, say(why), block.text, 1))
    deleted = [(p, text) for p, kind, text, _ in extras.marks if kind == "deleted" and text.strip()]
    inserted = [p for p, kind, text, _ in extras.marks if kind == "inserted"]
    counted = set()
    for position, text in deleted:  # a paragraph deleted whole counts as a paragraph read; a deleted part not
        whole = position in extras.gone and position not in counted
        counted.add(position)
        ledger.paragraphs += whole
        ledger.reported.append((position, say("why_deleted"), text, int(whole)))
    comments = [(p, text, who) for p, kind, text, who in extras.marks if kind == "comment"]
    for position, text, who in comments:
        ledger.paragraphs += 1
        ledger.reported.append((position, say("why_comment", who=who) if who else say("why_comment_anonymous"), text, 1))
    notes = [(p, kind) for p, kind, _, _ in extras.marks if kind in ("footnote", "endnote")]
    report = result.report
    if extras.headers:
        sections = sorted({p.section for p in extras.headers if hasattr(p, "section")})
        report.append(say("docx_headers", sections=join(str(n) for n in sections)))
    if extras.footers:
        sections = sorted({p.section for p in extras.footers})
        report.append(say("docx_footers", sections=join(str(n) for n in sections)))
    if extras.toc:
        report.append(say("docx_toc", where=span(extras.toc, source_unit)))
    if notes:
        counts = {kind: sum(1 for _, k in notes if k == kind) for kind in ("footnote", "endnote")}
        what = join(say(f"docx_{kind}s", count=n) for kind, n in counts.items() if n)
        how = join(say(f"docx_{kind}_form") for kind, n in counts.items() if n)
        report.append(say("docx_notes", what=what, how=how, where=positions((p for p, _ in notes), source_unit)))
    if deleted or inserted:
        report.append(say("docx_revisions", count=len(deleted) + len(inserted), inserted=len(inserted),
                          deleted=len(deleted), where=positions([p for p, _ in deleted] + inserted, source_unit),
                          why=say("why_deleted")))
    if comments:
        report.append(say("docx_comments", count=len(comments),
                          where=positions((p for p, _, _ in comments), source_unit)))
    pages = [b.position for b in extras.furniture if b.role == "furniture"]
    if pages:
        report.append(say("docx_furniture", where=positions(pages, source_unit)))
    stamps = [b.position for b in extras.furniture if b.role == "stamp"]
    if stamps:
        report.append(say("docx_stamps", where=positions(stamps, source_unit), why=say("why_stamp")))


def positions(found, source_unit: str) -> str:
    """第 3、5、9 段 (each position once, in order)."""
    unique = sorted(set(found))
    if not unique:
        return ""
    return say("docx_positions" if len(unique) == 1 else "docx_positions_many", positions=join(str(p) for p in unique),
               unit=unit(source_unit))


def span(found: list[int], source_unit: str) -> str:
    first, last = min(found), max(found)
    if first == last:
        return positions([first], source_unit)
    return say("docx_span", first=first, last=last, unit=unit(source_unit))
