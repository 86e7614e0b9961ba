"""The print edition as PDF (WeasyPrint).

``manual build pdf`` writes

* ``dist/manual.pdf`` – the whole manual: cover with the manual's sign-off,
  table of contents with page numbers, every document on its own pages
  (running header company · manual, footer code · version · 第 N 页 / 共 M 页,
  revision history and 编制/审核/批准 table), and an appendix with the
  blank forms;
* ``dist/documents/<code>.pdf`` – each document on its own, with the forms
  it uses.

Pages of a document that is not in force (draft, in review) are printed
on the named page ``draft``, whose background is the 草稿 DRAFT watermark.

Each document's HTML is a pure function of (manual, document, language):
``document_html``.  Rendering one document's PDF (``render_document_pdf``)
needs nothing else, so documents are rendered in worker processes
(``jobs``) and cached by the hash of their HTML (``generator.cache``).  Every file is rendered in
memory first and written atomically at the end, so a failing build leaves
the earlier outputs as they were.
"""
from __future__ import annotations

import base64
import html as html_mod
import re
import sys
from functools import lru_cache
from pathlib import Path

from markupsafe import Markup, escape

from ..body import inline_html, to_html
from ..links import CITATION, resolve
from ..model import Document, Form, Manual
from ..outputs import atomic_write_bytes
from . import printmodel as pm

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "print"
EXT = "pdf"


# -- templates ------------------------------------------------------------------------
def css_string(value) -> Markup:
    """A CSS string literal (with quotes) that cannot end the string, the rule or the <style>."""
    out = []
    for ch in str(value):
        if ch in '"\\<>&' or ord(ch) < 0x20 or ord(ch) == 0x7f:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return Markup('"' + "".join(out) + '"')


@lru_cache(maxsize=1)
def _env():
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    env.filters["css_string"] = css_string
    return env


def _render(template: str, **context) -> str:
    return _env().get_template(template).render(**context)


def watermark_uri(lang: str = "zh-CN") -> str:
    """The draft watermark: an A4-sized SVG with 草稿 / DRAFT across the diagonal, as a data URI."""
    lab = pm.L(lang)
    big = escape(lab["draft_mark_zh"])
    small = escape(lab["draft_mark"])
    # One <text> per line, each with its own transform: text inside a <g> ends up in nested form
    # XObjects that text extractors (pypdf, pdftotext) do not read.
    common = ('transform="rotate(-54.8 297.5 421)" fill="#b91c1c" fill-opacity="0.13" text-anchor="middle" '
              'font-family="\'Noto Sans CJK SC\', \'WenQuanYi Micro Hei\', sans-serif" font-weight="bold"')
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="595" height="842" viewBox="0 0 595 842">'
           f'<text x="297.5" y="400" font-size="150" {common}>{big}</text>'
           f'<text x="297.5" y="520" font-size="96" {common}>{small}</text></svg>')
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def svg_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


@lru_cache(maxsize=4)
def stylesheet(lang: str = "zh-CN") -> str:
    return _render("print.css.j2", words=pm.page_words(lang), watermark=watermark_uri(lang))


# -- citations ----------------------------------------------------------------------------
_TAG = re.compile(r"(<[^>]*>)")


def link_citations(manual: Manual, html: str, allowed: set[str] | None) -> Markup:
    """Turn 《title》 in the text of ``html`` into links to the cited document or form.

    Only text outside tags and outside existing links is touched.  ``allowed``
    is the set of anchors present in the output (None: every document and form);
    a citation of anything else is marked but not linked.
    """
    out = []
    in_link = 0
    for part in _TAG.split(html):
        if part.startswith("<"):
            if re.match(r"<a[\s>]", part):
                in_link += 1
            elif part.startswith("</a"):
                in_link = max(0, in_link - 1)
            out.append(part)
            continue
        if in_link or "《" not in part:
            out.append(part)
            continue

        def repl(m):
            target = resolve(manual, html_mod.unescape(m.group(1)))
            if target is None:
                return m.group(0)
            ref = pm.anchor(target)
            if allowed is None or ref in allowed:
                return f'<a class="cite" href="#{ref}">{m.group(0)}</a>'
            return f'<span class="cite">{m.group(0)}</span>'

        out.append(CITATION.sub(repl, part))
    return Markup("".join(out))


def _inline(manual: Manual, text: str, allowed) -> Markup:
    return link_citations(manual, inline_html(str(text)), allowed)


# -- one document ------------------------------------------------------------------------------
def _allowed_single(manual: Manual, doc: Document) -> set[str]:
    return {pm.anchor(doc)} | {pm.anchor(f) for f in pm.doc_forms(manual, doc)}


def document_context(manual: Manual, doc: Document, lang: str, allowed: set[str] | None) -> dict:
    """Everything the document template prints, as plain data (text escaped by the template)."""
    lab = pm.L(lang)
    draft = pm.is_draft(doc)
    signoff = pm.signoff_rows(doc, lang)
    ctx = {
        "code": doc.code, "title": doc.title, "kind": doc.kind or "policy", "anchor": pm.anchor(doc),
        "draft": draft, "footer": pm.footer_text(doc, lang),
        "banner": lab["draft_banner"] if draft else "",
        "meta": pm.meta_rows(manual, doc, lang),
        "body": link_citations(manual, to_html(doc.body), allowed),
        "orgchart": None, "staffing": None, "workflow": [], "workflow_svg": None, "jobs": [],
        "forms": [], "revisions": pm.revision_rows(doc, lang), "signoff": signoff,
        "sample_note": lab["sample_note"] if pm.has_sample_names(manual, signoff) else "",
    }
    if doc.meta.get("orgchart"):
        from ..diagrams import orgchart_svg

        ctx["orgchart"] = svg_uri(orgchart_svg(manual, lang))
    if doc.meta.get("staffing"):
        ctx["staffing"] = pm.staffing(manual, lang)
    if doc.meta.get("workflow"):
        from ..diagrams import workflow_svg

        steps = pm.workflow_steps(manual, doc)
        for step in steps:
            for f in step["forms"]:
                form = manual.forms.get(f["id"])
                label = f"《{f['title']}》"
                f["html"] = _inline(manual, label, allowed) if form else escape(label)
        ctx["workflow"] = steps
        ctx["workflow_svg"] = svg_uri(workflow_svg(manual, doc, lang))
    if doc.meta.get("jobs"):
        jobs = pm.jobs(manual, doc)
        for job in jobs:
            job["duties"] = [_inline(manual, d, allowed) for d in job["duties"]]
        ctx["jobs"] = jobs
    ctx["forms"] = [_inline(manual, f"{f.code} 《{f.title}》", allowed) for f in pm.doc_forms(manual, doc)]
    return ctx


def document_html(manual: Manual, doc: Document, *, lang: str = "zh-CN", single: bool = False) -> str:
    """The HTML ``<section>`` of one document: a pure function of (manual, doc, lang)."""
    allowed = _allowed_single(manual, doc) if single else None
    return _render("document.html.j2", d=document_context(manual, doc, lang, allowed), lab=pm.L(lang), lang=lang)


# -- forms appendix ------------------------------------------------------------------------------
def _forms_fragment_function():
    """The forms publisher's ``form_html_fragment(manual, form)``, when it is there."""
    import importlib

    try:
        forms_pub = importlib.import_module(f"{__package__}.forms")
    except ModuleNotFoundError as exc:
        if exc.name == f"{__package__}.forms":
            return None
        raise
    return getattr(forms_pub, "form_html_fragment", None)


def forms_stylesheet() -> str:
    """The forms publisher's scoped style sheet, once per page (not once per form)."""
    fn = _forms_fragment_function()
    if fn is None:
        return ""
    import importlib

    css = getattr(importlib.import_module(f"{__package__}.forms"), "form_css", None)
    return css() if css else ""


def form_html(manual: Manual, form: Form, lang: str = "zh-CN") -> str:
    lab = pm.L(lang)
    fragment = None
    fn = _forms_fragment_function()
    if fn is not None:
        fragment = Markup(fn(manual, form, mode="static", lang=lang, css=False))
    sections = []
    for s in pm.form_sections(form):
        fields = []
        for fld in s["fields"]:
            ftype = str(fld.get("type", "text"))
            rows = fld.get("rows") if isinstance(fld.get("rows"), int) else (4 if ftype == "table" else 1)
            fields.append({"label": str(fld.get("label") or fld.get("id", "")), "type": ftype,
                           "required": bool(fld.get("required")),
                           "options": [str(o) for o in fld.get("options") or []] if ftype in ("choice", "multichoice")
                           else ([""] if ftype == "checkbox" else []),
                           "columns": pm.column_labels(fld), "rows": min(int(rows), 60),
                           "height": 7 * min(int(rows), 12) if ftype == "multiline" else
                           (14 if ftype == "signature" else None)})
        sections.append({"title": s["title"], "fields": fields})
    f = {"anchor": pm.anchor(form), "code": form.code, "title": form.title,
         "footer": " · ".join(x for x in (form.code, f"{lab['version']} {form.version}" if form.version else "") if x),
         "landscape": str(form.meta.get("paper", "")).endswith("landscape"),
         "instructions": str(form.meta.get("instructions", "") or ""), "sections": sections,
         "fragment": fragment}
    return _render("form.html.j2", f=f, lab=lab, lang=lang)


# -- whole pages ---------------------------------------------------------------------------------
def _page(manual: Manual, *, lang: str, pdf_title: str, keywords: str = "", cover=None, toc=None, documents=(),
          forms=(), changes=None, edition_line="", single=False) -> str:
    lab = pm.L(lang)
    css = stylesheet(lang) + ("\n" + forms_stylesheet() if forms else "")
    return _render("manual.html.j2", lang=lang, lab=lab, css=Markup(css), pdf_title=pdf_title,
                   company=manual.company, header=pm.header_text(manual),
                   description=f"{manual.company} {manual.title} {manual.edition}".strip(),
                   keywords=keywords,
                   cover=cover, toc=toc, documents=[Markup(d) for d in documents],
                   forms=list(forms), changes=changes, edition_line=edition_line, single=single)


def _forms_context(manual: Manual, forms: list[Form], lang: str) -> list[dict]:
    return [{"anchor": pm.anchor(f), "code": f.code, "title": f.title, "html": Markup(form_html(manual, f, lang))}
            for f in forms]


def manual_html(manual: Manual, *, lang: str = "zh-CN", edition: dict | None = None) -> str:
    """The whole manual as one HTML page for WeasyPrint."""
    docs = pm.print_documents(manual)
    changes = None
    edition_line = ""
    if edition is not None:
        changes = pm.change_rows(edition, lang)
        lab = pm.L(lang)
        parts = [f"{lab['edition']}：{edition.get('edition', '')}"]
        if edition.get("released"):
            parts.append(f"{lab['released']}：{pm.date_text(edition.get('released'), lang)}")
        if edition.get("previous"):
            parts.append(f"{lab['previous']}：{edition.get('previous')}")
        edition_line = "；".join(parts) if lang != "en" else "; ".join(parts)
    return _page(manual, lang=lang, pdf_title=manual.title, keywords=", ".join(d.code for d in docs), cover=pm.cover(manual, lang, edition),
                 toc=pm.toc_entries(manual, lang),
                 documents=[document_html(manual, d, lang=lang) for d in docs],
                 forms=_forms_context(manual, pm.print_forms(manual), lang), changes=changes,
                 edition_line=edition_line)


def single_html(manual: Manual, doc: Document, *, lang: str = "zh-CN") -> str:
    """One document with the forms it uses, as an HTML page for WeasyPrint."""
    return _page(manual, lang=lang, pdf_title=f"{doc.code} {doc.title}", keywords=doc.code,
                 documents=[document_html(manual, doc, lang=lang, single=True)],
                 forms=_forms_context(manual, pm.doc_forms(manual, doc), lang), single=True)


# -- the engine ------------------------------------------------------------------------------------
def _url_fetcher():
    """Only data: URLs (our own diagrams and watermark); nothing from the disk or the network."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"})


def html_to_pdf(html: str) -> bytes:
    """Render HTML to PDF bytes.  Same HTML → same bytes (no creation date is written)."""
    from weasyprint import HTML

    return HTML(string=html, base_url=str(TEMPLATES), url_fetcher=_url_fetcher()).write_pdf()


def render_manual_pdf(manual: Manual, lang: str = "zh-CN", edition: dict | None = None) -> bytes:
    return html_to_pdf(manual_html(manual, lang=lang, edition=edition))


def render_document_pdf(manual: Manual, doc: Document, lang: str = "zh-CN") -> bytes:
    return html_to_pdf(single_html(manual, doc, lang=lang))


# -- process pool (seam for parallel and cached builds) --------------------------------------------------
_WORKER: dict = {}


def _worker_init(manual, lang):
    _WORKER["manual"], _WORKER["lang"] = manual, lang


def _worker_render(code: str) -> bytes:
    manual = _WORKER["manual"]
    return render_document_pdf(manual, manual.document(code), _WORKER["lang"])


def _can_fork() -> bool:
    import multiprocessing as mp

    return "fork" in mp.get_all_start_methods()


def render_documents(manual: Manual, docs: list[Document], lang: str, jobs: int | None) -> list[bytes]:
    """Per-document PDFs, in order; in ``jobs`` worker processes when jobs > 1 (fork only)."""
    import multiprocessing as mp

    if not jobs or jobs <= 1 or len(docs) < 2 or not _can_fork():
        return [render_document_pdf(manual, d, lang) for d in docs]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=min(jobs, len(docs)), mp_context=mp.get_context("fork"),
                             initializer=_worker_init, initargs=(manual, lang)) as pool:
        return list(pool.map(_worker_render, [d.code for d in docs]))


def _render_html(html: str) -> bytes:
    return html_to_pdf(html)


def render_pages(pages: list[str], jobs: int | None) -> list[bytes]:
    """Render HTML pages to PDF bytes, in order; in ``jobs`` worker processes when jobs > 1 (fork only).

    Put the largest page (the whole manual: one long layout) first: it starts at once on one core
    while the others take the single documents one after another.
    """
    import multiprocessing as mp

    if not jobs or jobs <= 1 or len(pages) < 2 or not _can_fork():
        return [html_to_pdf(html) for html in pages]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=min(jobs, len(pages)), mp_context=mp.get_context("fork")) as pool:
        return list(pool.map(_render_html, pages))


def cache_key(html: str) -> str:
    """What makes a PDF: the HTML, WeasyPrint's and pydyf's versions, the fonts, the renderer (and this
    module, which holds the renderer's settings)."""
    from .. import cache as cache_mod

    return cache_mod.digest("pdf", cache_mod.renderer_id(html_to_pdf), cache_mod.versions("weasyprint", "pydyf"),
                            cache_mod.font_digest(), cache_mod.code_digest("publishers/pdf.py"), html)


# -- publisher entry points ------------------------------------------------------------------------------
def build(manual: Manual, *, out: Path, quiet: bool = False, jobs: int | None = None, cache: bool = True,
          lang: str = "zh-CN") -> list[Path]:
    """Write dist/manual.pdf and dist/documents/<code>.pdf; returns the paths written.

    Each PDF is keyed by the SHA-256 of its HTML (and the engine, see ``cache_key``): a PDF whose
    key is in ``<root>/.cache/pdf/`` is taken from there; the others are rendered, the whole manual
    first, in ``jobs`` worker processes.  Everything is rendered before anything is written: an error
    leaves the earlier files intact.  A file that already holds the same bytes is not rewritten.
    """
    from ..cache import BuildCache

    out = Path(out)
    store = BuildCache(manual.root, "pdf", enabled=cache)
    docs = pm.print_documents(manual)
    targets = [pm.manual_output(out, EXT)] + [pm.document_output(out, d, EXT) for d in docs]
    pages = [manual_html(manual, lang=lang)] + [single_html(manual, d, lang=lang) for d in docs]
    keys = [cache_key(html) for html in pages]
    return pm.write_outputs(store, out, targets, keys,
                            lambda missing: render_pages([pages[i] for i in missing], jobs),
                            ext=EXT, quiet=quiet, lang=lang)


def render_edition(manual: Manual, path: Path, *, edition: dict, lang: str = "zh-CN") -> Path:
    """The edition PDF of ``manual release``: the whole manual plus the change record."""
    return atomic_write_bytes(Path(path), render_manual_pdf(manual, lang, edition=edition))


__all__ = ["build", "render_edition", "document_html", "manual_html", "single_html", "render_manual_pdf",
           "render_document_pdf", "html_to_pdf"]
