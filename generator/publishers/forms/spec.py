"""The printed form's view model: its fields placed on a 4-column grid, and the data every
output draws (the HTML page and the PDF through ``html``, the DOCX through ``docx``).

``layout(form)`` packs a form's sections and fields into blocks of ruled rows;
``form_context(manual, form, values)`` turns them into plain data: header, blocks of
cells (each with its field names from ``generator.model.formspec`` and the value to show),
footer.  Values that a person gives (a CSV row, a test) are read here too:
``truthy`` for a check box, ``split_choices`` for a multichoice.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field as dc_field

from ...labels import labels
from ...model import Field, Form, Manual, formspec

GRID = 4  # a form row is 4 units wide
FULL_WIDTH = ("multiline", "table")
PAPER = {  # @page size, content width in mm (15 mm margins)
    "A4": ("A4", 180), "A4-landscape": ("A4 landscape", 267),
    "A5": ("A5", 118), "A5-landscape": ("A5 landscape", 180),
}
SHEET_SIZE = {"A4": (210, 297), "A4-landscape": (297, 210), "A5": (148, 210), "A5-landscape": (210, 148)}  # mm
SHEET_MARGIN = (12, 15, 14, 15)  # mm: top, right, bottom, left of a form's sheet, standalone and in the manual
MODES = ("html", "pdf", "static")
TABLE_NO_WIDTH = 7  # % of the table's width for the row number

# What the sheet's heights are made of, in mm, as templates/forms/form.css draws them (the font is
# 10 pt = 3.53 mm; a line is 1.35 of it).  ``sheet_rows`` adds them up to fit a register to its page;
# tests/test_layout_audit.py renders every form and holds the sum above the laid-out height.
PT = 25.4 / 72
FONT_PT = 10
LINE = FONT_PT * PT * 1.35  # one line of 10 pt text
CELL_PAD = 0.8  # a cell's top and bottom padding
ROW = 7.6  # a ruled row (min-height of a cell)
MIN_ROW = 6.0  # a register's rows shrink down to this to keep the rows it declares
SECTION_ROW = 7.0
TABLE_TITLE_ROW = 7.0
TABLE_HEAD_ROW = 7.5
SIGNATURE_ROW = 11.0
SIGNATURE_NARROW_ROW = 15.0
LABEL_PAD = 2.4 + 2.0  # a label cell's side padding and the required star
LABEL_ONE_LINE = 6  # labels up to this many em stay on one line; longer ones take two balanced lines

CHOICE_SEPARATORS = re.compile(r"\s*[;；、|\n]\s*")
TRUE = {"1", "true", "yes", "y", "on", "是", "√", "✓", "✔", "x", "☑", "/on"}
FALSE = {"", "0", "false", "no", "n", "off", "否", "☐", "/off"}


def split_choices(text: str) -> list[str]:
    return [part for part in CHOICE_SEPARATORS.split(text.strip()) if part]


def truthy(value) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in TRUE


# -- layout -------------------------------------------------------------------
@dataclass
class Item:
    """One field placed on a grid row: ``span`` of the 4 units."""

    field: Field
    span: int


@dataclass
class Block:
    """A part of the printed form, top to bottom."""

    kind: str  # section (a title bar) | grid (rows of fields) | table (a table field)
    title: str = ""
    rows: list[list[Item]] = dc_field(default_factory=list)
    field: Field | None = None


def width_of(f: Field) -> int:
    if f.type in FULL_WIDTH:
        return GRID
    return f.width if f.width is not None and 1 <= f.width <= GRID else GRID


def _rows(fields: list[Field]) -> list[list[Item]]:
    """Fields packed left to right into rows of 4 units; the last field of a row widens to fill it."""
    rows: list[list[Item]] = []
    for f in fields:
        span = width_of(f)
        if not rows or sum(i.span for i in rows[-1]) + span > GRID:
            rows.append([])
        rows[-1].append(Item(f, span))
    for row in rows:
        row[-1].span += GRID - sum(i.span for i in row)
    return rows


def layout(form: Form) -> list[Block]:
    """Sections → title bars; fields packed left to right into rows of 4 units.

    A field that does not fit on the current row starts a new one, and the
    last field of the row it leaves widens to fill the row, so every row is
    ruled edge to edge.  Tables stand as their own block.
    """
    blocks: list[Block] = []
    for section in form.sections:
        if section.title:
            blocks.append(Block("section", title=section.title))
        run: list[Field] = []  # the fields since the last table
        for f in section.fields:
            if f.type != "table":
                run.append(f)
                continue
            if run:
                blocks.append(Block("grid", rows=_rows(run)))
                run = []
            blocks.append(Block("table", title=formspec.label_of(f), field=f))
        if run:
            blocks.append(Block("grid", rows=_rows(run)))
    return blocks


# -- the sheet: page box, label and column widths, a register's rows ------------------------
def paper(form: Form) -> str:
    return form.paper if form.paper in PAPER else "A4"


def page_name(paper_name: str) -> str:
    """The named @page of a form's sheet in the printed manual (print.css)."""
    return "form-" + paper_name


def sheet_pages() -> list[dict]:
    """Every named @page a form's sheet can be on: name, CSS size, margins."""
    return [{"name": page_name(p), "size": PAPER[p][0], "margin": " ".join(f"{m}mm" for m in SHEET_MARGIN)}
            for p in PAPER]


def sheet_box(form: Form) -> tuple[float, float]:
    """(width, height) in mm of the sheet's page box: the paper less the margins."""
    w, h = SHEET_SIZE[paper(form)]
    top, right, bottom, left = SHEET_MARGIN
    return w - left - right, h - top - bottom


def text_em(text: str) -> float:
    from ..render.diagrams import char_em

    return sum(char_em(ch) for ch in str(text))


def balanced_lines(text: str, width_em: float) -> list[str]:
    """``text`` in as few lines of at most ``width_em`` as it needs, of about equal length, no line
    starting with closing punctuation: never one character left alone on a line."""
    from ..render.diagrams import balanced_wrap

    return balanced_wrap(text, width_em, 1)


def word_em(text: str) -> float:
    """The width in em of the widest unit of ``text`` a line never splits (a Latin word)."""
    from ..render.diagrams import longest_word

    return longest_word(text, 1)


def _two_lines_em(label: str) -> float:
    """The narrowest width in em (in half-em steps) at which ``label`` takes at most two lines, no
    word split."""
    em = text_em(label)
    width = -(-em // 2)
    if word_em(label) <= 1:  # CJK alone: two balanced halves
        return width
    while width < em and len(balanced_lines(label, width)) > 2:
        width += 0.5
    return width


def _label_width_em(labels_: list[str]) -> float:
    """The label column's width in em: the longest label up to LABEL_ONE_LINE em on one line, a
    longer one in two balanced lines (Latin words whole)."""
    need = [0.0]
    for label in labels_:
        em = text_em(label)
        need.append(em if em <= LABEL_ONE_LINE else _two_lines_em(label))
    return max(need + [4.0])


def fitted_lines(text: str, width_em: float, size: float = FONT_PT) -> tuple[list[str], float]:
    """(lines, font size in pt) of ``text`` in a box ``width_em`` em of ``size`` wide: balanced lines,
    and, where a Latin word is wider than the box, the text shrunk until it fits (never split)."""
    word = word_em(text)
    if word > width_em:
        size = max(5.0, int(10 * size * width_em / word) / 10)
        width_em = width_em * FONT_PT / size if size != FONT_PT else width_em
    return balanced_lines(text, width_em), size


def _grid_labels(form: Form) -> list[str]:
    return [formspec.label_of(item.field) for block in layout(form) if block.kind == "grid"
            for row in block.rows for item in row if item.field.type != "checkbox"]


def label_column(form: Form) -> tuple[float, float]:
    """(label column %, value column %) of the grid's 4 label + value pairs, the label column fitted to
    the form's labels, but never more than 60% of a pair."""
    width, _ = sheet_box(form)
    em = _label_width_em(_grid_labels(form))
    label_mm = min(em * FONT_PT * PT + LABEL_PAD, width / GRID * 0.6)
    label_pct = round(100 * label_mm / width, 3)
    return label_pct, round(100 / GRID - label_pct, 3)


def label_em(form: Form) -> float:
    """How many em a label line may hold in the fitted label column."""
    width, _ = sheet_box(form)
    pct, _ = label_column(form)
    return max(2.0, (width * pct / 100 - LABEL_PAD) / (FONT_PT * PT))


def table_widths(form: Form, f: Field) -> list[float]:
    """A table's column widths in % of the table, the declared proportions widened where a header
    would wrap (narrower columns give up the room), so that headers stay on one line where they can."""
    width, _ = sheet_box(form)
    cols = formspec.columns(f)
    room = 100 - TABLE_NO_WIDTH
    total = sum(c.width for c in cols) or 1
    pct = [room * c.width / total for c in cols]
    need = [100 * (text_em(c.label) * FONT_PT * PT + 2.6) / width for c in cols]
    if sum(need) > room:  # headers on one line do not fit: at least their longest words
        need = [100 * (word_em(c.label) * FONT_PT * PT + 2.6) / width for c in cols]
    if sum(need) <= room:
        for _ in range(len(cols)):
            short = [i for i in range(len(cols)) if pct[i] < need[i] - 1e-9]
            if not short:
                break
            extra = sum(need[i] - pct[i] for i in short)
            for i in short:
                pct[i] = need[i]
            spare = [i for i in range(len(cols)) if i not in short]
            pool = sum(pct[i] - need[i] for i in spare)
            if pool <= 0:
                break
            for i in spare:
                pct[i] -= extra * (pct[i] - need[i]) / pool
    return [round(p, 3) for p in pct]


def _column_em(form: Form, pct: float) -> float:
    """How many em of a header fit in a table column of ``pct`` % of the sheet's width."""
    width, _ = sheet_box(form)
    return max(2.0, (width * pct / 100 - 2.6) / (FONT_PT * PT))


def _options_lines(options: list[str], width_mm: float) -> int:
    per = [text_em(o) * 9.5 * PT + 3.6 + 1 + 2.5 for o in options]
    lines, used = 1, 0.0
    for w in per:
        if used and used + w > width_mm:
            lines += 1
            used = 0.0
        used += w
    return lines


def _cell_height(item: Item, form: Form) -> float:
    f = item.field
    width, _ = sheet_box(form)
    label_pct, value_pct = label_column(form)
    value_mm = width * (value_pct * item.span + label_pct * (item.span - 1)) / 100 - 2.4
    lines, size = fitted_lines(formspec.label_of(f), label_em(form))
    h = max(ROW, len(lines) * LINE * size / FONT_PT + CELL_PAD)
    if f.type == "multiline":
        rows = f.rows if f.rows is not None else 3
        h = max(h, 6 * min(rows, 40) + 1 + CELL_PAD)
    elif f.type in ("choice", "multichoice"):
        h = max(h, _options_lines(list(f.options), value_mm) * LINE + CELL_PAD)
    elif f.type == "signature":
        h = max(h, SIGNATURE_NARROW_ROW if item.span == 1 else SIGNATURE_ROW)
    return h


def _head_height(form: Form) -> float:
    width, _ = sheet_box(form)
    h = 11 * PT * 1.35 + 1 + 18 * PT * 1.3 + 3  # company, title, space below
    if form.title_en:
        h += 8.5 * PT * 1.3 + 0.5
    meta = 9 * PT * 1.35
    instr = text_em(form.instructions) * 9 * PT if form.instructions else 0
    lines = max(1, -(-instr // max(width - 60, 20)))
    return h + lines * meta + 3.5 + 2 + 8 * PT * 1.35 + 2  # meta, its margins; footer line, its margin


def _table_head_height(form: Form, f: Field) -> float:
    width, _ = sheet_box(form)
    widths = table_widths(form, f)
    fitted = [fitted_lines(c.label, _column_em(form, p)) for c, p in zip(formspec.columns(f), widths)]
    lines = max([1.0] + [len(ls) * size / FONT_PT for ls, size in fitted])
    return TABLE_TITLE_ROW + max(TABLE_HEAD_ROW, lines * LINE + CELL_PAD)


def register_table(form: Form) -> Field | None:
    """The table of a register, whose rows fill the sheet: a form with one table that holds more rows
    than all its other rows together (a 客户名册, not a 客户资料卡 with a table of contacts)."""
    tables = [b.field for b in layout(form) if b.kind == "table" and b.field is not None]
    if len(tables) != 1:
        return None
    others = sum(len(b.rows) + (b.kind == "section") for b in layout(form) if b.kind != "table")
    return tables[0] if formspec.table_rows(tables[0]) > others else None


def sheet_height(form: Form, rows: dict[str, int] | None = None, row_height: float = ROW) -> float:
    """The height in mm the form's content takes on its sheet (an estimate from form.css's sizes that
    errs on the tall side), with ``rows`` rows in its tables (default: as declared)."""
    rows = rows or {}
    h = _head_height(form)
    for block in layout(form):
        if block.kind == "section":
            h += SECTION_ROW
        elif block.kind == "grid":
            h += sum(max(_cell_height(item, form) for item in row) for row in block.rows)
        elif block.kind == "table" and block.field is not None:
            n = rows.get(block.field.id, formspec.table_rows(block.field))
            h += _table_head_height(form, block.field) + n * row_height
    return h


def sheet_rows(form: Form) -> tuple[dict[str, int], float]:
    """({table id: rows}, a register's row height in mm).

    A register's table fills what its sheet's page box leaves below the other blocks: as many rows of
    the standard height (ROW) as fit, and at least the declared rows where rows of MIN_ROW or more
    allow them (then as tall as they can be); declared rows beyond that are not printed, so the sheet
    stays one sheet.  Other tables keep their declared rows.  A form that does not fit even so runs
    onto a second sheet (rows never split, a table's header repeats), and the layout audit reports it."""
    table = register_table(form)
    if table is None:
        return {}, ROW
    declared = formspec.table_rows(table)
    _, height = sheet_box(form)
    free = height - sheet_height(form, {table.id: 0})
    fit = int(free // ROW)
    if fit >= declared:
        return {table.id: max(fit, 1)}, ROW
    rows = max(min(declared, int(free // MIN_ROW)), fit, 1)
    return {table.id: rows}, min(ROW, max(MIN_ROW, int(10 * free / rows) / 10))


# -- the view model -------------------------------------------------------------------


def form_words(lang: str) -> dict:
    return labels(lang)["form"]


def footer_text(form: Form, lang: str = "zh-CN") -> str:
    """What every printed form carries at its foot: code and version."""
    w = form_words(lang)
    return f"{w['code']} {form.code}{w['gap']}{w['version']} {form.version}"


def _chosen(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple, set)):
        return [str(v) for v in value]
    return split_choices(str(value))


def _text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _cell(f: Field, span: int, values: dict, lang: str, line_em: float) -> dict:
    fid, kind, label = f.id, f.type, formspec.label_of(f)
    lines, size = fitted_lines(label, line_em)
    c = {"kind": kind, "name": fid, "label": label, "span": span, "required": f.required,
         "label_lines": lines, "label_size": size if size != FONT_PT else None,
         "value": "", "checked": False, "options": []}
    if kind in ("text", "date", "number"):
        c["value"] = _text(values.get(fid))
    elif kind == "multiline":
        rows = f.rows if f.rows is not None else 3
        c.update(rows=rows, height=round(6 * min(rows, 40) + 1, 1), value=_text(values.get(fid)))
    elif kind == "choice":
        chosen = _chosen(values.get(fid))[:1]
        c["options"] = [{"label": o, "name": fid, "checked": o in chosen} for o in f.options]
    elif kind == "multichoice":
        chosen = _chosen(values.get(fid))
        c["options"] = [{"label": o, "name": formspec.option_name(fid, k), "checked": o in chosen}
                        for k, o in enumerate(f.options, start=1)]
    elif kind == "checkbox":
        c["checked"] = truthy(values.get(fid, False))
    elif kind == "signature":
        date_name = formspec.signature_date_name(fid)
        c.update(date_name=date_name, date_value=_text(values.get(date_name)),
                 date_label=formspec.signature_date_label(f, lang))
    return c


def _column(form: Form, label: str, pct: float) -> dict:
    lines, size = fitted_lines(label, _column_em(form, pct))
    return {"label": label, "pct": pct, "lines": lines, "size": size if size != FONT_PT else None}


def _table(form: Form, f: Field, values: dict, rows: int, row_height: float) -> dict:
    cols = formspec.columns(f)
    return {
        "kind": "table", "label": formspec.label_of(f), "required": f.required, "no_width": TABLE_NO_WIDTH,
        "row_height": row_height if row_height != ROW else None,
        "columns": [_column(form, c.label, pct) for c, pct in zip(cols, table_widths(form, f))],
        "rows": [{"no": r, "cells": [{"name": formspec.cell_name(f.id, r, c.id),
                                      "label": formspec.cell_label(f, r, c),
                                      "value": _text(values.get(formspec.cell_name(f.id, r, c.id)))}
                                     for c in cols]}
                 for r in range(1, rows + 1)],
    }


def form_context(manual: Manual, form: Form, values: dict | None = None, *, mode: str = "html",
                 lang: str = "zh-CN") -> dict:
    """The data a printed form shows: header, blocks of ruled rows, footer.

    ``values`` maps field names (see ``generator.model.formspec``) to values shown in
    the form: text, an option's text (or a list for multichoice), ``True`` for a
    ticked check box.  ``mode``: ``html`` fillable in a browser, ``static`` ruled
    boxes with the values as text (for print), ``pdf`` inputs that become AcroForm fields.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be html, pdf or static, not {mode!r}")
    values = dict(values or {})
    w = form_words(lang)
    blocks: list[dict] = []

    def grid_rows() -> list:
        if not blocks or blocks[-1]["kind"] != "grid":
            blocks.append({"kind": "grid", "rows": []})
        return blocks[-1]["rows"]

    line_em = label_em(form)
    table_rows, row_height = sheet_rows(form)
    for block in layout(form):
        if block.kind == "section":
            grid_rows().append([{"kind": "section", "label": block.title}])
        elif block.kind == "grid":
            rows = grid_rows()
            for row in block.rows:
                rows.append([_cell(item.field, item.span, values, lang, line_em) for item in row])
        elif block.kind == "table" and block.field is not None:
            f = block.field
            blocks.append(_table(form, f, values, table_rows.get(f.id, formspec.table_rows(f)),
                                 row_height if f.id in table_rows else ROW))
    right = f"{w['effective']} {form.effective.isoformat()}" if form.effective else ""
    return {
        "id": form.id, "code": form.code, "title": form.title, "title_en": form.title_en,
        "version": form.version, "company": manual.company, "instructions": form.instructions,
        "lang": lang, "lab": w, "mode": mode, "root": "form" if mode == "html" else "div",
        "prefix": f"mf-{form.id}-", "landscape": paper(form).endswith("landscape"), "blocks": blocks,
        "label_pct": label_column(form)[0], "value_pct": label_column(form)[1], "page": page_name(paper(form)),
        "footer_left": footer_text(form, lang), "footer_right": right,
    }
