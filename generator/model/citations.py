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
