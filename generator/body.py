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

from markdown_it import MarkdownIt
from markdown_it_pyrs import MarkdownIt as FastMarkdownIt

from .model import Block, ListItem

# Rendering (HTML) uses markdown-it-py; the block structure of the model is
# read with markdown-it.rs, the same CommonMark parser compiled, about ten
# times faster, which matters for `manual check` on thousands of documents.
_md = MarkdownIt("commonmark", {"html": False}).enable("table")
_fast = FastMarkdownIt("commonmark").enable("table")

_NEWLINE = re.compile(b"\n")
_BLOCKS = {"heading", "paragraph", "ordered_list", "bullet_list", "list_item", "table", "thead", "tbody",
           "trow", "tcell", "blockquote", "code_block", "fence", "html_block", "hr", "lheading"}


def parser() -> MarkdownIt:
    return _md


def parse(body: str, first_line: int) -> list[Block]:
    """Blocks of ``body``; ``first_line`` is the file line where it starts."""
    src = body.encode("utf-8")
    newlines = [m.start() for m in _NEWLINE.finditer(src)]
    ctx = (src, newlines, first_line)
    return _blocks(_fast.tree(body).children, ctx, prefix="", depth=0)


def _line(node, ctx) -> int:
    from bisect import bisect_left

    _, newlines, first_line = ctx
    start = node.srcmap[0] if node.srcmap else 0
    return bisect_left(newlines, start) + first_line


def _inline(nodes, ctx) -> str:
    """The source text of a run of inline nodes, lines trimmed as CommonMark does."""
    spans = [n.srcmap for n in nodes if n.srcmap and n.name not in _BLOCKS]
    if not spans:
        return ""
    src = ctx[0]
    text = src[min(a for a, _ in spans):max(b for _, b in spans)].decode("utf-8", "replace")
    return "\n".join(line.strip() for line in text.split("\n")).strip()


def _blocks(nodes, ctx, prefix, depth) -> list[Block]:
    out: list[Block] = []
    for node in nodes:
        name = node.name
        if name in ("heading", "lheading"):
            out.append(Block("heading", _line(node, ctx), text=_inline(node.children, ctx),
                             level=int(node.meta.get("level", 1))))
        elif name == "paragraph":
            out.append(Block("paragraph", _line(node, ctx), text=_inline(node.children, ctx)))
        elif name in ("ordered_list", "bullet_list"):
            out.append(_list(node, ctx, prefix, depth))
        elif name == "table":
            out.append(_table(node, ctx))
        elif name == "blockquote":
            out.extend(_blocks(node.children, ctx, prefix, depth))
        elif name in ("code_block", "fence", "html_block"):
            text = ctx[0][node.srcmap[0]:node.srcmap[1]].decode("utf-8", "replace").strip() if node.srcmap else ""
            if name == "fence":
                text = "\n".join(text.split("\n")[1:-1]).strip()
            out.append(Block("paragraph", _line(node, ctx), text=text))
    return out


def _label(n: int, depth: int, ordered: bool) -> str:
    if not ordered:
        return "•"
    if depth % 2 == 1:
        letters = string.ascii_lowercase
        return letters[(n - 1) % 26]
    return str(n)


def _list(node, ctx, prefix, depth) -> Block:
    ordered = node.name == "ordered_list"
    start = int(node.meta.get("start", 1)) if ordered else 1
    block = Block("list", _line(node, ctx), ordered=ordered)
    for n, item in enumerate((c for c in node.children if c.name == "list_item"), start):
        label = _label(n, depth, ordered)
        number = f"{prefix}.{label}" if prefix and ordered else (label if ordered else "")
        inline = [c for c in item.children if c.name not in _BLOCKS]
        blocks = [c for c in item.children if c.name in _BLOCKS]
        children = _blocks(blocks, ctx, prefix=number if ordered else prefix, depth=depth + 1)
        text = _inline(inline, ctx)
        if not text and children and children[0].kind == "paragraph":
            text, children = children[0].text, children[1:]
        block.items.append(ListItem(number=number, text=text, line=_line(item, ctx), children=children))
    return block


def _table(node, ctx) -> Block:
    block = Block("table", _line(node, ctx))
    for part in node.children:
        for row in part.children:
            cells = [_inline(cell.children, ctx) for cell in row.children]
            if part.name == "thead":
                block.header = cells
            else:
                block.rows.append(cells)
    return block


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
    return _md.render(markdown_text)


def inline_html(markdown_text: str) -> str:
    return _md.renderInline(markdown_text)
