"""Citations in prose: 《title》 resolved to a form or a document.

Every output turns a known citation into a link; the terminology rule
flags an unknown one.  Titles match a form's ``title`` or ``aliases``, or a
document's ``title``.
"""
from __future__ import annotations

import re
from pathlib import PurePosixPath

from . import Document, Form, Manual

CITATION = re.compile(r"《([^《》\n]{1,60})》")


def resolve(manual: Manual, title: str) -> Document | Form | None:
    title = title.strip()
    for form in manual.forms.values():
        if form.title == title or title in form.aliases:
            return form
    for doc in manual.documents:
        if doc.title == title:
            return doc
    return None


def citations(text: str):
    """(start, end, title) for each 《…》 in ``text``."""
    for m in CITATION.finditer(text):
        yield m.start(), m.end(), m.group(1)


def split_citations(manual: Manual, text: str, resolver=resolve) -> list[tuple[str, Document | Form | None]]:
    """``text`` cut into pieces: (text, None) for plain text, (《title》, target) for a known citation.

    An unknown 《title》 stays part of the plain text.  ``resolver(manual, title)`` finds a target
    (default ``resolve``; a build may pass a cached one)."""
    out: list[tuple[str, Document | Form | None]] = []
    pos = 0
    for start, end, title in citations(text):
        target = resolver(manual, title)
        if target is None:
            continue
        if start > pos:
            out.append((text[pos:start], None))
        out.append((text[start:end], target))
        pos = end
    if pos < len(text):
        out.append((text[pos:], None))
    return out


# -- links in document bodies --------------------------------------------------------------------
# Link targets an output may make live: the web, mail, and places inside the manual (no scheme).
# Anything else (javascript:, data:, vbscript:, file:, ftp: …) prints as its text.
LIVE_SCHEMES = ("http", "https", "mailto")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")


def link_scheme(href: str) -> str | None:
    """The scheme of a link target, lower case ("" for a link inside the manual; None: an unsafe target).

    Browsers ignore control characters and spaces inside a scheme (``java\tscript:``), so they are
    dropped before looking; ``//host/…`` leaves the manual without naming a scheme."""
    target = "".join(ch for ch in href if ch > " ")
    found = _SCHEME.match(target)
    if found:
        return found.group(1).lower()
    return None if target.startswith("//") else ""


def live_link(href: str) -> bool:
    """Whether an output may make ``href`` a live link."""
    scheme = link_scheme(href)
    return scheme == "" or scheme in LIVE_SCHEMES


def link_target(manual: Manual, href: str) -> Document | Form | None:
    """The document or form a link inside the manual points at (``0102-2014.md``, ``../forms/x.yaml``,
    ``0102-2014``), or None.  A bare ``#anchor`` points into the same page: None."""
    path = href.split("#", 1)[0].split("?", 1)[0]
    if not path:
        return None
    stem = PurePosixPath(path).stem if PurePosixPath(path).suffix in (".md", ".html", ".yaml", ".pdf", ".docx") \
        else PurePosixPath(path).name
    for doc in manual.documents:
        if stem in (doc.code, PurePosixPath(doc.path).stem):
            return doc
    for form in manual.forms.values():
        if stem in (form.id, form.code, PurePosixPath(form.path).stem):
            return form
    return None
