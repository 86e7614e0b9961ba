"""A document body as HTML, from its parsed blocks (``generator.read.markdown``).

The body is parsed once, by the reader; this turns the blocks and their inline
spans into the HTML the PDF lays out: CommonMark's HTML (tight lists without
``<p>``, ``<ol start>``, aligned table cells, ``<pre><code>``).  Every piece of
text is escaped: raw HTML in a policy prints as text.

``text`` renders a run of plain text (the PDF links 《title》 citations in it),
``href`` a link's target (the PDF points ``#anchor`` links at the joined
document); both default to plain escaping.  ``image`` renders an image
reference (``image(span, alone)``; ``alone``: the only content of its
paragraph, shown as a figure with its description as caption); by default
its description, escaped: no output shows a file the model did not resolve.
"""
from __future__ import annotations

from collections.abc import Callable

from ...read.markdown import Block, ListItem, Span

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


def escape(text: str) -> str:
    """``text`` safe in HTML content and in a quoted attribute."""
    return text.translate(_ESCAPES)


def _same(value: str) -> str:
    return value


def alt_text(span: Span, alone: bool = False) -> str:
    """An image as its description, escaped (what an output shows of a picture it cannot show); a paragraph
    of its own when ``alone``."""
    words = escape(plain_text(span.children))
    return f"<p>{words}</p>" if alone else words


class _Options:
    __slots__ = ("text", "href", "image")

    def __init__(self, text: Callable[[str], str], href: Callable[[str], str], image: Callable[[Span, bool], str]):
        self.text, self.href, self.image = text, href, image


def body_html(blocks: list[Block], *, text: Callable[[str], str] = escape,
              href: Callable[[str], str] = _same, image: Callable[[Span, bool], str] = alt_text) -> str:
    """The blocks as HTML."""
    return _blocks(blocks, _Options(text, href, image))


def lone_image(spans: list[Span]) -> Span | None:
    """The image span when it is all a paragraph holds (white space aside), else None."""
    found = [s for s in spans if not (s.kind == "text" and not s.text.strip()) and s.kind != "softbreak"]
    return found[0] if len(found) == 1 and found[0].kind == "image" else None


def plain_text(spans: list[Span]) -> str:
    """The characters of ``spans`` without their formatting (an image's description)."""
    out = []
    for s in spans:
        if s.kind in ("text", "code"):
            out.append(s.text)
        elif s.kind in ("softbreak", "hardbreak"):
            out.append("\n")
        else:
            out.append(plain_text(s.children))
    return "".join(out)


def _spans(spans: list[Span], o: _Options, in_link: bool) -> str:
    out = []
    for s in spans:
        kind = s.kind
        if kind == "text":
            out.append(escape(s.text) if in_link else o.text(s.text))
        elif kind == "softbreak":
            out.append("\n")
        elif kind == "hardbreak":
            out.append("<br />\n")
        elif kind == "strong" or kind == "em":
            out.append(f"<{kind}>{_spans(s.children, o, in_link)}</{kind}>")
        elif kind == "code":
            out.append(f"<code>{escape(s.text)}</code>")
        elif kind == "link":
            target = o.href(s.href)
            if target is None:  # not a live link (see generator.model.citations.live_link): its text
                out.append(_spans(s.children, o, in_link))
                continue
            title = f' title="{escape(s.title)}"' if s.title else ""
            out.append(f'<a href="{escape(target)}"{title}>{_spans(s.children, o, True)}</a>')
        elif kind == "image":
            out.append(o.image(s, False))
    return "".join(out)


def _blocks(blocks: list[Block], o: _Options) -> str:
    return "".join(_block(b, o) for b in blocks)


def _block(block: Block, o: _Options) -> str:
    kind = block.kind
    if kind == "heading":
        return f"<h{block.level}>{_spans(block.spans, o, False)}</h{block.level}>\n"
    if kind == "paragraph":
        if block.code is not None:
            lang = block.info.split(maxsplit=1)[0] if block.info.strip() else ""
            cls = f' class="language-{escape(lang)}"' if lang else ""
            return f"<pre><code{cls}>{escape(block.code)}</code></pre>\n"
        alone = lone_image(block.spans)
        if alone is not None:
            return o.image(alone, True) + "\n"
        return f"<p>{_spans(block.spans, o, False)}</p>\n"
    if kind == "list":
        tag = "ol" if block.ordered else "ul"
        start = f' start="{block.start}"' if block.ordered and block.start != 1 else ""
        items = "".join(_item(item, block.tight, o) for item in block.items)
        return f"<{tag}{start}>\n{items}</{tag}>\n"
    if kind == "table":
        return _table(block, o)
    if kind == "rule":
        return "<hr />\n"
    return ""


def _item(item: ListItem, tight: bool, o: _Options) -> str:
    if not item.text and not item.children:
        return "<li></li>\n"
    if not tight:
        own = f"<p>{_spans(item.spans, o, False)}</p>\n" if item.text else ""
        return f"<li>\n{own}{_blocks(item.children, o)}</li>\n"
    # A tight list's paragraphs are printed without <p>; a block after one starts on a new line.
    out = ["<li>", _spans(item.spans, o, False)]
    after_text = True
    for child in item.children:
        if child.kind == "paragraph" and child.code is None:
            out.append(_spans(child.spans, o, False))
            after_text = True
        else:
            out.append(("\n" if after_text else "") + _block(child, o))
            after_text = False
    out.append("</li>\n")
    return "".join(out)


def _table(block: Block, o: _Options) -> str:
    def cells(tag: str, row: list[list[Span]]) -> str:
        out = []
        for j, spans in enumerate(row):
            align = block.align[j] if j < len(block.align) else ""
            style = f' style="text-align:{align}"' if align else ""
            out.append(f"<{tag}{style}>{_spans(spans, o, False)}</{tag}>\n")
        return "<tr>\n" + "".join(out) + "</tr>\n"

    html = ["<table>\n<thead>\n", cells("th", block.header_spans), "</thead>\n"]
    if block.row_spans:
        html.append("<tbody>\n" + "".join(cells("td", row) for row in block.row_spans) + "</tbody>\n")
    html.append("</table>\n")
    return "".join(html)
