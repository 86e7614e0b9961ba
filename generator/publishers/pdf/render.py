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
(``jobs``) and cached by the hash of their HTML (``generator.publishers.render.cache``).  Every file is rendered in
memory first and written atomically at the end, so a failing build leaves
the earlier outputs as they were.
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from functools import cached_property, lru_cache, partial
from pathlib import Path

from markupsafe import Markup, escape

from ...common import resources
from ...labels import labels
from ...model.citations import split_citations
from ...model import Document, Form, Manual
from ...common.outputs import atomic_write_bytes
from . import stitch as pdfstitch
from ...common.engines import release_memory
from ...common.progress import task
from .stitch import part_link
from ..render import view as pm
from ..render.pool import in_workers, worker_context
from ..render.body import body_html as render_body, escape as html_escape

TEMPLATES = resources.TEMPLATES / "print"
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
    """The draft watermark (templates/print/watermark.svg.j2): an A4-sized SVG with 草稿 / DRAFT across
    the diagonal, as a data URI."""
    lab = pm.L(lang)
    return svg_uri(_render("watermark.svg.j2", big=lab["draft_mark_zh"], small=lab["draft_mark"]))


def svg_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


@lru_cache(maxsize=4)
def stylesheet(lang: str = "zh-CN") -> str:
    return _render("print.css.j2", words=pm.page_words(lang), watermark=watermark_uri(lang))


# -- text and citations ------------------------------------------------------------------
def cited_html(manual: Manual, text: str) -> Markup:
    """Plain text, escaped, with each known 《title》 a link to the cited document or form.

    Links point to ``urn:manual:<anchor>`` (``pdfstitch.part_link``): the cited document is usually
    in another part; joining the parts turns the link into an internal one, or removes it when the
    cited document is not in the joined PDF."""
    out = []
    for piece, target in split_citations(manual, text):
        if target is None:
            out.append(html_escape(piece))
        else:
            out.append(f'<a class="cite" href="{part_link(pm.anchor(target))}">{html_escape(piece)}</a>')
    return Markup("".join(out))


def _body_href(url: str) -> str:
    """A link of the body: ``#anchor`` points at the anchor in the joined PDF (see ``cited_html``)."""
    return part_link(url[1:]) if url.startswith("#") else url


def body_html(manual: Manual, doc: Document) -> Markup:
    """The document's body (its parsed blocks) as HTML, citations linked."""
    return Markup(render_body(doc.blocks, text=partial(cited_html, manual), href=_body_href))


# -- one document ------------------------------------------------------------------------------
def document_context(manual: Manual, doc: Document, lang: str) -> dict:
    """Everything the document template prints, as plain data (text escaped by the template)."""
    lab = pm.L(lang)
    draft = pm.is_draft(doc)
    signoff = pm.signoff_rows(doc, lang)
    ctx = {
        "code": doc.code, "title": doc.title, "kind": doc.kind or "policy", "anchor": pm.anchor(doc),
        "draft": draft, "footer": pm.footer_text(doc, lang),
        "banner": lab["draft_banner"] if draft else "",
        "meta": pm.meta_rows(manual, doc, lang),
        "body": body_html(manual, doc),
        "orgchart": None, "staffing": None, "workflow": [], "workflow_svg": None, "jobs": [],
        "forms": [], "revisions": pm.revision_rows(doc, lang), "signoff": signoff,
        "sample_note": lab["sample_note"] if pm.has_sample_names(manual, signoff) else "",
    }
    if doc.orgchart:
        from ..render.diagrams import orgchart_svg

        ctx["orgchart"] = svg_uri(orgchart_svg(manual, lang))
    if doc.staffing:
        ctx["staffing"] = pm.staffing(manual, lang)
    if doc.workflow:
        from ..render.diagrams import workflow_svg

        steps = pm.workflow_steps(manual, doc)
        for step in steps:
            for f in step["forms"]:
                form = manual.forms.get(f["id"])
                label = f"《{f['title']}》"
                f["html"] = cited_html(manual, label) if form else escape(label)
        ctx["workflow"] = steps
        ctx["workflow_svg"] = svg_uri(workflow_svg(manual, doc, lang))
    if doc.jobs:
        jobs = pm.jobs(manual, doc)
        for job in jobs:
            job["duties"] = [cited_html(manual, d) for d in job["duties"]]
        ctx["jobs"] = jobs
    ctx["forms"] = [cited_html(manual, f"{f.code} 《{f.title}》") for f in pm.doc_forms(manual, doc)]
    return ctx


def document_html(manual: Manual, doc: Document, *, lang: str = "zh-CN") -> str:
    """The HTML ``<section>`` of one document: a pure function of (manual, doc, lang)."""
    return _render("document.html.j2", d=document_context(manual, doc, lang), lab=pm.L(lang), lang=lang)


# -- forms appendix ------------------------------------------------------------------------------
def _forms_fragment_function():
    """The forms publisher's ``form_html_fragment(manual, form)``."""
    from ..forms.html import form_html_fragment

    return form_html_fragment


def forms_stylesheet() -> str:
    """The forms publisher's scoped style sheet, once per page (not once per form)."""
    from ..forms.html import form_css

    return form_css()


def form_footer(form: Form, lang: str = "zh-CN") -> str:
    lab = pm.L(lang)
    return " · ".join(x for x in (form.code, f"{lab['version']} {form.version}" if form.version else "") if x)


def form_html(manual: Manual, form: Form, lang: str = "zh-CN") -> str:
    lab = pm.L(lang)
    fragment = None
    fn = _forms_fragment_function()
    if fn is not None:
        fragment = Markup(fn(manual, form, mode="static", lang=lang, css=False))
    sections = []
    for s in form.sections:
        fields = []
        for fld in s.fields:
            ftype = fld.type
            rows = fld.rows if fld.rows is not None else (4 if ftype == "table" else 1)
            fields.append({"label": fld.label or fld.id, "type": ftype, "required": fld.required,
                           "options": fld.options if ftype in ("choice", "multichoice")
                           else ([""] if ftype == "checkbox" else []),
                           "columns": pm.column_labels(fld), "rows": min(int(rows), 60),
                           "height": 7 * min(int(rows), 12) if ftype == "multiline" else
                           (14 if ftype == "signature" else None)})
        sections.append({"title": s.title, "fields": fields})
    f = {"anchor": pm.anchor(form), "code": form.code, "title": form.title,
         "footer": form_footer(form, lang),
         "landscape": form.paper.endswith("landscape"), "instructions": form.instructions, "sections": sections,
         "fragment": fragment}
    return _render("form.html.j2", f=f, lab=lab, lang=lang)


# -- pages of HTML -------------------------------------------------------------------------------
def _page(manual: Manual, *, lang: str, pdf_title: str = "", keywords: str = "", cover=None, toc=None,
          documents=(), forms=(), appendix_heading=False, changes=None, edition_line="") -> str:
    """One HTML page for WeasyPrint (manual.html.j2) holding any of the manual's pieces."""
    lab = pm.L(lang)
    css = stylesheet(lang) + ("\n" + forms_stylesheet() if forms else "")
    return _render("manual.html.j2", lang=lang, lab=lab, css=Markup(css), pdf_title=pdf_title,
                   company=manual.company, header=pm.header_text(manual),
                   description=f"{manual.company} {manual.title} {manual.edition}".strip(),
                   keywords=keywords, cover=cover, toc=toc, documents=[Markup(d) for d in documents],
                   forms=list(forms), appendix_heading=appendix_heading, changes=changes,
                   edition_line=edition_line)


def _forms_context(manual: Manual, forms: list[Form], lang: str) -> list[dict]:
    return [{"anchor": pm.anchor(f), "code": f.code, "title": f.title, "html": Markup(form_html(manual, f, lang))}
            for f in forms]


def _edition_line(edition: dict, lang: str) -> str:
    lab = pm.L(lang)
    parts = [f"{lab['edition']}{lab['colon']}{edition.get('edition', '')}"]
    if edition.get("released"):
        parts.append(f"{lab['released']}{lab['colon']}{pm.date_text(edition.get('released'), lang)}")
    if edition.get("previous"):
        parts.append(f"{lab['previous']}{lab['colon']}{edition.get('previous')}")
    return labels(lang)["print_text"]["list_sep"].join(parts)


# -- parts: what is rendered (and cached) on its own -------------------------------------------------------
@dataclass(frozen=True)
class Part:
    """One piece of a PDF, rendered by WeasyPrint on its own: its HTML and its running footer
    (None: no footer, the cover).  The same document part serves manual.pdf and the document's
    own PDF."""
    html: str
    footer: str | None
    anchor: str = ""
    level: int = 1  # outline level of the part's top bookmarks (a form's title is level 2)

    @cached_property
    def key(self) -> str:
        return cache_key(self.html)


@dataclass
class Plan:
    """One output PDF: its parts in order, the contents (manual only) and the file's metadata."""
    parts: list[Part]
    title: str
    keywords: str = ""
    subject: str = ""
    toc: list[dict] | None = None  # entries; an entry's "part" is the index of the part it points to
    toc_at: int = 0  # where the contents go (before parts[toc_at])


def cover_part(manual: Manual, lang: str, edition: dict | None = None) -> Part:
    return Part(_page(manual, lang=lang, cover=pm.cover(manual, lang, edition)), None)


def document_part(manual: Manual, doc: Document, lang: str) -> Part:
    return Part(_page(manual, lang=lang, documents=[document_html(manual, doc, lang=lang)]),
                pm.footer_text(doc, lang), pm.anchor(doc))


def appendix_part(manual: Manual, lang: str) -> Part:
    return Part(_page(manual, lang=lang, appendix_heading=True), pm.L(lang)["appendix_forms"], "appendix-forms")


def form_part(manual: Manual, form: Form, lang: str) -> Part:
    return Part(_page(manual, lang=lang, forms=_forms_context(manual, [form], lang)), form_footer(form, lang),
                pm.anchor(form), level=2)


def changes_part(manual: Manual, lang: str, edition: dict) -> Part:
    return Part(_page(manual, lang=lang, changes=pm.change_rows(edition, lang), edition_line=_edition_line(edition, lang)),
                pm.L(lang)["changes"], "changes")


def toc_part(manual: Manual, lang: str, entries: list[dict]) -> Part:
    return Part(_page(manual, lang=lang, toc=entries), pm.L(lang)["contents"], "toc")


def _shared(memo: dict | None, key: tuple, make) -> Part:
    """The part ``key`` from ``memo`` (made once): manual.pdf and the documents' own PDFs share their
    document, appendix and form parts, so each part's HTML is made and hashed once per build."""
    if memo is None:
        return make()
    if key not in memo:
        memo[key] = make()
    return memo[key]


def manual_plan(manual: Manual, lang: str = "zh-CN", edition: dict | None = None, memo: dict | None = None) -> Plan:
    """The whole manual: cover, contents, the documents, the forms appendix (and an edition's change record)."""
    lab = pm.L(lang)
    docs = pm.print_documents(manual)
    forms = pm.print_forms(manual)
    parts = [cover_part(manual, lang, edition)] + [_shared(memo, ("doc", d.code), lambda d=d: document_part(manual, d, lang))
                                                    for d in docs]
    index = {p.anchor: i for i, p in enumerate(parts) if p.anchor}
    toc = []
    for e in pm.toc_entries(manual, lang):
        e = dict(e)
        if e.get("anchor") in index:
            e["part"] = index[e["anchor"]]
        toc.append(e)
    if forms:
        parts.append(_shared(memo, ("appendix",), lambda: appendix_part(manual, lang)))
        toc.append({"kind": "chapter", "title": lab["appendix_forms"], "anchor": "appendix-forms",
                    "part": len(parts) - 1})
        for f in forms:
            parts.append(_shared(memo, ("form", f.id), lambda f=f: form_part(manual, f, lang)))
            toc.append({"kind": "form", "code": f.code, "title": f.title, "anchor": pm.anchor(f),
                        "part": len(parts) - 1, "draft": False})
    if edition is not None:
        parts.append(changes_part(manual, lang, edition))
        toc.append({"kind": "chapter", "title": lab["changes"], "anchor": "changes", "part": len(parts) - 1})
    return Plan(parts, title=manual.title, keywords=", ".join(d.code for d in docs),
                subject=f"{manual.company} {manual.title} {manual.edition}".strip(), toc=toc, toc_at=1)


def document_plan(manual: Manual, doc: Document, lang: str = "zh-CN", memo: dict | None = None) -> Plan:
    """One document with the forms it uses."""
    parts = [_shared(memo, ("doc", doc.code), lambda: document_part(manual, doc, lang))]
    forms = pm.doc_forms(manual, doc)
    if forms:
        parts.append(_shared(memo, ("appendix",), lambda: appendix_part(manual, lang)))
        parts.extend(_shared(memo, ("form", f.id), lambda f=f: form_part(manual, f, lang)) for f in forms)
    return Plan(parts, title=f"{doc.code} {doc.title}", keywords=doc.code,
                subject=f"{manual.company} {manual.title}".strip())


def _toc_entries(plan: Plan, starts: list[int] | None) -> list[dict]:
    """The plan's contents with page numbers (``starts[i]``: first page of part i) and links."""
    out = []
    for e in plan.toc or []:
        e = dict(e)
        e.setdefault("anchor", "")
        e["href"] = part_link(e["anchor"]) if e.get("anchor") else ""
        e["page"] = str(starts[e["part"]]) if starts is not None and "part" in e else ("0" if "part" in e else "")
        out.append(e)
    return out


def plan_key(plan: Plan, lang: str) -> str:
    """What makes the joined PDF: the parts, the contents before page numbers, the footers, the
    metadata and the code that joins them.  Page numbers follow from the parts, so they need not be in it."""
    from ..render import cache as cache_mod

    return cache_mod.digest("pdf-out", cache_mod.code_digest("publishers/pdf/**/*", "templates/print/*"),
                            cache_mod.versions("pypdf", "uharfbuzz", "weasyprint"), cache_mod.font_digest(),
                            [p.key for p in plan.parts], [(p.footer, p.level) for p in plan.parts],
                            _toc_entries(plan, None) if plan.toc is not None else None, plan.toc_at,
                            plan.title, plan.keywords, plan.subject, lang)


# -- the engine ------------------------------------------------------------------------------------
def _url_fetcher():
    """Only data: URLs (our own diagrams and watermark); nothing from the disk or the network."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"})


def _layout(html: str):
    from weasyprint import HTML

    return HTML(string=html, base_url=str(TEMPLATES), url_fetcher=_url_fetcher()).render()


def html_to_pdf(html: str) -> bytes:
    """Render HTML to PDF bytes.  Same HTML → same bytes (no creation date is written)."""
    return _layout(html).write_pdf()


def render_part(html: str) -> bytes:
    """A part as a cache entry: one line of JSON (per page: is it landscape?), then the PDF."""
    document = _layout(html)
    shapes = [page.width > page.height for page in document.pages]
    entry = json.dumps(shapes).encode("ascii") + b"\n" + document.write_pdf()
    del document
    # WeasyPrint's boxes form reference cycles: ~50 MB per part that only a full collection frees.
    # Collecting after each part (and trimming the heap) keeps a worker near 120 MB instead of
    # 500-700 MB (~4% more time).
    release_memory()
    return entry


def _split(entry: bytes) -> tuple[list[bool], memoryview]:
    """(per page: landscape?, the PDF) of a part's cache entry; the PDF is a view, not a copy."""
    end = entry.index(b"\n")
    return json.loads(entry[:end]), memoryview(entry)[end + 1:]


def _get(entry):
    """An entry given as bytes or as a function that loads it (parts are loaded when needed, so that
    a large manual's parts are never all in memory at once)."""
    return entry() if callable(entry) else entry


def _load_part(store, kept: dict, key: str, html: str) -> bytes:
    if key in kept:
        return kept[key]
    data = store.get(key)
    if data is None:  # gone or damaged since the build looked: render it again
        data = render_part(html)
        store.put(key, data)
    return data


def footer_stylesheet(lang: str = "zh-CN") -> str:
    """The running footer with page counters, for one-layout pages (the benchmark's floor)."""
    return _render("footer.css.j2", words=pm.page_words(lang))


def footer_line(footer: str | None, page: int, pages: int, lang: str) -> str:
    """A page's whole footer: ``0101-2014 · 版本 1.0　　第 3 页 / 共 40 页`` ("" without a footer)."""
    if footer is None:
        return ""
    w = pm.page_words(lang)
    return (f"{footer}　　{w['page_pre']}{page}{w['page_post']}"
            f"{w['sep']}{w['pages_pre']}{pages}{w['pages_post']}")


OVERLAY_CHUNK = 100  # pages per footer rendering: bounded memory for any length of manual


def overlay_html(pages: list[tuple[bool, str]], lang: str) -> str:
    """Empty pages, each with its footer written out: (landscape, footer line)."""
    return _render("overlay.html.j2", lang=lang, pages=[{"landscape": landscape, "footer": footer}
                                                        for landscape, footer in pages])


def _cached_render(store, html: str, used: list[str] | None = None) -> bytes:
    key = cache_key(html)
    if used is not None:
        used.append(key)
    entry = store.get(key) if store is not None else None
    if entry is None:
        entry = render_part(html)
        if store is not None:
            store.put(key, entry)
    return entry


def join(manual: Manual, plan: Plan, entries: list[bytes], lang: str, store=None,
         used: list[str] | None = None) -> bytes:
    """The plan's parts (rendered entries, in order) joined into one PDF: contents with page
    numbers, running footers, links, bookmarks and shared fonts (generator/publishers/pdf/stitch.py).
    The contents and footer pages it renders are cached in ``store``; their keys go to ``used``."""
    shapes = [_split(_get(e))[0] for e in entries]
    parts = list(plan.parts)
    pdfs: list = [(lambda e=e: _split(_get(e))[1]) for e in entries]
    if plan.toc is not None:
        toc_pages = 1
        for _ in range(6):  # the contents' own length moves every page number after it
            counts = [len(s) for s in shapes]
            counts.insert(plan.toc_at, toc_pages)
            starts = [1 + sum(counts[:i]) for i in range(len(counts))]
            starts = starts[:plan.toc_at] + starts[plan.toc_at + 1:]
            toc = toc_part(manual, lang, _toc_entries(plan, starts))
            toc_shapes, toc_pdf = _split(_cached_render(store, toc.html, used))
            if len(toc_shapes) == toc_pages:
                break
            toc_pages = len(toc_shapes)
        parts.insert(plan.toc_at, toc)
        shapes.insert(plan.toc_at, toc_shapes)
        pdfs.insert(plan.toc_at, toc_pdf)
    flat = [(landscape, part.footer) for part, s in zip(parts, shapes) for landscape in s]
    pages = [(landscape, footer_line(footer, n, len(flat), lang)) for n, (landscape, footer) in enumerate(flat, 1)]
    overlay = [_split(_cached_render(store, overlay_html(pages[i:i + OVERLAY_CHUNK], lang), used))[1]
               for i in range(0, len(pages), OVERLAY_CHUNK)]
    return pdfstitch.stitch(pdfs, overlay=overlay, levels=[p.level for p in parts], title=plan.title, subject=plan.subject,
                            keywords=plan.keywords, lang=lang, producer=_producer())


@lru_cache(maxsize=1)
def _producer() -> str:
    from ..render import cache as cache_mod

    return "manual-as-code (" + cache_mod.versions("weasyprint", "pypdf").replace("==", " ").replace(";", ", ") + ")"


def render_plan(manual: Manual, plan: Plan, lang: str = "zh-CN", store=None, jobs: int | None = None) -> bytes:
    """One plan rendered and joined: parts from ``store`` (a BuildCache) when there, the others
    rendered in ``jobs`` worker processes."""
    kept: dict[str, bytes] = {}
    todo = list(dict.fromkeys(p.key for p in plan.parts if store is None or not store.contains(p.key)))
    html = {p.key: p.html for p in plan.parts}
    for i, entry in render_pages([html[k] for k in todo], jobs):
        if store is not None:
            store.put(todo[i], entry)
            if store.contains(todo[i]):  # waits there, not in memory
                continue
        kept[todo[i]] = entry
    entries = [partial(_load_part, store, kept, p.key, p.html) if store is not None else kept[p.key]
               for p in plan.parts]
    return join(manual, plan, entries, lang, store)


def render_manual_pdf(manual: Manual, lang: str = "zh-CN", edition: dict | None = None) -> bytes:
    return render_plan(manual, manual_plan(manual, lang, edition), lang)


def render_document_pdf(manual: Manual, doc: Document, lang: str = "zh-CN") -> bytes:
    return render_plan(manual, document_plan(manual, doc, lang), lang)


# -- one-layout pages (the benchmark's floor) -----------------------------------------------------------
def manual_html(manual: Manual, *, lang: str = "zh-CN") -> str:
    """The whole manual as ONE HTML page with the same content and footer: what WeasyPrint would
    lay out if the manual were rendered in one go (bench/floor.py measures it)."""
    plan = manual_plan(manual, lang)
    return _one_layout(manual, plan, lang)


def single_html(manual: Manual, doc: Document, *, lang: str = "zh-CN") -> str:
    """One document with its forms as ONE HTML page (see ``manual_html``)."""
    return _one_layout(manual, document_plan(manual, doc, lang), lang)


def _one_layout(manual: Manual, plan: Plan, lang: str) -> str:
    bodies = []
    for part in plan.parts:
        html = part.html
        bodies.append(html[html.index("<body"):html.rindex("</body>")].split(">", 1)[1])
    if plan.toc is not None:
        toc = toc_part(manual, lang, _toc_entries(plan, None)).html
        bodies.insert(plan.toc_at, toc[toc.index("<body"):toc.rindex("</body>")].split(">", 1)[1])
    first = plan.parts[0].html
    head = first[:first.index("<body")]
    css = forms_stylesheet() + "\n" + footer_stylesheet(lang)
    head = head.replace("</style>", css + "\n</style>", 1)
    return _render("one_layout.html.j2", head=Markup(head), header=pm.header_text(manual),
                   bodies=[Markup(b) for b in bodies])


# -- worker processes ------------------------------------------------------------------------------------
def _join_task(index: int) -> tuple[bytes, list[str]]:
    """Join plan ``index`` (in a worker): the PDF and the keys of the contents and footer pages it used."""
    manual, plans, entries_for, lang, store = worker_context()
    used: list[str] = []
    pdf = join(manual, plans[index], entries_for(plans[index]), lang, store, used)
    release_memory()
    return pdf, used


def render_pages(pages: list[str], jobs: int | None):
    """Render parts (HTML) to cache entries; yields (index, entry) as they come, in ``jobs`` worker
    processes, the largest page first."""
    order = sorted(range(len(pages)), key=lambda i: -len(pages[i]))
    for j, entry in in_workers(render_part, [pages[i] for i in order], jobs=jobs):
        yield order[j], entry


def cache_key(html: str) -> str:
    """What makes a PDF: the HTML, WeasyPrint's and pydyf's versions, the fonts, the renderer (and this
    module, which holds the renderer's settings)."""
    from ..render import cache as cache_mod

    return cache_mod.digest("pdf", cache_mod.renderer_id(render_part), cache_mod.versions("weasyprint", "pydyf"),
                            cache_mod.font_digest(), cache_mod.code_digest("publishers/pdf/**/*"), pdfstitch.URN, html)


# -- publisher entry points ------------------------------------------------------------------------------
def build(manual: Manual, *, out: Path, quiet: bool = False, jobs: int | None = None, cache: bool = True,
          lang: str = "zh-CN") -> list[Path]:
    """Write dist/manual.pdf and dist/documents/<code>.pdf; returns the paths written.

    Every output is a plan of parts (``manual_plan``, ``document_plan``).  A joined PDF whose key
    (``plan_key``: its parts' HTML, footers, contents and the joining code) is in ``.cache/pdf/`` is
    taken from there.  For the others, each part is taken from ``.cache/pdf-parts/`` or rendered (in
    ``jobs`` worker processes, largest first), then the parts are joined (also in the workers).
    Everything is rendered before anything is written: an error leaves the earlier files intact.
    A file that already holds the same bytes is not rewritten.
    """
    import tempfile

    from ..render.cache import BuildCache

    if cache and manual.root is not None:
        return _build(manual, Path(out), quiet, jobs, lang, BuildCache(manual.root, "pdf"),
                      BuildCache(manual.root, "pdf-parts"))
    # Without the cache, the parts wait in a scratch folder between rendering and joining: never all
    # in memory (a 2,000-document manual's parts are about a gigabyte).
    with tempfile.TemporaryDirectory(prefix="manual-pdf-parts-") as scratch:
        return _build(manual, Path(out), quiet, jobs, lang, BuildCache(manual.root, "pdf", enabled=False),
                      BuildCache(Path(scratch), "pdf-parts"))


def _build(manual: Manual, out: Path, quiet: bool, jobs: int | None, lang: str, store, parts_store) -> list[Path]:
    docs = pm.print_documents(manual)
    targets = [pm.manual_output(out, EXT)] + [pm.document_output(out, d, EXT) for d in docs]
    memo: dict = {}
    plans = [manual_plan(manual, lang, memo=memo)] + [document_plan(manual, d, lang, memo=memo) for d in docs]
    keys = [plan_key(p, lang) for p in plans]

    def render_missing(missing: list[int]):
        needed: dict[str, str] = {}
        for i in missing:
            for part in plans[i].parts:
                needed.setdefault(part.key, part.html)
        # Parts not in the cache are rendered first, in the workers; each goes to the cache as it
        # comes.  The joins load them one by one.
        todo = [k for k in needed if not parts_store.contains(k)]
        anchors = {part.key: part.anchor for i in missing for part in plans[i].parts}
        with task(labels(lang)["print_text"]["progress_parts"], total=len(todo), quiet=quiet) as parts_done:
            for i, entry in render_pages([needed[k] for k in todo], jobs):
                parts_store.put(todo[i], entry)
                parts_done.advance(anchors.get(todo[i]) or "")

        def entries_for(plan):
            return [partial(_load_part, parts_store, {}, p.key, p.html) for p in plan.parts]

        with task(labels(lang)["print_text"]["progress_files"], total=len(missing), quiet=quiet) as joined:
            for i, pdf in _joined(missing, entries_for):
                joined.advance(targets[i].name)
                yield i, pdf

    def _joined(missing: list[int], entries_for):
        """(index, joined PDF) for each plan, as each join is done, in the workers (the whole manual
        first); the contents and footer pages they render are cached by the workers (atomic
        entries) and their keys come back with the PDF."""
        context = (manual, plans, entries_for, lang, parts_store)
        for j, (pdf, used) in in_workers(_join_task, missing, jobs=jobs, context=context):
            derived[keys[missing[j]]] = used
            yield missing[j], pdf

    derived: dict[str, list[str]] = {}
    written = pm.write_outputs(store, out, targets, keys, render_missing, ext=EXT, quiet=quiet, lang=lang)
    _keep_parts(parts_store, plans, keys, derived)
    parts_store.prune()
    return written


def _keep_parts(parts_store, plans: list[Plan], keys: list[str], derived: dict[str, list[str]]) -> None:
    """Mark as used what the outputs are made of, so that pruning keeps it: every plan's parts, and
    the contents and footer pages of each join, remembered in a small record next to the joined PDF
    (so that an output taken whole from the cache still keeps them for the next edit)."""
    for plan, key in zip(plans, keys):
        for part in plan.parts:
            parts_store.keep(part.key)
        record = "deps-" + key
        if key in derived:
            deps = derived[key]
            parts_store.put(record, json.dumps(deps).encode("ascii"))
        else:
            raw = parts_store.get(record)
            deps = json.loads(raw) if raw else []
        for k in deps:
            parts_store.keep(k)


def render_edition(manual: Manual, path: Path, *, edition: dict, lang: str = "zh-CN") -> Path:
    """The edition PDF of ``manual release``: the whole manual plus the change record.  The parts a
    build already rendered are taken from its cache (same HTML and engine, so the same bytes)."""
    from ..render.cache import BuildCache, default_jobs

    store = BuildCache(manual.root, "pdf-parts")
    pdf = render_plan(manual, manual_plan(manual, lang, edition), lang, store, jobs=default_jobs())
    return atomic_write_bytes(Path(path), pdf)


__all__ = ["build", "render_edition", "document_html", "manual_plan", "document_plan", "join", "render_plan",
           "render_manual_pdf", "render_document_pdf", "html_to_pdf", "manual_html", "single_html"]
