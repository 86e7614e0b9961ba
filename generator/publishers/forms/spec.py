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
MODES = ("html", "pdf", "static")
TABLE_NO_WIDTH = 7  # % of the table's width for the row number

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


# -- the view model -------------------------------------------------------------------
def paper(form: Form) -> str:
    return form.paper if form.paper in PAPER else "A4"


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


def _cell(f: Field, span: int, values: dict, lang: str) -> dict:
    fid, kind, label = f.id, f.type, formspec.label_of(f)
    c = {"kind": kind, "name": fid, "label": label, "span": span, "required": f.required,
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


def _table(f: Field, values: dict) -> dict:
    cols = formspec.columns(f)
    total = sum(c.width for c in cols) or 1
    return {
        "kind": "table", "label": formspec.label_of(f), "required": f.required, "no_width": TABLE_NO_WIDTH,
        "columns": [{"label": c.label, "pct": round((100 - TABLE_NO_WIDTH) * c.width / total, 3)} for c in cols],
        "rows": [{"no": r, "cells": [{"name": formspec.cell_name(f.id, r, c.id),
                                      "label": formspec.cell_label(f, r, c),
                                      "value": _text(values.get(formspec.cell_name(f.id, r, c.id)))}
                                     for c in cols]}
                 for r in range(1, formspec.table_rows(f) + 1)],
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

    for block in layout(form):
        if block.kind == "section":
            grid_rows().append([{"kind": "section", "label": block.title}])
        elif block.kind == "grid":
            rows = grid_rows()
            for row in block.rows:
                rows.append([_cell(item.field, item.span, values, lang) for item in row])
        elif block.kind == "table" and block.field is not None:
            blocks.append(_table(block.field, values))
    right = f"{w['effective']} {form.effective.isoformat()}" if form.effective else ""
    return {
        "id": form.id, "code": form.code, "title": form.title, "title_en": form.title_en,
        "version": form.version, "company": manual.company, "instructions": form.instructions,
        "lang": lang, "lab": w, "mode": mode, "root": "form" if mode == "html" else "div",
        "prefix": f"mf-{form.id}-", "landscape": paper(form).endswith("landscape"), "blocks": blocks,
        "footer_left": footer_text(form, lang), "footer_right": right,
    }
