"""Diagrams drawn from the data, as plain SVG text.

* ``orgchart_svg(manual)`` – the department's reporting tree from
  ``manual/roles.yaml`` (the department head at the root, the roles outside
  the department it reports to drawn above it in a dashed, grey box, the
  headcount in every box);
* ``workflow_svg(manual, doc)`` – the ordered steps of a procedure's
  ``workflow:`` (step title, responsible role, forms), joined by arrows.

Both are pure functions of the model: no script, no random ids, no
timestamps, so the same source gives byte-identical SVG.  The site inlines
them and the print publisher embeds the same text, so they print too.  All
text from the source is XML-escaped.  Box widths come from the text length
(a CJK character is about 1em wide, a Latin one about 0.6em).
"""
from __future__ import annotations

import unicodedata
from xml.sax.saxutils import escape as _xml_escape

from ...labels import labels
from ...model.org import OrgNode, org_tree, workflow_steps

FONT_FAMILY = "'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif"
FONT_SIZE = 14  # px; every size below is derived from it
SMALL = 12

# Colours: one palette for screen and print (no gradients, prints in grey too).
INK = "#1f2937"
LINE = "#4b5563"
BOX_FILL = "#eef4fb"
BOX_STROKE = "#1e5aa8"
HEAD_FILL = "#dbe8f8"
EXTERNAL_FILL = "#f3f4f6"
EXTERNAL_STROKE = "#6b7280"


# -- text helpers ------------------------------------------------------------
def esc(text) -> str:
    """XML-escape text for element content and attribute values."""
    return _xml_escape(str(text), {'"': "&quot;", "'": "&#39;"})


def char_em(ch: str) -> float:
    """Approximate advance width of one character, in em."""
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.0
    if ch == " ":
        return 0.3
    if ch.isupper() or ch in "mwMW@%":
        return 0.7
    return 0.56


def text_width(text: str, size: float = FONT_SIZE) -> float:
    return sum(char_em(c) for c in str(text)) * size


def wrap(text: str, max_width: float, size: float = FONT_SIZE) -> list[str]:
    """Break ``text`` into lines no wider than ``max_width`` (character-wise, CJK style)."""
    lines: list[str] = []
    line, width = "", 0.0
    for ch in str(text):
        w = char_em(ch) * size
        if line and width + w > max_width:
            lines.append(line)
            line, width = "", 0.0
            if ch == " ":
                continue
        line += ch
        width += w
    if line or not lines:
        lines.append(line)
    return lines


def _fmt(x: float) -> str:
    """Numbers printed the same way every time (deterministic, compact)."""
    x = round(x, 1)
    return str(int(x)) if x == int(x) else f"{x:.1f}"


def _svg_open(width: float, height: float, label: str, css_class: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" role="img" aria-label="{esc(label)}" '
        f'width="{_fmt(width)}" height="{_fmt(height)}" viewBox="0 0 {_fmt(width)} {_fmt(height)}" '
        f'font-family="{esc(FONT_FAMILY)}" font-size="{FONT_SIZE}">',
        f"<title>{esc(label)}</title>",
    ]


def _text(x: float, y: float, text: str, *, size: int = FONT_SIZE, weight: str | None = None,
          fill: str = INK, anchor: str = "middle") -> str:
    attrs = f'x="{_fmt(x)}" y="{_fmt(y)}" text-anchor="{anchor}" fill="{fill}"'
    if size != FONT_SIZE:
        attrs += f' font-size="{size}"'
    if weight:
        attrs += f' font-weight="{weight}"'
    return f"<text {attrs}>{esc(text)}</text>"


# -- org chart -----------------------------------------------------------------
BOX_PAD_X = 14
BOX_H = 48
LEVEL_GAP = 40
SIBLING_GAP = 16
MARGIN = 12


def _role_name(role, lang: str) -> str:
    if lang == "en" and role.name_en:
        return role.name_en
    return role.id


def _headcount_text(n: int, lang: str) -> str:
    words = labels(lang)["print_text"]
    return (words["headcount_one"] if n == 1 else words["headcount"]).format(n=n)


def _layout_tree(node: OrgNode) -> dict:
    """A node of the tree as a dict the layout can write its sizes and positions into."""
    return {"id": node.id, "children": [_layout_tree(c) for c in node.children]}


def _box_width(manual, rid: str, lang: str) -> float:
    role = manual.roles[rid]
    name_w = text_width(_role_name(role, lang), FONT_SIZE)
    sub_w = text_width(_headcount_text(role.headcount, lang), SMALL)
    return max(name_w, sub_w, 3 * FONT_SIZE) + 2 * BOX_PAD_X


def _layout(manual, tree: dict, lang: str) -> float:
    """Set ``w`` (box width) and ``span`` (subtree width) on every node; return the span."""
    tree["w"] = _box_width(manual, tree["id"], lang)
    if tree["children"]:
        spans = [_layout(manual, c, lang) for c in tree["children"]]
        tree["span"] = max(tree["w"], sum(spans) + SIBLING_GAP * (len(spans) - 1))
    else:
        tree["span"] = tree["w"]
    return tree["span"]


def _place(tree: dict, left: float, depth: int, out: list[dict]) -> None:
    kids = tree["children"]
    if kids:
        total = sum(c["span"] for c in kids) + SIBLING_GAP * (len(kids) - 1)
        x = left + (tree["span"] - total) / 2
        for c in kids:
            _place(c, x, depth + 1, out)
            x += c["span"] + SIBLING_GAP
        centre = (kids[0]["cx"] + kids[-1]["cx"]) / 2
    else:
        centre = left + tree["span"] / 2
    tree["cx"], tree["depth"] = centre, depth
    out.append(tree)


def _depth_of(tree: dict) -> int:
    return 1 + max((_depth_of(c) for c in tree["children"]), default=0)


def orgchart_svg(manual, lang: str = "zh-CN") -> str:
    """The department's org chart as an SVG string."""
    tree = org_tree(manual)
    above, roots = tree.above, [_layout_tree(root) for root in tree.roots]
    for root in roots:
        _layout(manual, root, lang)
    width_trees = sum(r["span"] for r in roots) + SIBLING_GAP * 2 * max(len(roots) - 1, 0)
    above_w = [_box_width(manual, rid, lang) for rid in above]
    inner_w = max([width_trees] + above_w + [0])
    width = inner_w + 2 * MARGIN
    top_levels = len(above)
    levels = top_levels + max((_depth_of(r) for r in roots), default=0)
    height = levels * BOX_H + max(levels - 1, 0) * LEVEL_GAP + 2 * MARGIN

    placed: list[dict] = []
    x = MARGIN + (inner_w - width_trees) / 2
    for root in roots:
        _place(root, x, top_levels, placed)
        x += root["span"] + 2 * SIBLING_GAP

    def y_of(depth: int) -> float:
        return MARGIN + depth * (BOX_H + LEVEL_GAP)

    chart_label = labels(lang)["print"]["orgchart"] + (f"：{manual.company} {manual.department}".rstrip()
                                                      if manual.company else "")
    parts = _svg_open(width, height, chart_label, "orgchart")
    lines: list[str] = []
    boxes: list[str] = []

    def connector(px: float, py_bottom: float, kids_cx: list[float], ky_top: float, dashed=False):
        mid = py_bottom + LEVEL_GAP / 2
        dash = ' stroke-dasharray="5 4"' if dashed else ""
        style = f'stroke="{LINE}" stroke-width="1.5" fill="none"{dash}'
        lines.append(f'<path d="M{_fmt(px)} {_fmt(py_bottom)}V{_fmt(mid)}" {style}/>')
        if len(kids_cx) > 1:
            lines.append(f'<path d="M{_fmt(min(kids_cx))} {_fmt(mid)}H{_fmt(max(kids_cx))}" {style}/>')
        for kx in kids_cx:
            lines.append(f'<path d="M{_fmt(kx)} {_fmt(mid)}V{_fmt(ky_top)}" {style}/>')

    def box(rid: str, cx: float, y: float, w: float, *, external: bool, head: bool):
        role = manual.roles[rid]
        fill = EXTERNAL_FILL if external else (HEAD_FILL if head else BOX_FILL)
        stroke = EXTERNAL_STROKE if external else BOX_STROKE
        dash = ' stroke-dasharray="6 3"' if external else ""
        cls = "role external" if external else ("role head" if head else "role")
        boxes.append(f'<g class="{cls}" data-role="{esc(rid)}">')
        boxes.append(f'<rect x="{_fmt(cx - w / 2)}" y="{_fmt(y)}" width="{_fmt(w)}" height="{BOX_H}" rx="6" '
                     f'fill="{fill}" stroke="{stroke}" stroke-width="{2 if head else 1.5}"{dash}/>')
        name = _role_name(role, lang)
        if external:
            boxes.append(_text(cx, y + BOX_H / 2 + FONT_SIZE * 0.35, name, weight="bold", fill=EXTERNAL_STROKE))
        else:
            boxes.append(_text(cx, y + 20, name, weight="bold"))
            boxes.append(_text(cx, y + 38, _headcount_text(role.headcount, lang), size=SMALL, fill=LINE))
        boxes.append("</g>")

    # External chain above the head.
    centre = roots[0]["cx"] if roots else MARGIN + inner_w / 2
    for i, rid in enumerate(above):
        box(rid, centre, y_of(i), above_w[i], external=True, head=False)
        below_y = y_of(i + 1)
        connector(centre, y_of(i) + BOX_H, [centre], below_y, dashed=True)

    head = tree.head
    for node in placed:
        y = y_of(node["depth"])
        box(node["id"], node["cx"], y, node["w"], external=False, head=node["id"] == head)
        if node["children"]:
            connector(node["cx"], y + BOX_H, [c["cx"] for c in node["children"]], y_of(node["depth"] + 1))
    return "\n".join(parts + lines + boxes + ["</svg>"]) + "\n"


# -- workflow ------------------------------------------------------------------
WF_WIDTH_MAX = 26 * FONT_SIZE  # text column width before wrapping
WF_PAD = 12
WF_GAP = 34  # vertical space between boxes (holds the arrow)
WF_LINE = 20  # line height, title
WF_SMALL_LINE = 17


def workflow_svg(manual, doc, lang: str = "zh-CN") -> str:
    """The workflow of ``doc`` (its ``workflow:`` steps, in order) as an SVG string."""
    lab, words = labels(lang)["field"], labels(lang)["print_text"]
    steps = workflow_steps(manual, doc)
    role_label = lab["responsible"]
    forms_label = lab["forms"]
    sep = words["colon"]
    laid = []
    text_w = 0.0
    for s in steps:
        head = f"{s.number}. {s.title}"
        title_lines = wrap(head, WF_WIDTH_MAX, FONT_SIZE)
        detail = [f"{role_label}{sep}{s.role}"]
        if s.forms:
            names = words["names_sep"].join(words["cited_title"].format(title=f.title) for f in s.forms)
            detail.append(f"{forms_label}{sep}{names}")
        detail_lines = [ln for d in detail for ln in wrap(d, WF_WIDTH_MAX, SMALL)]
        widest = max([text_width(t, FONT_SIZE) for t in title_lines] +
                     [text_width(t, SMALL) for t in detail_lines])
        text_w = max(text_w, widest)
        h = WF_PAD * 2 + len(title_lines) * WF_LINE + len(detail_lines) * WF_SMALL_LINE
        laid.append((s, title_lines, detail_lines, h))
    box_w = max(text_w, 8 * FONT_SIZE) + 2 * WF_PAD + 8
    width = box_w + 2 * MARGIN
    height = sum(h for *_, h in laid) + WF_GAP * max(len(laid) - 1, 0) + 2 * MARGIN
    if not laid:
        height = 2 * MARGIN + BOX_H
    label = words["workflow_chart"] + f"：{doc.code} {doc.title}"
    parts = _svg_open(width, height, label, "workflow")
    cx = width / 2
    x0 = MARGIN
    y = MARGIN
    for i, (s, title_lines, detail_lines, h) in enumerate(laid):
        parts.append(f'<g class="step" data-step="{esc(s.id)}">')
        parts.append(f'<rect x="{_fmt(x0)}" y="{_fmt(y)}" width="{_fmt(box_w)}" height="{_fmt(h)}" rx="8" '
                     f'fill="{BOX_FILL}" stroke="{BOX_STROKE}" stroke-width="1.5"/>')
        ty = y + WF_PAD + FONT_SIZE
        for ln in title_lines:
            parts.append(_text(cx, ty, ln, weight="bold"))
            ty += WF_LINE
        ty += 1
        for ln in detail_lines:
            parts.append(_text(cx, ty, ln, size=SMALL, fill=LINE))
            ty += WF_SMALL_LINE
        parts.append("</g>")
        y += h
        if i < len(laid) - 1:
            tip = y + WF_GAP - 2
            parts.append(f'<path d="M{_fmt(cx)} {_fmt(y + 2)}V{_fmt(tip - 8)}" stroke="{LINE}" stroke-width="2" '
                         f'fill="none"/>')
            parts.append(f'<path d="M{_fmt(cx - 6)} {_fmt(tip - 9)}L{_fmt(cx)} {_fmt(tip)}L{_fmt(cx + 6)} '
                         f'{_fmt(tip - 9)}Z" fill="{LINE}"/>')
            y += WF_GAP
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
