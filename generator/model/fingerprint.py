"""Fingerprints: a hash of what a sign-off approves.

``fingerprint(item, manual)`` is ``"sha256:"`` + the SHA-256 of a canonical
JSON of the item's *normative* content — what a reader of the printed page
is bound by.  It is a pure function of the model (no file access), so the
approval check, ``manual approve``, the editions' change detection and the
build cache can all share it.

What is normative (changes make an approval stale):

* documents: ``code``, ``title``, ``kind``, ``owner``, ``uses_forms``, ``references``, the structured parts (``orgchart``,
  ``staffing``, ``workflow``, ``jobs``) and the body, with the SHA-256 of each image file it shows
  (``![说明](images/x.png)``): a changed picture is a changed document;
* when a document draws on ``manual/roles.yaml`` (``orgchart``,
  ``staffing`` or ``jobs``), the org data it shows: each role's id,
  ``reports_to``, ``headcount`` and ``external``, the department head and
  the authorized headcount — so a changed headcount makes 0103 stale;
* forms: ``id``, ``code``, ``title``, ``owner``, ``paper``,
  ``instructions`` and the fields (with their sections).

What is *not* normative: ``status``, ``version``, ``effective``,
``signoff``, ``revisions``, ``last_review``, ``review_months``,
``title_en``, form ``aliases`` — the administration of a document, not its
content.  ``effective`` is left out on purpose: the effective date is set
when an approved version is published (it must not precede the approval,
see ``signoff-order``), so setting it must not undo the approval.

Formatting does not count: the body is taken as parsed blocks
(``generator.read.markdown``), so blank lines, trailing spaces, line wrapping,
indentation and the list-numbering style (``1.`` ``2.`` vs. ``1.`` ``1.``)
leave the fingerprint unchanged; inside text, runs of white space collapse,
and white space next to a Chinese character is dropped (line wrapping in
Chinese text inserts a line break that is not content).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re

from ..read.markdown import normalize_text
from . import Document

SCHEME = "manual-fingerprint/1"

DOCUMENT_FIELDS = ("code", "title", "kind", "owner", "uses_forms", "references",
                   "orgchart", "staffing", "workflow", "jobs")
FORM_FIELDS = ("id", "code", "title", "owner", "paper", "instructions", "sections", "fields")
ROLE_FIELDS = ("id", "reports_to", "headcount", "external")

# White space next to a CJK character (ideographs, CJK punctuation, full-width forms).
_CJK = r"\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
_WS_NEXT_TO_CJK = re.compile(rf"\s+(?=[{_CJK}])|(?<=[{_CJK}])\s+")


def norm(text) -> str:
    """Text with formatting-only differences removed."""
    return _WS_NEXT_TO_CJK.sub("", normalize_text(str(text)))


def plain_data(value):
    """Plain data with every string normalized and dates in ISO form."""
    if isinstance(value, dict):
        return {str(k): plain_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_data(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, str):
        return norm(value)
    return value


def body_structure(blocks) -> list:
    """The body as nested plain data: kind, level, clause numbers and text."""
    out = []
    for block in blocks:
        if block.kind == "heading":
            out.append(["h", block.level, norm(block.text)])
        elif block.kind == "paragraph":
            out.append(["p", norm(block.text)])
        elif block.kind == "list":
            out.append(["ol" if block.ordered else "ul",
                        [[item.number, norm(item.text), body_structure(item.children)] for item in block.items]])
        elif block.kind == "table":
            out.append(["t", [norm(c) for c in block.header], [[norm(c) for c in row] for row in block.rows]])
    return out


def normative(item, manual=None) -> dict:
    """The normative content of a document or form, as plain data."""
    if isinstance(item, Document):
        data = {"type": "document", **item.normative, "body": body_structure(item.blocks)}
        if item.images:  # what each picture shows is content: its file's bytes (none: the key stays absent)
            data["images"] = [[image.src, image.sha256] for image in item.images]
        if item.draws_on_org:
            if manual is None:
                raise ValueError(f"{item.path}: the fingerprint of a document with orgchart, staffing or jobs "
                                 "covers manual/roles.yaml; call fingerprint(doc, manual)")
            data["org"] = manual.org_normative
    else:
        data = {"type": "form", **item.normative}
    return data


def canonical_json(data) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def fingerprint(item, manual=None) -> str:
    """``sha256:<hex>`` of the item's normative content (see the module's doc)."""
    payload = canonical_json({"scheme": SCHEME, "content": normative(item, manual)})
    return "sha256:" + hashlib.sha256(payload.encode("utf-8")).hexdigest()


# -- the manual's own sign-off -----------------------------------------------------------------
NOT_YET_APPROVED = ("draft", "in_review")


def _never_approved(doc) -> bool:
    approved = doc.signoff("approved")
    return doc.status in NOT_YET_APPROVED and not (approved and approved.fingerprint)


def manual_normative(manual) -> dict:
    """What the cover's sign-off approves: manual/manual.yaml (all but its sign-off, ``sample_names``, the
    ``print`` settings and a pinned ``review.today``) with the chapter list as published: each chapter's documents without those never
    approved (a draft or a document in review that no 批准 has fixed yet), so that ``manual new`` does not
    undo the approval, but a document that comes into force (or leaves the list) does.  A document under
    revision (``manual revise``: in review, its last approval standing) stays in the list: revising one
    document does not reopen the manual's own approval."""
    data = dict(manual.config_normative)
    chapters = data.get("chapters")
    if isinstance(chapters, list):
        out = []
        for chapter in chapters:
            if isinstance(chapter, dict) and isinstance(chapter.get("documents"), list):
                listed = [code for code in chapter["documents"]
                          if not ((doc := manual.document(str(code))) and _never_approved(doc))]
                chapter = {**chapter, "documents": listed}
            out.append(chapter)
        data["chapters"] = out
    return {"type": "manual", **data}


def manual_fingerprint(manual) -> str:
    """``sha256:<hex>`` of what the manual's own sign-off approves (``manual_normative``)."""
    payload = canonical_json({"scheme": SCHEME, "content": manual_normative(manual)})
    return "sha256:" + hashlib.sha256(payload.encode("utf-8")).hexdigest()


# -- signed approvals ------------------------------------------------------------------------------
RECORD_SCHEME = "manual-approval/1"


def approval_record(key: str, version: str, fingerprint_value: str | None, step: str, date, person: str,
                    role: str | None) -> bytes:
    """The bytes a signed approval signs: what was approved (the document's code or form's id, or ``manual``;
    its version; its fingerprint), which step, when, by whom and in which role, as canonical JSON."""
    return canonical_json({"scheme": RECORD_SCHEME, "item": key, "version": version or "",
                           "fingerprint": fingerprint_value or "", "step": step,
                           "date": date.isoformat() if isinstance(date, (dt.date, dt.datetime)) else str(date or ""),
                           "person": person, "role": role or ""}).encode("utf-8")
