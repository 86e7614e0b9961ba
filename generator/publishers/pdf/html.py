"""The PDF's HTML: templates, one document's page, the forms appendix, citations as links.

Each part's HTML is a pure function of the model (``document_html(manual, doc)``): what
``plan.py`` hashes and ``render.py`` hands to WeasyPrint.
"""
from __future__ import annotations

import base64
from functools import lru_cache, partial

from markupsafe import Markup, escape

from ...common import resources
from ...labels import labels
from ...model.citations import LIVE_SCHEMES, external_href, link_scheme, link_target, split_citations
from ...model import Document, ExternalDocument, Form, Manual
from .stitch import part_link
from ..render import view as pm
from ..render.body import alt_text, body_html as render_body, escape as html_escape, plain_text

TEMPLATES = resources.TEMPLATES / "print"


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


def render_template(template: str, **context) -> str:
    return _env().get_template(template).render(**context)


def watermark_uri(lang: str = "zh-CN") -> str:
    """The draft watermark (templates/print/watermark.svg.j2): an A4-sized SVG with 草稿 / DRAFT across
    the diagonal, as a data URI."""
    lab = pm.L(lang)
    return svg_uri(render_template("watermark.svg.j2", big=lab["draft_mark_zh"], small=lab["draft_mark"]))


def svg_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


@lru_cache(maxsize=4)
def stylesheet(lang: str = "zh-CN", gutter: float = 0.0) -> str:
    """The print style sheet; ``gutter`` mm of binding gutter (mirrored margins), 0 for none."""
    from ..forms.spec import sheet_pages

    return render_template("print.css.j2", words=pm.page_words(lang), watermark=watermark_uri(lang),
                           form_pages=sheet_pages(), inner=_mm(20 + gutter) if gutter else "")


def _mm(value: float) -> str:
    """A length in mm as CSS writes it ("" for none): 10 → "10", 7.5 → "7.5"."""
    return "" if not value else (str(int(value)) if float(value).is_integer() else f"{value:g}")


# -- text and citations ------------------------------------------------------------------
def cited_html(manual: Manual, text: str, codes: bool = False) -> Markup:
    """Plain text, escaped, with each known 《title》 (and with ``codes`` each known bare code: prose a
    writer wrote) a link to the cited document or form.

    Links point to ``urn:manual:<anchor>`` (``pdfstitch.part_link``): the cited document is usually
    in another part; joining the parts turns the link into an internal one, or removes it when the
    cited document is not in the joined PDF."""
    out = []
    for piece, target in split_citations(manual, text, codes=codes):
        if isinstance(target, ExternalDocument):  # a registered external document: its URL, if any
            url = external_href(target)
            out.append(html_escape(piece) if url is None
                       else f'<a class="cite-external" href="{html_escape(url)}">{html_escape(piece)}</a>')
        elif target is None:
            out.append(html_escape(piece))
        else:
            out.append(f'<a class="cite" href="{part_link(pm.anchor(target))}">{html_escape(piece)}</a>')
    return Markup("".join(out))


def _body_href(manual: Manual, url: str) -> str | None:
    """A link of the body in the PDF: ``#anchor`` and a link to a document or form of the manual point
    into the joined PDF (see ``cited_html``); web and mail links stay; anything else is text (None),
    so no link ever names a file on the machine that rendered it."""
    if url.startswith("#"):
        return part_link(url[1:])
    scheme = link_scheme(url)
    if scheme in LIVE_SCHEMES:
        return url
    target = link_target(manual, url) if scheme == "" else None
    return part_link(pm.anchor(target)) if target is not None else None


def image_html(doc: Document, span, alone: bool) -> str:
    """A picture of the body, embedded as a data: URI (the PDF's URL fetcher reads nothing else: no file of
    the machine, nothing from the network), never wider than the text block nor higher than a page; alone in
    its paragraph, a figure with its description as caption.  A reference that cannot be shown: its
    description."""
    image = doc.image(span.href)
    if image is None:
        return alt_text(span, alone)
    alt = html_escape(plain_text(span.children))
    uri = f"data:{image.mime};base64," + base64.b64encode(image.data).decode("ascii")
    if alone:
        caption = f"<figcaption>{alt}</figcaption>" if alt else ""
        return f'<figure class="picture"><img src="{uri}" alt="{alt}" />{caption}</figure>'
    return f'<img class="picture" src="{uri}" alt="{alt}" style="max-width:100%;max-height:235mm" />'


def body_html(manual: Manual, doc: Document) -> Markup:
    """The document's body (its parsed blocks) as HTML, citations and bare codes linked, pictures embedded."""
    return Markup(render_body(doc.blocks, text=partial(cited_html, manual, codes=True),
                              href=partial(_body_href, manual), image=partial(image_html, doc)))


# -- charts at print size ------------------------------------------------------------------------
PX_PER_MM = 96 / 25.4
TEXT_WIDTH_MM = 210 - 20 - 18  # A4 less the page margins (page.css.j2)
CHART_MAX_HEIGHT = 215 * PX_PER_MM  # a part of a swimlane chart, its heading and caption fit a page


def chart_width(gutter: float = 0.0) -> float:
    """The widest chart (px) that prints at natural size (12 px = 9 pt) between the margins, a binding
    gutter of ``gutter`` mm taken off the text width: the chart is laid out for it, never scaled down."""
    from ..render.diagrams import PRINT_WIDTH

    return min(PRINT_WIDTH, int((TEXT_WIDTH_MM - gutter) * PX_PER_MM))


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
        "orgchart": None, "staffing": None, "workflow": [], "workflow_svgs": [], "jobs": [],
        "forms": [], "revisions": pm.revision_rows(doc, lang), "signoff": signoff,
        "sample_note": lab["sample_note"] if pm.has_sample_names(manual, signoff) else "",
    }
    if doc.orgchart:
        from ..render.diagrams import orgchart_svg

        ctx["orgchart"] = svg_uri(orgchart_svg(manual, lang))
    if doc.staffing:
        ctx["staffing"] = pm.staffing(manual, lang)
    if doc.workflow:
        from ..render.diagrams import workflow_svgs

        steps = pm.workflow_steps(manual, doc, lang)
        for step in steps:
            for f in step["forms"]:
                form = manual.forms.get(f["id"])
                label = f"《{f['title']}》"
                f["html"] = cited_html(manual, label) if form else escape(label)
        ctx["workflow"] = steps
        ctx["workflow_svgs"] = [svg_uri(svg) for svg in workflow_svgs(
            manual, doc, lang, print_width=chart_width(manual.binding_gutter_mm), max_height=CHART_MAX_HEIGHT)]
    if doc.jobs:
        jobs = pm.jobs(manual, doc)
        for job in jobs:
            job["duties"] = [cited_html(manual, d, codes=True) for d in job["duties"]]
        ctx["jobs"] = jobs
    ctx["forms"] = [cited_html(manual, f"{f.code} 《{f.title}》") for f in pm.doc_forms(manual, doc)]
    return ctx


def document_html(manual: Manual, doc: Document, *, lang: str = "zh-CN") -> str:
    """The HTML ``<section>`` of one document: a pure function of (manual, doc, lang)."""
    return render_template("document.html.j2", d=document_context(manual, doc, lang), lab=pm.L(lang), lang=lang)


# -- forms appendix ------------------------------------------------------------------------------
def forms_stylesheet() -> str:
    """The forms publisher's scoped style sheet, once per page (not once per form)."""
    from ..forms.html import form_css

    return form_css()


def form_footer(form: Form, lang: str = "zh-CN") -> str:
    lab = pm.L(lang)
    return " · ".join(x for x in (form.code, f"{lab['version']} {form.version}" if form.version else "") if x)


def form_html(manual: Manual, form: Form, lang: str = "zh-CN") -> str:
    """A form in the PDF: the forms publisher's own static fragment, in a section that carries its footer."""
    from ..forms.html import form_html_fragment
    from ..forms.spec import page_name, paper

    f = {"anchor": pm.anchor(form), "code": form.code, "title": form.title, "footer": form_footer(form, lang),
         "landscape": form.paper.endswith("landscape"), "page": page_name(paper(form)),
         "fragment": Markup(form_html_fragment(manual, form, mode="static", lang=lang, css=False))}
    return render_template("form.html.j2", f=f, lab=pm.L(lang), lang=lang)


# -- pages of HTML -------------------------------------------------------------------------------
def page_html(manual: Manual, *, lang: str, pdf_title: str = "", keywords: str = "", cover=None, toc=None,
          documents=(), forms=(), appendix_heading=False, changes=None, edition_line="") -> str:
    """One HTML page for WeasyPrint (manual.html.j2) holding any of the manual's pieces."""
    lab = pm.L(lang)
    css = stylesheet(lang, manual.binding_gutter_mm) + ("\n" + forms_stylesheet() if forms else "")
    return render_template("manual.html.j2", lang=lang, lab=lab, css=Markup(css), pdf_title=pdf_title,
                   company=manual.company, header=pm.header_text(manual),
                   description=f"{manual.company} {manual.title} {manual.edition}".strip(),
                   keywords=keywords, cover=cover, toc=toc, documents=[Markup(d) for d in documents],
                   forms=list(forms), appendix_heading=appendix_heading, changes=changes,
                   edition_line=edition_line)


def forms_context(manual: Manual, forms: list[Form], lang: str) -> list[dict]:
    return [{"anchor": pm.anchor(f), "code": f.code, "title": f.title, "html": Markup(form_html(manual, f, lang))}
            for f in forms]


def edition_line(edition: dict, lang: str) -> str:
    lab = pm.L(lang)
    parts = [f"{lab['edition']}{lab['colon']}{edition.get('edition', '')}"]
    if edition.get("released"):
        parts.append(f"{lab['released']}{lab['colon']}{pm.date_text(edition.get('released'), lang)}")
    if edition.get("previous"):
        parts.append(f"{lab['previous']}{lab['colon']}{edition.get('previous')}")
    return labels(lang)["print_text"]["list_sep"].join(parts)


def footer_stylesheet(lang: str = "zh-CN") -> str:
    """The running footer with page counters, for one-layout pages (the benchmark's floor)."""
    return render_template("footer.css.j2", words=pm.page_words(lang))
