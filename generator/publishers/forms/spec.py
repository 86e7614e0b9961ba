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

from ...labels import labels
from ...model import Field, Form, Manual, formspec

from ...model.formsheet import (  # noqa: F401  (the sheet's geometry, used by every form output)
    CELL_PAD, FONT_PT, FULL_WIDTH, GRID, LINE, MIN_ROW, PAPER, PT, ROW, SHEET_MARGIN, SHEET_SIZE,
    TABLE_NO_WIDTH, Block, Item, _column_em, balanced_lines, fitted_lines, label_column, label_em, layout,
    paper, register_table, sheet_box, sheet_fit, sheet_height, sheet_rows, table_widths, text_em, width_of,
    word_em)

MODES = ("html", "pdf", "static")
CHOICE_SEPARATORS = re.compile(r"\s*[;；、|\n]\s*")
TRUE = {"1", "true", "yes", "y", "on", "是", "√", "✓", "✔", "x", "☑", "/on"}
FALSE = {"", "0", "false", "no", "n", "off", "否", "☐", "/off"}


def split_choices(text: str) -> list[str]:
    return [part for part in CHOICE_SEPARATORS.split(text.strip()) if part]


def truthy(value) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in TRUE




def page_name(paper_name: str) -> str:
    """The named @page of a form's sheet in the printed manual (print.css)."""
    return "form-" + paper_name


def sheet_pages() -> list[dict]:
    """Every named @page a form's sheet can be on: name, CSS size, margins."""
    return [{"name": page_name(p), "size": PAPER[p][0], "margin": " ".join(f"{m}mm" for m in SHEET_MARGIN)}
            for p in PAPER]



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
