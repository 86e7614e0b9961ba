"""Raw WordprocessingML helpers shared by the DOCX writers (manual and forms).

python-docx's default template gives its styles theme-font attributes
(``w:asciiTheme`` …) that override an explicit ``w:eastAsia``; ``set_rfonts``
removes them and names the font for every script, ``set_lang`` makes the
East Asian language zh-CN (the template says en-US).
"""
from __future__ import annotations

from functools import lru_cache

THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


@lru_cache(maxsize=None)
def qn(tag: str) -> str:
    """``w:val`` → ``{namespace}val`` (memoized: the writers call it for every element they make)."""
    from docx.oxml.ns import qn as _qn

    return _qn(tag)


@lru_cache(maxsize=None)
def _tag(tag: str) -> tuple:
    """What ``docx.oxml.OxmlElement(tag)`` computes for a tag: its Clark name and namespace map."""
    from docx.oxml.ns import NamespacePrefixedTag

    nsptag = NamespacePrefixedTag(tag)
    return nsptag.clark_name, nsptag.nsmap


@lru_cache(maxsize=None)
def _attr(key: str) -> str:
    return qn(key.replace("__", ":"))


def el(tag: str, **attrs):
    """A new element; ``w__val="x"`` sets the attribute ``w:val``.

    The same element as ``docx.oxml.OxmlElement(tag)`` (same parser, class and namespace map), made
    without re-parsing the prefixed tag each time: a whole manual makes hundreds of thousands.
    """
    from docx.oxml.parser import oxml_parser

    clark, nsmap = _tag(tag)
    element = oxml_parser.makeelement(clark, nsmap=nsmap)
    for key, value in attrs.items():
        element.set(_attr(key), str(value))
    return element


def set_rfonts(rpr, font: str) -> None:
    """``font`` for every script of a run-properties element, theme fonts removed."""
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = el("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in THEME_ATTRS:
        key = qn(attr)
        if key in rfonts.attrib:
            del rfonts.attrib[key]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), font)


def set_rfonts_pair(rpr, east_asian: str, latin: str) -> None:
    """``east_asian`` for Chinese text (``w:eastAsia``), ``latin`` for the other scripts, theme fonts removed."""
    set_rfonts(rpr, latin)
    rpr.find(qn("w:rFonts")).set(qn("w:eastAsia"), east_asian)


def set_lang(rpr) -> None:
    """Languages of a run-properties element: en-US, East Asian zh-CN."""
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = el("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    lang.set(qn("w:bidi"), "ar-SA")


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
def parse_w(markup: str):
    """One element from WordprocessingML markup whose root is a ``w:`` element, e.g.
    ``<w:r><w:b/><w:t>…</w:t></w:r>``: the ``w`` namespace is declared on the root.

    The same element tree as building it with ``el`` and ``append``, in one parse: lxml makes the
    children without a Python object each.  None when the markup does not parse (text that XML
    cannot hold): the caller builds the element the slow way, which reports the problem.
    """
    from docx.oxml.parser import oxml_parser
    from lxml import etree

    end = markup.index(">")
    cut = end - 1 if markup[end - 1] == "/" else end
    markup = f'{markup[:cut]} xmlns:w="{W_NS}"{markup[cut:]}'
    try:
        return etree.fromstring(markup, oxml_parser)
    except etree.XMLSyntaxError:
        return None
