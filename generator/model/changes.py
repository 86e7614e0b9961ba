"""Changes between two states of the manual: which documents changed, and a redline of each."""
from __future__ import annotations

import difflib
import re

from . import Document, Form, Manual
from ..read.markdown import normalize_text
from .fingerprint import fingerprint
from .versions import version_key


CLAUSE_NUMBER = re.compile(r"^(?:\d+|•)\. ?|^• ")


def document_lines(doc: Document) -> list[str]:
    """The normative text of a document, one line per heading, paragraph or clause."""
    lines = [f"{doc.code} {doc.title}"]

    def walk(blocks):
        for block in blocks:
            if block.kind in ("heading", "paragraph"):
                lines.append(normalize_text(block.text))
            elif block.kind == "list":
                for item in block.items:
                    prefix = f"{item.number}. " if item.number else "• "
                    lines.append(prefix + normalize_text(item.text))
                    walk(item.children)
            elif block.kind == "table":
                lines.append(" | ".join(block.header))
                lines.extend(" | ".join(row) for row in block.rows)

    walk(doc.blocks)
    # Each picture's file, by its bytes (its reference stands in its paragraph's line): a new picture under
    # the same name is a changed line of the redline, not "no change".
    pictures = {f"{image.src} sha256:{image.sha256[:12]}": None for image in doc.images if image.sha256}
    lines.extend(pictures)
    for job in doc.jobs:
        lines.append(job.title)
        lines.extend(f"{i}. {normalize_text(duty)}" for i, duty in enumerate(job.duties, 1))
    for i, step in enumerate(doc.workflow, 1):
        lines.append(f"{i}. {step.title} — {step.role} {normalize_text(step.description)}".rstrip())
    return [line for line in lines if line]


def form_lines(form: Form) -> list[str]:
    """The normative text of a form, one line per section, field and instruction."""
    lines = [f"{form.code or form.id} {form.title}".strip()]
    if form.instructions:
        lines.append(normalize_text(form.instructions))
    for section in form.sections:
        if section.title:
            lines.append(section.title)
        for f in section.fields:
            extra = [f.type] + (["*"] if f.required else [])
            if f.options:
                extra.append(" / ".join(f.options))
            if f.columns:
                extra.append(" | ".join(c.label for c in f.columns))
            lines.append(f"{f.label or f.id} ({', '.join(extra)})")
    return [line for line in lines if line]


def item_lines(item) -> list[str]:
    """``document_lines`` of a document, ``form_lines`` of a form."""
    return document_lines(item) if isinstance(item, Document) else form_lines(item)


def clause_changes(old, new) -> dict:
    """What changed from ``old`` to ``new`` (two states of one document or form), clause by clause.

    ``{"redline": redline(...), "changed": n, "added": n, "deleted": n, "total": n}``: the rows of the
    redline (one per heading, paragraph, clause, duty, workflow step or form field) and how many of them
    changed, were added or were deleted.  ``manual diff`` prints it; the preview shows it on the page.
    """
    rows = redline(item_lines(old), item_lines(new), key=clause_key)
    counts = {op: sum(1 for r in rows if r["op"] == op) for op in ("change", "insert", "delete")}
    return {"redline": rows, "changed": counts["change"], "added": counts["insert"], "deleted": counts["delete"],
            "total": sum(counts.values())}


def clause_key(line: str) -> str:
    """A line without its clause number: clauses renumbered by an insertion or deletion match."""
    return CLAUSE_NUMBER.sub("", line, count=1)


def redline(old: list[str], new: list[str], key=None) -> list[dict]:
    """Line diff with character-level marks inside changed lines.

    Returns a list of ``{"op": "equal"|"insert"|"delete"|"change", "parts": [[op, text], …]}``.
    With ``key`` (such as ``clause_key``), lines are matched by ``key(line)`` and equal lines are shown as
    they are now.
    """
    out = []
    matcher = difflib.SequenceMatcher(a=[key(x) for x in old] if key else old,
                                      b=[key(x) for x in new] if key else new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.extend({"op": "equal", "parts": [["equal", line]]} for line in (new[j1:j2] if key else old[i1:i2]))
        elif tag == "delete":
            out.extend({"op": "delete", "parts": [["delete", line]]} for line in old[i1:i2])
        elif tag == "insert":
            out.extend({"op": "insert", "parts": [["insert", line]]} for line in new[j1:j2])
        else:
            pairs = max(i2 - i1, j2 - j1)
            for k in range(pairs):
                a = old[i1 + k] if i1 + k < i2 else None
                b = new[j1 + k] if j1 + k < j2 else None
                if a is None:
                    out.append({"op": "insert", "parts": [["insert", b]]})
                elif b is None:
                    out.append({"op": "delete", "parts": [["delete", a]]})
                else:
                    out.append({"op": "change", "parts": _char_diff(a, b)})
    return out


def _char_diff(a: str, b: str) -> list[list[str]]:
    parts = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            parts.append(["equal", a[i1:i2]])
        else:
            if i2 > i1:
                parts.append(["delete", a[i1:i2]])
            if j2 > j1:
                parts.append(["insert", b[j1:j2]])
    return parts


def change_requests(manual: Manual, doc: Document, since: str) -> list[dict]:
    """The change requests (control/changes/) that the revisions of ``doc`` newer than version ``since`` name,
    in the history's order, each once: number, class, reason, and who approved it when."""
    floor = version_key(since)
    out: list[dict] = []
    for rev in doc.revisions:
        key = version_key(rev.version)
        if not rev.change or any(r["number"] == rev.change for r in out) \
                or (floor is not None and key is not None and key <= floor):
            continue
        request = manual.changes.get(rev.change)
        approved = request.signer("approved_by") if request else None
        out.append({"number": rev.change, "version": rev.version,
                    "class": request.change_class if request else "", "reason": request.reason if request else "",
                    "approved_by": (approved.name or approved.person) if approved else "",
                    "approved": approved.date.isoformat() if approved and approved.date else ""})
    return out


def changes_between(old: Manual | None, new: Manual) -> dict:
    """Added, removed and changed documents (by normative fingerprint)."""
    old_docs = {d.code: d for d in (old.documents if old else [])}
    new_docs = {d.code: d for d in new.documents}
    added, removed, changed = [], [], []
    for code, doc in new_docs.items():
        if code not in old_docs:
            added.append({"code": code, "title": doc.title, "new_version": doc.version})
        elif fingerprint(old_docs[code], old) != fingerprint(doc, new):
            before = old_docs[code]
            entry = {"code": code, "title": doc.title, "old_version": before.version, "new_version": doc.version,
                     "redline": redline(document_lines(before), document_lines(doc))}
            requests = change_requests(new, doc, before.version)
            if requests:  # the change requests the new versions carry out (a record without any is as before)
                entry["requests"] = requests
            changed.append(entry)
    for code, doc in old_docs.items():
        if code not in new_docs:
            removed.append({"code": code, "title": doc.title, "old_version": doc.version})
    order = {d.code: i for i, d in enumerate(new.documents)}
    changed.sort(key=lambda c: order.get(c["code"], 0))
    added.sort(key=lambda c: order.get(c["code"], 0))
    return {"added": added, "removed": removed, "changed": changed}
