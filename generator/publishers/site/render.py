"""The staff website: the manual as a MkDocs Material site.

``manual build site`` runs in three steps, each a plain function:

1. ``site_model(manual)`` – the site as plain data: every page (its path,
   template and the values it shows) and the navigation, computed from the
   manual model.  Nothing here knows about MkDocs.
2. ``write_sources(model, src)`` – the pages as Markdown files (rendered
   from the Jinja2 templates in ``generator/templates/site/pages``), the
   downloads (``dist/``'s files with the 非受控 mark, ``downloads``), and a generated ``mkdocs.yml`` that
   INHERITs the manual's own base config (``mkdocs.yml`` at the manual's
   root, or the packaged default) and adds the site name, the navigation
   and the folders.  They go to ``build/site-src/`` (git-ignored), where a
   plain ``mkdocs build -f build/site-src/mkdocs.yml`` also works.
3. ``run_mkdocs(config, site_dir)`` – MkDocs' own build, into a temporary
   folder that replaces ``site/`` only when the build succeeded.

Rebuilds are cheap (issue #10).  When everything MkDocs would read is
byte-identical to what the last successful build read (the generated
sources, the downloads, the base config, the engines' versions and the
generator's code, the released editions) and ``site/`` still holds exactly
the files that build left, step 3 is skipped: ``site_key`` and the stamp in
``<root>/.cache/site/stamp.json``.  When MkDocs does run, ``site_accel`` makes
it faster with the same output (jieba's dictionary split by character and its
segmentations remembered, compiled templates kept, a shorter theme listing).
``--no-cache`` does neither: a plain MkDocs build.

Released editions (``manual release``): the "changes" page shows the change
record of the current source against the edition in force, ``editions.md``
lists every edition, and each edition is its own cached MkDocs build of its
source snapshot under ``site/editions/<E>/`` (``edition_site``; what it holds,
its cache key and its banners: ``editions``).  Who cites a page and which
documents use a form come from ``generator.model.references``, computed once
per ``site_model``; page paths and links from ``paths``.

Escaping: every value from the source that lands in a generated page goes
through ``md_text`` (HTML-escaped, Markdown punctuation backslash-escaped)
or Jinja autoescape; a document's body keeps its Markdown but ``<`` and
``>`` are escaped, so raw HTML such as ``<script>`` is shown as text.
"""
from __future__ import annotations

from ...errors import SiteBuildError, UsageError

import datetime as dt
import hashlib
import html
import json
import logging
import os
import re
import urllib.parse
import shutil
import sys
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from ...common import resources
from ..render import diagrams
from ..render.body import lone_image, plain_text
from ...read.editions import list_editions, sha256_file
from ...labels import labels, status_label, step_label
from ...model import org, references
from ...model.citations import external_href, live_link, resolve, split_citations
from ...model import IN_FORCE, Document, ExternalDocument, Form, Manual
from ...common.outputs import atomic_dir, pending, walk_stats
from ...model.review import due, interval_months, last_reviewed, next_review, today
from . import control as control_pages
from . import downloads as site_downloads
from . import editions as editions_site
from .paths import DOCS_DIR, DOWNLOADS_DIR, FORMS_DIR, doc_page, image_path, form_page, item_page, rel, role_pages, slug  # noqa: F401
from ..render import view as printmodel

TEMPLATES = resources.TEMPLATES / "site"
DEFAULT_BASE_CONFIG = TEMPLATES / "mkdocs.yml"
OVERRIDES = TEMPLATES / "overrides"
SRC_DIR = Path("build") / "site-src"  # relative to the manual's root
SITE_DIR = "site"

_CN_NUMERALS = "零一二三四五六七八九"
DOC_BOOST = {"effective": 2, "approved": 2, "draft": 1.5, "in_review": 1.5}  # superseded: not boosted
ROLE_BOOST = 2  # a role's page ("my duties") ranks with the documents
# The index pages list every title and code: a word they share with a document ranks them below it.
INDEX_BOOST = {t: 0.5 for t in ("home.md.j2", "documents.md.j2", "forms.md.j2", "roles.md.j2", "review.md.j2",
                                "changes.md.j2", "editions.md.j2", "edition.md.j2", "acks.md.j2", "register.md.j2",
                                "copies.md.j2")}
ACKS_PAGE = "acks.md"  # 阅知: who has not acknowledged what, since when (the current source's site only)


def site_labels(lang: str) -> dict:
    out = dict(labels(lang)["field"])
    out.update(labels(lang)["site"])
    return out


# -- escaping --------------------------------------------------------------------
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|{}#!])")
_MD_LEADING = re.compile(r"^(\d+(?=[.)]\s)|(?=[-+]\s))(.)")


def md_text(value) -> Markup:
    """Source text as literal Markdown inline text: HTML-escaped, Markdown punctuation escaped, one line."""
    if value is None:
        return Markup("")
    text = " ".join(str(value).split())
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = _MD_LEADING.sub(r"\1\\\2", text)  # "1. …" or "- …" at the start stays text, not a list
    return Markup(html.escape(text, quote=True))


def html_text(value) -> Markup:
    """Source text for a raw HTML attribute or element (no Markdown processing)."""
    return Markup(html.escape("" if value is None else str(value), quote=True))


def code_md(value) -> Markup:
    """A code (0108-2014, 0108-F1) in Markdown text, kept on one line (never broken at its hyphen)."""
    return Markup('<span class="code">') + md_text(value) + Markup("</span>")


def code_html(value) -> Markup:
    """A code in raw HTML, kept on one line."""
    return Markup('<span class="code">') + html_text(value) + Markup("</span>")


def html_href(href: str) -> str:
    """A link between generated pages (``roles.md#x``) as raw HTML needs it: MkDocs rewrites the links of
    Markdown, not those inside raw HTML blocks (pages are ``.html``: ``use_directory_urls: false``)."""
    path, sep, anchor = str(href or "").partition("#")
    if path.endswith(".md"):
        path = path[:-3] + ".html"
    return urllib.parse.quote(path, safe="/%:") + sep + anchor  # as MkDocs writes the links it rewrites


def css_string(value) -> str:
    """Text as a CSS string literal that cannot end the string or the <style> element it stands in."""
    out = []
    for ch in re.sub(r"\s+", " ", str(value or "")):
        if ch in '"\\' or ch in "<>&" or ord(ch) < 0x20:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _css_counter_text(template: str, counter: str) -> str:
    """A catalogue phrase with ``{n}`` (第 {n} 页) as CSS ``content``: strings around ``counter(…)``."""
    before, _, after = template.partition("{n}")
    parts = [css_string(before)] if before else []
    parts.append(f"counter({counter})")
    if after:
        parts.append(css_string(after))
    return " ".join(parts)


def print_page_css(top_left: str, top_right: str, lang: str) -> Markup:
    """The @page rules Chromium prints a document page with: code and title, version, page numbers."""
    fields = labels(lang)["field"]
    sep = labels(lang)["print_text"]["page_sep"]
    pages = (_css_counter_text(fields["page"], "page") + " " + css_string(sep) + " "
             + _css_counter_text(fields["pages"], "pages"))
    return Markup(
        '<style media="print">@page { size: A4; margin: 18mm 16mm 16mm; '
        f"@top-left {{ content: {css_string(top_left)}; }} "
        f"@top-right {{ content: {css_string(top_right)}; }} "
        f"@bottom-center {{ content: {pages}; }} }}</style>")


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 14 → 十四, 21 → 二十一 (the seed's 目录 numbering)."""
    if n < 10:
        return _CN_NUMERALS[n]
    if n < 20:
        return "十" + (_CN_NUMERALS[n - 10] if n > 10 else "")
    if n < 100:
        tens, ones = divmod(n, 10)
        return _CN_NUMERALS[tens] + "十" + (_CN_NUMERALS[ones] if ones else "")
    return str(n)


def ordinal(n: int, lang: str) -> str:
    return site_labels(lang)["toc_no"].format(chinese=chinese_number(n), n=n)


# -- document bodies ---------------------------------------------------------------
def _escape_html(text: str) -> str:
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _md_literal(text: str) -> str:
    """Characters of a parsed text run, as Markdown that shows exactly them."""
    return _escape_html(_MD_SPECIAL.sub(r"\\\1", text))


def _text_md(manual: Manual, text: str, page: str) -> str:
    out = []
    for piece, target in split_citations(manual, text, _resolve, codes=True):
        href = _cited_href(target, page)
        out.append(_md_literal(piece) if href is None else f"[{_md_literal(piece)}]({href})")
    return "".join(out)


def _cited_href(target, page: str) -> str | None:
    """Where a cited piece links on ``page``: a document's or form's page, a registered external
    document's URL (``<url>``, when it has one), else None (text)."""
    if target is None:
        return None
    if isinstance(target, ExternalDocument):
        url = external_href(target)
        return None if url is None else f"<{url}>"
    return rel(page, item_page(target))


def _code_md(text: str) -> str:
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def spans_md(manual: Manual, spans, page: str, in_link: bool = False) -> str:
    """Parsed inline content (``generator.read.markdown.Span``) as Python-Markdown: the same parse the
    PDF and DOCX print from; text escaped, known 《title》 citations and bare codes linked, unsafe links
    as text."""
    out = []
    for span in spans:
        kind = span.kind
        if kind == "text":
            out.append(_md_literal(span.text) if in_link else _text_md(manual, span.text, page))
        elif kind == "softbreak":
            out.append("\n")
        elif kind == "hardbreak":
            out.append("  \n")
        elif kind in ("strong", "em"):
            mark = "**" if kind == "strong" else "*"
            out.append(f"{mark}{spans_md(manual, span.children, page, in_link)}{mark}")
        elif kind == "code":
            out.append(_code_md(span.text))
        elif kind == "link":
            inner = spans_md(manual, span.children, page, True)
            out.append(f"[{inner}](<{span.href}>)" if live_link(span.href) and not in_link else inner)
        elif kind == "image":
            alt = _md_literal(plain_text(span.children))
            image = _image(span.href)
            out.append(f"![{alt}](<{rel(page, image_path(image))}>)" if image is not None else alt)
    return "".join(out)


# The document whose body is being written (``body_markdown``): its images are looked up in it.
_BODY_DOC: ContextVar[Document | None] = ContextVar("site_body_doc", default=None)


def _image(src: str):
    """The picture a body's reference ``src`` shows (None: not one the outputs can show, its description is
    printed: see ``generator.rules.images``)."""
    doc = _BODY_DOC.get()
    return doc.image(src) if doc is not None else None


def _figure_html(span, page: str) -> str | None:
    """A picture alone in a paragraph as a figure, its description as caption (raw HTML: MkDocs leaves the
    relative ``src`` as it is, right for ``documents/<code>.html``); None when it cannot be shown."""
    image = _image(span.href)
    if image is None:
        return None
    alt = html.escape(plain_text(span.children), quote=True)
    caption = f"<figcaption>{alt}</figcaption>" if alt else ""
    return (f'<figure class="picture"><img src="{html.escape(rel(page, image_path(image)), quote=True)}" '
            f'alt="{alt}" width="{image.width}" height="{image.height}" loading="lazy" '
            f'style="max-width:100%;height:auto" />{caption}</figure>')


def cite_md(manual: Manual, text: str, page: str) -> str:
    """Plain text from YAML data (a duty, a workflow step) as Markdown: escaped, citations and bare codes
    linked."""
    text = " ".join(str(text or "").split())
    out = []
    for piece, target in split_citations(manual, text, _resolve, codes=True):
        href = _cited_href(target, page)
        out.append(str(md_text(piece)) if href is None else f"[{md_text(piece)}]({href})")
    return "".join(out)


def body_markdown(manual: Manual, doc: Document, page: str) -> str:
    """The document's body re-emitted as Python-Markdown (4-space nesting), escaped and linked; its pictures
    point at their copies under ``images/`` (``site_images``)."""
    token = _BODY_DOC.set(doc)
    try:
        return "\n\n".join(_block_md(manual, b, page, "") for b in doc.blocks).strip()
    finally:
        _BODY_DOC.reset(token)


def site_images(manual: Manual) -> dict[str, bytes]:
    """Every picture the documents' bodies show: its site path (``image_path``) → its bytes."""
    return {image_path(image): image.data for doc in manual.documents for image in doc.images if image.usable}


def _indent(text: str, indent: str) -> str:
    return "\n".join(indent + line if line else line for line in text.split("\n"))


def _item_ordinal(number: str, fallback: int) -> int:
    last = number.rsplit(".", 1)[-1]
    if last.isdigit():
        return int(last)
    if len(last) == 1 and last.isalpha():
        return ord(last.lower()) - ord("a") + 1
    return fallback


def _block_md(manual: Manual, block, page: str, indent: str) -> str:
    if block.kind == "heading":
        level = min(max(block.level, 2), 6)  # the page's H1 is the document title
        return indent + "#" * level + " " + " ".join(spans_md(manual, block.spans, page).split())
    if block.kind == "paragraph":
        alone = lone_image(block.spans) if not indent else None
        figure = _figure_html(alone, page) if alone is not None else None
        if figure is not None:
            return figure
        return _indent(spans_md(manual, block.spans, page), indent)
    if block.kind == "table":
        def cell(spans) -> str:  # (a cell's line breaks as <br>: a pipe table's cell is one line of Markdown)
            lines, line = [], []
            for span in spans:
                if span.kind == "hardbreak":
                    lines.append(line)
                    line = []
                else:
                    line.append(span)
            return "<br>".join(" ".join(spans_md(manual, part, page).split()) for part in lines + [line])

        def row(cells):
            return "| " + " | ".join(cell(c) for c in cells) + " |"
        width = max([len(block.header)] + [len(r) for r in block.rows] + [1])
        header = block.header_spans or [[]] * width
        lines = [row(header), "|" + " --- |" * len(header)] + [row(r) for r in block.row_spans]
        return "\n".join(indent + ln for ln in lines)
    if block.kind == "list":
        lines = []
        for i, item in enumerate(block.items, start=1):
            marker = f"{_item_ordinal(item.number, i)}." if block.ordered else "-"
            text = spans_md(manual, item.spans, page)
            first, *rest = text.split("\n") or [""]
            lines.append(f"{indent}{marker} {first}")
            for more in rest:
                lines.append(f"{indent}    {more}")
            for child in item.children:
                if child.kind == "paragraph":
                    lines.append("")
                lines.append(_block_md(manual, child, page, indent + "    "))
        return "\n".join(lines)
    return ""


# -- the site model --------------------------------------------------------------------
def _date(value) -> str:
    return value.isoformat() if isinstance(value, dt.date) else ("" if value is None else str(value))


def download_files(manual: Manual, out: Path | None) -> dict[str, str]:
    """Built files to offer as downloads: {site path under downloads/: absolute source path}.

    The forms (``dist/forms/<id>.pdf|.docx``), the whole manual (``dist/manual.pdf|.docx``) and single
    documents (``dist/documents/<code>.pdf|.docx``) that exist in ``out``, or that this build has
    made and that wait for its commit (``common.outputs.pending``).
    """
    found: dict[str, str] = {}
    if out is None or not Path(out).is_dir():
        return found
    out = Path(out)
    candidates = [f"{printmodel.MANUAL_BASENAME}.{ext}" for ext in ("pdf", "docx")]
    candidates += [f"forms/{fid}.{ext}" for fid in sorted(manual.forms) for ext in ("pdf", "docx")]
    candidates += [f"{printmodel.DOCUMENTS_DIR}/{d.slug}.{ext}" for d in manual.documents for ext in ("pdf", "docx")]
    candidates.append(control_pages.REGISTER_PDF)  # the 受控文件清单
    for name in candidates:
        path = pending(out / name)
        if path is not None and path.is_file():
            found[name] = str(path)
    return found


def _downloads_for(name_stem: str, downloads: dict, page: str) -> list[dict]:
    out = []
    for ext in ("pdf", "docx"):
        name = f"{name_stem}.{ext}"
        if name in downloads:
            out.append({"label": ext.upper(), "href": rel(page, f"{DOWNLOADS_DIR}/{name}")})
    return out


# While ``site_model`` runs, the links of the manual it builds (who cites whom, which documents use
# a form, what each 《title》 names) are computed once, in one pass, and kept here: every page asks them.
_BUILD_LINKS: ContextVar[references.Links | None] = ContextVar("site_build_links", default=None)
# … and so is who must acknowledge each document's current version (``model.acks``): (manual, {id(doc): req}).
_BUILD_ACKS: ContextVar[tuple | None] = ContextVar("site_build_acks", default=None)


def _links(manual: Manual) -> references.Links:
    built = _BUILD_LINKS.get()
    return built if built is not None and built.manual is manual else references.links(manual)


def _resolve(manual: Manual, title: str):
    built = _BUILD_LINKS.get()
    if built is not None and built.manual is manual:
        return built.resolve(title)
    return resolve(manual, title)


def revision_rows(manual: Manual, item, lang: str) -> list[dict]:
    """The revision table's rows, each with the change request it carries out (``change``: its number
    and reason; "" when none): the site shows the request beside the revision."""
    rows = printmodel.revision_rows(item, lang)
    for row, rev in zip(rows, item.revisions):
        request = manual.changes.get(rev.change) if rev.change else None
        row["change"] = (f"{rev.change}：{request.reason}" if request is not None and request.reason
                         else rev.change)
    return rows


def referenced_by(manual: Manual, doc: Document) -> list[Document]:
    """Documents that list ``doc`` in ``references.documents`` or cite its 《title》."""
    return _links(manual).referrers(doc)


def form_users(manual: Manual, form: Form) -> list[Document]:
    """Documents that use ``form``: listed in ``uses_forms``, named in a workflow step or cited."""
    return _links(manual).form_users(form)


def _doc_ref(doc: Document, page: str, lang: str) -> dict:
    return {"code": doc.code, "title": doc.title, "href": rel(page, doc_page(doc)),
            "status": doc.status, "status_label": status_label(doc.status, lang)}


def _form_ref(form: Form, page: str, downloads: dict) -> dict:
    return {"id": form.id, "code": form.code, "title": form.title, "version": form.version,
            "href": rel(page, form_page(form)), "downloads": _downloads_for(f"forms/{form.id}", downloads, page)}


def banner(doc: Document, lang: str) -> dict | None:
    lab = site_labels(lang)
    if doc.status in ("draft", "in_review"):
        return {"type": "warning", "title": status_label(doc.status, lang), "text": lab["draft_banner"]}
    if doc.status == "superseded":
        return {"type": "danger", "title": status_label(doc.status, lang), "text": lab["superseded_banner"]}
    return None


def document_context(manual: Manual, doc: Document, downloads: dict, lang: str) -> dict:
    page = doc_page(doc)
    kinds = labels(lang)["kind"]
    nxt = next_review(manual, doc) if doc.status in IN_FORCE else None
    forms = [_form_ref(f, page, downloads) for f in printmodel.doc_forms(manual, doc)]
    refs = [manual.document(c) for c in doc.cited_documents]
    ctx = {
        "code": doc.code, "title": doc.title, "title_en": doc.title_en,
        "version": doc.version, "status": doc.status, "status_label": status_label(doc.status, lang),
        "kind_label": kinds.get(doc.kind, doc.kind), "effective": _date(doc.effective), "owner": doc.owner,
        "owner_href": rel(page, role_pages(manual.roles)[doc.owner]) if doc.owner in manual.roles else None,
        "next_review": _date(nxt), "banner": banner(doc, lang),
        "body": body_markdown(manual, doc, page),
        "signoff": printmodel.signoff_rows(doc, lang),
        "revisions": revision_rows(manual, doc, lang),
        "forms": forms,
        "references": [_doc_ref(d, page, lang) for d in refs if d is not None],
        "referenced_by": [_doc_ref(d, page, lang) for d in referenced_by(manual, doc)],
        "downloads": _downloads_for(f"{printmodel.DOCUMENTS_DIR}/{doc.slug}", downloads, page),
        "ack": ack_state(manual, doc, page, lang),
        "orgchart": None, "staffing": None, "workflow": None, "jobs": None,
        "print_css": print_page_css(f"{doc.code} {doc.title}",
                                    site_labels(lang)["print_version"].format(version=doc.version), lang),
    }
    ctx["sample_note"] = printmodel.has_sample_names(manual, ctx["signoff"])
    if doc.orgchart:
        ctx["orgchart"] = diagrams.orgchart_svg(manual, lang)
    if doc.staffing:
        ctx["staffing"] = printmodel.staffing(manual, lang)
    if doc.workflow:
        steps = printmodel.workflow_steps(manual, doc)
        for step in steps:
            step["title_md"] = cite_md(manual, step["title"], page)
            step["description_md"] = cite_md(manual, step["description"], page)
            step["forms"] = [dict(f, href=rel(page, f"{FORMS_DIR}/{f['id']}.md")) if f["id"] in manual.forms
                             else dict(f, href=None) for f in step["forms"]]
        ctx["workflow"] = {"svg": diagrams.workflow_svg(manual, doc, lang), "steps": steps}
    if doc.jobs:
        jobs = printmodel.jobs(manual, doc)
        for job in jobs:
            job["duties_md"] = [cite_md(manual, d, page) for d in job["duties"]]
            job["anchor"] = slug(job["title"])
            covers = job["covers"]
            own = next((j for j in doc.jobs if j.title == job["title"]), None)
            if not (own and own.reports_to) and covers and covers[0] in manual.roles:
                job["reports_to"] = manual.roles[covers[0]].reports_to or ""
        ctx["jobs"] = jobs
    return ctx


FORM_MARGIN = (10, 12)  # mm, top/bottom and left/right, of a form page printed from the site
SHEETS = {"A4": (210, 297), "A5": (148, 210)}  # mm, portrait


def form_print_area(size: str) -> dict:
    """The printable area (mm) of a sheet of ``size`` (``A4``, ``A4 landscape`` …) within FORM_MARGIN: the
    site's script scales a form down to it before printing, so that it prints on one sheet."""
    name, _, orientation = size.partition(" ")
    width, height = SHEETS.get(name, SHEETS["A4"])
    if orientation == "landscape":
        width, height = height, width
    return {"width": width - 2 * FORM_MARGIN[1], "height": height - 2 * FORM_MARGIN[0]}


def form_context(manual: Manual, form: Form, downloads: dict, lang: str) -> dict:
    page = form_page(form)
    from ..forms.html import form_html_fragment, form_toolbar_html, print_page_size

    return {
        "id": form.id, "code": form.code, "title": form.title, "version": form.version,
        "status_label": status_label(form.status, lang), "effective": _date(form.effective), "owner": form.owner,
        "fragment": str(form_html_fragment(manual, form, lang=lang, aria_labels=True)),
        # The same 清空 / 打印 buttons as the stand-alone HTML form; printed alone, on the form's paper.
        "toolbar": str(form_toolbar_html(form, lang=lang)),
        "print_css": Markup(f'<style media="print">@page {{ size: {print_page_size(form)}; '
                            f'margin: {FORM_MARGIN[0]}mm {FORM_MARGIN[1]}mm; }}</style>'),
        "print_area": form_print_area(print_page_size(form)),
        "downloads": _downloads_for(f"forms/{form.id}", downloads, page),
        "signoff": printmodel.signoff_rows(form, lang), "revisions": revision_rows(manual, form, lang),
        "used_by": [_doc_ref(d, page, lang) for d in form_users(manual, form)],
    }


def toc_groups(manual: Manual, page: str, lang: str) -> list[dict]:
    """The home page's 目录 grouped by chapter as the PDF's contents are (``{"title", "rows"}``; one group
    without a title when the manual has one chapter); the numbers 一、二、… start again in each chapter."""
    docs = manual.in_navigation()
    groups: list[tuple[str, list]] = []
    if len(manual.chapters) > 1:
        placed: set[str] = set()
        for ch in manual.chapters:
            members = [d for d in docs if d.code in set(ch.documents) and d.code not in placed]
            if members:
                placed.update(d.code for d in members)
                groups.append((f"{ch.number} {ch.title}".strip(), members))
        rest = [d for d in docs if d.code not in placed]
        if rest:
            groups.append(("", rest))
    else:
        groups.append(("", docs))
    return [{"title": title, "rows": [dict(_doc_ref(d, page, lang), no=ordinal(i, lang))
                                      for i, d in enumerate(members, start=1)]}
            for title, members in groups]


def roles_index(manual: Manual, page: str, lang: str) -> list[dict]:
    """The roles index: one short row per role (roles.yaml order), linking to the role's page."""
    pages = role_pages(manual.roles)
    out = []
    for rid, role in manual.roles.items():
        duties = org.role_duties(manual, rid)
        out.append({"id": rid, "en": role.name_en, "external": role.external, "href": rel(page, pages[rid]),
                    "reports_to": duties.reports_to, "headcount": role.headcount,
                    "jobs": [{"title": job.title, "href": rel(page, doc_page(doc)) + f"#{slug(job.title)}"}
                             for doc, job in duties.jobs],
                    "owned": len(duties.owned), "steps": len(duties.steps)})
    return out


def role_context(manual: Manual, rid: str, page: str, lang: str) -> dict:
    """One role's page ("my duties"): ``org.role_duties`` with links, the duties as linked Markdown."""
    d = org.role_duties(manual, rid)
    pages = role_pages(manual.roles)

    def role_ref(name: str) -> dict:
        return {"name": name, "href": rel(page, pages[name]) if name in pages else None}

    def item_ref(item) -> dict:
        return {"code": item.code, "title": item.title, "href": rel(page, item_page(item))}

    by_form: dict[str, list[str]] = {}
    for s in d.steps:
        for f in s.step.forms:
            by_form.setdefault(f.id, []).append(s.step.title)
    signoffs = []
    for step in ("prepared", "reviewed", "approved"):
        items = [item_ref(s.item) for s in d.signoffs if s.step == step]
        if items:
            signoffs.append({"step": step_label(step, lang), "signed": items})
    return {
        "id": rid, "en": d.role.name_en, "external": d.role.external, "headcount": d.role.headcount,
        "reports_to": [role_ref(r) for r in d.reports_to.split("、") if r] if d.reports_to else [],
        "subordinates": [role_ref(r) for r in d.subordinates],
        "jobs": [{"title": job.title, "href": rel(page, doc_page(doc)) + f"#{slug(job.title)}",
                  "doc": item_ref(doc), "covers": [role_ref(c) if c in pages else {"name": c, "href": None}
                                                   for c in job.covers],
                  "note": job.note, "duties_md": [cite_md(manual, t, page) for t in job.duties]}
                 for doc, job in d.jobs],
        "owned": [item_ref(doc) for doc in d.owned], "owned_forms": [item_ref(f) for f in d.owned_forms],
        "steps": [{"doc": item_ref(s.document), "number": s.step.number,
                   "title_md": cite_md(manual, s.step.title, page),
                   "description_md": cite_md(manual, s.step.description, page),
                   "forms": [dict(item_ref(f.form)) if f.form else {"code": "", "title": f.title, "href": None}
                             for f in s.step.forms]} for s in d.steps],
        "forms": [dict(item_ref(f), steps=by_form.get(f.id, [])) for f in d.forms],
        "signoffs": signoffs,
        "referenced": [item_ref(doc) for doc in d.referenced],
    }


def edition_year(manual: Manual) -> int | None:
    for value in (manual.edition, manual.code_scheme.year):
        try:
            return int(str(value)[:4])
        except (TypeError, ValueError):
            continue
    return None


def edition_example(manual: Manual) -> str:
    """An edition name to show as an example: the first edition of the manual's year (``2014.1``)."""
    year = edition_year(manual) or (manual.date.year if manual.date else None)
    return f"{year}.1" if year else "1"


def edition_changes(manual: Manual, page: str, lang: str) -> dict:
    """Changes in this edition: revision entries dated in the edition's year (documents, then forms).

    A stand-in until the editions feature provides a real change record.
    """
    year = edition_year(manual)
    rows = []
    items: list = list(manual.documents) + sorted(manual.forms.values(), key=lambda f: (f.code, f.id))
    for item in items:
        for rev in item.revisions:
            if rev.date is not None and rev.date.year == year:
                rows.append({"code": item.code, "title": item.title, "href": rel(page, item_page(item)),
                             "version": rev.version, "date": _date(rev.date), "summary": rev.summary, "by": rev.by})
    return {"year": year, "rows": rows}


def review_context(manual: Manual, page: str, lang: str) -> dict:
    on = today(manual)
    due_rows = [dict(_doc_ref(d, page, lang), owner=d.owner, next_review=_date(when))
                for d, when in due(manual, on)]
    schedule = []
    for d in manual.documents:
        if d.status in IN_FORCE:
            when = next_review(manual, d)
            schedule.append(dict(_doc_ref(d, page, lang), owner=d.owner, interval=interval_months(manual, d),
                                 last=_date(last_reviewed(d)), next_review=_date(when),
                                 overdue=bool(when and when <= on)))
    return {"today": on.isoformat(), "due": due_rows, "schedule": schedule}


def ack_state(manual: Manual, doc: Document, page: str, lang: str) -> dict | None:
    """The acknowledgement state of ``doc``'s current version ("2 / 3 人已阅知"), None when it needs none."""
    from ...model.acks import for_document

    built = _BUILD_ACKS.get()
    req = built[1].get(id(doc)) if built is not None and built[0] is manual else for_document(manual, doc)
    if req is None:
        return None
    words = labels(lang)["ack"]["site"]
    return {"label": words["heading"], "href": rel(page, ACKS_PAGE),
            "text": words["state"].format(done=len(req.acknowledged), total=len(req.people))}


def acks_context(manual: Manual, page: str, lang: str) -> dict:
    """The 阅知 page: per document needing acknowledgement, n of m; then every person who has not, since when."""
    from ...model.acks import posts, requirements
    from ...model.review import today

    on = today(manual)
    reqs = requirements(manual, on)
    documents, pending = [], []
    for req in reqs:
        ref = _doc_ref(req.document, page, lang)
        since = _date(req.since)
        documents.append(dict(ref, version=req.version, since=since, done=len(req.acknowledged),
                              total=len(req.people), change=req.revision.change, summary=req.revision.summary))
        for pid in req.pending:
            person = manual.people[pid]
            pending.append(dict(ref, version=req.version, since=since, person=person.name or pid, id=pid,
                                post="、".join(posts(manual, pid, on))))
    return {"A": labels(lang)["ack"]["site"], "documents": documents, "pending": pending}


def site_model(manual: Manual, *, downloads: dict | None = None, lang: str = "zh-CN",
               editions: dict | None = None) -> dict:
    """The whole site as plain data: ``{"site_name", "pages": [...], "nav": [...], ...}``.

    Each page is ``{"path", "template", "title", "context"}``; ``nav`` is the MkDocs ``nav`` list.

    ``editions`` (see ``editions_site``) is the released editions' part of the site:
    ``{"kind": "current", "list": [...], "latest": {...} | None, "record": {...} | None}`` for the
    main site (the current source), or ``{"kind": "edition", "this": {...}, "record": {...}}`` for the
    site of one released edition.  Without it the site is built as if no edition had been released.
    """
    from ...model.acks import requirements

    token = _BUILD_LINKS.set(references.links(manual))
    acks = _BUILD_ACKS.set((manual, {id(r.document): r for r in requirements(manual)}))
    try:
        return _site_model(manual, downloads=downloads, lang=lang, editions=editions)
    finally:
        _BUILD_ACKS.reset(acks)
        _BUILD_LINKS.reset(token)


def _site_model(manual: Manual, *, downloads: dict | None, lang: str, editions: dict | None) -> dict:
    downloads = downloads or {}
    lab = site_labels(lang)
    pages: list[dict] = []
    editions = editions or {"kind": "current", "list": [], "latest": None, "record": None}
    is_edition = editions["kind"] == "edition"
    release = editions.get("this") if is_edition else editions.get("latest")

    def page(path, template, title, boost=None, hide=None, **context):
        pages.append({"path": path, "template": template, "title": title, "boost": boost, "hide": hide,
                      "context": context})

    # Home.
    home = "index.md"
    page(home, "home.md.j2", manual.title or lab["home"], hide=["toc"],
         company=manual.company, company_en=manual.company_en, department=manual.department,
         manual_title=manual.title, manual_title_en=manual.title_en, edition=manual.edition, date=_date(manual.date),
         controlled=manual.controlled_copy, toc=toc_groups(manual, home, lang),
         downloads=_downloads_for(printmodel.MANUAL_BASENAME, downloads, home),
         release=({"edition": release["edition"], "released": release["released"], "href": "editions.md",
                   "in_force": not is_edition} if release else None),
         links=[{"title": lab[k], "href": rel(home, p)} for k, p in
                (("by_code", "documents/index.md"), ("by_role", "roles.md"), ("forms_library", "forms/index.md"),
                 ("due", "review.md"), ("changes", "changes.md"), ("editions_title", "editions.md"))
                if not (is_edition and k == "due")])
    # Documents.
    for doc in manual.documents:
        # Search ranks the documents above the forms and indexes that mention the same code or words.
        context = document_context(manual, doc, downloads, lang)
        if is_edition:  # acknowledgements are recorded after a release: an edition's frozen pages have none
            context["ack"] = None
        page(doc_page(doc), "document.md.j2", f"{doc.code} {doc.title}", boost=DOC_BOOST.get(doc.status),
             doc=context)
    # Forms.
    for form in sorted(manual.forms.values(), key=lambda f: (f.code, f.id)):
        page(form_page(form), "form.md.j2", f"{form.code} {form.title}".strip(),
             form=form_context(manual, form, downloads, lang))
    # Indexes.
    listing = "documents/index.md"
    kinds = labels(lang)["kind"]
    page(listing, "documents.md.j2", lab["by_code"], hide=["toc"],
         rows=[dict(_doc_ref(d, listing, lang), version=d.version, kind=kinds.get(d.kind, d.kind),
                    effective=_date(d.effective), owner=d.owner,
                    next_review=_date(next_review(manual, d)) if d.status in IN_FORCE else "")
               for d in sorted(manual.documents, key=lambda d: d.code)])
    library = "forms/index.md"
    page(library, "forms.md.j2", lab["forms_library"], hide=["toc"],
         rows=[dict(_form_ref(f, library, downloads), status_label=status_label(f.status, lang),
                    used_by=[_doc_ref(d, library, lang) for d in form_users(manual, f)])
               for f in sorted(manual.forms.values(), key=lambda f: (f.code, f.id))])
    page("roles.md", "roles.md.j2", lab["by_role"], R=labels(lang)["site_role"], roles=roles_index(manual, "roles.md", lang))
    role_lab = labels(lang)["site_role"]
    for rid, path in role_pages(manual.roles).items():
        page(path, "role.md.j2", role_lab["page_title"].format(role=rid), boost=ROLE_BOOST,
             role=role_context(manual, rid, path, lang), R=role_lab)
    if not is_edition:  # what is due for review depends on today: not part of a released edition
        page("review.md", "review.md.j2", lab["due"], **review_context(manual, "review.md", lang))
    if not is_edition:  # who has acknowledged depends on the current source: not part of a released edition
        page(ACKS_PAGE, "acks.md.j2", labels(lang)["ack"]["site"]["title"], **acks_context(manual, ACKS_PAGE, lang))
    if editions.get("record") is not None:
        page("changes.md", "changes.md.j2", lab["changes"], record=editions["record"], rows=[], year=None,
             editions_href="editions.md", is_edition=is_edition)
    else:
        page("changes.md", "changes.md.j2", lab["changes"], record=None, editions_href="editions.md",
             is_edition=is_edition, **edition_changes(manual, "changes.md", lang))
    if is_edition:
        page("editions.md", "edition.md.j2", f"{lab['edition']} {editions['this']['edition']}",
             this=editions["this"], downloads=_downloads_for(printmodel.MANUAL_BASENAME, downloads, "editions.md"))
    else:
        page("editions.md", "editions.md.j2", lab["editions_title"], editions=list(reversed(editions["list"])),
             latest=editions.get("latest"), example=edition_example(manual))
        # Document control (受控文件清单, 受控文件发放): the present state, not part of an edition's site.
        control = control_pages.pages(manual, downloads, lang)
        for path, template, title, context in control:
            page(path, template, title, hide=["toc"], **context)

    titles = {p["path"]: p["title"] for p in pages}
    nav = [{lab["home"]: home}]
    nav.append({lab["documents_nav"]: _chapter_nav(manual, titles)})
    nav.append({lab["forms_nav"]: [{lab["forms_library"]: library}] + _forms_nav(manual, titles)})
    roles_nav = [{lab["by_role"]: "roles.md"}] + [{rid: path} for rid, path in role_pages(manual.roles).items()]
    indexes = [{lab["by_code"]: listing}, {lab["by_role"]: roles_nav}]
    if not is_edition:
        indexes.append({lab["due"]: "review.md"})
    nav.append({lab["indexes"]: indexes + [{lab["changes"]: "changes.md"}]
                + ([] if is_edition else [{labels(lang)["ack"]["site"]["title"]: ACKS_PAGE}])})
    nav.append({lab["editions_nav"]: "editions.md"})
    if not is_edition:
        nav += [{title: path} for path, _, title, _ in control]
    site_name = " ".join(x for x in (manual.company, manual.title) if x) or lab["home"]
    if is_edition:
        site_name += f" · {lab['edition']} {editions['this']['edition']}"
    return {"site_name": site_name, "lang": lang, "pages": pages, "nav": nav,
            "copyright": " ".join(x for x in (manual.company, manual.controlled_copy) if x),
            "downloads": downloads, "images": site_images(manual)}


def _chapter_nav(manual: Manual, titles: dict) -> list:
    """Documents in navigation (superseded ones left out); grouped by chapter when there are several."""
    docs = manual.in_navigation()
    chapters = manual.chapters
    if len(chapters) <= 1:
        return [{titles[doc_page(d)]: doc_page(d)} for d in docs]
    out, placed = [], set()
    for ch in chapters:
        members = [d for d in docs if d.code in ch.documents and d.code not in placed]
        if members:
            placed.update(d.code for d in members)
            name = f"{ch.number} {ch.title}".strip()
            out.append({name: [{titles[doc_page(d)]: doc_page(d)} for d in members]})
    out += [{titles[doc_page(d)]: doc_page(d)} for d in docs if d.code not in placed]
    return out


def _forms_nav(manual: Manual, titles: dict) -> list:
    """The forms in navigation: grouped like the documents, by the chapter of the document whose number the
    form's code carries (``0108-F2`` → 0108-2014's chapter), when there are several chapters; forms of no
    chapter come last.  With navigation.prune a page then carries its own chapter's forms, not all of them."""
    forms = sorted(manual.forms.values(), key=lambda f: (f.code, f.id))
    entries = [{titles[form_page(f)]: form_page(f)} for f in forms]
    if len(manual.chapters) <= 1:
        return entries
    from ...model.codes import form_document, without_year

    chapter_of: dict[str, int] = {}
    for index, ch in enumerate(manual.chapters):
        for code in ch.documents:
            chapter_of.setdefault(without_year(manual.code_scheme, code), index)
    groups: dict[int, list] = {}
    rest = []
    for form, entry in zip(forms, entries):
        number = form_document(manual.code_scheme, form.code) if form.code else None
        index = chapter_of.get(number) if number else None
        if index is None:
            rest.append(entry)
        else:
            groups.setdefault(index, []).append(entry)
    out = []
    for index, ch in enumerate(manual.chapters):
        if index in groups:
            out.append({f"{ch.number} {ch.title}".strip(): groups[index]})
    return out + rest


# -- writing the MkDocs sources ---------------------------------------------------------
def _env(lang: str, cache_dir: Path | None = None) -> Environment:
    """The page templates' environment; with ``cache_dir``, compiled templates are kept in its
    ``jinja/`` folder (Jinja checks each template's source against it)."""
    bytecode = None
    if cache_dir is not None:
        from jinja2 import FileSystemBytecodeCache

        try:
            (Path(cache_dir) / "jinja").mkdir(parents=True, exist_ok=True)
            bytecode = FileSystemBytecodeCache(str(Path(cache_dir) / "jinja"))
        except OSError:
            bytecode = None
    env = Environment(loader=FileSystemLoader(str(TEMPLATES / "pages")), autoescape=True,
                      undefined=StrictUndefined, keep_trailing_newline=True, trim_blocks=True,
                      lstrip_blocks=True, bytecode_cache=bytecode)
    env.filters["md"] = md_text
    env.filters["h"] = html_text
    env.filters["code"] = code_md
    env.filters["hcode"] = code_html
    env.filters["html_href"] = html_href
    env.globals["L"] = site_labels(lang)
    env.globals["raw"] = Markup  # for Markdown/SVG this module produced and escaped itself
    return env


def _escape_nav(nav):
    """Nav titles are inserted into the theme's HTML unescaped: escape them."""
    out = []
    for entry in nav:
        for title, target in entry.items():
            value = _escape_nav(target) if isinstance(target, list) else target
            out.append({html.escape(str(title), quote=True): value})
    return out


def base_config(manual: Manual) -> Path:
    """The base MkDocs config: the manual's own ``mkdocs.yml``, else the packaged default."""
    own = manual.root / "mkdocs.yml"
    return own if own.is_file() else DEFAULT_BASE_CONFIG


def write_sources(manual: Manual, model: dict, src: Path, *, final_src: Path | None = None,
                  base: Path | None = None, site_dir: Path | None = None, extra: dict | None = None,
                  record: dict | None = None, cache_dir: Path | None = None, link_downloads: bool = False,
                  written: dict | None = None) -> Path:
    """Write the Markdown pages, the downloads and the generated mkdocs.yml into ``src``.

    ``final_src`` is where ``src`` will end up (relative paths in the config are computed from it).
    ``base`` is the MkDocs config to inherit (default: ``base_config(manual)``), ``site_dir`` where the
    site goes (default: the manual's ``site/``), ``extra`` MkDocs ``extra`` values for the theme.
    ``record``, a dict, receives every file written: its path under ``src`` → the SHA-256 of its
    bytes, or for a download the path of the file it was copied from.  ``cache_dir``: where the
    compiled page templates are kept (``<root>/.cache/site``; None: compiled again).
    ``link_downloads``: the downloads are hard links to their files where the file system allows,
    else copies (for ``dist/``, whose files are replaced, never rewritten in place).
    ``written`` (the preview, ``preview.LiveSite``): the ``record`` of the last write into the same
    ``src``; a page whose bytes are the same is not written again.
    Returns the path of the generated mkdocs.yml.
    """
    record = {} if record is None else record
    final_src = final_src or src
    docs = src / "docs"
    env = _env(model["lang"], cache_dir)
    for p in model["pages"]:
        text = env.get_template(p["template"]).render(title=p["title"], page_path=p["path"], **p["context"])
        text = re.sub(r"\n{3,}", "\n\n", text)
        # The page title goes to the theme's <title> and nav unescaped: give it escaped.
        meta = {"title": html.escape(p["title"], quote=True)}
        boost = p.get("boost") or INDEX_BOOST.get(p["template"])
        if boost:
            meta["search"] = {"boost": boost}
        if p.get("hide"):  # Material: parts of the frame this page does without (an empty table of contents)
            meta["hide"] = list(p["hide"])
        front = yaml.safe_dump(meta, allow_unicode=True)
        text = f"---\n{front}---\n\n{text.lstrip()}"
        target = docs / p["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        sha = hashlib.sha256(data).hexdigest()
        if written is None or written.get(f"docs/{p['path']}") != sha:  # preview: unchanged pages stay
            target.write_bytes(data)
        record[f"docs/{p['path']}"] = sha
    for name, data in sorted(model.get("images", {}).items()):  # the bodies' pictures
        target = docs / name
        target.parent.mkdir(parents=True, exist_ok=True)
        sha = hashlib.sha256(data).hexdigest()
        if written is None or written.get(f"docs/{name}") != sha:
            target.write_bytes(data)
        record[f"docs/{name}"] = sha
    for name, source in sorted(model["downloads"].items()):
        target = docs / DOWNLOADS_DIR / name
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            if not link_downloads:
                raise OSError
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
        record[f"docs/{DOWNLOADS_DIR}/{name}"] = Path(source)
    base = Path(base) if base else base_config(manual)
    inherit = os.path.relpath(base, final_src) if base.is_relative_to(manual.root) else str(base)
    config = {
        "INHERIT": inherit,
        "site_name": html.escape(model["site_name"], quote=True),
        "copyright": html.escape(model["copyright"], quote=True),
        "docs_dir": "docs",
        "site_dir": os.path.relpath(Path(site_dir) if site_dir else manual.root / SITE_DIR, final_src),
        "theme": {"custom_dir": str(OVERRIDES)} | ({"language": "en"} if model["lang"] == "en" else {}),
        "nav": _escape_nav(model["nav"]),
    }
    # The theme's frame in the manual's language (templates/site/overrides): no "Made with …" line.
    config["extra"] = {"generator": False, "manual_words": dict(labels(model["lang"])["site_theme"])} | (extra or {})
    header = ("# Generated by `manual build site`: do not edit; edit the manual's sources and its mkdocs.yml.\n")
    path = src / "mkdocs.yml"
    data = (header + yaml.safe_dump(config, allow_unicode=True, sort_keys=False)).encode("utf-8")
    path.write_bytes(data)
    record["mkdocs.yml"] = hashlib.sha256(data).hexdigest()
    return path


# -- skipping an unchanged build ---------------------------------------------------------------
# The MkDocs run is skipped when everything it reads is byte-identical to what the last successful
# build read and site/ is as that build left it.  ``<root>/.cache/site/stamp.json`` records the key of
# the last build's inputs and the files of the site it made.
CACHE_DIR = Path(".cache") / "site"  # relative to the manual's root (see generator/publishers/render/cache.py)
STAMP_FILE = "stamp.json"
# What else turns the sources into the site: MkDocs, the theme, Markdown and its extensions, jieba.
ENGINE_DISTRIBUTIONS = ("mkdocs", "mkdocs-material", "mkdocs-material-extensions", "pymdown-extensions",
                        "markdown", "jinja2", "markupsafe", "pygments", "babel", "backrefs", "jieba", "pyyaml")


@lru_cache(maxsize=1)
def engine_digest() -> str:
    """MkDocs and everything it builds with: the versions of the engines and of every installed MkDocs
    plugin and theme, the Python version, and the generator's code and templates (theme overrides
    included)."""
    from importlib import metadata

    from ..render import cache as cache_mod

    names = set(ENGINE_DISTRIBUTIONS)
    for group in ("mkdocs.plugins", "mkdocs.themes"):
        for entry in metadata.entry_points(group=group):
            dist = getattr(entry, "dist", None)
            if dist is not None and dist.metadata["Name"]:
                names.add(dist.metadata["Name"].lower())
    return cache_mod.digest(cache_mod.versions(*sorted(names)), sys.version, cache_mod.code_digest())


def _file_sha(path: Path, known: dict, files: dict) -> str:
    """SHA-256 of a file, taken from ``known`` (the last build's) while its size, time and inode match."""
    st = os.stat(path)
    sig = [st.st_size, st.st_mtime_ns, st.st_ino]
    old = known.get(str(path))
    if isinstance(old, list) and len(old) == 2 and old[0] == sig:
        sha = old[1]
    else:
        sha = sha256_file(path)
    files[str(path)] = [sig, sha]
    return sha


def site_key(manual: Manual, record: dict, *, site_dir: Path, lang: str, editions: list[dict],
             known: dict, files: dict) -> str:
    """The key of everything a site build reads: the generated sources (``record`` from
    ``write_sources``: pages, downloads, mkdocs.yml), the base config it INHERITs, the engines
    (``engine_digest``), the build date MkDocs is given, the released editions (their cache keys and
    the files of their cached builds, which are copied into the site) and the site folder."""
    from ..render import cache as cache_mod

    sources = {rel: (_file_sha(v, known, files) if isinstance(v, Path) else v) for rel, v in record.items()}
    base = base_config(manual)
    with _environment(manual):
        epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    edition_keys = [editions_site.cache_key(m, base, lang) for m in editions]
    edition_cache = site_manifest(manual.root / editions_site.CACHE_DIR) if editions else {}
    return cache_mod.digest("site", engine_digest(), sources, str(base), _file_sha(base, known, files),
                            epoch, edition_keys, edition_cache, str(Path(site_dir).resolve()), lang)


def site_manifest(site_dir: Path) -> dict:
    """Every file of the built site: relative path → [size, mtime (ns), inode]."""
    site_dir = Path(site_dir)
    out = {os.path.relpath(path, site_dir): [st.st_size, st.st_mtime_ns, st.st_ino]
           for path, st in walk_stats(site_dir, follow_links=False)}
    return out if out else {"": None}  # a missing or empty site never matches


def read_stamp(cache_dir: Path) -> dict:
    try:
        data = json.loads((Path(cache_dir) / STAMP_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_stamp(cache_dir: Path, data: dict) -> None:
    """Atomically; a stamp that cannot be written only means the next build runs MkDocs again."""
    from ...common.outputs import atomic_write_bytes

    try:
        atomic_write_bytes(Path(cache_dir) / STAMP_FILE, json.dumps(data, ensure_ascii=False).encode("utf-8"))
    except OSError:
        pass


# -- running MkDocs ------------------------------------------------------------------------
class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@contextmanager
def _environment(manual: Manual):
    """Quiet, reproducible MkDocs: no MkDocs 2 notice; the build date pinned to the manual's date."""
    saved = {k: os.environ.get(k) for k in ("NO_MKDOCS_2_WARNING", "SOURCE_DATE_EPOCH")}
    os.environ["NO_MKDOCS_2_WARNING"] = "1"
    date = manual.date
    if date is not None and not saved["SOURCE_DATE_EPOCH"]:
        epoch = dt.datetime(date.year, date.month, date.day, tzinfo=dt.timezone.utc).timestamp()
        os.environ["SOURCE_DATE_EPOCH"] = str(int(epoch))
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run_mkdocs(manual: Manual, config_file: Path, site_dir: Path, *, quiet: bool = False,
               cache_dir: Path | None = None) -> list[str]:
    """MkDocs' own build of ``config_file`` into ``site_dir``; returns its warnings (as text).

    ``cache_dir`` (``<root>/.cache/site``): where ``site_accel`` keeps what makes the next build
    faster (jieba's dictionary and segmentations, compiled templates); None: a plain build.
    """
    from mkdocs import exceptions
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    from . import accel as site_accel

    logging.getLogger("jieba").setLevel(logging.WARNING)
    collect = _Collect()
    logger = logging.getLogger("mkdocs")
    old_level, old_propagate = logger.level, logger.propagate
    logger.addHandler(collect)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        with _environment(manual):
            jieba = site_accel.import_jieba()
            if jieba is not None:
                jieba.setLogLevel(logging.WARNING)
            try:
                config = load_config(str(config_file), site_dir=str(site_dir))
                with site_accel.accelerated(cache_dir, config):
                    mkdocs_build(config)
            except exceptions.MkDocsException as exc:
                detail = "; ".join(r.getMessage() for r in collect.records if r.levelno >= logging.ERROR)
                raise SiteBuildError("errors.mkdocs_failed", reason=f"{exc}" + (f" ({detail})" if detail else "")) from None
    finally:
        logger.removeHandler(collect)
        logger.setLevel(old_level)
        logger.propagate = old_propagate
    warnings = [r.getMessage() for r in collect.records if r.levelno >= logging.WARNING]
    if warnings and not quiet:
        for w in warnings:
            print(f"manual: site: warning: {w}", file=sys.stderr)
    return warnings


# -- the sites of the released editions ---------------------------------------------------------
def edition_site(root: Path, manifest: dict, *, base: Path, lang: str,
                 cache: bool = True) -> tuple[Path, list[str]]:
    """The cached build of one edition's site (``build/editions-site/<E>/``), built when missing or stale.

    ``cache=False`` (``manual build --no-cache``) builds it again in any case.

    Returns the cache folder and the MkDocs warnings of a fresh build (none when the cache was used).
    """
    name = manifest["edition"]
    folder = Path(root) / editions_site.CACHE_DIR / name
    key = editions_site.cache_key(manifest, base, lang)
    if cache and editions_site.is_cached(folder, key):
        return folder, []
    old = editions_site.read_snapshot(manifest)
    model = site_model(old, downloads=editions_site.downloads(manifest), lang=lang,
                       editions=editions_site.edition_context(old, manifest, lang))
    with atomic_dir(folder) as tmp:
        config = write_sources(old, model, tmp / "src", final_src=folder / "src", base=base,
                               site_dir=folder / "site", extra={"manual_edition": name})
        warnings = run_mkdocs(old, config, tmp / "site", quiet=True)
        editions_site.write_key(tmp, key)
    return folder, [f"edition {name}: {w}" for w in warnings]


def build_editions(manual: Manual, site_tmp: Path, *, base: Path, lang: str, quiet: bool = True,
                   editions: list[dict] | None = None, cache: bool = True,
                   marker: site_downloads.Marker | None = None) -> list[str]:
    """Every released edition into ``site_tmp/editions/<E>/``; returns the MkDocs warnings of fresh builds.

    ``marker``: the site build's download marker; each edition's PDF and DOCX downloads (as released, or
    the 已作废 reading copies) are replaced by copies with the 非受控 mark."""
    from ...common.progress import note

    editions = list_editions(manual.root) if editions is None else editions
    editions_site.prune(manual.root, {m["edition"] for m in editions})
    if not editions:
        return []
    latest = editions[-1]
    warnings: list[str] = []
    for manifest in editions:
        folder, found = edition_site(manual.root, manifest, base=base, lang=lang, cache=cache)
        warnings += found
        dest = Path(site_tmp) / editions_site.SITE_SUBDIR / manifest["edition"]
        editions_site.install(folder, dest, manifest, latest, lang)
        if marker is not None:
            marker.mark_folder(dest / DOWNLOADS_DIR)
    if not quiet:
        for w in warnings:
            print(f"manual: site: warning: {w}", file=sys.stderr)
    names = ", ".join(m["edition"] for m in editions)
    note(site_labels(lang)["note_editions"].format(names=names), quiet=quiet)
    return warnings


def build_site(manual: Manual, *, out: Path | None = None, quiet: bool = False, lang: str = "zh-CN",
               site_dir: Path | None = None, cache: bool = True, jobs: int | None = None) -> dict:
    """Generate the sources and build the site; returns ``{"site", "config", "warnings", "model",
    "skipped"}`` (``skipped``: MkDocs did not run, the site was up to date; see ``site_key``).
    ``jobs``: worker processes for marking the downloads (``downloads``)."""
    from ...common.progress import note

    site_dir = Path(site_dir) if site_dir else manual.root / SITE_DIR
    final_src = manual.root / SRC_DIR
    cache_dir = manual.root / CACHE_DIR
    released = list_editions(manual.root)
    stamp = read_stamp(cache_dir) if cache else {}
    files: dict = {}
    # The downloads are marked copies (非受控) of dist/'s files, cached by the masters' hashes.
    marker = site_downloads.Marker(manual.root, site_downloads.mark_text(manual),
                                   lambda path: _file_sha(path, stamp.get("files") or {}, files), fresh=not cache,
                                   notice=manual.controlled_copy)
    editions_context = editions_site.main_context(manual, released, lang)
    model = site_model(manual, downloads=marker.downloads(download_files(manual, out), jobs=jobs), lang=lang,
                       editions=editions_context)
    record: dict = {}
    with atomic_dir(final_src) as src:
        write_sources(manual, model, src, final_src=final_src, record=record,
                      cache_dir=cache_dir if cache else None, link_downloads=True)
    config_file = final_src / "mkdocs.yml"

    def key() -> str:
        return site_key(manual, record, site_dir=site_dir, lang=lang, editions=released,
                        known=stamp.get("files") or {}, files=files)

    if cache and stamp.get("key") == key() and stamp.get("site") == site_manifest(site_dir):
        # Nothing MkDocs would read has changed and site/ is as the last build left it.
        warnings = [str(w) for w in stamp.get("warnings") or []]
        if warnings and not quiet:
            for w in warnings:
                print(f"manual: site: warning: {w}", file=sys.stderr)
        note(site_labels(lang)["note_unchanged"].format(path=site_dir), quiet=quiet)
        return {"site": site_dir, "config": config_file, "warnings": warnings, "model": model, "skipped": True}
    with atomic_dir(site_dir) as tmp:
        warnings = run_mkdocs(manual, config_file, tmp, quiet=quiet, cache_dir=cache_dir if cache else None)
        # Released editions: each its own (cached) MkDocs build, under site/editions/<E>/.
        warnings += build_editions(manual, tmp, base=base_config(manual), lang=lang, quiet=quiet,
                                   editions=released, cache=cache, marker=marker)
        # What site/ will hold once swapped in (a rename keeps every file's size, time and inode):
        # inside ``manual build`` the swap waits for the commit of all the targets.
        built = site_manifest(tmp)
    marker.prune()
    if cache:  # the key once the edition sites are built (their cached builds are part of it)
        write_stamp(cache_dir, {"key": key(), "site": built, "files": files, "warnings": warnings})
    note(site_labels(lang)["note_built"].format(path=site_dir), quiet=quiet)
    return {"site": site_dir, "config": config_file, "warnings": warnings, "model": model, "skipped": False}


def build(manual: Manual, *, out: Path, quiet: bool = False, jobs=None, cache: bool = True,
          lang: str = "zh-CN") -> list[Path]:
    """``manual build site``: the staff website in ``manual.root / "site"``."""
    try:
        result = build_site(manual, out=out, quiet=quiet, lang=lang, cache=cache, jobs=jobs)
    except SiteBuildError as exc:
        raise UsageError(exc.key, **exc.values) from None
    site = result["site"]
    return sorted(p for p in site.rglob("*") if p.is_file())
