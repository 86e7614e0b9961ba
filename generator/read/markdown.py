"""Document bodies: Markdown parsed into blocks and numbered clauses.

A body is plain Markdown that HR can write in any editor:

* ``## (一)目的`` headings divide a document into sections;
* ordered lists (``1.``) are the numbered clauses; a nested ordered list is
  a lettered sub-item (``a.``, ``b.``);
* pipe tables and plain paragraphs are allowed as well.

The parser is markdown-it.rs (CommonMark, compiled: fast enough for ``manual
check`` on thousands of documents), and this is the only place a body is
parsed: the checks, the fingerprints and every output (PDF, DOCX, site) use
these blocks.  The resulting blocks carry the line of the source file they
stand on, so findings can point at a clause, and their inline content as
``Span`` trees (text, strong, em, code, link, image, line breaks).  Raw HTML is
*not* markup: a ``<script>`` in a policy is a text span, escaped by every renderer; only ``<br>`` is read,
as a line break (a table cell's lines: a pipe table's cell has no other way to hold two lines).
"""
from __future__ import annotations

import re
import string
from bisect import bisect_left

from markdown_it_pyrs import MarkdownIt

from dataclasses import dataclass, field

_parser = MarkdownIt("commonmark").enable("table")


@dataclass
class Span:
    """A piece of inline content: what the renderers print."""

    kind: str  # text | strong | em | code | link | image | softbreak | hardbreak
    text: str = ""  # text and code: the characters (raw HTML in the source is text too)
    href: str = ""  # link: the target; image: the source
    title: str = ""  # link, image
    children: list["Span"] = field(default_factory=list)  # strong, em, link, image (its description)


@dataclass
class Block:
    """One block of a document body (see ``generator.read.markdown``)."""

    kind: str  # heading | paragraph | list | table | rule
    line: int  # line in the source file, 1-based
    text: str = ""  # heading or paragraph text (inline Markdown)
    level: int = 0  # heading level
    ordered: bool = False  # list
    items: list["ListItem"] = field(default_factory=list)  # list
    header: list[str] = field(default_factory=list)  # table
    rows: list[list[str]] = field(default_factory=list)  # table
    spans: list[Span] = field(default_factory=list)  # heading, paragraph: ``text`` parsed
    tight: bool = True  # list: its items' paragraphs are not set apart (CommonMark's tight list)
    start: int = 1  # ordered list: the first item's number
    align: list[str] = field(default_factory=list)  # table: per column "", "left", "center" or "right"
    header_spans: list[list[Span]] = field(default_factory=list)  # table
    row_spans: list[list[list[Span]]] = field(default_factory=list)  # table
    code: str | None = None  # a code block's literal text (``text`` is it trimmed); None for other blocks
    info: str = ""  # a fenced code block's info string


@dataclass
class ListItem:
    number: str  # "3", "3.a" – the clause number as printed
    text: str
    line: int
    children: list[Block] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)  # ``text`` parsed


_NEWLINE = re.compile(b"\n")
_TEXT = frozenset({"text", "text_special", "html_inline"})
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)  # the one raw HTML tag read as markup: a line break
_BLOCKS = frozenset({"heading", "paragraph", "ordered_list", "bullet_list", "list_item", "table", "thead", "tbody",
                     "trow", "tcell", "blockquote", "code_block", "fence", "html_block", "hr", "lheading"})


def parse(body: str, first_line: int) -> list[Block]:
    """Blocks of ``body``; ``first_line`` is the file line where it starts."""
    src = body.encode("utf-8")
    newlines = [m.start() for m in _NEWLINE.finditer(src)]
    return _Walk(src, newlines, first_line).blocks(_parser.tree(body).children, "", 0)


class _Walk:
    """One document's tree walk.

    Every attribute of a markdown-it.rs node is a call into Rust that builds a
    new Python object, so each is read once; lines are found by bisecting the
    byte offsets of the newlines.
    """

    __slots__ = ("src", "newlines", "first_line")

    def __init__(self, src: bytes, newlines: list[int], first_line: int):
        self.src = src
        self.newlines = newlines
        self.first_line = first_line

    def line(self, srcmap) -> int:
        return bisect_left(self.newlines, srcmap[0] if srcmap else 0) + self.first_line

    def inline(self, nodes) -> str:
        """The source text of a run of inline nodes, lines trimmed as CommonMark does."""
        lo = hi = None
        for n in nodes:
            span = n.srcmap
            if span and n.name not in _BLOCKS:
                a, b = span
                if lo is None:
                    lo, hi = a, b
                else:
                    if a < lo:
                        lo = a
                    if b > hi:
                        hi = b
        return self.text(lo, hi)

    def text(self, lo, hi) -> str:
        if lo is None:
            return ""
        text = self.src[lo:hi].decode("utf-8", "replace")
        if "\n" not in text:
            return text.strip()
        return "\n".join(line.strip() for line in text.split("\n")).strip()

    def spans(self, nodes) -> list[Span]:
        """The inline nodes as spans; adjacent text (escapes, entities, raw HTML) joined into one."""
        out: list[Span] = []
        for node in nodes:
            name = node.name
            if name == "html_inline" and _BR.fullmatch(node.meta.get("content", "")):
                out.append(Span("hardbreak"))  # (a line break inside a table cell: ``1、…；<br>2、…``)
            elif name in _TEXT:
                content = node.meta.get("content", "")
                if out and out[-1].kind == "text":
                    out[-1].text += content
                else:
                    out.append(Span("text", content))
            elif name == "softbreak" or name == "hardbreak":
                out.append(Span(name))
            elif name == "strong" or name == "em":
                out.append(Span(name, children=self.spans(node.children)))
            elif name == "code_inline":
                out.append(Span("code", "".join(c.meta.get("content", "") for c in node.children)))
            elif name in ("link", "autolink", "image"):
                meta = node.meta
                out.append(Span("image" if name == "image" else "link", href=meta.get("url", ""),
                                title=meta.get("title", ""), children=self.spans(node.children)))
        return out

    def blocks(self, nodes, prefix, depth) -> list[Block]:
        out: list[Block] = []
        for node in nodes:
            name = node.name
            if name == "paragraph":
                kids = node.children
                out.append(Block("paragraph", self.line(node.srcmap), text=self.inline(kids), spans=self.spans(kids)))
            elif name in ("heading", "lheading"):
                kids = node.children
                out.append(Block("heading", self.line(node.srcmap), text=self.inline(kids),
                                 level=int(node.meta.get("level", 1)), spans=self.spans(kids)))
            elif name in ("ordered_list", "bullet_list"):
                out.append(self.list(node, name, prefix, depth))
            elif name == "table":
                out.append(self.table(node))
            elif name == "blockquote":
                out.extend(self.blocks(node.children, prefix, depth))
            elif name in ("code_block", "fence", "html_block"):
                srcmap = node.srcmap
                text = self.src[srcmap[0]:srcmap[1]].decode("utf-8", "replace").strip() if srcmap else ""
                if name == "fence":
                    text = "\n".join(text.split("\n")[1:-1]).strip()
                block = Block("paragraph", self.line(srcmap), text=text)
                if name == "html_block":  # raw HTML is text
                    block.spans = [Span("text", text)]
                else:
                    meta = node.meta
                    block.code, block.info = meta.get("content", ""), meta.get("info", "")
                    block.spans = [Span("text", text)]  # what a list item shows when it starts with it
                out.append(block)
            elif name == "hr":
                out.append(Block("rule", self.line(node.srcmap)))
        return out

    def list(self, node, name, prefix, depth) -> Block:
        ordered = name == "ordered_list"
        n = int(node.meta.get("start", 1)) if ordered else 1
        block = Block("list", self.line(node.srcmap), ordered=ordered, start=n)
        items = block.items
        newlines, first_line = self.newlines, self.first_line
        for item in node.children:
            if item.name != "list_item":
                continue
            if ordered:
                label = _label(n, depth, True)
                number = f"{prefix}.{label}" if prefix else label
                inner = number
            else:
                number, inner = "", prefix
            n += 1
            kids = item.children
            nested = [c for c in kids if c.name in _BLOCKS]
            children = self.blocks(nested, inner, depth + 1) if nested else []
            text = self.inline(kids)  # the item's own inline nodes (a tight list has no paragraphs)
            spans = self.spans(kids) if text else []
            if any(c.name == "paragraph" for c in nested):
                block.tight = False
            if not text and children and children[0].kind == "paragraph":
                text, spans, children = children[0].text, children[0].spans, children[1:]
            srcmap = item.srcmap
            items.append(ListItem(number, text, bisect_left(newlines, srcmap[0] if srcmap else 0) + first_line,
                                  children, spans))
        return block

    def table(self, node) -> Block:
        block = Block("table", self.line(node.srcmap),
                      align=[a if a != "none" else "" for a in node.meta.get("alignments", [])])
        for part in node.children:
            head = part.name == "thead"
            for row in part.children:
                cells = [cell.children for cell in row.children]
                texts, spans = [self.inline(c) for c in cells], [self.spans(c) for c in cells]
                if head:
                    block.header, block.header_spans = texts, spans
                else:
                    block.rows.append(texts)
                    block.row_spans.append(spans)
        return block


def _label(n: int, depth: int, ordered: bool) -> str:
    if not ordered:
        return "•"
    if depth % 2 == 1:
        letters = string.ascii_lowercase
        return letters[(n - 1) % 26]
    return str(n)


def iter_text(blocks):
    """(line, text) for every piece of prose in ``blocks``, depth first."""
    for block in blocks:
        if block.kind in ("heading", "paragraph"):
            yield block.line, block.text
        elif block.kind == "list":
            for item in block.items:
                yield item.line, item.text
                yield from iter_text(item.children)
        elif block.kind == "table":
            for cell in block.header:
                yield block.line, cell
            for row in block.rows:
                for cell in row:
                    yield block.line, cell


def iter_links(blocks):
    """(line, span) for every link and image of ``blocks``, depth first; the line counts the line
    breaks inside a paragraph."""
    def walk(spans, line):
        for span in spans:
            if span.kind in ("softbreak", "hardbreak"):
                line[0] += 1
            elif span.kind in ("link", "image"):
                yield line[0], span
            yield from walk(span.children, line)

    for block in blocks:
        yield from walk(block.spans, [block.line])
        for cells in (block.header_spans, *block.row_spans):
            for cell in cells:
                yield from walk(cell, [block.line])
        for item in block.items:
            yield from walk(item.spans, [item.line])
            yield from iter_links(item.children)


def clauses(blocks):
    """(number, text, line) for every numbered clause, depth first."""
    for block in blocks:
        if block.kind == "list":
            for item in block.items:
                if item.number:
                    yield item.number, item.text, item.line
                yield from clauses(item.children)


_WS_BETWEEN_CJK = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u9fff\uff00-\uffef])")
_WS = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    """Text with formatting-only differences removed (for fingerprints)."""
    text = _WS_BETWEEN_CJK.sub("", text)
    return _WS.sub(" ", text).strip()
