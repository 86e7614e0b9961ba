"""A printed form's sheet, computed from the form alone: its fields placed on a 4-column grid
(``layout``), the page box, the label and table column widths, and the height every block takes,
from which a register's rows are fitted to its sheet (``sheet_fit``).

The forms publisher (``publishers/forms/spec.py``) draws what this computes; the check
``form-register-rows`` reads ``sheet_fit`` to warn when a register's declared rows cannot all be
printed.  The sizes are those templates/forms/form.css draws (tests/test_layout_audit.py renders every
form and holds them to it).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field as dc_field

from ..common.textwidth import balanced_wrap, char_em, longest_word
from . import Field, Form, formspec

GRID = 4  # a form row is 4 units wide
FULL_WIDTH = ("multiline", "table")
PAPER = {  # @page size, content width in mm (15 mm margins)
    "A4": ("A4", 180), "A4-landscape": ("A4 landscape", 267),
    "A5": ("A5", 118), "A5-landscape": ("A5 landscape", 180),
}
SHEET_SIZE = {"A4": (210, 297), "A4-landscape": (297, 210), "A5": (148, 210), "A5-landscape": (210, 148)}  # mm
SHEET_MARGIN = (12, 15, 14, 15)  # mm: top, right, bottom, left of a form's sheet, standalone and in the manual
TABLE_NO_WIDTH = 7  # % of the table's width for the row number

# What the sheet's heights are made of, in mm, as templates/forms/form.css draws them (the font is
# 10 pt = 3.53 mm; a line is 1.35 of it).  ``sheet_rows`` adds them up to fit a register to its page;
# tests/test_layout_audit.py renders every form and holds the sum above the laid-out height.
PT = 25.4 / 72
FONT_PT = 10
LINE = FONT_PT * PT * 1.35  # one line of 10 pt text
CELL_PAD = 0.8  # a cell's top and bottom padding
ROW = 7.6  # a ruled row (min-height of a cell)
MIN_ROW = 5.5  # a register's rows shrink down to this to keep the rows it declares
SECTION_ROW = 7.0
TABLE_TITLE_ROW = 7.0
TABLE_HEAD_ROW = 7.5
SIGNATURE_ROW = 11.0
SIGNATURE_NARROW_ROW = 15.0
LABEL_PAD = 2.4 + 2.0  # a label cell's side padding and the required star
LABEL_ONE_LINE = 6  # labels up to this many em stay on one line; longer ones take two balanced lines
VALUE_MIN_SHARE = 0.4  # of a label and value pair: the least a one-unit field's value cell keeps
LABEL_WIDE_SHARE = 0.8  # of a pair: the most a label column takes when no field is one unit wide


def label_share(spans: list[int]) -> float:
    """The most of a label and value pair the grid's label column may take, given the ``spans`` (units)
    of the fields that have a label cell: a field ``s`` units wide writes its value in ``s`` pairs less one
    label column, and keeps ``VALUE_MIN_SHARE`` of a pair of it; so 60% with a one-unit field, and up to
    ``LABEL_WIDE_SHARE`` when every field is wider (a long label widens into the value's spare room
    before it is shrunk)."""
    return min([LABEL_WIDE_SHARE] + [s - VALUE_MIN_SHARE for s in spans])

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


def sheet_box(form: Form) -> tuple[float, float]:
    """(width, height) in mm of the sheet's page box: the paper less the margins."""
    w, h = SHEET_SIZE[paper(form)]
    top, right, bottom, left = SHEET_MARGIN
    return w - left - right, h - top - bottom


def text_em(text: str) -> float:
    return sum(char_em(ch) for ch in str(text))


# A bilingual label: Latin words, then its Chinese name ("Customer name 客户名称").
_BILINGUAL = re.compile(r"^(.*[0-9A-Za-z].*?)\s+([\u3400-\u9fff\uf900-\ufaff][^\sA-Za-z]*)$", re.S)


def balanced_lines(text: str, width_em: float) -> list[str]:
    """``text`` in as few lines of at most ``width_em`` as it needs, of about equal length, no line
    starting with closing punctuation: never one character left alone on a line.  A bilingual label's
    Chinese name is a word too: where it fits a line it is never split ("Customer name 客/户名称")."""
    lines = balanced_wrap(text, width_em, 1)
    m = _BILINGUAL.match(str(text))
    if len(lines) > 1 and m and not any(m.group(2) in ln for ln in lines) and char_width(m.group(2)) <= width_em:
        return balanced_wrap(m.group(1), width_em, 1) + [m.group(2)]
    return lines


def char_width(text: str) -> float:
    """The width of ``text`` in em."""
    return sum(char_em(ch) for ch in text)


def word_em(text: str) -> float:
    """The width in em of the widest unit of ``text`` a line never splits (a Latin word)."""
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


def _grid_spans(form: Form) -> list[int]:
    return [item.span for block in layout(form) if block.kind == "grid" for row in block.rows for item in row
            if item.field.type != "checkbox"]


def label_column(form: Form) -> tuple[float, float]:
    """(label column %, value column %) of the grid's 4 label + value pairs, the label column fitted to
    the form's labels, but never more than ``label_share`` of a pair (60% with a one-unit field)."""
    width, _ = sheet_box(form)
    em = _label_width_em(_grid_labels(form))
    label_mm = min(em * FONT_PT * PT + LABEL_PAD, width / GRID * label_share(_grid_spans(form)))
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
        pct = widen(pct, need)
    return [round(p, 3) for p in pct]


def widen(width: list[float], need: list[float]) -> list[float]:
    """``width`` with every column at least its ``need``, the room taken from the others in proportion to
    what they have beyond their need (the PDF's and the DOCX's table columns alike)."""
    width = list(width)
    for _ in range(len(width)):
        short = [i for i in range(len(width)) if width[i] < need[i] - 1e-9]
        if not short:
            break
        extra = sum(need[i] - width[i] for i in short)
        for i in short:
            width[i] = need[i]
        spare = [i for i in range(len(width)) if i not in short]
        pool = sum(width[i] - need[i] for i in spare)
        if pool <= 0:
            break
        for i in spare:
            width[i] -= extra * (width[i] - need[i]) / pool
    return width


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
    return h + lines * meta + 3.5 + 8 * PT * 1.35 + 2  # meta, its margins; footer line, its margin


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


@dataclass(frozen=True)
class SheetFit:
    """How a form's tables are printed on its sheet: rows per table id (a register only), the register's
    row height in mm, and how many of its declared rows do not fit even at MIN_ROW (not printed)."""

    rows: dict[str, int]
    row_height: float
    table: Field | None = None
    declared: int = 0
    dropped: int = 0


def sheet_fit(form: Form) -> SheetFit:
    """A register's table fills what its sheet's page box leaves below the other blocks, exactly: as
    many rows of the standard height (ROW) as fit if that is more than it declares, else the declared
    rows, lower (down to MIN_ROW); the spare height is shared among the rows, so no band is left blank
    at the foot.  Declared rows that do not fit even at MIN_ROW are not printed (the sheet stays one
    sheet) and counted in ``dropped``: the check ``form-register-rows`` warns of them.  Other tables
    keep their declared rows.  A form that does not fit even so runs onto a second sheet (rows never
    split, a table's header repeats), and the layout audit reports it."""
    table = register_table(form)
    if table is None:
        return SheetFit({}, ROW)
    declared = formspec.table_rows(table)
    _, height = sheet_box(form)
    free = height - sheet_height(form, {table.id: 0})
    fit = int(free // ROW)
    if fit >= declared:
        rows = max(fit, 1)
    else:
        rows = max(min(declared, int(free // MIN_ROW)), 1)
    row_height = max(MIN_ROW, int(100 * free / rows) / 100)
    return SheetFit({table.id: rows}, row_height, table, declared, max(declared - rows, 0))


def sheet_rows(form: Form) -> tuple[dict[str, int], float]:
    """({table id: rows}, a register's row height in mm): ``sheet_fit`` without the count of rows
    left out."""
    fit = sheet_fit(form)
    return fit.rows, fit.row_height
