"""A form as HTML: the fragment the site and the printed manual embed, and whole pages.

``form_html_fragment(manual, form)`` is the form as one HTML element (``.mform``) with its
own scoped style; ``page_html(manual, form)`` the stand-alone ``.html`` to fill in a
browser and print, or (``pdf=True``) the page WeasyPrint makes the fillable PDF of.
Both draw the view model of ``spec.form_context`` with the templates in
``templates/forms/``.
"""
from __future__ import annotations

import re
from functools import lru_cache

from markupsafe import Markup

from ...common import resources
from ...model import Form, Manual
from .font import field_font_file
from .spec import PAPER, SHEET_MARGIN, footer_text, form_context, form_words, paper

TEMPLATES = resources.TEMPLATES / "forms"


_LATIN = re.compile(r"[0-9A-Za-z\u00c0-\u024f]")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
TITLE_ONE_LINE_MM = 100  # a title estimated narrower than this never wraps, whatever the sheet


def cjk_only(text) -> bool:
    """Chinese text with no Latin letter or digit: the titles and section bars that are letter-spaced
    (an English or mixed title is not: "L o n g  F o r m")."""
    return bool(_CJK.search(str(text))) and not _LATIN.search(str(text))


def keep_last(text, size_pt: float = 18) -> Markup:
    """A title whose last line never holds one or two characters alone: a title that may wrap keeps its
    last three Chinese characters (or its last two words when the last is one or two letters) together."""
    from ...common.textwidth import text_width

    text = str(text)
    if text_width(text, size_pt) * 1.3 * 25.4 / 72 <= TITLE_ONE_LINE_MM:  # pt → mm, letter-spacing allowed for
        return Markup.escape(text)
    m = re.search(r"[\u3400-\u9fff\uf900-\ufaff]{1,3}[^\s\w]*$", text)
    if m is None:
        m = re.search(r"\S+\s+\S{1,2}$", text)
        if m is None:
            return Markup.escape(text)
    head, tail = text[:m.start()], text[m.start():]
    return Markup.escape(head) + Markup('<span class="mform-keep">') + Markup.escape(tail) + Markup("</span>")


@lru_cache(maxsize=1)
def _env():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    # HTML templates are escaped; the style sheets (*.css.j2) are not.
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), undefined=StrictUndefined,
                      autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
                      trim_blocks=False, lstrip_blocks=False)
    env.tests["cjk_only"] = cjk_only
    env.filters["keep_last"] = keep_last
    return env


@lru_cache(maxsize=1)
def form_css() -> str:
    """The fragment's style sheet (every rule scoped under ``.mform``)."""
    return (TEMPLATES / "form.css").read_text(encoding="utf-8")


def form_html_fragment(manual: Manual, form: Form, values: dict | None = None, *, mode: str = "html",
                       lang: str = "zh-CN", css: bool = True, aria_labels: bool = False) -> str:
    """The form as one HTML element (``.mform``) with its scoped ``<style>`` (unless ``css`` is false).

    ``values`` and ``mode`` as for ``spec.form_context``: ``html`` a ``<form>`` fillable in a
    browser, ``static`` ruled boxes with the values as text (for print), ``pdf`` the inputs
    WeasyPrint turns into AcroForm fields.  ``aria_labels``: each text field also carries its label as
    ``aria-label`` (a field in a table has no <label> of its own).
    """
    context = form_context(manual, form, values, mode=mode, lang=lang)
    context["css"] = Markup(form_css()) if css else ""
    context["aria"] = aria_labels  # the site: every text field named for screen readers, not by its title alone
    return _env().get_template("fragment.html.j2").render(f=context)


def page_html(manual: Manual, form: Form, *, lang: str = "zh-CN", pdf: bool = False,
              values: dict | None = None) -> str:
    """A whole HTML page around the form: the stand-alone ``.html``, or the source of the ``.pdf``."""
    return _env().get_template("page.html.j2").render(
        title=f"{form.code} {form.title}", lang=lang, form_id=f"mf-{form.id}", company=manual.company, pdf=pdf,
        landscape=paper(form).endswith("landscape"), words=form_words(lang), size=PAPER[paper(form)][0],
        margin=" ".join(f"{m}mm" for m in SHEET_MARGIN),
        footer=footer_text(form, lang).replace('"', "'"), field_font=field_font_file().as_uri() if pdf else "",
        fragment=Markup(form_html_fragment(manual, form, values, mode="pdf" if pdf else "html", lang=lang)))


def form_toolbar_html(form: Form, *, lang: str = "zh-CN") -> str:
    """The 清空 / 打印 buttons of the stand-alone HTML form, for a page that embeds the fragment (html mode)."""
    return _env().get_template("toolbar.html.j2").render(form_id=f"mf-{form.id}", words=form_words(lang))


def print_page_size(form: Form) -> str:
    """The form's paper as a CSS ``@page`` size (``A4``, ``A4 landscape`` …)."""
    return PAPER[paper(form)][0]
