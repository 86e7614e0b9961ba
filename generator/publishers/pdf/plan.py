"""What a PDF is made of: a plan of parts (cover, contents, each document, appendix, each form,
change record), each rendered and cached on its own, and the key of the joined file."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from markupsafe import Markup

from ...model import Document, Form, Manual
from . import stitch as pdfstitch
from .stitch import part_link
from ..render import view as pm
from .html import (document_html, edition_line, footer_stylesheet, forms_context, forms_stylesheet,
                   page_html, render_template)


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
    return Part(page_html(manual, lang=lang, cover=pm.cover(manual, lang, edition)), None)


def document_part(manual: Manual, doc: Document, lang: str) -> Part:
    return Part(page_html(manual, lang=lang, documents=[document_html(manual, doc, lang=lang)]),
                pm.footer_text(doc, lang), pm.anchor(doc))


def appendix_part(manual: Manual, lang: str) -> Part:
    return Part(page_html(manual, lang=lang, appendix_heading=True), pm.L(lang)["appendix_forms"], "appendix-forms")


def form_part(manual: Manual, form: Form, lang: str) -> Part:
    """A form on its own sheet: its own header and footer (company, title, code, version) replace the
    manual's running ones, so the part has no running footer."""
    return Part(page_html(manual, lang=lang, forms=forms_context(manual, [form], lang)), None,
                pm.anchor(form), level=2)


def changes_part(manual: Manual, lang: str, edition: dict) -> Part:
    return Part(page_html(manual, lang=lang, changes=pm.change_rows(edition, lang), edition_line=edition_line(edition, lang)),
                pm.L(lang)["changes"], "changes")


def toc_part(manual: Manual, lang: str, entries: list[dict]) -> Part:
    return Part(page_html(manual, lang=lang, toc=entries), pm.L(lang)["contents"], "toc")


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
    # No divider page before the forms of a single document: each form is its own sheet, and its
    # bookmark goes under the document's.
    parts.extend(_shared(memo, ("form", f.id), lambda f=f: form_part(manual, f, lang))
                 for f in pm.doc_forms(manual, doc))
    return Plan(parts, title=f"{doc.code} {doc.title}", keywords=doc.code,
                subject=f"{manual.company} {manual.title}".strip())


def toc_entries(plan: Plan, starts: list[int] | None) -> list[dict]:
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
                            toc_entries(plan, None) if plan.toc is not None else None, plan.toc_at,
                            plan.title, plan.keywords, plan.subject, lang)  # the gutter is in the parts' style sheet


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
        toc = toc_part(manual, lang, toc_entries(plan, None)).html
        bodies.insert(plan.toc_at, toc[toc.index("<body"):toc.rindex("</body>")].split(">", 1)[1])
    first = plan.parts[0].html
    head = first[:first.index("<body")]
    css = forms_stylesheet() + "\n" + footer_stylesheet(lang)
    head = head.replace("</style>", css + "\n</style>", 1)
    return render_template("one_layout.html.j2", head=Markup(head), header=pm.header_text(manual),
                   bodies=[Markup(b) for b in bodies])


def cache_key(html: str) -> str:
    """What makes a part's PDF: the HTML, WeasyPrint's and pydyf's versions, the fonts, the renderer
    (``render.render_part``) and this package's code, which holds the renderer's settings."""
    from ..render import cache as cache_mod

    return cache_mod.digest("pdf", "generator.publishers.pdf.render.render_part", cache_mod.versions("weasyprint", "pydyf"),
                            cache_mod.font_digest(), cache_mod.code_digest("publishers/pdf/**/*"), pdfstitch.URN, html)
