"""Printable Word forms (python-docx): the same ruled grid as the PDF.

- Real tables with ruled lines (the template's "Table Grid" style), label
  cells shaded, section bars darker; ☐ before every option and check box; a
  blank line to sign on and a date line beside it.
- East Asian fonts: the default template's theme-font attributes
  (``w:asciiTheme`` …) override an explicit ``w:eastAsia``, so they are
  removed from every style and the document defaults, Noto Sans CJK SC is
  set, and the East Asian language is zh-CN.
- The footer of every page carries the form's code and version, and the page
  number.
- Columns fitted to their text as the manual's appendix fits them (``docx/forms.py``, ``docx/fit.py``):
  the label column to the form's labels, table columns to their headers, each label written in its
  own lines (never one character alone, never half a Latin word), measured by real glyph widths.
- One sheet: every line has an exact height, so the sheet's height is known before Word lays it out;
  a register's empty rows get lower where the form would run over (``docx/forms.fit_page``).
- Reproducible: core properties pinned to the manual's date, zip entries
  rewritten with fixed times (``generator.outputs.normalize_zip``).
"""
from __future__ import annotations

import datetime as dt
import io

from ...common.outputs import normalize_zip
from ...model import Form, Manual
from ..docx.fit import Face
from ..docx.forms import fit_page, grid_widths, label_text, option_rows, table_widths
from ..docx.xml import el as _el, qn as _qn, set_lang as _set_lang, set_rfonts as _set_rfonts
from .spec import footer_text, form_context, paper, register_table

FONT = "Noto Sans CJK SC"
SYMBOL_FONT = "DejaVu Sans"  # ☐ ☑ are drawn from it where the CJK font lacks them
BOX = "☐"
PAPER_MM = {"A4": (210, 297), "A5": (148, 210)}
MARGIN_MM = 15
LABEL_SHADE, SECTION_SHADE = "F0F0F0", "D9D9D9"
TEXT_PT, LINE_PT = 10, 15  # the text of the grid and its exact line height
FACE = Face((FONT,))  # the Latin letters' font (LibreOffice: what fontconfig gives for it)
PT_PER_MM = 72 / 25.4


def _setup(document) -> None:
    from docx.shared import Pt

    styles = document.styles.element
    rpr = styles.find(_qn("w:docDefaults")).find(_qn("w:rPrDefault")).find(_qn("w:rPr"))
    _set_rfonts(rpr, FONT)
    _set_lang(rpr)
    for rfonts in list(styles.iter(_qn("w:rFonts"))):  # every style, table style parts included
        _set_rfonts(rfonts.getparent(), FONT)
    for name in ("Normal", "Table Grid", "Footer", "Header"):
        _set_rfonts(document.styles[name].element.get_or_add_rPr(), FONT)
    normal = document.styles["Normal"]
    normal.font.size = Pt(10)
    fmt = normal.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(LINE_PT)  # exact: the sheet's height does not depend on the font that draws it
    for name in ("Footer", "Header"):  # the template's centre and right tabs would catch our tab
        ppr = document.styles[name].element.get_or_add_pPr()
        for tabs in ppr.findall(_qn("w:tabs")):
            ppr.remove(tabs)
    settings = document.settings.element
    theme_lang = settings.find(_qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(_qn("w:eastAsia"), "zh-CN")


def _run(paragraph, text: str, *, size=None, bold=False, color=None, underline=False):
    from docx.shared import Pt, RGBColor

    run = paragraph.add_run(text)
    if size:
        run.font.size = Pt(size)
    if bold:
        run.font.bold = True
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    if underline:
        run.font.underline = True
    return run


def _box(paragraph, checked: bool = False, size=None):
    run = _run(paragraph, "☑" if checked else BOX, size=size)
    _set_rfonts(run._element.get_or_add_rPr(), SYMBOL_FONT)
    return run


def _shade(cell, fill: str) -> None:
    tcpr = cell._element.get_or_add_tcPr()
    tcpr.append(_el("w:shd", w__val="clear", w__color="auto", w__fill=fill))


def _valign(cell) -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT

    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _row_height(row, mm: float) -> None:
    from docx.enum.table import WD_ROW_HEIGHT_RULE
    from docx.shared import Mm

    row.height = Mm(mm)
    row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
    trpr = row._tr.get_or_add_trPr()
    if trpr.find(_qn("w:cantSplit")) is None:
        trpr.append(_el("w:cantSplit"))


def _table(document, widths_mm: list[float], nrows: int):
    from docx.shared import Mm

    table = document.add_table(rows=nrows, cols=len(widths_mm))
    table.style = document.styles["Table Grid"]
    table.autofit = False
    tblpr = table._tbl.tblPr
    layout = _el("w:tblLayout", w__type="fixed")
    tblpr.append(layout)
    for col, width in zip(table.columns, widths_mm):
        col.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm):
            cell.width = Mm(width)
    return table


def _spacer(document):
    from docx.shared import Pt

    p = document.add_paragraph()
    p.paragraph_format.space_after = Pt(0)
    _run(p, "", size=1)
    p.paragraph_format.line_spacing = Pt(1)
    return p


def _text_cell(cell, text: str, *, bold=False, center=False, size=None, required=False, width_mm: float = 0.0):
    """A cell of text; a label or header in a column ``width_mm`` wide in the lines ``label_text`` fits."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    p = cell.paragraphs[0]
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if width_mm:
        text, fitted = label_text(text, width_mm * PT_PER_MM, required, bold=bold, size=TEXT_PT, face=FACE)
        size = fitted if fitted != TEXT_PT else size
    for i, line in enumerate(text.split("\n")):
        if i:
            p.add_run().add_break()
        _run(p, line, bold=bold, size=size)
    if required:
        _run(p, "*", color="CC0000", size=size)
    _valign(cell)


def _value_cell(cell, c: dict, words: dict, width_mm: float) -> None:
    p = cell.paragraphs[0]
    kind = c["kind"]
    if kind in ("choice", "multichoice"):
        rows, fitted = option_rows([o["label"] for o in c["options"]], width_mm * PT_PER_MM, words["gap"], TEXT_PT,
                                   FACE)
        size = fitted if fitted != TEXT_PT else None
        for r, row in enumerate(rows):
            if r:
                p.add_run().add_break()
            for k, i in enumerate(row):
                if k:
                    _run(p, words["gap"], size=size)
                _box(p, c["options"][i]["checked"], size=size)
                _run(p, f"\u00a0{c['options'][i]['label']}", size=size)
    elif kind == "signature":
        narrow = c["span"] == 1  # a narrow cell: the line to sign on above, the date below
        _run(p, "\u3000" * (6 if narrow else 9), underline=True)
        if narrow:
            from docx.shared import Pt

            p = cell.add_paragraph()
            p.paragraph_format.space_before = Pt(2)
            _run(p, f"{words['date']}{words['colon']}", size=8.5)
            _run(p, (c.get("date_value") or "") or "\u3000" * 4, underline=True, size=8.5)
        else:
            _run(p, f"{words['gap']}{words['date']}{words['colon']}")
            _run(p, (c.get("date_value") or "") or "\u3000" * 6, underline=True)
    elif c.get("value"):
        _run(p, str(c["value"]))
    _valign(cell)


def form_docx(manual: Manual, form: Form, *, lang: str = "zh-CN", values: dict | None = None) -> bytes:
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
    from docx.shared import Mm, Pt

    ctx = form_context(manual, form, values, mode="static", lang=lang)
    words = ctx["lab"]
    document = docx.Document()
    _setup(document)

    size = paper(form)
    short, long_ = PAPER_MM["A5" if size.startswith("A5") else "A4"]
    landscape = size.endswith("landscape")
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (Mm(long_), Mm(short)) if landscape else (Mm(short), Mm(long_))
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Mm(MARGIN_MM))
    section.top_margin, section.bottom_margin = Mm(12), Mm(14)
    section.header_distance, section.footer_distance = Mm(6), Mm(7)
    width = (long_ if landscape else short) - 2 * MARGIN_MM

    # Footer: code and version on the left, page x / y on the right.
    foot = section.footer.paragraphs[0]
    foot.paragraph_format.tab_stops.add_tab_stop(Mm(width), WD_TAB_ALIGNMENT.RIGHT)
    _run(foot, footer_text(form, lang), size=8)
    _run(foot, "\t", size=8)
    page_words = words["page"].split("{n}"), words["pages"].split("{n}")
    _run(foot, page_words[0][0], size=8)
    _field(foot, "PAGE", size=8)
    _run(foot, page_words[0][1] + " / " + page_words[1][0], size=8)
    _field(foot, "NUMPAGES", size=8)
    _run(foot, page_words[1][1], size=8)

    # Header block: company, title, English title, instructions and identification.
    head = document.paragraphs[0] if document.paragraphs else document.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if ctx["company"]:
        _run(head, ctx["company"], size=11)
    head.paragraph_format.line_spacing = Pt(16)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_before = Pt(2)
    _run(title, ctx["title"], size=18, bold=True)
    title.paragraph_format.line_spacing = Pt(26)
    if ctx["title_en"]:
        en = document.add_paragraph()
        en.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(en, ctx["title_en"], size=8.5, color="444444")
        en.paragraph_format.line_spacing = Pt(12)
    ident = document.add_paragraph()
    ident.paragraph_format.space_before = Pt(4)
    ident.paragraph_format.space_after = Pt(3)
    ident.paragraph_format.line_spacing = Pt(14)
    ident.paragraph_format.tab_stops.add_tab_stop(Mm(width), WD_TAB_ALIGNMENT.RIGHT)
    if ctx["instructions"]:
        _run(ident, f"{words['instructions']}{words['colon']}{ctx['instructions']}", size=9)
    _run(ident, f"\t{words['code']}{words['colon']}{ctx['code']}{words['gap']}"
                f"{words['version']}{words['colon']}{ctx['version']}", size=9)

    grid = grid_widths(ctx, width, TEXT_PT, FACE)
    first = True
    for block in ctx["blocks"]:
        if not first:
            _spacer(document)
        first = False
        if block["kind"] == "grid":
            table = _table(document, grid, len(block["rows"]))
            for r, row in enumerate(block["rows"]):
                trow = table.rows[r]
                _row_height(trow, 7)
                col = 0
                for c in row:
                    if c["kind"] == "section":
                        cell = trow.cells[0].merge(trow.cells[7])
                        _text_cell(cell, c["label"], bold=True)
                        _shade(cell, SECTION_SHADE)
                        _row_height(trow, 7)
                        continue
                    if c["kind"] == "checkbox":
                        cell = trow.cells[col].merge(trow.cells[col + 2 * c["span"] - 1])
                        p = cell.paragraphs[0]
                        _box(p, c["checked"])
                        _run(p, f" {c['label']}")
                        if c["required"]:
                            _run(p, "*", color="CC0000")
                        _valign(cell)
                        col += 2 * c["span"]
                        continue
                    label = trow.cells[col]
                    _text_cell(label, c["label"], center=True, required=c["required"], width_mm=grid[0])
                    _shade(label, LABEL_SHADE)
                    value = trow.cells[col + 1]
                    if c["span"] > 1:
                        value = value.merge(trow.cells[col + 2 * c["span"] - 1])
                    _value_cell(value, c, words, sum(grid[1:2 * c["span"]]))
                    if c["kind"] == "multiline":
                        _row_height(trow, max(7, c["height"]))
                    elif c["kind"] == "signature":
                        _row_height(trow, 11)
                    col += 2 * c["span"]
        elif block["kind"] == "table":
            widths = table_widths(block, words, width, TEXT_PT, FACE)
            table = _table(document, widths, len(block["rows"]) + 2)
            bar = table.rows[0].cells[0].merge(table.rows[0].cells[len(widths) - 1])
            _text_cell(bar, block["label"], bold=True, required=block["required"])
            _shade(bar, LABEL_SHADE)
            _row_height(table.rows[0], 7)
            head_row = table.rows[1]
            _row_height(head_row, 7.5)
            for cell, text, w in zip(head_row.cells, [words["no"]] + [c["label"] for c in block["columns"]], widths):
                _text_cell(cell, text, center=True, width_mm=w)
                _shade(cell, LABEL_SHADE)
            _repeat_header(table.rows[0])
            _repeat_header(head_row)
            for r, row in enumerate(block["rows"]):
                trow = table.rows[r + 2]
                _row_height(trow, min(7, block["row_height"] or 7))
                _text_cell(trow.cells[0], str(row["no"]), center=True)
                for cell, data in zip(trow.cells[1:], row["cells"]):
                    if data["value"]:
                        _text_cell(cell, data["value"])
                    _valign(cell)

    _spacer(document)  # the paragraph a body must end with: 1 pt, not a line that could take a page of its own
    _exact_lines(document, head._p)
    fit_page(head._p, section._sectPr, grow=register_table(form) is not None)

    props = document.core_properties
    when = _edition_datetime(manual, form)
    props.title = f"{form.code} {form.title}"
    props.subject = footer_text(form, lang)
    props.author = manual.company
    props.last_modified_by = manual.company
    props.comments = ""
    props.keywords = form.id
    props.revision = 1
    props.created = props.modified = when
    props.last_printed = when
    out = io.BytesIO()
    document.save(out)
    stamp = (when.year, when.month, when.day, 0, 0, 0) if when.year >= 1980 else (1980, 1, 1, 0, 0, 0)
    return normalize_zip(out.getvalue(), date_time=stamp)


def _exact_lines(document, first) -> None:
    """Every paragraph from ``first`` on, in the body and its tables, with an exact line height (its own,
    or ``LINE_PT``) and its spacing written out: what ``docx.typeset`` measures the sheet with."""
    from docx.shared import Pt

    body = document.element.body
    for p in body.iter(_qn("w:p")):
        ppr = p.get_or_add_pPr()
        spacing = ppr.find(_qn("w:spacing"))
        if spacing is None:
            spacing = _el("w:spacing")
            ppr.append(spacing)
        for attr in ("w:before", "w:after"):
            if spacing.get(_qn(attr)) is None:
                spacing.set(_qn(attr), "0")
        if spacing.get(_qn("w:lineRule")) != "exact":
            spacing.set(_qn("w:line"), str(int(Pt(LINE_PT).twips)))
            spacing.set(_qn("w:lineRule"), "exact")


def _repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    trpr.append(_el("w:tblHeader"))


def _field(paragraph, code: str, *, size=None) -> None:
    """A Word field (PAGE, NUMPAGES) with a placeholder result."""
    from docx.shared import Pt

    def run_with(el):
        r = paragraph.add_run()
        if size:
            r.font.size = Pt(size)
        r._r.append(el)
        return r

    run_with(_el("w:fldChar", w__fldCharType="begin"))
    instr = _el("w:instrText")
    instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    instr.text = f" {code} "
    run_with(instr)
    run_with(_el("w:fldChar", w__fldCharType="separate"))
    r = paragraph.add_run("1")
    if size:
        r.font.size = Pt(size)
    run_with(_el("w:fldChar", w__fldCharType="end"))


def _edition_datetime(manual: Manual, form: Form) -> dt.datetime:
    for value in (form.effective, manual.date):
        if isinstance(value, dt.datetime):
            return value.replace(tzinfo=None)
        if isinstance(value, dt.date):
            return dt.datetime(value.year, value.month, value.day)
    return dt.datetime(2000, 1, 1)
