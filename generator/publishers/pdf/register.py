"""The 受控文件清单 (register of controlled documents) as a PDF: ``dist/register.pdf``, built with the print
pipeline's engine (Jinja template ``templates/print/register.html.j2``, WeasyPrint, the label catalogue).

Landscape A4 (nine columns), the table header repeated on every page, no row split across pages, the
running header (company · manual, the edition in force) and 第 N 页 / 共 M 页 on every page.  The rows are
the site page's (``publishers.render.register.register_rows``, from ``model.register``).  Same source → same
bytes (WeasyPrint writes no date); written atomically, and not rewritten when the bytes are the same.
``manual build pdf`` makes it; the site offers it as a download on its 受控文件清单 page.
"""
from __future__ import annotations

from pathlib import Path

from ...labels import labels
from ...model import Manual
from ..render import view as pm
from ..render.register import REGISTER_PDF, manifests, register_heading, register_rows
from .html import TEMPLATES, render_template


def register_html(manual: Manual, found: list[dict], lang: str = "zh-CN") -> str:
    """The register's HTML: a pure function of the model, the released editions' manifests and the language."""
    words = labels(lang)["register"]
    page = pm.page_words(lang)
    rows = register_rows(manual, found, lang)
    for row in rows:
        row["page_html"] = row["page"][:-3] + ".html" if row["page"].endswith(".md") else row["page"]
    groups = [{"title": words["documents"], "rows": [r for r in rows if r["kind"] == "document"]},
              {"title": words["forms"], "rows": [r for r in rows if r["kind"] == "form"]}]
    as_of = register_heading(found, lang)
    return render_template(
        "register.html.j2", lang=lang, R=words, company=manual.company, manual_title=manual.title,
        pdf_title=f"{words['title']} · {manual.title}".strip(" ·"), as_of=as_of,
        header_left=" · ".join(x for x in (manual.company, manual.title) if x), header_right=words["title"],
        page_before=page["page_pre"], page_after=page["page_post"], sep=page["sep"],
        pages_before=page["pages_pre"], pages_after=page["pages_post"],
        groups=[g for g in groups if g["rows"]])


def render_register_pdf(manual: Manual, found: list[dict], lang: str = "zh-CN") -> bytes:
    """The register's PDF (WeasyPrint; only data: URLs are fetched, as for every print part)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = register_html(manual, found, lang)
    return HTML(string=html, base_url=str(TEMPLATES), url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()


def build(manual: Manual, out: Path, lang: str = "zh-CN", cache: bool = True) -> Path:
    """Write ``out/register.pdf`` (rendered again only when its HTML, the engine, the fonts or this code
    changed: ``.cache/register/``); returns its path."""
    from ..render import cache as cache_mod
    from ..render.cache import BuildCache, write_if_changed

    found = manifests(manual)
    html = register_html(manual, found, lang)
    key = cache_mod.digest("register", cache_mod.versions("weasyprint", "pydyf"), cache_mod.font_digest(),
                           cache_mod.code_digest("publishers/pdf/**/*"), html)
    store = BuildCache(manual.root, "register", enabled=cache and manual.root is not None)
    data = store.get(key)
    if data is None:
        data = render_register_pdf(manual, found, lang)
        store.put(key, data)
    store.keep(key)
    store.prune()
    return write_if_changed(Path(out) / REGISTER_PDF, data)
