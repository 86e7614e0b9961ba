"""``manual build forms``: a fillable PDF, a printable DOCX and a fillable HTML page per form.

For every form in ``forms/``::

    dist/forms/<id>.pdf    fillable AcroForm (WeasyPrint + pypdf + pyHanko, see ``pdf``)
    dist/forms/<id>.docx   printable, ruled tables (python-docx, see ``docx``)
    dist/forms/<id>.html   a stand-alone page to fill in the browser and print (see ``html``)

The package, inside out: ``generator.model.formspec`` names the fields; ``spec`` lays
them out on the grid and makes the view model; ``html``, ``pdf`` and ``docx`` draw it;
``font`` is the fields' font; ``fill`` pre-fills the PDF from a CSV (``manual forms fill``);
this module renders every form (in the worker pool, through the build cache) and writes them.
"""
from __future__ import annotations

import sys
from pathlib import Path

from ...common.outputs import remove_output
from ...common.progress import task
from ...errors import FormFontMissing, UsageError
from ...labels import text
from ...model import Form, Manual
from ..render import cache as cache_mod
from ..render.pool import in_workers, worker_context
from .docx import form_docx
from .font import field_font_file
from .html import page_html
from .pdf import fillable_pdf

OUTPUT_DIR = "forms"
EXTENSIONS = ("pdf", "docx", "html")


def render_form(manual: Manual, form: Form, lang: str = "zh-CN") -> dict[str, bytes]:
    """The three outputs of one form, as bytes (nothing written)."""
    return {
        "pdf": fillable_pdf(manual, form, lang=lang),
        "docx": form_docx(manual, form, lang=lang),
        "html": page_html(manual, form, lang=lang).encode("utf-8"),
    }


def _render_in_worker(form_id: str) -> dict[str, bytes]:
    manual, lang = worker_context()
    return render_form(manual, manual.forms[form_id], lang)


def render_forms(manual: Manual, form_ids: list[str], lang: str, jobs: int | None, *,
                 quiet: bool = True) -> dict[str, dict[str, bytes]]:
    """Every form's outputs, in up to ``jobs`` worker processes (``generator.publishers.render.pool``)."""
    if form_ids:
        field_font_file()  # made once, before any fork, so that workers share it (and it is cleaned up)
    out = {}
    with task(text("form_build.progress", lang), total=len(form_ids), quiet=quiet) as done:
        for i, outputs in in_workers(_render_in_worker, form_ids, jobs=jobs, context=(manual, lang)):
            out[form_ids[i]] = outputs
            done.advance(form_ids[i])
    return {form_id: out[form_id] for form_id in form_ids}


# The generator's code a form's outputs are made by (the model and helpers, this package, its templates).
CODE = ("*.py", "common/**/*", "read/**/*", "model/**/*", "labels/**/*", "publishers/*.py", "publishers/render/**/*",
        "publishers/docx/**/*", "publishers/forms/**/*", "templates/forms/**/*")


def cache_key(manual: Manual, form: Form, lang: str = "zh-CN") -> str:
    """What a form's three outputs are made of: the form's source file, what they show of the manual
    (the company, the edition's date), the engines' versions, the fonts and the generator's code."""
    return cache_mod.digest("forms", cache_mod.renderer_id(render_form),
                            cache_mod.versions("weasyprint", "pydyf", "pypdf", "pyhanko", "python-docx", "lxml"),
                            cache_mod.code_digest(*CODE), cache_mod.font_digest(), lang,
                            {"company": manual.company, "date": manual.date}, form.path, form.source_sha256)


def build(manual: Manual, *, out: Path, quiet: bool = False, jobs: int | None = None, cache: bool = True,
          lang: str = "zh-CN") -> list[Path]:
    """Render every form, then write all files (each atomically).

    A form whose key (``cache_key``) is in ``<root>/.cache/forms/`` is taken from there; the others
    are rendered, in ``jobs`` worker processes.  Nothing is written until every form has rendered,
    so a failure leaves the earlier outputs as they were.  Outputs of forms that no longer exist
    are removed; ``filled/`` (pre-filled batches) is left alone.
    """
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
        raise UsageError(exc.key, **exc.values) from None
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
                remove_output(stale)
    store.prune()
    if not quiet:
        sizes = ", ".join(f"{fid}.pdf {len(rendered[fid]['pdf']) / 1e6:.1f} MB" for fid in form_ids)
        reused = len(rendered) - len(fresh)
        print(text("form_build.done", lang, n=len(rendered), folder=folder, sizes=sizes)
              + (text("form_build.from_cache", lang, n=reused) if reused else ""), file=sys.stderr)
    return written
