"""Document bodies: Markdown parsed into blocks and numbered clauses.

A body is plain Markdown that HR can write in any editor:

* ``## (一)目的`` headings divide a document into sections;
* ordered lists (``1.``) are the numbered clauses; a nested ordered list is
  a lettered sub-item (``a.``, ``b.``);
* pipe tables and plain paragraphs are allowed as well.

The parser is markdown-it (CommonMark).  The resulting blocks carry the
line of the source file they stand on, so findings can point at a clause.
Raw HTML is *not* enabled: a ``<script>`` in a policy is text, never markup.
"""
from __future__ import annotations

import re
import string
from bisect import bisect_left
from functools import lru_cache

from markdown_it_pyrs import MarkdownIt as FastMarkdownIt

from dataclasses import dataclass, field

# Rendering (HTML) uses markdown-it-py; the block structure of the model is
# read with markdown-it.rs, the same CommonMark parser compiled, about ten
# times faster, which matters for `manual check` on thousands of documents.
# markdown-it-py is imported only when something is rendered: `manual check`
# never needs it.
_fast = FastMarkdownIt("commonmark").enable("table")

@dataclass
class Block:
    """One block of a document body (see ``generator.read.markdown``)."""

    kind: str  # heading | paragraph | list | table
    line: int  # line in the source file, 1-based
    text: str = ""  # heading or paragraph text (inline Markdown)
    level: int = 0  # heading level
    ordered: bool = False  # list
    items: list["ListItem"] = field(default_factory=list)  # list
    header: list[str] = field(default_factory=list)  # table
    rows: list[list[str]] = field(default_factory=list)  # table


@dataclass
class ListItem:
    number: str  # "3", "3.a" – the clause number as printed
    text: str
    line: int
    children: list[Block] = field(default_factory=list)


_NEWLINE = re.compile(b"\n")
_BLOCKS = frozenset({"heading", "paragraph", "ordered_list", "bullet_list", "list_item", "table", "thead", "tbody",
                     "trow", "tcell", "blockquote", "code_block", "fence", "html_block", "hr", "lheading"})


@lru_cache(maxsize=None)
def parser():
    """The markdown-it-py parser of the renderers (CommonMark, tables, no raw HTML)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table")


def parse(body: str, first_line: int) -> list[Block]:
    """Blocks of ``body``; ``first_line`` is the file line where it starts."""
    src = body.encode("utf-8")
    newlines = [m.start() for m in _NEWLINE.finditer(src)]
    return _Walk(src, newlines, first_line).blocks(_fast.tree(body).children, "", 0)


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

    def blocks(self, nodes, prefix, depth) -> list[Block]:
        out: list[Block] = []
        for node in nodes:
            name = node.name
            if name == "paragraph":
                out.append(Block("paragraph", self.line(node.srcmap), text=self.inline(node.children)))
            elif name in ("heading", "lheading"):
                out.append(Block("heading", self.line(node.srcmap), text=self.inline(node.children),
                                 level=int(node.meta.get("level", 1))))
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
                out.append(Block("paragraph", self.line(srcmap), text=text))
        return out

    def list(self, node, name, prefix, depth) -> Block:
        ordered = name == "ordered_list"
        n = int(node.meta.get("start", 1)) if ordered else 1
        block = Block("list", self.line(node.srcmap), ordered=ordered)
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
            text = self.inline(kids)  # the item's own inline nodes
            if not text and children and children[0].kind == "paragraph":
                text, children = children[0].text, children[1:]
            srcmap = item.srcmap
            items.append(ListItem(number, text, bisect_left(newlines, srcmap[0] if srcmap else 0) + first_line,
                                  children))
        return block

    def table(self, node) -> Block:
        block = Block("table", self.line(node.srcmap))
        for part in node.children:
            head = part.name == "thead"
            for row in part.children:
                cells = [self.inline(cell.children) for cell in row.children]
                if head:
                    block.header = cells
                else:
                    block.rows.append(cells)
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


def to_html(markdown_text: str) -> str:
    """Safe HTML for a body or inline text (raw HTML is escaped)."""
    return parser().render(markdown_text)


def inline_html(markdown_text: str) -> str:
    return parser().renderInline(markdown_text)
