"""Citations in prose: 《title》 resolved to a form or a document.

Every output turns a known citation into a link; the terminology rule
flags an unknown one.  Titles match a form's ``title`` or ``aliases``, or a
document's ``title``.
"""
from __future__ import annotations

import re

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
