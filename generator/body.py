"""Document bodies: Markdown parsed into blocks and numbered clauses.

A body is plain Markdown that HR can write in any editor:

* ``## (一)目的`` headings divide a document into sections;
* ordered lists (``1.``) are the numbered clauses; a nested ordered list is
  a lettered sub-item (``a.``, ``b.``);
* pipe tables and plain paragraphs are allowed as well.

The parser is markdown-it-py (CommonMark).  The resulting blocks carry the
line of the source file they stand on, so findings can point at a clause.
Raw HTML is *not* enabled: a ``<script>`` in a policy is text, never markup.
"""
from __future__ import annotations

import re
import string

from markdown_it import MarkdownIt

from .model import Block, ListItem

_md = MarkdownIt("commonmark", {"html": False}).enable("table")


def parser() -> MarkdownIt:
    return _md


def parse(body: str, first_line: int) -> list[Block]:
    """Blocks of ``body``; ``first_line`` is the file line where it starts."""
    tokens = _md.parse(body)
    blocks, _ = _blocks(tokens, 0, len(tokens), first_line, prefix="", depth=0)
    return blocks


def _line(token, first_line: int) -> int:
    return (token.map[0] if token.map else 0) + first_line


def _blocks(tokens, i, end, first_line, prefix, depth):
    out: list[Block] = []
    while i < end:
        tok = tokens[i]
        if tok.type == "heading_open":
            out.append(Block("heading", _line(tok, first_line), text=tokens[i + 1].content,
                             level=int(tok.tag[1])))
            i += 3
        elif tok.type == "paragraph_open":
            out.append(Block("paragraph", _line(tok, first_line), text=tokens[i + 1].content))
            i += 3
        elif tok.type in ("ordered_list_open", "bullet_list_open"):
            close = _closing(tokens, i)
            out.append(_list(tokens, i, close, first_line, prefix, depth))
            i = close + 1
        elif tok.type == "table_open":
            close = _closing(tokens, i)
            out.append(_table(tokens, i, close, first_line))
            i = close + 1
        elif tok.type in ("blockquote_open",):
            close = _closing(tokens, i)
            inner, _ = _blocks(tokens, i + 1, close, first_line, prefix, depth)
            out.extend(inner)
            i = close + 1
        elif tok.type in ("fence", "code_block", "html_block"):
            out.append(Block("paragraph", _line(tok, first_line), text=tok.content.strip()))
            i += 1
        else:
            i += 1
    return out, i


def _closing(tokens, i):
    level = 0
    opener = tokens[i].type
    closer = opener.replace("_open", "_close")
    for j in range(i, len(tokens)):
        if tokens[j].type == opener:
            level += 1
        elif tokens[j].type == closer:
            level -= 1
            if level == 0:
                return j
    return len(tokens) - 1


def _label(n: int, depth: int, ordered: bool) -> str:
    if not ordered:
        return "•"
    if depth % 2 == 1:
        letters = string.ascii_lowercase
        return letters[(n - 1) % 26]
    return str(n)


def _list(tokens, i, close, first_line, prefix, depth) -> Block:
    ordered = tokens[i].type == "ordered_list_open"
    start = int(tokens[i].attrGet("start") or 1) if ordered else 1
    block = Block("list", _line(tokens[i], first_line), ordered=ordered)
    j = i + 1
    n = start
    while j < close:
        if tokens[j].type == "list_item_open":
            item_close = _closing(tokens, j)
            label = _label(n, depth, ordered)
            number = f"{prefix}.{label}" if prefix and ordered else (label if ordered else "")
            inner, _ = _blocks(tokens, j + 1, item_close, first_line,
                               prefix=number if ordered else prefix, depth=depth + 1)
            text = ""
            children = inner
            if inner and inner[0].kind == "paragraph":
                text = inner[0].text
                children = inner[1:]
            block.items.append(ListItem(number=number, text=text, line=_line(tokens[j], first_line),
                                        children=children))
            n += 1
            j = item_close + 1
        else:
            j += 1
    return block


def _table(tokens, i, close, first_line) -> Block:
    block = Block("table", _line(tokens[i], first_line))
    row: list[str] = []
    in_head = False
    for tok in tokens[i:close]:
        if tok.type == "thead_open":
            in_head = True
        elif tok.type == "thead_close":
            in_head = False
        elif tok.type == "tr_open":
            row = []
        elif tok.type == "inline":
            row.append(tok.content)
        elif tok.type == "tr_close":
            if in_head:
                block.header = row
            else:
                block.rows.append(row)
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
