"""What the print editions (PDF and DOCX) share: the ordered print content.

Everything here is plain data computed from the model, so the PDF and the
DOCX print exactly the same things in the same order:

* which documents are printed, in which order, and which carry a draft mark;
* the output file names (``dist/manual.pdf``, ``dist/documents/<code>.pdf`` …);
* the cover, the table of contents, the meta table, the sign-off and
  revision tables of each document;
* the structured parts drawn from ``manual/roles.yaml`` and the front
  matter: the org chart as a tree, the staffing table, the workflow steps,
  the job descriptions;
* 《title》 citations split into text and link targets.

No engine is imported here; ``pdf.py`` and ``docx.py`` turn this data into
their formats.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

from ...labels import labels, status_label, step_label
from ...model import IN_FORCE, SIGNOFF_STEPS, Document, Field, Form, Manual, SignOff, org
from ...model.review import next_review

# -- output names -------------------------------------------------------------
MANUAL_BASENAME = "manual"  # dist/manual.pdf, dist/manual.docx
DOCUMENTS_DIR = "documents"  # dist/documents/<code>.pdf, .docx


def manual_output(out: Path, ext: str) -> Path:
    """The full manual: ``out/manual.<ext>``."""
    return Path(out) / f"{MANUAL_BASENAME}.{ext}"


def document_output(out: Path, doc: Document, ext: str) -> Path:
    """One document on its own: ``out/documents/<code>.<ext>``."""
    return Path(out) / DOCUMENTS_DIR / f"{doc.slug}.{ext}"


# -- what is printed ------------------------------------------------------------
def print_documents(manual: Manual) -> list[Document]:
    """The documents of the print editions, in the manual's order (superseded ones left out)."""
    return manual.in_navigation()


def print_forms(manual: Manual) -> list[Form]:
    """The forms of the appendix, by code then id."""
    return sorted(manual.forms.values(), key=lambda f: (f.code, f.id))


def doc_forms(manual: Manual, doc: Document) -> list[Form]:
    """The forms a document uses (``uses_forms``), in the order given, unknown ids left out."""
    out = []
    for fid in doc.uses_forms:
        form = manual.forms.get(fid)
        if form is not None and form not in out:
            out.append(form)
    return out


def is_draft(doc: Document) -> bool:
    """A document not yet in force carries the 草稿/DRAFT mark on each of its pages."""
    return doc.status not in IN_FORCE


# -- anchors --------------------------------------------------------------------
_SAFE = re.compile(r"[^A-Za-z0-9_-]")


def _safe(text: str) -> str:
    safe = _SAFE.sub("_", text)
    if safe != text or not safe:
        safe = f"{safe}_{hashlib.sha256(text.encode('utf-8')).hexdigest()[:8]}"
    return safe


def anchor(item: Document | Form) -> str:
    """HTML id of a document (``doc-0110-2014``) or a form (``form-customer-visit-record``)."""
    if isinstance(item, Form):
        return f"form-{_safe(item.id)}"
    return f"doc-{_safe(item.slug)}"


def bookmark_name(item: Document | Form) -> str:
    """Word bookmark name: a letter first, then letters, digits, underscores; at most 40 characters."""
    raw = anchor(item).replace("-", "_")
    if len(raw) > 40:
        raw = raw[:31] + "_" + hashlib.sha256(raw.encode("utf-8")).hexdigest()[:8]
    return raw


# -- small formatting helpers -------------------------------------------------------
def date_text(value, lang: str = "zh-CN") -> str:
    """ISO dates in tables: 2014-05-20 (unambiguous in both languages)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def long_date(value, lang: str = "zh-CN") -> str:
    """Dates on the cover: 2014年5月20日 / 20 May 2014."""
    if not isinstance(value, dt.date):
        return "" if value is None else str(value)
    return labels(lang)["print_text"]["long_date"].format(year=value.year, month=value.month, day=value.day,
                                                         month_name=value.strftime("%B"))


def L(lang: str) -> dict:
    """The field labels of ``lang`` plus the words only print uses (the catalogue's ``print`` group)."""
    words = labels(lang)
    return {**words["field"], **words["print"], "colon": words["print_text"]["colon"]}


def header_text(manual: Manual) -> str:
    """The running header: company · manual."""
    return " · ".join(x for x in (manual.company, manual.title) if x)


def footer_text(doc: Document, lang: str = "zh-CN") -> str:
    """The per-document part of the footer: code · 版本 1.1."""
    lab = L(lang)
    parts = [doc.code]
    if doc.version:
        parts.append(f"{lab['version']} {doc.version}")
    if is_draft(doc):
        parts.append(status_label(doc.status, lang))
    return " · ".join(p for p in parts if p)


def page_words(lang: str = "zh-CN") -> dict:
    """The page-number words around the numbers: 第 N 页 / 共 M 页."""
    lab = L(lang)
    page_pre, _, page_post = lab["page"].partition("{n}")
    pages_pre, _, pages_post = lab["pages"].partition("{n}")
    return {"page_pre": page_pre, "page_post": page_post, "pages_pre": pages_pre, "pages_post": pages_post,
            "sep": labels(lang)["print_text"]["page_sep"]}


# -- sign-offs, revisions, meta ------------------------------------------------------
def _signoff_rows(signoffs: dict[str, SignOff], lang: str) -> list[dict]:
    rows = []
    for step in SIGNOFF_STEPS:
        s = signoffs.get(step)
        rows.append({"step": step, "label": step_label(step, lang),
                     "name": (s.name or "") if s else "", "role": (s.role or "") if s else "",
                     "date": date_text(s.date, lang) if s else "", "sample": bool(s and s.sample)})
    return rows


def signoff_rows(item: Document | Form, lang: str = "zh-CN") -> list[dict]:
    """编制 / 审核 / 批准, always three rows; a step not signed yet has empty cells."""
    return _signoff_rows(item.signoff_steps, lang)


def manual_signoff_rows(manual: Manual, lang: str = "zh-CN") -> list[dict]:
    """The manual-level sign-off of the cover (``signoff:`` in manual/manual.yaml)."""
    return _signoff_rows(manual.signoff_steps, lang)


def has_sample_names(manual: Manual, rows: list[dict]) -> bool:
    return any(r["sample"] for r in rows) or (manual.sample_names and any(r["name"] for r in rows))


def revision_rows(item: Document | Form, lang: str = "zh-CN") -> list[dict]:
    """Rows of a revision table; ``change`` is the change request a revision names ("" when none)."""
    return [{"version": rev.version, "date": date_text(rev.date, lang), "summary": rev.summary, "by": rev.by,
             "change": getattr(rev, "change", "") or ""} for rev in item.revisions]


def meta_rows(manual: Manual, doc: Document, lang: str = "zh-CN") -> list[tuple[str, str]]:
    """(label, value) pairs of the small table under a document's title."""
    lab = L(lang)
    kinds = labels(lang)["kind"]
    rows = [(lab["code"], doc.code), (lab["version"], doc.version),
            (lab["status"], status_label(doc.status, lang)),
            (lab["effective"], date_text(doc.effective, lang)),
            (lab["kind"], kinds.get(doc.kind, doc.kind)), (lab["owner"], doc.owner)]
    if doc.status in IN_FORCE:
        when = next_review(manual, doc)
        if when:
            rows.append((lab["next_review"], date_text(when, lang)))
    return rows


# -- cover and contents ----------------------------------------------------------------
def cover(manual: Manual, lang: str = "zh-CN", edition: dict | None = None) -> dict:
    lab = L(lang)
    rows = manual_signoff_rows(manual, lang)
    edition_text = manual.edition
    if edition:
        edition_text = str(edition.get("edition") or manual.edition)
    out = {
        "company": manual.company,
        "company_en": manual.company_en,
        "department": manual.department,
        "title": manual.title,
        "title_en": manual.title_en,
        "edition_label": lab["edition"],
        "edition": edition_text,
        "date_label": lab["date_issued"],
        "date": long_date(manual.date, lang),
        "controlled": manual.controlled_copy,
        "signoff": rows,
        "sample_note": lab["sample_note"] if has_sample_names(manual, rows) else "",
    }
    if edition:
        released = edition.get("released")
        out["date"] = long_date(released, lang) if released else out["date"]
        out["previous"] = str(edition.get("previous") or "")
    return out


def toc_entries(manual: Manual, lang: str = "zh-CN") -> list[dict]:
    """Table-of-contents rows: chapter rows (only when there are several chapters) and documents."""
    docs = print_documents(manual)
    chapters = manual.chapters
    out: list[dict] = []
    if len(chapters) > 1:
        placed = set()
        for ch in chapters:
            members = [d for d in docs if d.code in set(ch.documents) and d.code not in placed]
            if not members:
                continue
            out.append({"kind": "chapter", "title": f"{ch.number} {ch.title}".strip()})
            for d in members:
                placed.add(d.code)
                out.append(_toc_doc(d))
        for d in docs:
            if d.code not in placed:
                out.append(_toc_doc(d))
    else:
        out = [_toc_doc(d) for d in docs]
    return out


def _toc_doc(doc: Document) -> dict:
    return {"kind": "document", "code": doc.code, "title": doc.title, "anchor": anchor(doc),
            "draft": is_draft(doc)}


# -- structured parts (the queries are in ``generator.model.org``; here: the rows the templates print) ---------
def staffing(manual: Manual, lang: str = "zh-CN") -> dict:
    """The staffing table (人员配备): one row per department role, the total and the authorized number."""
    data = org.staffing(manual)
    rows = [{"post": role.id, "post_en": role.name_en, "reports_to": role.reports_to or "",
             "headcount": role.headcount, "note": role.note} for role in data.rows]
    return {"rows": rows, "total": data.total, "authorized": data.authorized}


def role_name(manual: Manual, role: str, lang: str = "zh-CN") -> str:
    """A role as a reader of ``lang`` sees it: its English name (roles.yaml ``en:``) in English, else its id."""
    found = manual.roles.get(role)
    return found.name_en if lang == "en" and found is not None and found.name_en else role


def workflow_steps(manual: Manual, doc: Document, lang: str = "zh-CN") -> list[dict]:
    """The steps of ``doc``'s workflow: number, id, title, role (the English name in English), forms
    (id, title, code), description."""
    return [{"number": s.number, "id": s.id, "title": s.title, "role": role_name(manual, s.role, lang),
             "forms": [{"id": f.id, "title": f.title, "code": f.code} for f in s.forms],
             "description": s.description} for s in org.workflow_steps(manual, doc)]


def jobs(manual: Manual, doc: Document) -> list[dict]:
    """Job descriptions of a ``kind: job`` document (its ``jobs:``)."""
    return [{"title": j.title, "covers": j.covers, "reports_to": j.reports_to, "note": j.note,
             "headcount": j.headcount, "duties": j.duties} for j in org.jobs(manual, doc)]


def column_labels(field: Field) -> list[str]:
    """The column headings of a table field."""
    return [col.label or (col.id or "") for col in field.columns]


# -- edition change record (``manual release``) ---------------------------------------------
def change_rows(edition: dict | None, lang: str = "zh-CN") -> list[dict]:
    """Rows of an edition's change record: kind, code, title, old and new versions, redline."""
    if not edition:
        return []
    lab = L(lang)
    changes = edition.get("changes") or {}
    rows = []
    for kind in ("added", "changed", "removed"):
        for item in changes.get(kind) or []:
            rows.append({"kind": kind, "kind_label": lab[kind], "code": str(item.get("code", "")),
                         "title": str(item.get("title", "")), "old_version": str(item.get("old_version", "") or ""),
                         "new_version": str(item.get("new_version", "") or ""),
                         "redline": item.get("redline") or [],
                         "requests": request_text(item.get("requests"), lab)})
    return rows


def request_text(requests, words: dict) -> str:
    """The change requests a changed document of a change record carries out (``changes.json``'s
    ``requests``), as one cell: number, class and reason of each ("" when none)."""
    return words["request_sep"].join(
        words["request_line"].format(number=r.get("number", ""), cls=words["request_class"].get(r.get("class", ""), r.get("class", "")) or "?",
                                     reason=r.get("reason", "")) for r in requests or [] if isinstance(r, dict))


# -- writing the print outputs (shared by the PDF and DOCX publishers) -------------------------------
def write_outputs(store, out: Path, targets: list[Path], keys: list[str], render_missing, *, ext: str,
                  quiet: bool, lang: str) -> list[Path]:
    """Take what the cache holds, render the rest, then write every file; returns the paths.

    ``targets[0]`` is the whole manual, the rest the single documents.  ``render_missing(indexes)``
    renders the outputs at those indexes and yields ``(index, bytes)`` pairs in any order (as they
    come from the workers).  Nothing is written before everything is rendered; a file that already
    holds the same bytes is not rewritten; documents that no longer exist lose their outputs; the
    cache keeps only what this build used.

    Between rendering and writing, the files wait on disk (in the cache, or in a scratch folder when
    the cache is off), never all in memory: a 2,000-document manual's files together are hundreds of
    megabytes.  They are then written one at a time.
    """
    import sys

    from ...common.outputs import scratch_dir
    from .cache import write_if_changed

    missing = [i for i, key in enumerate(keys) if not store.has(key)]
    with scratch_dir(store.root, f"{ext}-out") as scratch:
        fresh: set[int] = set()  # rendered now, waiting in the cache
        spilled: dict[int, Path] = {}  # rendered now, waiting in a scratch file (no cache, or it cannot be written)
        for i, rendered in (render_missing(missing) if missing else ()):
            store.put(keys[i], rendered)
            if store.contains(keys[i]):
                fresh.add(i)
            else:
                spilled[i] = Path(scratch) / f"{i}.{ext}"
                spilled[i].write_bytes(rendered)
            del rendered
        written = []
        for i, (path, key) in enumerate(zip(targets, keys)):
            blob = spilled[i].read_bytes() if i in spilled else store.get(key, count=i not in fresh)
            if blob is None:  # the cache entry went bad since it was looked at: render it now
                blob = next(b for _j, b in render_missing([i]))
                store.put(key, blob)
            written.append(write_if_changed(path, blob))
            del blob
    _remove_stale(out / DOCUMENTS_DIR, {p.name for p in written[1:]}, ext)
    store.prune()
    if not quiet:
        cached = store.summary(lang)
        print(f"{ext}: {_show(written[0])} + {len(written) - 1} document(s) in {_show(out / DOCUMENTS_DIR)}/"
              + (f" ({cached})" if cached else ""), file=sys.stderr)
    return written


def _remove_stale(folder: Path, keep: set[str], ext: str) -> None:
    from ...common.outputs import remove_output

    if not folder.is_dir():
        return
    for path in sorted(folder.glob(f"*.{ext}")):
        if path.name not in keep and path.is_file():
            remove_output(path)


def _show(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
