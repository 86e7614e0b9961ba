"""Diagrams drawn from the data, as plain SVG text.

* ``orgchart_svg(manual)`` – the department's reporting tree from
  ``manual/roles.yaml`` (the department head at the root, the roles outside
  the department it reports to drawn above it in a dashed, grey box, the
  headcount in every box);
* ``workflow_svg(manual, doc)`` – a procedure's ``workflow:`` as a swimlane chart
  (流程图): one lane per role, each step in its role's lane, in order, joined by
  arrows, its forms noted on it.

Sizes are px at print size (12 px = 9 pt): the print publisher places the SVGs at their
natural size, so no text prints smaller than 9 pt.

Both are pure functions of the model: no script, no random ids, no
timestamps, so the same source gives byte-identical SVG.  The site inlines
them and the print publisher embeds the same text, so they print too.  All
text from the source is XML-escaped.  Box widths come from the text length
(a CJK character is about 1em wide, a Latin one about 0.6em).
"""
from __future__ import annotations

from xml.sax.saxutils import escape as _xml_escape

from ...common.textwidth import (  # noqa: F401  (re-exported: the diagrams' text helpers)
    NO_LINE_START, balanced_wrap, char_em, longest_word, text_width, tokens, wrap)
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


# -- workflow: a swimlane chart by role (流程图) ------------------------------------------
# Sizes in px at print size (1 px = 1/96 in, so 12 px = 9 pt): the chart is printed at its natural
# size on A4 (170 mm = 643 px between the margins), so no text is smaller than 9 pt.
PRINT_WIDTH = 640  # px: the widest chart that prints at natural size between A4 portrait margins
WF_TITLE = 12  # step title, bold
WF_NOTE = 12  # the forms noted on a step, and the lane headers (bold)
WF_LINE_H = 15
WF_PAD = 5
WF_GAP = 14  # vertical space between steps (holds the arrow)
LANE_MIN = 84
LANE_MAX = 200
LANE_HEAD_PAD = 7
LANE_FILLS = ("#f7f9fc", "#ffffff")
LANE_HEAD_FILL = "#dbe8f8"


def _lanes(steps) -> list[str]:
    """One lane per role, in the order the roles first act."""
    lanes: list[str] = []
    for s in steps:
        if s.role not in lanes:
            lanes.append(s.role)
    return lanes


def _lane_widths(lanes: list[str], steps, words: dict, heads: list[str] | None = None,
                 print_width: float = PRINT_WIDTH) -> list[float]:
    """Each lane's width: an equal share of the print width (LANE_MIN to LANE_MAX), widened where a
    word of its header or of a step in it would not fit its box whole (the other lanes give up the
    room, down to LANE_MIN): a word is never split."""
    heads = heads or lanes
    n = max(len(lanes), 1)
    base = max(LANE_MIN, min(LANE_MAX, (print_width - 2 * MARGIN) / n))
    need = []
    for role, head in zip(lanes, heads):
        texts = [f"{s.number}. {s.title}" for s in steps if s.role == role]
        texts += [words["cited_title"].format(title=f.title) for s in steps if s.role == role for f in s.forms]
        word = max([longest_word(t, WF_TITLE) for t in texts] + [0.0]) * 1.1  # bold
        need.append(max(LANE_MIN, word + 10 + 2 * WF_PAD + 1, longest_word(head, WF_NOTE) * 1.1 + 2 * LANE_HEAD_PAD + 1))
    if all(w <= base for w in need):
        return [base] * len(lanes)
    widths = [max(w, base) for w in need]
    spare = [i for i, w in enumerate(need) if w <= base]
    if spare:  # the lanes that need no more share what the wide ones leave
        share = (print_width - 2 * MARGIN - sum(widths[i] for i in range(len(lanes)) if i not in spare)) / len(spare)
        for i in spare:
            widths[i] = max(need[i], min(base, share))
    return widths


def workflow_svg(manual, doc, lang: str = "zh-CN") -> str:
    """The workflow of ``doc`` as one swimlane chart (the site's): see ``workflow_svgs``."""
    return workflow_svgs(manual, doc, lang)[0]


def workflow_svgs(manual, doc, lang: str = "zh-CN", print_width: float = PRINT_WIDTH,
                  max_height: float | None = None) -> list[str]:
    """The workflow of ``doc`` as a swimlane chart: one lane (column) per role, each step a box in
    its role's lane, the steps top to bottom in order, joined by arrows; the forms a step uses are
    noted in its box.  The table of steps above it in the outputs holds the descriptions.

    Laid out for ``print_width`` px (the text width of the page it prints on, so it is never scaled
    down), and cut into parts of at most ``max_height`` px (None: one part), split between steps:
    every part repeats the lane headers, the step numbers continue.  Lanes show the role's English
    name (roles.yaml ``en:``) in English."""
    words = labels(lang)["print_text"]
    steps = workflow_steps(manual, doc)
    lanes = _lanes(steps)
    names = [_role_name(manual.roles[r], lang) if r in manual.roles else r for r in lanes]
    widths = _lane_widths(lanes, steps, words, names, print_width)
    head_lines = [balanced_wrap(name, w - 2 * LANE_HEAD_PAD, WF_NOTE) for name, w in zip(names, widths)]
    head_h = max([len(h) for h in head_lines] + [1]) * WF_LINE_H + 2 * LANE_HEAD_PAD
    laid = []
    for s in steps:
        text_w = widths[lanes.index(s.role)] - 10 - 2 * WF_PAD
        title_lines = balanced_wrap(f"{s.number}. {s.title}", text_w, WF_TITLE)
        form_lines = [ln for f in s.forms
                      for ln in balanced_wrap(words["cited_title"].format(title=f.title), text_w, WF_NOTE)]
        h = 2 * WF_PAD + (len(title_lines) + len(form_lines)) * WF_LINE_H + (2 if form_lines else 0)
        laid.append((s, title_lines, form_lines, h))
    chunks: list[list] = [[]]
    room = None if max_height is None else max_height - 2 * MARGIN - head_h - WF_GAP
    used = 0.0
    for item in laid:
        if room is not None and chunks[-1] and used + item[3] + WF_GAP > room:
            chunks.append([])
            used = 0.0
        chunks[-1].append(item)
        used += item[3] + WF_GAP
    label = words["workflow_chart"] + f"：{doc.code} {doc.title}"
    order = words["list_sep"].join(f"{s.number}. {s.title}（{names[lanes.index(s.role)]}）" if lang != "en" else
                                   f"{s.number}. {s.title} ({names[lanes.index(s.role)]})" for s in steps)
    return [_swimlane(chunk, lanes, names, widths, head_lines, head_h, label, order) for chunk in chunks]


def _swimlane(laid, lanes, names, widths, head_lines, head_h, label, order) -> str:
    """One part of a swimlane chart: all the lanes, the steps of ``laid``."""
    lefts = [MARGIN + (i * widths[0] if len(set(widths)) == 1 else sum(widths[:i])) for i in range(len(lanes))]
    width = sum(widths) + 2 * MARGIN
    body_h = sum(h for *_, h in laid) + WF_GAP * (len(laid) + 1)
    height = MARGIN * 2 + head_h + body_h
    parts = _svg_open(width, height, label, "workflow")
    parts.append(f"<desc>{esc(order)}</desc>")

    def lane_x(role: str) -> float:
        return lefts[lanes.index(role)]

    top = MARGIN + head_h
    for i, role in enumerate(lanes):
        x, lane_w = lane_x(role), widths[i]
        parts.append(f'<g class="lane" data-role="{esc(role)}">')
        parts.append(f'<rect x="{_fmt(x)}" y="{_fmt(MARGIN)}" width="{_fmt(lane_w)}" height="{_fmt(head_h)}" '
                     f'fill="{LANE_HEAD_FILL}" stroke="{LINE}" stroke-width="1"/>')
        parts.append(f'<rect x="{_fmt(x)}" y="{_fmt(top)}" width="{_fmt(lane_w)}" height="{_fmt(body_h)}" '
                     f'fill="{LANE_FILLS[i % 2]}" stroke="{LINE}" stroke-width="1"/>')
        ty = MARGIN + LANE_HEAD_PAD + WF_NOTE
        ty += (head_h - 2 * LANE_HEAD_PAD - len(head_lines[i]) * WF_LINE_H) / 2
        for ln in head_lines[i]:
            parts.append(_text(x + lane_w / 2, ty, ln, size=WF_NOTE, weight="bold"))
            ty += WF_LINE_H
        parts.append("</g>")

    y = top + WF_GAP
    placed = []
    for s, title_lines, form_lines, h in laid:
        lane_w = widths[lanes.index(s.role)]
        box_w = lane_w - 10
        cx = lane_x(s.role) + lane_w / 2
        x0 = cx - box_w / 2
        parts.append(f'<g class="step" data-step="{esc(s.id)}" data-role="{esc(s.role)}">')
        parts.append(f'<rect x="{_fmt(x0)}" y="{_fmt(y)}" width="{_fmt(box_w)}" height="{_fmt(h)}" rx="5" '
                     f'fill="{BOX_FILL}" stroke="{BOX_STROKE}" stroke-width="1.2"/>')
        ty = y + WF_PAD + WF_TITLE - 1
        for ln in title_lines:
            parts.append(_text(cx, ty, ln, size=WF_TITLE, weight="bold"))
            ty += WF_LINE_H
        ty += 2
        for ln in form_lines:
            parts.append(_text(cx, ty, ln, size=WF_NOTE, fill=BOX_STROKE))
            ty += WF_LINE_H
        parts.append("</g>")
        placed.append((cx, y, y + h))
        y += h + WF_GAP
    for (cx, _, bottom), (nx, ntop, _) in zip(placed, placed[1:]):
        style = f'stroke="{LINE}" stroke-width="1.5" fill="none"'
        if abs(cx - nx) < 0.5:
            d = f"M{_fmt(cx)} {_fmt(bottom)}V{_fmt(ntop - 6)}"
        else:
            mid = bottom + WF_GAP / 2
            d = f"M{_fmt(cx)} {_fmt(bottom)}V{_fmt(mid)}H{_fmt(nx)}V{_fmt(ntop - 6)}"
        parts.append(f'<path class="flow" d="{d}" {style}/>')
        parts.append(f'<path d="M{_fmt(nx - 4.5)} {_fmt(ntop - 7)}L{_fmt(nx)} {_fmt(ntop)}L{_fmt(nx + 4.5)} '
                     f'{_fmt(ntop - 7)}Z" fill="{LINE}"/>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
