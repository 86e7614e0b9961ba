"""``manual import``: what a .docx keeps outside its body text, accounted for around the recognition.

The reader (``importfile.docx_blocks``) gives each block a ``role`` and ``marks``: section headers as blocks at
the start of their section, TOC paragraphs, page-number paragraphs, footnotes appended to their paragraph,
tracked changes read as accepted, comments.  ``set_aside`` takes out of the blocks what is not content (a
paragraph that is only page numbers, a paragraph deleted whole in tracked changes) before the recognition
(``importdocs.build_documents``); ``account`` then puts it, the deleted text and the comments in the ledger
("未导入", each with its position) and says in the report's summary what was read and how.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .importfile import Block

FURNITURE = "只有页码等页面信息（页码域或“第 X 页 共 Y 页”），不是正文"
DELETED = "修订中删除"


@dataclass
class Extras:
    furniture: list[Block] = field(default_factory=list)
    marks: list[tuple[int, str, str, str]] = field(default_factory=list)  # (position, kind, text, who)
    headers: list[int] = field(default_factory=list)  # positions of the header blocks read
    toc: list[int] = field(default_factory=list)  # positions of the TOC paragraphs
    gone: set[int] = field(default_factory=set)  # positions of the paragraphs deleted whole


def set_aside(blocks: list[Block]) -> tuple[list[Block], Extras]:
    """The blocks the recognition is to see, and what was taken out or marked (for ``account``)."""
    extras = Extras()
    kept = []
    for block in blocks:
        for kind, text, who in block.marks:
            extras.marks.append((block.position, kind, text, who))
        if block.role == "furniture":
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


def account(extras: Extras, result) -> None:
    """Into ``result.ledger`` and ``result.report``: the paragraphs set aside, the deleted text, the comments
    (each counted as a paragraph read and not imported, with its position), and one line for each kind of
    thing read outside the body text."""
    ledger = result.ledger
    for block in extras.furniture:
        ledger.paragraphs += 1
        ledger.reported.append((block.position, FURNITURE, block.text, 1))
    deleted = [(p, text) for p, kind, text, _ in extras.marks if kind == "deleted" and text.strip()]
    inserted = [p for p, kind, text, _ in extras.marks if kind == "inserted"]
    counted = set()
    for position, text in deleted:  # a paragraph deleted whole counts as a paragraph read; a deleted part not
        whole = position in extras.gone and position not in counted
        counted.add(position)
        ledger.paragraphs += whole
        ledger.reported.append((position, DELETED, text, int(whole)))
    comments = [(p, text, who) for p, kind, text, who in extras.marks if kind == "comment"]
    for position, text, who in comments:
        ledger.paragraphs += 1
        ledger.reported.append((position, f"批注{'（' + who + '）' if who else ''}，不是正文", text, 1))
    notes = [(p, kind) for p, kind, _, _ in extras.marks if kind in ("footnote", "endnote")]
    report = result.report
    if extras.headers:
        sections = sorted({str(p).split(" 节")[0] for p in extras.headers}, key=int)
        report.append(f"Word 各节的页眉作为该节开头的段落读入（第 {'、'.join(sections)} 节；位置写作“第 N 节页眉第 K 段”）；"
                      "前面的页眉已有的段落不再读入，页码等页面信息不读")
    if extras.toc:
        report.append(f"{span(extras.toc)}是 Word 目录（目录域或目录样式），按目录处理")
    if notes:
        footnotes = sum(1 for _, kind in notes if kind == "footnote")
        endnotes = len(notes) - footnotes
        what = "、".join(f"{n} 条{name}" for n, name in ((footnotes, "脚注"), (endnotes, "尾注")) if n)
        how = "、".join(form for n, form in ((footnotes, "“（注：…）”"), (endnotes, "“（尾注：…）”")) if n)
        report.append(f"原稿有 {what}：写在引用它的段落末尾，作{how}（{positions(p for p, _ in notes)}）")
    if deleted or inserted:
        report.append(f"原稿有 {len(deleted) + len(inserted)} 处未接受的修订（插入 {len(inserted)} 处、删除 {len(deleted)} 处，"
                      f"{positions([p for p, _ in deleted] + inserted)}）：按接受修订后的文字导入，删除的文字列在“未导入”"
                      f"（{DELETED}）")
    if comments:
        report.append(f"原稿有 {len(comments)} 条批注（{positions(p for p, _, _ in comments)}）：未写入源文件，列在“未导入”")
    if extras.furniture:
        report.append(f"{positions(b.position for b in extras.furniture)}只有页码等页面信息，不是正文：列在“未导入”")


def positions(found) -> str:
    """第 3、5、9 段 (each position once, in order)."""
    unique = sorted(set(found))
    return "第 " + "、".join(str(p) for p in unique) + " 段" if unique else ""


def span(found: list[int]) -> str:
    first, last = min(found), max(found)
    return f"第 {first} 段" if first == last else f"第 {first}–{last} 段"
