"""The print edition as PDF (WeasyPrint).

``manual build pdf`` writes

* ``dist/register.pdf`` – the 受控文件清单 (register of controlled documents, ``register.py``);
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

import json
from functools import lru_cache, partial
from pathlib import Path


from ...common import resources
from ...labels import labels
from ...model import Document, Manual
from ...common.outputs import atomic_write_bytes
from . import stitch as pdfstitch
from ...common.engines import release_memory
from ...common.progress import task
from ..render import view as pm
from .html import render_template
from .plan import Part, Plan, cache_key, document_plan, manual_plan, plan_key, toc_entries, toc_part
from ..render.pool import in_workers, worker_context

TEMPLATES = resources.TEMPLATES / "print"
EXT = "pdf"


# -- the engine ------------------------------------------------------------------------------------
def _url_fetcher():
    """Only data: URLs (our own diagrams and watermark); nothing from the disk or the network."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"})


def _render(html: str):
    from weasyprint import HTML

    return HTML(string=html, base_url=str(TEMPLATES), url_fetcher=_url_fetcher()).render()


CLOSING = '<div class="closing">'


def _closing_alone(document) -> list[str]:
    """The codes of the documents whose closing block (print.css ``.closing``: forms used, revision
    history, sign-off) begins a page that holds nothing of their body: the page's first text is in it."""
    from weasyprint.formatting_structure.boxes import MarginBox, TextBox

    def first_text(box, code, inside):
        element = getattr(box, "element", None)
        if element is not None and box.element_tag in ("section", "div"):
            classes = (element.get("class") or "").split()
            if "document" in classes and element.get("data-code"):
                code = element.get("data-code")
            inside = inside or "closing" in classes
        if isinstance(box, TextBox):
            return (code, inside) if box.text.strip() else None
        for child in getattr(box, "children", ()):
            if not isinstance(child, MarginBox):
                found = first_text(child, code, inside)
                if found is not None:
                    return found
        return None

    out = []
    for page in document.pages:
        found = first_text(page._page_box, None, False)
        if found is not None and found[1] and found[0] not in out:
            out.append(found[0])
    return out


def _pull_last_block(html: str, code: str) -> str:
    """``html`` with the last block of document ``code``'s body forced onto the next page, so that it
    goes along with the closing block: a table's last row (its header repeats above it), or a chart with
    its heading.  Unchanged where the block before the closing is neither."""
    start = html.find(f'data-code="{code}"')
    at = html.find(CLOSING, max(start, 0))
    if start < 0 or at < 0:
        return html
    before = html[:at].rstrip()
    if before.endswith("</table>"):
        row = before.rfind("<tr")
        if row > 0 and "<table" not in before[row:] and "<thead" not in before[row:]:
            return before[:row] + '<tr style="break-before: page"' + html[row + 3:]
    elif before.endswith("</figure>"):
        head = before.rfind('<h2 class="part"')
        if head > 0 and "</h2>" in before[head:] and before[head:].count("<figure") == 1:
            return before[:head] + '<h2 class="part" style="break-before: page"' + html[head + len('<h2 class="part"'):]
    return html


def _layout(html: str):
    """WeasyPrint's layout of ``html``; where a document's closing block would begin a page with nothing
    of its body (CSS's ``break-before: avoid`` cannot pull rows of a table along), laid out again with
    that document's last body block moved onto the closing block's page."""
    document = _render(html)
    if CLOSING in html:
        alone = _closing_alone(document)
        if alone:
            pulled = html
            for code in alone:
                pulled = _pull_last_block(pulled, code)
            if pulled != html:
                document = _render(pulled)
    return document


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


def footer_line(footer: str | None, page: int, pages: int, lang: str) -> str:
    """A page's whole footer: ``0101-2014 · 版本 1.0　　第 3 页 / 共 40 页`` ("" without a footer)."""
    if footer is None:
        return ""
    w = pm.page_words(lang)
    return (f"{footer}　　{w['page_pre']}{page}{w['page_post']}"
            f"{w['sep']}{w['pages_pre']}{pages}{w['pages_post']}")


OVERLAY_CHUNK = 100  # pages per footer rendering: bounded memory for any length of manual


def overlay_html(pages: list[tuple[bool, str]], lang: str, gutter: float = 0.0) -> str:
    """Empty pages, each with its footer written out: (landscape, footer line)."""
    from .html import _mm

    return render_template("overlay.html.j2", lang=lang, pages=[{"landscape": landscape, "footer": footer}
                                                        for landscape, footer in pages],
                           inner=_mm(20 + gutter) if gutter else "")


def _starts(counts: list[int], recto: bool) -> tuple[list[int], list[int]]:
    """(first page of each part, indices of the parts a blank page goes before): with ``recto`` every
    part after the first starts on a right-hand (odd) page."""
    starts, blanks, page = [], [], 1
    for i, count in enumerate(counts):
        if recto and i and page % 2 == 0:
            blanks.append(i)
            page += 1
        starts.append(page)
        page += count
    return starts, blanks


@lru_cache(maxsize=1)
def _blank_page() -> bytes:
    """An empty A4 page (the verso a binding gutter's right-hand start leaves)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595.2756, 841.8898)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


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
    # With a binding gutter the bound manual starts every part on a right-hand page; a single document
    # (no contents list) is not bound as a book and never gets an empty page.
    recto = manual.binding_gutter_mm > 0 and plan.toc is not None
    if plan.toc is not None:
        toc_pages = 1
        for _ in range(6):  # the contents' own length moves every page number after it
            counts = [len(s) for s in shapes]
            counts.insert(plan.toc_at, toc_pages)
            starts, _ = _starts(counts, recto)
            starts = starts[:plan.toc_at] + starts[plan.toc_at + 1:]
            toc = toc_part(manual, lang, toc_entries(plan, starts))
            toc_shapes, toc_pdf = _split(_cached_render(store, toc.html, used))
            if len(toc_shapes) == toc_pages:
                break
            toc_pages = len(toc_shapes)
        parts.insert(plan.toc_at, toc)
        shapes.insert(plan.toc_at, toc_shapes)
        pdfs.insert(plan.toc_at, toc_pdf)
    if recto:  # a blank page before each part that would start on a left-hand page
        for i in reversed(_starts([len(s) for s in shapes], True)[1]):
            parts.insert(i, Part("", None))
            shapes.insert(i, [False])
            pdfs.insert(i, _blank_page())
    flat = [(landscape, part.footer) for part, s in zip(parts, shapes) for landscape in s]
    pages = [(landscape, footer_line(footer, n, len(flat), lang)) for n, (landscape, footer) in enumerate(flat, 1)]
    gutter = manual.binding_gutter_mm
    overlay = [_split(_cached_render(store, overlay_html(pages[i:i + OVERLAY_CHUNK], lang, gutter), used))[1]
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
    from ...common.outputs import scratch_dir
    from ..render.cache import BuildCache
    from . import register

    if cache and manual.root is not None:
        written = _build(manual, Path(out), quiet, jobs, lang, BuildCache(manual.root, "pdf"),
                         BuildCache(manual.root, "pdf-parts"))
    else:
        # Without the cache, the parts wait in a scratch folder between rendering and joining: never all
        # in memory (a 2,000-document manual's parts are about a gigabyte).
        with scratch_dir(manual.root, "pdf-parts") as scratch:
            written = _build(manual, Path(out), quiet, jobs, lang, BuildCache(manual.root, "pdf", enabled=False),
                             BuildCache(Path(scratch), "pdf-parts"))
    # The 受控文件清单 (register of controlled documents): one small landscape PDF, rendered every build.
    return written + [register.build(manual, Path(out), lang, cache=cache)]


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


__all__ = ["build", "render_edition", "join", "render_plan", "render_part", "render_manual_pdf",
           "render_document_pdf", "html_to_pdf"]
