"""Forms as data: the fields a form template declares, flattened into the
named fields of its outputs, and its layout on a 4-column grid.

Every output (fillable PDF, DOCX, HTML page, CSV pre-fill) takes its names
from here, so one name means one thing everywhere:

=================  ==================  ======================================
source field       PDF field name(s)   PDF type
=================  ==================  ======================================
text, date,        ``<id>``            ``/Tx`` (text; dates as YYYY-MM-DD)
number
multiline          ``<id>``            ``/Tx`` with the multi-line flag
choice             ``<id>``            ``/Btn`` radio group; kids' states are
                                       ``/0``, ``/1`` … (the option's index),
                                       ``/Opt`` holds the option texts
multichoice        ``<id>_<k>``        ``/Btn`` check box per option, k = 1…
checkbox           ``<id>``            ``/Btn`` check box; on = ``/on``
signature          ``<id>``            ``/Sig`` empty, visible signature field
                   ``<id>_date``       ``/Tx`` the date beside the signature
table              ``<id>_<r>_<c>``    ``/Tx`` per cell; r = row 1…, c = the
                                       column's ``id`` or its number 1…
=================  ==================  ======================================
"""
from __future__ import annotations

from dataclasses import dataclass, field as dc_field

GRID = 4  # a form row is 4 units wide
SIMPLE_TEXT = ("text", "date", "number")
FULL_WIDTH = ("multiline", "table")


@dataclass
class PdfField:
    """One named field of the fillable PDF (and one CSV column)."""

    name: str
    kind: str  # text | date | number | multiline | choice | option | checkbox | signature | table_cell
    source: dict  # the form field it comes from
    label: str  # what a person reads: the field's label, or "label · row 2 · 处理措施"
    ft: str  # /Tx | /Btn | /Ch | /Sig
    options: list[str] = dc_field(default_factory=list)  # choice: the options
    option: str = ""  # option: the option this check box stands for
    required: bool = False
    fillable_from_csv: bool = True


def label_of(f: dict) -> str:
    return str(f.get("label") or f.get("id") or "")


def columns(f: dict) -> list[dict]:
    """A table's columns as ``{"id", "label", "width"}``; string columns are numbered 1…"""
    out = []
    for i, col in enumerate(f.get("columns") or [], start=1):
        if isinstance(col, dict):
            out.append({"id": str(col.get("id") or i), "label": str(col.get("label") or ""),
                        "width": float(col.get("width") or 1)})
        else:
            out.append({"id": str(i), "label": str(col), "width": 1.0})
    return out


def table_rows(f: dict) -> int:
    rows = f.get("rows")
    return rows if isinstance(rows, int) and rows > 0 else 0


def cell_name(field_id: str, row: int, col_id: str) -> str:
    return f"{field_id}_{row}_{col_id}"


def option_name(field_id: str, k: int) -> str:
    return f"{field_id}_{k}"


def options(f: dict) -> list[str]:
    return [str(o) for o in (f.get("options") or [])]


def raw_fields(form) -> list[dict]:
    """The form's field mappings as written, sections flattened (transitional: read ``form.fields()``)."""
    out: list[dict] = []
    for section in form.meta.get("sections") or []:
        out.extend(section.get("fields") or [])
    out.extend(form.meta.get("fields") or [])
    return out


def pdf_fields(form) -> list[PdfField]:
    """Every named field of the form's fillable PDF, in reading order."""
    out: list[PdfField] = []
    for f in raw_fields(form):
        if not isinstance(f, dict) or not f.get("id"):
            continue
        fid, kind, label = str(f["id"]), str(f.get("type", "text")), label_of(f)
        required = bool(f.get("required"))
        if kind in SIMPLE_TEXT or kind == "multiline":
            out.append(PdfField(fid, kind, f, label, "/Tx", required=required))
        elif kind == "choice":
            out.append(PdfField(fid, kind, f, label, "/Btn", options=options(f), required=required))
        elif kind == "multichoice":
            for k, opt in enumerate(options(f), start=1):
                out.append(PdfField(option_name(fid, k), "option", f, f"{label} · {opt}", "/Btn", option=opt,
                                    fillable_from_csv=False))
        elif kind == "checkbox":
            out.append(PdfField(fid, kind, f, label, "/Btn", required=required))
        elif kind == "signature":
            out.append(PdfField(fid, kind, f, label, "/Sig", fillable_from_csv=False))
            out.append(PdfField(f"{fid}_date", "date", f, f"{label} · 日期", "/Tx"))
        elif kind == "table":
            cols = columns(f)
            for r in range(1, table_rows(f) + 1):
                for col in cols:
                    out.append(PdfField(cell_name(fid, r, col["id"]), "table_cell", f,
                                        f"{label} · {r} · {col['label']}", "/Tx"))
    return out


def csv_columns(form) -> dict[str, PdfField]:
    """The CSV columns a pre-fill may use: field ids, table cells, signature dates.

    A multichoice field is one column (its id) holding the chosen options;
    a signature cannot be pre-filled.
    """
    cols: dict[str, PdfField] = {}
    for pf in pdf_fields(form):
        if pf.kind == "option":
            f = pf.source
            cols.setdefault(str(f["id"]), PdfField(str(f["id"]), "multichoice", f, label_of(f), "/Btn",
                                                   options=options(f), required=bool(f.get("required"))))
        elif pf.fillable_from_csv:
            cols[pf.name] = pf
    return cols


# -- layout -------------------------------------------------------------------
@dataclass
class Item:
    """One field placed on a grid row: ``span`` of the 4 units."""

    field: dict
    span: int


@dataclass
class Block:
    """A part of the printed form, top to bottom."""

    kind: str  # section (a title bar) | grid (rows of fields) | table (a table field)
    title: str = ""
    rows: list[list[Item]] = dc_field(default_factory=list)
    field: dict | None = None


def width_of(f: dict) -> int:
    if f.get("type") in FULL_WIDTH:
        return GRID
    w = f.get("width")
    return w if isinstance(w, int) and 1 <= w <= GRID else GRID


def layout(form) -> list[Block]:
    """Sections → title bars; fields packed left to right into rows of 4 units.

    A field that does not fit on the current row starts a new one, and the
    last field of the row it leaves widens to fill the row, so every row is
    ruled edge to edge.  Tables stand as their own block.
    """
    blocks: list[Block] = []
    sections = list(form.meta.get("sections") or [])
    if form.meta.get("fields"):
        sections.append({"fields": form.meta.get("fields")})
    for section in sections:
        if not isinstance(section, dict):
            continue
        if section.get("title"):
            blocks.append(Block("section", title=str(section["title"])))
        rows: list[list[Item]] = []
        row: list[Item] = []

        def close():
            nonlocal row
            if row:
                used = sum(i.span for i in row)
                row[-1].span += GRID - used
                rows.append(row)
                row = []

        def flush_grid():
            nonlocal rows
            close()
            if rows:
                blocks.append(Block("grid", rows=rows))
                rows = []

        for f in section.get("fields") or []:
            if not isinstance(f, dict):
                continue
            if f.get("type") == "table":
                flush_grid()
                blocks.append(Block("table", title=label_of(f), field=f))
                continue
            span = width_of(f)
            if sum(i.span for i in row) + span > GRID:
                close()
            row.append(Item(f, span))
        flush_grid()
    return blocks
