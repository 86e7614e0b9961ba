"""Released editions on the staff website.

The current source is the default site.  Every released edition
(``editions/<E>/``, see ``generator.publishers.release``) is also browsable, under
``site/editions/<E>/``, as its own MkDocs build of its ``source/`` snapshot
with the same page templates and its own search index, so old editions never
show up in the main site's search.

This module says what an edition's site holds, how it is keyed and cached, and
how it is installed; ``render.edition_site`` builds it with the same page
renderer as the main site (this module does not import ``render``).

Editions are immutable, so each edition's site is built once and cached in
``build/editions-site/<E>/`` (``src/`` the generated MkDocs sources,
``site/`` the built site, ``stamped.pdf`` and ``stamped.docx`` the reading
copies once needed, ``key.txt`` the cache key): the SHA-256 of every
file of the edition folder (its manifest, change record, source snapshot and
outputs) plus the generator version (the package version and a digest of
its code and templates), the base MkDocs config and the language.  The
cached builds of editions that no longer exist are removed.

What does change over time is which edition is in force: the latest
released one.  That part is added when the cached site is copied into the
site, on every build:

* every page carries an edition banner (``BANNER_MARK`` in the theme
  override is replaced): 已作废 / superseded, naming the edition in force,
  on all but the latest edition; a plain "edition in force" line on it;
* a superseded edition's ``downloads/manual.pdf`` is a reading copy with
  已作废 SUPERSEDED stamped on every page (``stamp_pdf``; a signature does
  not survive stamping and is removed from the copy), and its
  ``manual.docx`` a copy with the same words in red atop the text and in
  every page header (``stamp_docx``).  The originals in ``editions/`` are
  never touched; the latest edition's files are offered as released.  Either way the site build
  then gives every offered PDF and DOCX the 非受控 mark (``downloads.Marker.mark_folder``).
"""
from __future__ import annotations

import hashlib
import html
import io
import json
import re
import shutil
from functools import lru_cache, partial
from pathlib import Path

from markupsafe import Markup

from ... import __version__
from ...common.resources import PACKAGE
from .. import release as ed
from ...model.changes import changes_between
from ...model import Manual
from ...read.editions import edition_check
from ...common.outputs import atomic_write_bytes
from ...labels import labels
from ...errors import SiteBuildError, reason
from .paths import doc_page, rel
from ..render.view import request_text

GENERATOR_DIR = PACKAGE
TEMPLATES = GENERATOR_DIR / "templates" / "site"
CACHE_DIR = Path("build") / "editions-site"  # relative to the manual's root
SITE_SUBDIR = "editions"                     # site/editions/<E>/
STAMPED, STAMPED_DOCX = "stamped.pdf", "stamped.docx"
KEY_FILE = "key.txt"
BANNER_MARK = re.compile(r'<!--manual-edition-banner base="([^"<>]*)"-->')

def words(lang: str) -> dict:
    """The editions' own words (the catalogue's ``site_edition`` group)."""
    return labels(lang)["site_edition"]


@lru_cache(maxsize=1)
def _env():
    """The editions' HTML templates (``templates/site``), autoescaped; plain text is escaped as
    ``html.escape`` does (``&quot;``, ``&#x27;``), as these pages always were."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True,
                       finalize=lambda v: v if isinstance(v, Markup) else Markup(html.escape(str(v))))


# -- editions as plain data ----------------------------------------------------------------
def change_count(manifest: dict) -> dict:
    changes = manifest.get("changes") or {}
    counts = {k: len(changes.get(k) or []) for k in ("added", "removed", "changed")}
    counts["total"] = sum(counts.values())
    return counts


def counts_text(counts: dict, lang: str) -> str:
    w = words(lang)
    parts = [w["counts"][k].format(n=counts[k]) for k in ("added", "removed", "changed") if counts[k]]
    return w["counts_sep"].join(parts)


def paren(text: str, note: str, lang: str) -> str:
    """``text（note）`` in Chinese, ``text (note)`` in English; just ``text`` without a note."""
    if not note:
        return text
    return words(lang)["paren"].format(text=text, note=note)


def summary(manifest: dict, *, latest: str | None, prefix: str, lang: str) -> dict:
    """One edition for the editions index; links start with ``prefix`` (the path to site/editions/)."""
    name = str(manifest.get("edition", ""))
    base = f"{prefix}{name}/"
    outputs = manifest.get("outputs") or {}
    counts = change_count(manifest)
    superseded = name != latest
    w = words(lang)
    return {
        "edition": name, "released": str(manifest.get("released", "")),
        "previous": manifest.get("previous") or "",
        "previous_href": f"{prefix}{manifest['previous']}/index.html" if manifest.get("previous") else "",
        "signed": bool(manifest.get("signed")), "signed_label": w["yes"] if manifest.get("signed") else w["no"],
        "superseded": superseded, "status_label": w["superseded"] if superseded else w["in_force"],
        "changes": counts["total"], "changes_detail": counts_text(counts, lang),
        "changes_text": paren(str(counts["total"]), counts_text(counts, lang), lang),
        "documents": len(manifest.get("documents") or []),
        "href": base + "index.html", "changes_href": base + "changes.html",
        "pdf_href": base + "downloads/" + ed.PDF_NAME if ed.PDF_NAME in outputs else "",
        "docx_href": base + "downloads/" + ed.DOCX_NAME if ed.DOCX_NAME in outputs else "",
        "manifest_href": base + "downloads/" + ed.MANIFEST,
        "hashes": [{"name": n, "sha256": h} for n, h in sorted(outputs.items())],
    }


def main_context(manual: Manual, editions: list[dict], lang: str) -> dict:
    """The editions part of the main site (the current source): the list and the record since the latest."""
    if not editions:
        return {"kind": "current", "list": [], "latest": None, "record": None}
    for manifest in editions:
        name, folder = str(manifest.get("edition", "")), Path(manifest["_path"])
        if not ed.EDITION_NAME.match(name) or name != folder.name:
            raise SiteBuildError("errors.edition_renamed", path=folder / ed.MANIFEST, name=name, folder=folder.name)
        require_intact(manual.root, folder)
    latest = editions[-1]
    listed = [summary(m, latest=latest.get("edition"), prefix=f"{SITE_SUBDIR}/", lang=lang) for m in editions]
    try:
        changes = current_changes(manual, latest)
    except Exception as exc:  # noqa: BLE001 - a damaged edition folder is reported, not a traceback
        raise SiteBuildError("errors.snapshot_unreadable", edition=latest.get("edition"),
                             path=Path(latest["_path"]) / ed.SOURCE, reason=reason(exc)) from None
    record = record_context(manual, changes, None, lang=lang, page="changes.md", since=latest)
    return {"kind": "current", "list": listed, "latest": listed[-1], "record": record}


def require_intact(root: Path, folder: Path) -> None:
    """Refuse (``SiteBuildError``) to publish an edition whose files are not the ones its manifest lists.

    Called for every edition before anything of the site is written, so a refused build leaves the
    site as it was.  The files are hashed here, at publishing time, whatever the check saw earlier.
    """
    checked = edition_check(folder, root)
    problems = checked.problems
    if checked.manifest_error or problems:
        where = folder / ed.MANIFEST if checked.manifest_error else folder / problems[0].path
        state = "manifest" if checked.manifest_error else problems[0].state
        try:
            where = where.relative_to(root)
        except ValueError:
            pass
        more = len(problems) - 1
        raise SiteBuildError("errors.edition_tampered", path=where.as_posix(), edition=folder.name,
                             state=partial(_state_word, state), more=partial(_more_word, more))


def _state_word(state: str, lang: str) -> str:
    return labels(lang)["errors"]["edition_state"][state]


def _more_word(more: int, lang: str) -> str:
    return labels(lang)["errors"]["edition_tampered_more"].format(more=more) if more > 0 else ""


def read_changes(manifest: dict) -> dict:
    path = Path(manifest["_path"]) / ed.CHANGES
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"added": [], "removed": [], "changed": []}


def current_changes(manual: Manual, latest: dict) -> dict:
    """The change record of the current source against the latest released edition."""
    from ...model.build import read_manual

    old, _ = read_manual(Path(latest["_path"]) / ed.SOURCE)
    return changes_between(old, manual)


def read_snapshot(manifest: dict) -> Manual:
    """The model of an edition's source snapshot."""
    from ...model.build import read_manual

    source = Path(manifest["_path"]) / ed.SOURCE
    try:
        old, _ = read_manual(source)
    except Exception as exc:  # noqa: BLE001 - a damaged edition folder is reported, not a traceback
        raise SiteBuildError("errors.snapshot_unreadable", edition=manifest["edition"], path=source,
                             reason=reason(exc)) from None
    return old


def downloads(manifest: dict) -> dict[str, str]:
    """What an edition's site offers for download: its PDF, DOCX and manifest, as released."""
    folder = Path(manifest["_path"])
    return {n: str(folder / n) for n in (ed.PDF_NAME, ed.DOCX_NAME, ed.MANIFEST) if (folder / n).is_file()}


def edition_context(old: Manual, manifest: dict, lang: str) -> dict:
    """The editions part of one released edition's own site (``site_model``'s ``editions``)."""
    return {"kind": "edition", "this": summary(manifest, latest=None, prefix="../", lang=lang),
            "record": record_context(old, read_changes(manifest), manifest, lang=lang, page="changes.md")}


# -- the redline -----------------------------------------------------------------------------
def redline_html(lines: list[dict], lang: str, context: int = 2) -> str:
    """A redline as HTML: insertions in <ins>, deletions in <del>; long unchanged runs folded.

    Every piece of text is HTML-escaped; the result is a raw HTML block for the Markdown page.
    """
    changed = [i for i, line in enumerate(lines) if line.get("op") != "equal"]
    keep = {j for i in changed for j in range(i - context, i + context + 1)}
    rows: list[dict] = []
    for i, line in enumerate(lines):
        if i not in keep:
            if rows and "skip" in rows[-1]:
                rows[-1]["skip"] += 1
            else:
                rows.append({"skip": 1})
            continue
        op = line.get("op") if line.get("op") in ("equal", "insert", "delete", "change") else "equal"
        parts = [(part + ["", ""])[:2] if isinstance(part, list) else ("equal", str(part))
                 for part in line.get("parts") or []]
        rows.append({"op": op, "parts": [(kind, str(text)) for kind, text in parts]})
    return _env().get_template("redline.html.j2").render(rows=rows, w=words(lang))


# -- the cache ---------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def generator_version() -> str:
    """The package version plus a digest of its code and templates (any change invalidates the cache)."""
    h = hashlib.sha256(__version__.encode())
    for path in sorted(GENERATOR_DIR.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            h.update(path.relative_to(GENERATOR_DIR).as_posix().encode() + b"\0")
            h.update(path.read_bytes())
    try:
        from importlib.metadata import version

        h.update(f"mkdocs {version('mkdocs')} material {version('mkdocs-material')}".encode())
    except Exception:  # noqa: BLE001 - versions are a refinement of the key
        pass
    return f"{__version__}+{h.hexdigest()[:16]}"


def is_cached(folder: Path, key: str) -> bool:
    """Whether ``folder`` holds a finished build of the edition's site made with ``key``."""
    key_file = folder / KEY_FILE
    return (key_file.is_file() and key_file.read_text(encoding="utf-8") == key
            and (folder / "site" / "index.html").is_file())


def write_key(folder: Path, key: str) -> None:
    (Path(folder) / KEY_FILE).write_text(key, encoding="utf-8")


def edition_digest(folder: Path) -> str:
    """SHA-256 over every file of an edition folder (manifest, changes, source, outputs)."""
    h = hashlib.sha256()
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
        h.update(path.relative_to(folder).as_posix().encode() + b"\0")
        h.update(ed.sha256_file(path).encode() + b"\n")
    return h.hexdigest()


def cache_key(manifest: dict, base: Path, lang: str) -> str:
    folder = Path(manifest["_path"])
    return "\n".join([
        f"edition {manifest.get('edition')}",
        f"manifest {ed.sha256_file(folder / ed.MANIFEST)}",
        f"files {edition_digest(folder)}",
        f"generator {generator_version()}",
        f"base {hashlib.sha256(Path(base).read_bytes()).hexdigest()}",
        f"lang {lang}",
    ]) + "\n"


def record_context(manual: Manual, changes: dict, manifest: dict | None, *, lang: str, page: str,
                   since: dict | None = None) -> dict:
    """The change record for a page: the three lists, with links and redlines as HTML.

    ``manifest`` is the edition the record belongs to (an edition site), or None for the
    current source compared with ``since`` (the latest released edition).
    """
    w = labels(lang)["site"]

    def doc_href(code):
        doc = manual.document(str(code))
        return rel(page, doc_page(doc)) if doc is not None else ""

    def row(entry, kind):
        return {"kind": kind, "code": str(entry.get("code", "")), "title": str(entry.get("title", "")),
                "old_version": str(entry.get("old_version", "") or ""),
                "new_version": str(entry.get("new_version", "") or ""),
                "href": doc_href(entry.get("code")) if kind != "removed" else "",
                "requests": request_text(entry.get("requests"), w)}

    rows = ([row(c, "added") for c in changes.get("added") or []]
            + [row(c, "removed") for c in changes.get("removed") or []]
            + [row(c, "changed") for c in changes.get("changed") or []])
    changed = []
    for c in changes.get("changed") or []:
        entry = row(c, "changed")
        entry["heading"] = paren(f"{entry['code']} {entry['title']}",
                                 f"{entry['old_version']} → {entry['new_version']}", lang)
        changed.append(dict(entry, redline=redline_html(c.get("redline") or [], lang)))
    return {
        "edition": str(manifest.get("edition")) if manifest else "",
        "released": str(manifest.get("released", "")) if manifest else "",
        "previous": (manifest.get("previous") or "") if manifest else "",
        "since": str(since.get("edition")) if since else "",
        "since_released": str(since.get("released", "")) if since else "",
        "rows": rows, "changed": changed, "with_requests": any(r["requests"] for r in rows),
    }


# -- the stamped reading copy -----------------------------------------------------------------
def stamp_html(manifest: dict, lang: str) -> str:
    w = words(lang)
    sha = (manifest.get("outputs") or {}).get(ed.PDF_NAME, "")
    lines = [w["stamp_line"].format(edition=manifest.get("edition", ""), released=manifest.get("released", ""))]
    lines.append(w["stamp_sha"].format(sha=sha))
    if manifest.get("signed"):
        lines[-1] += " · " + w["stamp_signed"]
    return _env().get_template("stamp.html.j2").render(lines=lines)


def _strip_signatures(writer) -> None:
    """Remove signature fields and their widgets: they would no longer verify on a stamped copy."""
    from pypdf.generic import ArrayObject, NameObject

    def is_sig(obj) -> bool:
        obj = obj.get_object()
        if obj.get("/FT") == "/Sig":
            return True
        parent = obj.get("/Parent")
        return parent is not None and parent.get_object().get("/FT") == "/Sig"

    for page in writer.pages:
        annots = page.get("/Annots")
        if annots is None:
            continue
        kept = ArrayObject(a for a in annots.get_object() if not is_sig(a))
        if kept:
            page[NameObject("/Annots")] = kept
        else:
            del page[NameObject("/Annots")]
    root = writer.root_object
    form = root.get("/AcroForm")
    if form is not None:
        form = form.get_object()
        fields = ArrayObject(f for f in form.get("/Fields") or [] if not is_sig(f))
        if fields:
            form[NameObject("/Fields")] = fields
            if "/SigFlags" in form:
                del form[NameObject("/SigFlags")]
        else:
            del root[NameObject("/AcroForm")]
    if "/Perms" in root:
        del root[NameObject("/Perms")]


def stamp_pdf(original: Path, manifest: dict, lang: str) -> bytes:
    """A copy of ``original`` with 已作废 SUPERSEDED over every page (one WeasyPrint stamp, merged with pypdf)."""
    from pypdf import PdfReader, PdfWriter, Transformation

    from ..pdf.render import html_to_pdf  # WeasyPrint, fetching nothing but data: URLs

    stamp = PdfReader(io.BytesIO(html_to_pdf(stamp_html(manifest, lang)))).pages[0]
    sw, sh = float(stamp.mediabox.width), float(stamp.mediabox.height)
    writer = PdfWriter(clone_from=PdfReader(str(original)))
    _strip_signatures(writer)
    for page in writer.pages:
        box = page.mediabox
        pw, ph = float(box.width), float(box.height)
        if abs(pw - sw) < 1 and abs(ph - sh) < 1 and float(box.left) == 0 and float(box.bottom) == 0:
            page.merge_page(stamp, over=True)
        else:
            scale = min(pw / sw, ph / sh)
            op = Transformation().scale(scale, scale).translate(
                float(box.left) + (pw - sw * scale) / 2, float(box.bottom) + (ph - sh * scale) / 2)
            page.merge_transformed_page(stamp, op, over=True)
        page.compress_content_streams()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def stamp_docx(original: Path, manifest: dict, lang: str) -> bytes:
    """A copy of the edition DOCX with 已作废 SUPERSEDED in red atop the text and in every page header."""
    import datetime as dt

    from docx import Document as open_docx
    from docx.shared import Pt, RGBColor

    from ...common.outputs import ZIP_EPOCH, normalize_zip

    document = open_docx(str(original))
    text = words(lang)["stamp_line"].format(edition=manifest.get("edition", ""),
                                            released=manifest.get("released", ""))

    def prepend(container, size: float) -> None:
        paragraphs = container.paragraphs
        paragraph = paragraphs[0].insert_paragraph_before() if paragraphs else container.add_paragraph()
        run = paragraph.add_run(text)
        run.bold = True
        run.font.size = Pt(size)
        run.font.color.rgb = RGBColor(0xB9, 0x1C, 0x1C)

    prepend(document, 14)
    for i, section in enumerate(document.sections):
        headers = [section.header, section.first_page_header, section.even_page_header]
        if i == 0 and section.header.is_linked_to_previous:
            section.header.is_linked_to_previous = False  # the first section's pages need a header of their own
        for header in headers:
            if not header.is_linked_to_previous:  # a linked header shows the previous section's, stamped
                prepend(header, 8)
    buf = io.BytesIO()
    document.save(buf)
    try:
        day = dt.date.fromisoformat(str(manifest.get("released", "")))
        stamp = (day.year, day.month, day.day, 0, 0, 0) if day.year >= 1980 else ZIP_EPOCH
    except ValueError:
        stamp = ZIP_EPOCH
    return normalize_zip(buf.getvalue(), date_time=stamp)


def stamped_copy(cache: Path, manifest: dict, name: str, lang: str) -> Path:
    """The stamped reading copy of the edition's ``name`` (PDF or DOCX), made once per cached edition site."""
    stamp = {ed.PDF_NAME: (STAMPED, stamp_pdf), ed.DOCX_NAME: (STAMPED_DOCX, stamp_docx)}
    file_name, render = stamp[name]
    path = Path(cache) / file_name
    if not path.is_file():
        atomic_write_bytes(path, render(Path(manifest["_path"]) / name, manifest, lang))
    return path


# -- installing an edition into the site ---------------------------------------------------------
def banner_html(manifest: dict, latest: dict, base: str, lang: str) -> str:
    """The edition banner of one page; ``base`` is the page's relative path to its edition's root."""
    name, latest_name = str(manifest.get("edition", "")), str(latest.get("edition", ""))
    return _env().get_template("banner.html.j2").render(
        w=words(lang), base=base.rstrip("/") or ".", in_force=name == latest_name, edition=name,
        released=str(manifest.get("released", "")), current=latest_name,
        current_date=str(latest.get("released", "")))


def install(cache: Path, dest: Path, manifest: dict, latest: dict, lang: str) -> None:
    """Copy a cached edition site to ``dest`` (site/editions/<E>/), with its banner and, if superseded, the stamp."""
    shutil.copytree(Path(cache) / "site", dest)
    for path in sorted(dest.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        new = BANNER_MARK.sub(lambda m: banner_html(manifest, latest, m.group(1), lang), text)
        if new != text:
            path.write_text(new, encoding="utf-8")
    if manifest.get("edition") != latest.get("edition"):
        for name in (ed.PDF_NAME, ed.DOCX_NAME):
            if (dest / "downloads" / name).is_file():
                shutil.copyfile(stamped_copy(cache, manifest, name, lang), dest / "downloads" / name)


def prune(root: Path, keep: set[str]) -> None:
    """Remove cached builds of editions that no longer exist."""
    cache = Path(root) / CACHE_DIR
    if cache.is_dir():
        for path in cache.iterdir():
            if path.is_dir() and not path.name.startswith(".") and path.name not in keep:
                shutil.rmtree(path, ignore_errors=True)
