"""The words of ``manual import``: import-report.md and the notes it lists, from the label catalogue.

``say("key", **values)`` is the entry ``importreport.key`` (generator/labels/importreport.yaml) in the
report's language: zh-CN, or the language ``manual import --lang`` asks for, set for the length of one
import by ``report_language(lang)`` (``run_import`` and ``write_manual`` do).  ``content("key")`` is a word
the import writes into the manual itself (a default title, a job's title), in the manual's locale, which
the imported manual.yaml states as zh-CN whatever the report's language.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from ..labels import LANGS, step_label, text

GROUP = "importreport"
MANUAL_LANG = "zh-CN"  # the locale templates/import/manual.yaml.j2 writes

_lang: ContextVar[str] = ContextVar("import_report_lang", default="zh-CN")


@contextmanager
def report_language(lang: str | None) -> Iterator[str]:
    """Within the block, ``say`` speaks ``lang`` (zh-CN for a language the catalogue does not have)."""
    token = _lang.set(lang if lang in LANGS else "zh-CN")
    try:
        yield _lang.get()
    finally:
        _lang.reset(token)


def say(key: str, **values) -> str:
    """``importreport.<key>`` in the report's language, its ``{placeholders}`` filled in."""
    return text(f"{GROUP}.{key}", _lang.get(), **values)


def content(key: str, **values) -> str:
    """``importreport.content.<key>``: a word written into the imported manual, in the manual's locale."""
    return text(f"{GROUP}.content.{key}", MANUAL_LANG, **values)


def join(items: Iterable[str]) -> str:
    """Items of a list in a sentence: ``a、b`` (zh-CN), ``a, b`` (en)."""
    return say("list_sep").join(items)


def quoted(title: str) -> str:
    """A title as the report's language quotes it: ``《…》`` (zh-CN), ``“…”`` (en)."""
    return say("quoted_title", title=title)


def step_name(step: str) -> str:
    """编制 / 审核 / 批准 (or Prepared … in English) for ``prepared`` / ``reviewed`` / ``approved``."""
    return step_label(step, _lang.get())


def source_unit(kind: str) -> str:
    """``Source.unit`` for ``line`` (a .txt) or ``paragraph`` (a .docx): in zh-CN (行, 段), the language in which
    ``importbase.Source.where`` writes positions (第 3 行); ``unit`` gives it in the report's language."""
    return text(f"{GROUP}.unit_{kind}", "zh-CN")


def unit(source_unit_text: str) -> str:
    """A source's unit (``source_unit``) in the report's language."""
    for kind in ("line", "paragraph"):
        if source_unit_text == source_unit(kind):
            return say(f"unit_{kind}")
    return source_unit_text
