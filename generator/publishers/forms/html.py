"""A form as HTML: the fragment the site and the printed manual embed, and whole pages.

``form_html_fragment(manual, form)`` is the form as one HTML element (``.mform``) with its
own scoped style; ``page_html(manual, form)`` the stand-alone ``.html`` to fill in a
browser and print, or (``pdf=True``) the page WeasyPrint makes the fillable PDF of.
Both draw the view model of ``spec.form_context`` with the templates in
``templates/forms/``.
"""
from __future__ import annotations

from functools import lru_cache

from markupsafe import Markup

from ...common import resources
from ...model import Form, Manual
from .font import field_font_file
from .spec import PAPER, SHEET_MARGIN, footer_text, form_context, form_words, paper

TEMPLATES = resources.TEMPLATES / "forms"


@lru_cache(maxsize=1)
def _env():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    # HTML templates are escaped; the style sheets (*.css.j2) are not.
    return Environment(loader=FileSystemLoader(str(TEMPLATES)), undefined=StrictUndefined,
                       autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
                       trim_blocks=False, lstrip_blocks=False)


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
