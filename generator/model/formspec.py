"""Forms as data: the fields a form template declares (``Form.fields()``), flattened
into the named fields of its outputs.  (Their layout on the printed grid is the
forms publisher's: ``generator.publishers.forms.spec``.)

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

from ..labels import text
from . import Column, Field, Form

SIMPLE_TEXT = ("text", "date", "number")


@dataclass
class PdfField:
    """One named field of the fillable PDF (and one CSV column)."""

    name: str
    kind: str  # text | date | number | multiline | choice | option | checkbox | signature | table_cell
    field: Field  # the form field it comes from
    label: str  # what a person reads: the field's label, or "label · row 2 · 处理措施"
    ft: str  # /Tx | /Btn | /Ch | /Sig
    options: list[str] = dc_field(default_factory=list)  # choice: the options
    option: str = ""  # option: the option this check box stands for
    required: bool = False
    fillable_from_csv: bool = True


def label_of(f: Field) -> str:
    return f.label or f.id


def columns(f: Field) -> list[Column]:
    """A table's columns with id and width settled: a column without an id is numbered 1…, one without
    a width is 1 wide."""
    return [Column(c.id or str(i), c.label, float(c.width or 1)) for i, c in enumerate(f.columns, start=1)]


def table_rows(f: Field) -> int:
    return f.rows if f.rows is not None and f.rows > 0 else 0


def cell_name(field_id: str, row: int, col_id: str) -> str:
    return f"{field_id}_{row}_{col_id}"


def option_name(field_id: str, k: int) -> str:
    return f"{field_id}_{k}"


def signature_date_name(field_id: str) -> str:
    return f"{field_id}_date"


def signature_date_label(f: Field, lang: str = "zh-CN") -> str:
    return f"{label_of(f)} · {text('form.date', lang)}"


def cell_label(f: Field, row: int, col: Column) -> str:
    return f"{label_of(f)} · {row} · {col.label}"


def pdf_fields(form: Form, lang: str = "zh-CN", rows: dict[str, int] | None = None) -> list[PdfField]:
    """Every named field of the form's fillable PDF, in reading order (labels in ``lang``).

    ``rows`` gives a table the number of rows its printed sheet has, where the layout gave it more than
    declared (a register filling its page: ``model.formsheet.sheet_rows``)."""
    out: list[PdfField] = []
    for f in form.fields():
        if not f.id:
            continue
        fid, kind, label, required = f.id, f.type, label_of(f), f.required
        if kind in SIMPLE_TEXT or kind == "multiline":
            out.append(PdfField(fid, kind, f, label, "/Tx", required=required))
        elif kind == "choice":
            out.append(PdfField(fid, kind, f, label, "/Btn", options=list(f.options), required=required))
        elif kind == "multichoice":
            for k, opt in enumerate(f.options, start=1):
                out.append(PdfField(option_name(fid, k), "option", f, f"{label} · {opt}", "/Btn", option=opt,
                                    fillable_from_csv=False))
        elif kind == "checkbox":
            out.append(PdfField(fid, kind, f, label, "/Btn", required=required))
        elif kind == "signature":
            out.append(PdfField(fid, kind, f, label, "/Sig", fillable_from_csv=False))
            out.append(PdfField(signature_date_name(fid), "date", f, signature_date_label(f, lang), "/Tx"))
        elif kind == "table":
            cols = columns(f)
            for r in range(1, (rows or {}).get(fid, table_rows(f)) + 1):
                for col in cols:
                    out.append(PdfField(cell_name(fid, r, col.id), "table_cell", f, cell_label(f, r, col), "/Tx"))
    return out


def csv_columns(form: Form, lang: str = "zh-CN", rows: dict[str, int] | None = None) -> dict[str, PdfField]:
    """The CSV columns a pre-fill may use: field ids, table cells, signature dates (``rows`` as for
    ``pdf_fields``).

    A multichoice field is one column (its id) holding the chosen options;
    a signature cannot be pre-filled.
    """
    cols: dict[str, PdfField] = {}
    for pf in pdf_fields(form, lang, rows):
        if pf.kind == "option":
            f = pf.field
            cols.setdefault(f.id, PdfField(f.id, "multichoice", f, label_of(f), "/Btn", options=list(f.options),
                                           required=f.required))
        elif pf.fillable_from_csv:
            cols[pf.name] = pf
    return cols
