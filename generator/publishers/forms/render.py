"""Forms: a fillable PDF, a printable DOCX and a fillable HTML page per form.

``manual build forms`` writes, for every form in ``forms/``::

    dist/forms/<id>.pdf    fillable AcroForm (WeasyPrint + pypdf + pyHanko, see generator.publishers.forms.pdf)
    dist/forms/<id>.docx   printable, ruled tables (python-docx, see generator.publishers.forms.docx)
    dist/forms/<id>.html   a stand-alone page to fill in the browser and print

``manual forms fill FORM --data FILE.csv`` pre-fills the PDF, one file per
CSV row plus one merged file (see generator.publishers.forms.fill).

``form_html_fragment(manual, form)`` is the form as one HTML element with
its own scoped style; the site and the printed manual embed it.  Field names
are those of ``generator.model.formspec``.
"""
from __future__ import annotations

from ...errors import UsageError

import sys
from functools import lru_cache
from pathlib import Path

from markupsafe import Markup

from ...common import resources
from ...model import formspec
from ...labels import labels
from ...model import Form, Manual

TEMPLATES = resources.TEMPLATES / "forms"
OUTPUT_DIR = "forms"
EXTENSIONS = ("pdf", "docx", "html")

PAPER = {  # @page size, content width in mm (15 mm margins)
    "A4": ("A4", 180), "A4-landscape": ("A4 landscape", 267),
    "A5": ("A5", 118), "A5-landscape": ("A5 landscape", 180),
}


# -- context -------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _env():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
                       trim_blocks=False, lstrip_blocks=False)


@lru_cache(maxsize=1)
def form_css() -> str:
    """The fragment's style sheet (every rule scoped under ``.mform``)."""
    return (TEMPLATES / "form.css").read_text(encoding="utf-8")


def paper(form: Form) -> str:
    value = str(form.meta.get("paper") or "A4")
    return value if value in PAPER else "A4"


def form_words(lang: str) -> dict:
    return labels(lang).get("form") or labels("zh-CN")["form"]


def footer_text(form: Form, lang: str = "zh-CN") -> str:
    """What every printed form carries at its foot: code and version."""
    w = form_words(lang)
    return f"{w['code']} {form.code}　{w['version']} {form.version}"


def _truthy(value) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "y", "on", "/on", "是", "√", "✓", "✔", "x", "☑")


def _chosen(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple, set)):
        return [str(v) for v in value]
    from .fill import split_choices

    return split_choices(str(value))


def _text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _cell(f: dict, span: int, values: dict) -> dict:
    fid, kind, label = str(f.get("id", "")), str(f.get("type", "text")), formspec.label_of(f)
    c = {"kind": kind, "name": fid, "label": label, "span": span, "required": bool(f.get("required")),
         "value": "", "checked": False, "options": []}
    if kind in ("text", "date", "number"):
        c["value"] = _text(values.get(fid))
    elif kind == "multiline":
        rows = f.get("rows") if isinstance(f.get("rows"), int) else 3
        c.update(rows=rows, height=round(6 * min(rows, 40) + 1, 1), value=_text(values.get(fid)))
    elif kind == "choice":
        chosen = _chosen(values.get(fid))[:1]
        c["options"] = [{"label": o, "name": fid, "checked": o in chosen} for o in formspec.options(f)]
    elif kind == "multichoice":
        chosen = _chosen(values.get(fid))
        c["options"] = [{"label": o, "name": formspec.option_name(fid, k), "checked": o in chosen}
                        for k, o in enumerate(formspec.options(f), start=1)]
    elif kind == "checkbox":
        c["checked"] = _truthy(values.get(fid, False))
    elif kind == "signature":
        c.update(date_name=f"{fid}_date", date_value=_text(values.get(f"{fid}_date")), date_label=f"{label} · 日期")
    return c


def _table(f: dict, values: dict) -> dict:
    fid = str(f.get("id", ""))
    cols = formspec.columns(f)
    total = sum(c["width"] for c in cols) or 1
    no_width = 7
    return {
        "kind": "table", "label": formspec.label_of(f), "required": bool(f.get("required")), "no_width": no_width,
        "columns": [{"label": c["label"], "pct": round((100 - no_width) * c["width"] / total, 3)} for c in cols],
        "rows": [{"no": r, "cells": [{"name": formspec.cell_name(fid, r, c["id"]),
                                      "label": f"{formspec.label_of(f)} · {r} · {c['label']}",
                                      "value": _text(values.get(formspec.cell_name(fid, r, c["id"])))}
                                     for c in cols]}
                 for r in range(1, formspec.table_rows(f) + 1)],
    }


def form_context(manual: Manual, form: Form, values: dict | None = None, *, mode: str = "html",
                 lang: str = "zh-CN", css: bool = True) -> dict:
    """The data the fragment template draws: header, blocks of ruled rows, footer."""
    if mode not in ("html", "pdf", "static"):
        raise ValueError(f"mode must be html, pdf or static, not {mode!r}")
    values = dict(values or {})
    w = form_words(lang)
    blocks: list[dict] = []

    def grid_rows() -> list:
        if not blocks or blocks[-1]["kind"] != "grid":
            blocks.append({"kind": "grid", "rows": []})
        return blocks[-1]["rows"]

    for block in formspec.layout(form):
        if block.kind == "section":
            grid_rows().append([{"kind": "section", "label": block.title}])
        elif block.kind == "grid":
            rows = grid_rows()
            for row in block.rows:
                rows.append([_cell(item.field, item.span, values) for item in row])
        elif block.kind == "table" and block.field is not None:
            blocks.append(_table(block.field, values))
    effective = form.meta.get("effective")
    right = f"{w['effective']} {effective.isoformat()}" if hasattr(effective, "isoformat") else ""
    return {
        "id": form.id, "code": form.code, "title": form.title, "title_en": str(form.meta.get("title_en") or ""),
        "version": form.version, "company": manual.company, "instructions": str(form.meta.get("instructions") or ""),
        "lang": lang, "lab": w, "mode": mode, "root": "form" if mode == "html" else "div",
        "prefix": f"mf-{form.id}-", "landscape": paper(form).endswith("landscape"),
        "css": Markup(form_css()) if css else "", "blocks": blocks,
        "footer_left": footer_text(form, lang), "footer_right": right,
    }


def form_html_fragment(manual: Manual, form: Form, values: dict | None = None, *, mode: str = "html",
                       lang: str = "zh-CN", css: bool = True) -> str:
    """The form as one HTML element (``.mform``) with its scoped ``<style>``.

    ``values`` maps field names (see ``generator.model.formspec``) to values shown in
    the form: text, an option's text (or a list for multichoice), ``True`` for
    a ticked check box.  ``mode``: ``html`` fillable in a browser (a
    ``<form>``), ``static`` ruled boxes with the values as text (for print),
    ``pdf`` the inputs WeasyPrint turns into AcroForm fields.
    """
    return _env().get_template("fragment.html.j2").render(f=form_context(manual, form, values, mode=mode, lang=lang,
                                                                                 css=css))


# -- stand-alone pages ---------------------------------------------------------------------
def _page_css(form: Form, lang: str, *, pdf: bool) -> str:
    size, _width = PAPER[paper(form)]
    w = form_words(lang)
    if not pdf:
        return (f"@page {{ size: {size}; margin: 12mm 15mm; }}\n"
                "html { background: #f3f3f3; } body { margin: 0; padding: 8mm 4mm; }\n"
                ".sheet { background: #fff; max-width: 200mm; margin: 0 auto; padding: 10mm 10mm 6mm; "
                "box-shadow: 0 1px 4px rgba(0,0,0,.25); }\n"
                ".sheet.landscape { max-width: 287mm; }\n"
                ".toolbar { max-width: 200mm; margin: 0 auto 4mm; text-align: right; font: 10pt sans-serif; }\n"
                ".toolbar button { font: inherit; padding: 1.5mm 5mm; margin-left: 2mm; cursor: pointer; }\n"
                "@media print { html { background: none; } body { padding: 0; } "
                ".sheet { box-shadow: none; padding: 0; max-width: none; } .toolbar { display: none; } }\n")
    pages = w["page"].replace("{n}", '" counter(page) "')
    total = w["pages"].replace("{n}", '" counter(pages) "')
    footer = footer_text(form, lang).replace('"', "'")
    font = formpdf_font_url()
    return (f'@font-face {{ font-family: "MformField"; src: url("{font}"); }}\n'
            f"@page {{ size: {size}; margin: 12mm 15mm 14mm;\n"
            f'  @bottom-left {{ content: "{footer}"; font: 8pt "Noto Sans CJK SC"; color: #333; }}\n'
            f'  @bottom-right {{ content: "{pages} / {total}"; font: 8pt "Noto Sans CJK SC"; color: #333; }} }}\n'
            "html, body { margin: 0; }\n"
            'body .mform input, body .mform textarea { font-family: "MformField"; }\n'
            "body .mform .mform-footer { display: none; }\n")


def formpdf_font_url() -> str:
    from .pdf import field_font_file

    return field_font_file().as_uri()


def page_html(manual: Manual, form: Form, *, lang: str = "zh-CN", pdf: bool = False,
              values: dict | None = None) -> str:
    """A whole HTML page around the form: the stand-alone ``.html``, or the source of the ``.pdf``."""
    return _env().get_template("page.html.j2").render(
        title=f"{form.code} {form.title}", lang=lang, form_id=f"mf-{form.id}", company=manual.company, pdf=pdf,
        landscape=paper(form).endswith("landscape"), words=form_words(lang),
        page_css=Markup(_page_css(form, lang, pdf=pdf)),
        fragment=Markup(form_html_fragment(manual, form, values, mode="pdf" if pdf else "html", lang=lang)))


def pdf_labels(form: Form) -> dict[str, str]:
    return {pf.name: pf.label for pf in formspec.pdf_fields(form)}


def pdf_info(manual: Manual, form: Form, lang: str = "zh-CN") -> dict[str, str]:
    return {"Title": f"{form.code} {form.title}", "Author": manual.company,
            "Subject": footer_text(form, lang), "Creator": "manual-as-code (manual build forms)"}


def fillable_pdf(manual: Manual, form: Form, *, lang: str = "zh-CN") -> bytes:
    from . import pdf as formpdf

    signatures = {pf.name for pf in formspec.pdf_fields(form) if pf.kind == "signature"}
    return formpdf.fillable_pdf(page_html(manual, form, lang=lang, pdf=True), labels=pdf_labels(form),
                                signatures=signatures, info=pdf_info(manual, form, lang))


def docx_bytes(manual: Manual, form: Form, *, lang: str = "zh-CN") -> bytes:
    from . import docx as formdocx

    return formdocx.form_docx(manual, form, lang=lang)


# -- build -------------------------------------------------------------------------------
def render_form(manual: Manual, form: Form, lang: str = "zh-CN") -> dict[str, bytes]:
    """The three outputs of one form, as bytes (nothing written)."""
    return {
        "pdf": fillable_pdf(manual, form, lang=lang),
        "docx": docx_bytes(manual, form, lang=lang),
        "html": page_html(manual, form, lang=lang).encode("utf-8"),
    }


_WORKER: dict = {}


def _worker_init(manual, lang):
    import gc

    gc.freeze()  # what the worker inherited is never collected here: no copy-on-write of it by the collector
    _WORKER["manual"], _WORKER["lang"] = manual, lang


def _worker_render(form_id: str) -> dict[str, bytes]:
    manual = _WORKER["manual"]
    return render_form(manual, manual.forms[form_id], _WORKER["lang"])


def render_forms(manual: Manual, form_ids: list[str], lang: str, jobs: int | None, *,
                 quiet: bool = True) -> dict[str, dict[str, bytes]]:
    """Every form's outputs; in ``jobs`` worker processes when jobs > 1 (fork only)."""
    import multiprocessing as mp

    from .pdf import field_font_file
    from ...common.progress import task

    if form_ids:
        field_font_file()  # made once, before any fork, so that workers share it (and it is cleaned up)
    out = {}
    with task("表单" if lang != "en" else "Forms", total=len(form_ids), quiet=quiet) as done:
        if not jobs or jobs <= 1 or len(form_ids) < 2 or "fork" not in mp.get_all_start_methods():
            for form_id in form_ids:
                out[form_id] = render_form(manual, manual.forms[form_id], lang)
                done.advance(form_id)
            return out
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=min(jobs, len(form_ids)), mp_context=mp.get_context("fork"),
                                 initializer=_worker_init, initargs=(manual, lang)) as pool:
            for form_id, outputs in zip(form_ids, pool.map(_worker_render, form_ids)):
                out[form_id] = outputs
                done.advance(form_id)
    return out


# The generator's code a form's outputs are made by (the model and helpers, this module, its templates).
CODE = ("*.py", "common/**/*", "read/**/*", "model/**/*", "labels/**/*", "publishers/*.py", "publishers/render/**/*",
        "publishers/docx/xml.py", "publishers/forms/**/*", "templates/forms/**/*")


def cache_key(manual: Manual, form: Form, lang: str = "zh-CN") -> str:
    """What a form's three outputs are made of: the form's source data, the manual's settings (without
    the chapter list), the engines' versions, the fonts and the generator's code."""
    from ..render import cache as cache_mod

    config = {k: v for k, v in manual.config.items() if k != "chapters"}
    return cache_mod.digest("forms", cache_mod.renderer_id(render_form),
                            cache_mod.versions("weasyprint", "pydyf", "pypdf", "pyhanko", "python-docx", "lxml"),
                            cache_mod.code_digest(*CODE), cache_mod.font_digest(), lang, config, form.path,
                            form.meta)


def build(manual: Manual, *, out: Path, quiet: bool = False, jobs: int | None = None, cache: bool = True,
          lang: str = "zh-CN") -> list[Path]:
    """Render every form, then write all files (each atomically).

    A form whose key (``cache_key``) is in ``<root>/.cache/forms/`` is taken from there; the others
    are rendered, in ``jobs`` worker processes.  Nothing is written until every form has rendered,
    so a failure leaves the earlier outputs as they were.  Outputs of forms that no longer exist
    are removed; ``filled/`` (pre-filled batches) is left alone.
    """
    from ..render import cache as cache_mod
    from .pdf import FormFontMissing
    folder = Path(out) / OUTPUT_DIR
    store = cache_mod.BuildCache(manual.root, "forms", enabled=cache)
    form_ids = sorted(manual.forms)
    keys = {fid: cache_key(manual, manual.forms[fid], lang) for fid in form_ids} if cache else {}
    rendered: dict[str, dict[str, bytes]] = {}
    for fid in form_ids:
        outputs = {ext: store.get(cache_mod.digest(keys[fid], ext)) for ext in EXTENSIONS} if cache else {}
        if cache and all(v is not None for v in outputs.values()):
            rendered[fid] = outputs
    try:
        fresh = render_forms(manual, [fid for fid in form_ids if fid not in rendered], lang, jobs, quiet=quiet)
    except FormFontMissing as exc:
        raise UsageError(str(exc)) from None
    for fid, outputs in fresh.items():
        rendered[fid] = outputs
        for ext in EXTENSIONS:
            if cache:
                store.put(cache_mod.digest(keys[fid], ext), outputs[ext])
    written: list[Path] = []
    for form_id in form_ids:
        for ext in EXTENSIONS:
            written.append(cache_mod.write_if_changed(folder / f"{form_id}.{ext}", rendered[form_id][ext]))
    if folder.is_dir():
        for stale in sorted(folder.iterdir()):
            if (stale.is_file() and stale.suffix.lstrip(".") in EXTENSIONS and stale.stem not in rendered
                    and not stale.name.startswith(".")):
                stale.unlink()
    store.prune()
    if not quiet:
        sizes = ", ".join(f"{fid}.pdf {len(rendered[fid]['pdf']) / 1e6:.1f} MB" for fid in form_ids)
        reused = len(rendered) - len(fresh)
        cached = (f"{reused} 个取自缓存" if lang != "en" else f"{reused} from the cache") if reused else ""
        print(f"forms: {len(rendered)} forms → {folder} ({sizes})" + (f"; {cached}" if cached else ""),
              file=sys.stderr)
    return written


# -- manual forms fill -----------------------------------------------------------------------
