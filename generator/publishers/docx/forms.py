"""The forms of the manual's appendix in the DOCX: the PDF's ruled grid, one form to a sheet.

The same view model as the printed and fillable forms (``publishers/forms/spec.py``): the form's
sections as shaded bars, its fields as label and value cells on a grid of four (eight columns: label,
value, label, value …), a field spanning more units merges value cells, check boxes and options drawn
as ☐, a line to sign on with its date, and a table field as a real table with its header and empty
numbered rows to fill in.  Registers (``paper: A4-landscape``) stand in a landscape section.

The columns are fitted to their text (``fit.py``, by real glyph widths): the label column to the form's
labels as the PDF's (``spec.label_column``'s rule), a table's columns widened to their headers; each label
and header is written in the lines ``fit.fit`` gives, joined by line breaks, so that Word and LibreOffice
break none of them again; an option wider than its cell is set smaller.  The standalone form DOCX
(``forms/docx.py``) uses the same measures.
"""
from __future__ import annotations

from ...model import Form
from ..forms.spec import form_context
from .fit import MIN_SIZE, SLACK_PT, Face, column_widths, fit, label_width
from .typeset import CELL_MARGIN_PT, SERIF_LATIN, SYMBOLS, W, geometry, paragraph_unit, table_units
from .xml import el, parse_w, qn

LABEL_FILL, SECTION_FILL = "F0F0F0", "D9D9D9"
ROW_MM, SIGN_MM, HEAD_MM = 7.0, 11.0, 7.5
MIN_ROW_MM = 5.0  # the lowest a register's empty row goes to keep the form on one sheet
RESERVE_PT = 4.0  # the 1 pt paragraph that ends the section, and a margin of error
GROW_SPARE_MM = 4.0  # left free under a register's rows added to fill its sheet
TWIPS_PER_MM = 1440 / 25.4
PT_PER_MM = 72 / 25.4
TEXT_PT = 9.5  # the Table Text style
FACE = Face((SERIF_LATIN,))  # Table Text's Latin font (LibreOffice: what fontconfig gives for it)


def _tw(mm: float) -> int:
    return int(round(mm * TWIPS_PER_MM))


class _Cell:
    __slots__ = ("span", "fill", "center", "fill_in")

    def __init__(self, span: int = 1, fill: str = "", center: bool = False, fill_in=None):
        self.span, self.fill, self.center, self.fill_in = span, fill, center, fill_in


def _table(writer, widths_mm: list[float], rows: list[tuple[float, bool, list[_Cell]]], size: float):
    """A ruled table: ``rows`` of (height mm, header row, cells); each cell's ``fill_in(paragraph)`` writes
    its content.  Rows never split; header rows repeat on a new page and keep with the next row."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    tbl = el("w:tbl")
    tblpr = el("w:tblPr")
    tblpr.append(el("w:tblStyle", w__val="TableGrid"))
    tblpr.append(el("w:tblW", w__w=str(sum(_tw(w) for w in widths_mm)), w__type="dxa"))
    tblpr.append(el("w:tblLayout", w__type="fixed"))
    tbl.append(tblpr)
    grid = el("w:tblGrid")
    for w in widths_mm:
        grid.append(el("w:gridCol", w__w=str(_tw(w))))
    tbl.append(grid)
    writer._insert(tbl)
    table = Table(tbl, writer.doc._body)
    for height, head, cells in rows:
        markup = ['<w:tr><w:trPr><w:cantSplit/>' + ('<w:tblHeader/>' if head else "")
                  + f'<w:trHeight w:val="{_tw(height)}" w:hRule="atLeast"/></w:trPr>']
        col = 0
        for c in cells:
            width = sum(_tw(w) for w in widths_mm[col:col + c.span])
            col += c.span
            span = f'<w:gridSpan w:val="{c.span}"/>' if c.span > 1 else ""
            shade = f'<w:shd w:val="clear" w:color="auto" w:fill="{c.fill}"/>' if c.fill else ""
            jc = '<w:jc w:val="center"/>' if c.center else ""
            keep = "<w:keepNext/>" if head else ""
            markup.append(f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{span}{shade}<w:vAlign w:val="center"/>'
                          f'</w:tcPr><w:p><w:pPr><w:pStyle w:val="TableText"/>{keep}{jc}</w:pPr></w:p></w:tc>')
        markup.append("</w:tr>")
        tr = parse_w("".join(markup))
        for c, tc in zip(cells, tr.iterchildren(qn("w:tc"))):
            if c.fill_in is not None:
                c.fill_in(Paragraph(tc[1], table))
        tbl.append(tr)
    return table


def _box(writer, p, checked: bool = False, size: float | None = None):
    r = writer.run(p, "☑" if checked else "☐", size=size)
    rpr = r.find(qn("w:rPr"))
    if rpr is None:
        rpr = el("w:rPr")
        r.insert(0, rpr)
    rpr.insert(0, el("w:rFonts", w__ascii=SYMBOLS, w__hAnsi=SYMBOLS, w__eastAsia=SYMBOLS, w__cs=SYMBOLS))


def label_text(text: str, width_pt: float, required: bool = False, *, bold: bool = False, size: float = TEXT_PT,
               face: Face = FACE) -> tuple[str, float]:
    """A label in a column ``width_pt`` wide: its lines (``fit.fit``) joined by line breaks, and the size
    they are set in (``size``, or smaller where they must be), so that the word processor breaks none again."""
    star = face.width("*", size) if required else 0.0
    lines, fitted = fit(text, width_pt - 2 * CELL_MARGIN_PT, size, face, bold=bold, tail=star)
    return "\n".join(lines), fitted


def option_rows(options: list[str], width_pt: float, gap: str, size: float = TEXT_PT,
                face: Face = FACE) -> tuple[list[list[int]], float]:
    """The options of a choice (☐ and its text, kept together) packed into lines of a value cell
    ``width_pt`` wide, as the PDF packs them: (the indexes of the options on each line, the size they are
    set in: ``size``, or smaller, down to ``fit.MIN_SIZE``, where an option is wider than the cell)."""
    avail = width_pt - 2 * CELL_MARGIN_PT - SLACK_PT

    def wide(option: str, s: float) -> float:
        return s + face.width("\u00a0" + option, s)  # the box is drawn one em wide at most

    widest = max((wide(o, size) for o in options), default=0.0)
    if widest > avail:
        size = max(MIN_SIZE, int(2 * size * avail / widest) / 2)
    rows: list[list[int]] = []
    used = 0.0
    for i, option in enumerate(options):
        w = wide(option, size)
        if rows and used + face.width(gap, size) + w <= avail:
            rows[-1].append(i)
            used += face.width(gap, size) + w
        else:
            rows.append([i])
            used = w
    return rows, size


def _label(writer, text: str, required: bool, bold: bool = False, width_pt: float = 0.0):
    """A label's text; in a column ``width_pt`` wide, in the lines of ``label_text``."""
    def fill(p):
        content, size = text, None
        if width_pt:
            content, fitted = label_text(text, width_pt, required, bold=bold)
            size = fitted if fitted != TEXT_PT else None
        writer.run(p, content, bold=bold, size=size)
        if required:
            writer.run(p, "*", color="CC0000", size=size)
    return fill


def _value(writer, c: dict, words: dict, width_pt: float = 0.0):
    kind = c["kind"]

    def fill(p):
        if kind in ("choice", "multichoice"):
            labels = [o["label"] for o in c["options"]]
            rows, fitted = option_rows(labels, width_pt, words["gap"]) if width_pt \
                else ([list(range(len(labels)))], TEXT_PT)
            size = fitted if fitted != TEXT_PT else None
            for r, row in enumerate(rows):
                if r:
                    writer.run(p, "\n", size=size)
                for k, i in enumerate(row):
                    if k:
                        writer.run(p, words["gap"], size=size)
                    _box(writer, p, c["options"][i]["checked"], size=size)
                    writer.run(p, f"\u00a0{labels[i]}", size=size)
        elif kind == "signature":
            writer.run(p, "\u3000" * (6 if c["span"] == 1 else 9), underline=True)
            writer.run(p, f"{words['gap']}{words['date']}{words['colon']}")
            writer.run(p, (c.get("date_value") or "") or "\u3000" * 5, underline=True)
        elif c.get("value"):
            writer.run(p, str(c["value"]))
    return fill


def grid_widths(ctx: dict, width_mm: float, size: float = TEXT_PT, face: Face = FACE) -> list[float]:
    """The 8 columns (mm) of a form's grid: a label column fitted to the form's labels (``fit.label_width``)
    and its value column, four times."""
    cells = [c for b in ctx["blocks"] if b["kind"] == "grid" for row in b["rows"] for c in row
             if c["kind"] not in ("section", "checkbox")]
    star = face.width("*", size)
    pair = width_mm * PT_PER_MM / 4
    label = label_width([c["label"] for c in cells], pair, size, face, star, spans=[c["span"] for c in cells])
    return [label / PT_PER_MM, (pair - label) / PT_PER_MM] * 4


def table_widths(block: dict, words: dict, width_mm: float, size: float = TEXT_PT, face: Face = FACE) -> list[float]:
    """A table field's columns (mm): the number, then the declared proportions widened to the headers."""
    headers = [words["no"]] + [col["label"] for col in block["columns"]]
    weights = [block["no_width"]] + [col["pct"] for col in block["columns"]]
    return [w / PT_PER_MM for w in column_widths(headers, weights, width_mm * PT_PER_MM, size, face)]


def write_form(writer, form: Form, width_mm: float) -> None:
    """The form's grid and tables after its heading, ``width_mm`` wide."""
    ctx = form_context(writer.manual, form, None, mode="static", lang=writer.lang)
    words = ctx["lab"]
    p = writer.para(size=9, space_after=3)
    p.paragraph_format.keep_with_next = True
    if ctx["instructions"]:
        writer.run(p, f"{words['instructions']}{words['colon']}{ctx['instructions']}", size=9)
        writer.run(p, "\n")
    writer.run(p, f"{words['code']}{words['colon']}{ctx['code']}{words['gap']}"
                  f"{words['version']}{words['colon']}{ctx['version']}", size=9, color="4B5563")
    grid = grid_widths(ctx, width_mm)
    label_pt = grid[0] * PT_PER_MM
    for n, block in enumerate(ctx["blocks"]):
        if n:
            writer.spacer(keep_next=True)
        if block["kind"] == "grid":
            rows = []
            for row in block["rows"]:
                cells, height = [], ROW_MM
                for c in row:
                    if c["kind"] == "section":
                        cells.append(_Cell(8, SECTION_FILL, fill_in=_label(writer, c["label"], False, bold=True)))
                        continue
                    if c["kind"] == "checkbox":
                        def fill(p, c=c):
                            _box(writer, p, c["checked"])
                            _label(writer, f" {c['label']}", c["required"])(p)
                        cells.append(_Cell(2 * c["span"], fill_in=fill))
                        continue
                    cells.append(_Cell(1, LABEL_FILL, center=True,
                                       fill_in=_label(writer, c["label"], c["required"], width_pt=label_pt)))
                    value_pt = sum(grid[1:2 * c["span"]]) * PT_PER_MM
                    cells.append(_Cell(2 * c["span"] - 1, fill_in=_value(writer, c, words, value_pt)))
                    if c["kind"] == "multiline":
                        height = max(height, c["height"])
                    elif c["kind"] == "signature":
                        height = max(height, SIGN_MM)
                rows.append((height, False, cells))
            # a grid's rows keep together (the form is one sheet): every row but the last keeps with the next
            t = _table(writer, grid, rows, TEXT_PT)
            for tr in t._tbl.findall(qn("w:tr"))[:-1]:
                _keep_row(tr)
        elif block["kind"] == "table":
            widths = table_widths(block, words, width_mm)
            bar = _Cell(len(widths), LABEL_FILL, fill_in=_label(writer, block["label"], block["required"], bold=True))
            head = [_Cell(1, LABEL_FILL, center=True, fill_in=_label(writer, text, False, width_pt=w * PT_PER_MM))
                    for text, w in zip([words["no"]] + [col["label"] for col in block["columns"]], widths)]
            rows = [(ROW_MM, True, [bar]), (HEAD_MM, True, head)]
            for row in block["rows"]:
                cells = [_Cell(1, center=True, fill_in=_label(writer, str(row["no"]), False))]
                cells += [_Cell(1, fill_in=_value(writer, {"kind": "text", "value": d["value"]}, words))
                          for d in row["cells"]]
                rows.append((ROW_MM, False, cells))
            _table(writer, widths, rows, TEXT_PT)


def _keep_row(tr) -> None:
    for ppr in tr.iter(qn("w:pPr")):
        if ppr.find(qn("w:keepNext")) is None:
            style = ppr.find(qn("w:pStyle"))
            (style.addnext if style is not None else (lambda e: ppr.insert(0, e)))(el("w:keepNext"))


def fit_page(first, section, *, grow: bool = False) -> None:
    """Keep a form on one sheet: when what follows ``first`` (its heading) is estimated taller than the
    page of ``section`` (``typeset``'s measures), the empty rows of its tables get lower, to ``MIN_ROW_MM``
    at the lowest.  ``grow`` (a register): when the page has room left, its table gets as many more empty
    numbered rows as fill it (as the PDF's register fills its sheet), ``GROW_SPARE_MM`` kept free for what
    the estimate may miss."""
    geo = geometry(section)
    blocks, el_ = [], first
    while el_ is not None and el_ is not section:
        blocks.append(el_)
        el_ = el_.getnext()
    total, fillable = 0.0, []
    for n, block in enumerate(blocks):
        if block.tag == W + "p":
            u = paragraph_unit(block, geo.width)
            total += u.height + u.after
        elif block.tag == W + "tbl":
            rows = block.findall(W + "tr")
            for tr, u in zip(rows, table_units(block, n + 1)):
                total += u.height
                if not u.header and all(not "".join(t.text or "" for t in tc.iter(W + "t")).strip()
                                        for tc in tr.findall(W + "tc")[1:]) and block.find(W + "tr/" + W + "trPr/"
                                                                                     + W + "tblHeader") is not None:
                    fillable.append(tr)
    excess = total + RESERVE_PT - geo.height
    if excess <= 0 and grow and fillable:
        _grow(fillable, int((-excess - GROW_SPARE_MM * PT_PER_MM) // max(_row_pt(fillable[-1]), 1.0)))
        return
    if excess <= 0 or not fillable:
        return
    for tr in fillable:  # each row lower than it is now (a register's rows may be lower than ROW_MM already)
        height = tr.find(W + "trPr/" + W + "trHeight")
        if height is not None:
            now = int(height.get(W + "val")) / 20
            row_pt = min(now, max(MIN_ROW_MM * 72 / 25.4, now - excess / len(fillable)))
            height.set(W + "val", str(int(round(row_pt * 20))))


def _row_pt(tr) -> float:
    height = tr.find(W + "trPr/" + W + "trHeight")
    return int(height.get(W + "val")) / 20 + 0.5 if height is not None else ROW_MM * PT_PER_MM  # + its rule


def _grow(fillable: list, extra: int) -> None:
    """``extra`` more rows after the last of ``fillable`` (empty numbered rows of a register), numbered on."""
    import copy

    last = fillable[-1]
    texts = [t for t in last.findall(W + "tc")[0].iter(W + "t")]
    number = int(texts[0].text) if texts and (texts[0].text or "").strip().isdigit() else 0
    for k in range(1, max(extra, 0) + 1):
        tr = copy.deepcopy(last)
        t = next(tr.findall(W + "tc")[0].iter(W + "t"), None)
        if t is not None and number:
            t.text = str(number + k)
        last.addnext(tr)
        last = tr
