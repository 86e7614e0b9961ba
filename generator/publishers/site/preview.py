"""The draft preview of ``manual serve``: every edit at once, findings on the page, drafts marked.

``manual build`` and ``manual release`` are strict: a manual with errors makes no site.  The preview
is for the moment before that, while someone edits, so it shows the sources as they are now:

* the manual is read leniently (``read_lenient``): a source file that cannot be parsed keeps its
  last readable content (``Session.good``), and its page says so, with the parse error; every other
  file is read as it is now, whatever the check finds;
* every finding of the check (the same as ``manual check``) is listed on the page of the file it is
  in, and all of them on an index page (``findings.md``) linked from every page;
* a document whose content changed since its approval (a sign-off's fingerprint no longer matches,
  or its status is draft/in_review) gets a 草稿/待批准 banner, a watermark, and the clause-level
  redline of its text against the approved text, as ``manual diff`` shows it (``approved_redline``:
  the one place that computes it);
* nothing here is written into ``site/``: the preview lives in ``build/preview/`` (git-ignored), so the
  site staff read never carries preview chrome.

Speed (``LiveSite``): MkDocs' build is run once, in full, and its objects (config, files, navigation,
theme environment, pages, search entries) are kept.  After an edit the sources are generated again
(``site_model``, cheap), and only the pages whose generated Markdown changed are read and rendered
again by MkDocs: the edited page, the pages that cite it, the indexes, the findings page; the search
index is written again from the kept entries of every other page.  A change of the navigation or of
the set of pages (a title, a new document) runs the full build again.
"""
from __future__ import annotations

import html
import json
import logging
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from ...common.findings import Finding
from ...labels import labels, status_label
from ...model import Document, Manual
from ...model.changes import clause_changes
from ...model.fingerprint import fingerprint
from . import editions as editions_site
from . import render
from .paths import doc_page, form_page, rel

PREVIEW_DIR = Path("build") / "preview"  # relative to the manual's root: src/ and site/
FINDINGS_PAGE = "findings.md"
PENDING_STATUSES = ("draft", "in_review")
REDLINE_ANCHOR = "preview-redline"


def words(lang: str) -> dict:
    return labels(lang)["site_preview"]


# -- reading leniently ---------------------------------------------------------------------------
@dataclass
class Reading:
    manual: Manual
    findings: list[Finding]
    kept: dict[str, list[Finding]] = field(default_factory=dict)  # unparsable file → its findings


def read_lenient(root: Path, good: dict, reuse: dict | None = None) -> Reading:
    """Read, build and check the manual as ``manual check`` does, except that a file that cannot be
    parsed is replaced by its last readable ``SourceFile`` in ``good`` (path → ("document"|"form"|
    "config"|"roles", SourceFile)), which this updates with every file read now.  ``reuse``: documents
    and forms unchanged on disk since the last reading are not read again (``reader.read_files``)."""
    from ...model.build import build, kept_for_review
    from ...read.control import read_acks, read_control
    from ...read.reader import order_documents, read_source
    from ...rules import run_rules
    from ...rules.check import no_cycle_collection

    with no_cycle_collection():
        source, findings = read_source(root, reuse)
        findings += read_control(root, source)
        findings += read_acks(root, source)
        findings = kept_for_review(source, findings)  # as manual check does: an imported file's blank sign-offs are warnings
        for kind, item in ([("config", source.config), ("roles", source.roles)]
                           + [("document", d) for d in source.documents] + [("form", f) for f in source.forms]):
            if item is not None:
                good[item.path] = (kind, item)
        kept: dict[str, list[Finding]] = {}
        bad = set(source.unreadable)
        for attr, path in (("config", "manual/manual.yaml"), ("roles", "manual/roles.yaml")):
            if getattr(source, attr) is None and path in good and any(f.path == path for f in findings):
                bad.add(path)
        for path in sorted(bad):
            kind, item = good.get(path, (None, None))
            if item is None:
                continue
            kept[path] = [f for f in findings if f.path == path]
            if kind == "document":
                source.documents.append(item)
            elif kind == "form":
                source.forms.append(item)
            else:
                setattr(source, kind, item)
        if any(good[p][0] == "document" for p in kept):
            source.documents = order_documents(source.config.data if source.config else {}, source.documents)
        manual = build(source)
        findings = findings + run_rules(manual)
        unique = {}
        for f in findings:
            unique.setdefault((f.path, f.line, f.column, f.rule, f.message("en")), f)
        return Reading(manual, sorted(unique.values(), key=Finding.sort_key), kept)


# -- drafts and their redline ---------------------------------------------------------------------
def pending(doc: Document, manual: Manual) -> bool:
    """Draft or in review, or its content changed since a sign-off's fingerprint was taken."""
    if doc.status in PENDING_STATUSES:
        return True
    prints = [s.fingerprint for s in doc.signoffs() if s.fingerprint]
    if not prints:
        return False
    try:
        now = fingerprint(doc, manual)
    except (TypeError, ValueError):
        return True
    return any(p != now for p in prints)


@dataclass
class Baselines:
    """The approved state of each document, as far as the preview knows it: the document as the preview
    last saw it approved and unchanged; else the approved text ``manual diff`` finds (the latest
    released edition's source, or the git commit whose text has the approved fingerprint:
    ``authoring.revise.changes_since``), looked up once per approved fingerprint."""

    session: dict[str, Document] = field(default_factory=dict)
    found: dict[tuple, tuple] = field(default_factory=dict)  # (path, approved fingerprint) → (document, where)

    def note(self, manual: Manual, drafts: set[str]) -> None:
        for doc in manual.documents:
            if doc.code not in drafts:
                self.session[doc.code] = doc

    def approved(self, manual: Manual, doc: Document, lang: str) -> tuple[Document | None, str]:
        if doc.code in self.session:
            return self.session[doc.code], words(lang)["baseline_session"]
        from ...model.versions import baseline

        base = baseline(manual, doc)
        if base is None:
            return None, ""
        key = (doc.path, base.fingerprint)
        if key not in self.found:
            from ...authoring.revise import changes_since
            from ...errors import Message

            try:
                since = changes_since(manual, doc)
                where = since["since"]
                self.found[key] = (since["old"], words(lang)["baseline_found"].format(
                    kind=where.kind, name=where.name, version=where.version or "?"))
            except (Message, OSError, ValueError):  # no approved text to be found: the page says so
                self.found[key] = (None, "")
        return self.found[key]


def approved_redline(baselines: Baselines, manual: Manual, doc: Document, lang: str) -> str:
    """The redline of ``doc`` against its approved state, as HTML: ``model.changes.clause_changes`` (the
    rows ``manual diff`` prints) through the editions' redline template.  The one place that computes it."""
    w = words(lang)
    old, against = baselines.approved(manual, doc, lang)
    if old is None:
        return f"<p>{html.escape(w['redline_none'])}</p>"
    changes = clause_changes(old, doc)
    if not changes["total"]:
        return f"<p>{html.escape(w['redline_same'])}</p>"
    legend = labels(lang)["site"]["redline_legend"]
    return (f"<p>{html.escape(w['redline_against'].format(baseline=against))} {html.escape(legend)}</p>\n"
            + editions_site.redline_html(changes["redline"], lang))


# -- the preview's page chrome -----------------------------------------------------------------------
STYLE = ("<style>.preview-strip{font-size:.7rem;color:#555;border-bottom:1px dashed #bbb;margin:0 0 .6rem}"
         ".preview-draft{border:3px solid #c2410c;background:#fff7ed;color:#7c2d12;padding:.6rem .9rem;"
         "margin:.8rem 0;border-radius:.2rem}.preview-draft strong{font-size:1.1rem;color:#c2410c}"
         ".preview-watermark{position:fixed;top:45%;left:0;right:0;text-align:center;pointer-events:none;"
         "transform:rotate(-30deg);font-size:6rem;font-weight:bold;color:rgba(194,65,12,.10);z-index:0}"
         ".preview-findings{border-left:4px solid #b91c1c;background:#fef2f2;padding:.5rem .9rem;margin:.8rem 0}"
         ".preview-findings.warn-only{border-left-color:#ca8a04;background:#fefce8}"
         ".preview-findings li{margin:.1rem 0}.preview-findings code{font-size:.75rem}"
         ".preview-unparsed{border:3px solid #b91c1c;background:#fef2f2;padding:.6rem .9rem;margin:.8rem 0}"
         ".redline ins{color:#166534;background:#dcfce7;text-decoration:underline}"
         ".redline del{color:#991b1b;background:#fee2e2}</style>")


def _esc(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _html_page(page: str) -> str:
    return page[:-3] + ".html" if page.endswith(".md") else page


def _link(page: str, target: str) -> str:
    return _esc(_html_page(rel(page, target)))


def finding_items(findings: list[Finding], lang: str) -> str:
    sev = words(lang)["severity"]
    return "".join(f"<li><code>{_esc(f.path)}:{f.line}</code> <strong>{_esc(sev.get(f.severity, f.severity))}</strong>"
                   f" {_esc(f.message(lang))} <small>({_esc(f.rule)})</small></li>" for f in findings)


def findings_panel(findings: list[Finding], page: str, lang: str) -> str:
    if not findings:
        return ""
    w = words(lang)
    cls = "preview-findings" + ("" if any(f.severity == "error" for f in findings) else " warn-only")
    return (f'<div class="{cls}" data-search-exclude><p><strong>{_esc(w["page_findings"].format(n=len(findings)))}</strong> · '
            f'<a href="{_link(page, FINDINGS_PAGE)}">{_esc(w["page_findings_more"])}</a></p>'
            f"<ul>{finding_items(findings, lang)}</ul></div>")


def strip(page: str, lang: str) -> str:
    w = words(lang)
    return (f'{STYLE}<p class="preview-strip" data-search-exclude>{_esc(w["strip"])} '
            f'<a href="{_link(page, FINDINGS_PAGE)}">{_esc(w["all_findings"])}</a></p>')


def draft_banner(doc: Document, page: str, lang: str, changed: bool) -> str:
    w = words(lang)
    status = status_label(doc.status, lang)
    text = (w["draft_text"].format(status=status, version=doc.version, code=doc.code) if changed
            else w["draft_status_text"].format(status=status, version=doc.version))
    return (f'<div class="preview-watermark" aria-hidden="true" data-search-exclude>{_esc(w["draft_mark"])}</div>'
            f'<div class="preview-draft" role="alert" data-search-exclude><p><strong>{_esc(w["draft_title"])}</strong></p>'
            f'<p>{_esc(text)}</p><p><a href="#{REDLINE_ANCHOR}">{_esc(w["redline_link"])}</a></p></div>')


def unparsed_box(path: str, findings: list[Finding], lang: str) -> str:
    w = words(lang)
    return (f'<div class="preview-unparsed" role="alert" data-search-exclude><p><strong>{_esc(w["unparsed_title"])}</strong></p>'
            f'<p>{_esc(w["unparsed_text"].format(path=path))}</p><ul>{finding_items(findings, lang)}</ul></div>')


def findings_index(reading: Reading, pages_by_path: dict[str, str], lang: str) -> str:
    """The findings page's body: every finding, its file:line, its message and the page it shows on."""
    w = words(lang)
    findings = reading.findings
    errors = sum(1 for f in findings if f.severity == "error")
    if not findings:
        return f"<p>{_esc(w['index_none'])}</p>"
    rows = []
    sev = w["severity"]
    for f in findings:
        target = pages_by_path.get(f.path)
        where = f"<code>{_esc(f.path)}:{f.line}</code>"
        page_cell = f'<a href="{_link(FINDINGS_PAGE, target)}">{_esc(_html_page(target))}</a>' if target else ""
        rows.append(f"<tr><td>{where}</td><td>{_esc(sev.get(f.severity, f.severity))}</td><td>{_esc(f.rule)}</td>"
                    f"<td>{_esc(f.message(lang))}</td><td>{page_cell}</td></tr>")
    head = "".join(f"<th>{_esc(w[k])}</th>" for k in ("col_where", "col_severity", "col_rule", "col_message", "col_page"))
    intro = w["index_intro"].format(errors=errors, warnings=len(findings) - errors)
    return (f"<p>{_esc(intro)}</p>\n<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def preview_model(reading: Reading, baselines: Baselines, *, lang: str, downloads: dict | None = None) -> dict:
    """The site model of the preview: the staff site's pages, each wrapped in ``preview.md.j2`` with its
    chrome (strip, draft banner and watermark, findings panel, redline), plus the findings page."""
    from ...read.editions import list_editions

    manual = reading.manual
    released = list_editions(manual.root)
    model = render.site_model(manual, downloads=downloads or {}, lang=lang,
                              editions=editions_site.main_context(manual, released, lang))
    w = words(lang)
    by_file: dict[str, list[Finding]] = {}
    for f in reading.findings:
        by_file.setdefault(f.path, []).append(f)
    pages_by_path = {d.path: doc_page(d) for d in manual.documents}
    pages_by_path.update({f.path: form_page(f) for f in manual.forms.values()})
    drafts = {d.code for d in manual.documents if pending(d, manual)}
    docs = {doc_page(d): d for d in manual.documents}
    forms = {form_page(f): f for f in manual.forms.values()}
    for p in model["pages"]:
        path = p["path"]
        top, bottom = [strip(path, lang)], []
        item = docs.get(path) or forms.get(path)
        if item is not None:
            if item.path in reading.kept:
                top.append(unparsed_box(item.path, reading.kept[item.path], lang))
            if isinstance(item, Document) and item.code in drafts:
                changed = item.status not in PENDING_STATUSES or any(s.fingerprint for s in item.signoffs())
                top.append(draft_banner(item, path, lang, changed))
                bottom.append(f'<h2 id="{REDLINE_ANCHOR}">{_esc(w["redline_title"])}</h2>\n\n'
                              + approved_redline(baselines, manual, item, lang))
            own = [f for f in by_file.get(item.path, []) if item.path not in reading.kept]
            if own:
                top.append(findings_panel(own, path, lang))
        p["context"] = dict(p["context"], preview_inner=p["template"], preview_top="\n".join(top),
                            preview_bottom="\n\n".join(bottom))
        p["boost"] = p.get("boost") or render.INDEX_BOOST.get(p["template"])  # as built
        p["template"] = "preview.md.j2"
    model["pages"].append({"path": FINDINGS_PAGE, "template": "preview.md.j2", "title": w["findings_title"],
                           "boost": None, "context": {
                               "preview_inner": "preview_findings.md.j2", "preview_top": strip(FINDINGS_PAGE, lang),
                               "preview_bottom": "", "body": findings_index(reading, pages_by_path, lang)}})
    model["nav"].append({w["findings_nav"]: FINDINGS_PAGE})
    baselines.note(manual, drafts)
    return model


# -- MkDocs, kept between builds --------------------------------------------------------------------
class LiveSite:
    """One MkDocs site built in full once, then page by page (see the module's docstring)."""

    def __init__(self, manual: Manual, src: Path, site_dir: Path, cache_dir: Path | None):
        self.src, self.site_dir, self.cache_dir = Path(src), Path(site_dir), cache_dir
        self.manual = manual
        self.state = None  # (config, files, nav, env, search plugin)
        self.entries: dict[str, list] = {}  # page url → its search entries
        self.digests: dict[str, str] = {}  # what the last build read: source path → sha256
        self.nav = None

    # The sources: written in full every time (cheap), compared with what MkDocs last read.
    def write(self, manual: Manual, model: dict) -> dict[str, str]:
        record: dict = {}
        self.src.mkdir(parents=True, exist_ok=True)
        render.write_sources(manual, model, self.src, final_src=self.src, site_dir=self.site_dir, record=record,
                             cache_dir=self.cache_dir, link_downloads=True, written=self.digests)
        return {k: (v if isinstance(v, str) else str(v)) for k, v in record.items()}

    def update(self, manual: Manual, model: dict) -> int:
        """Write the sources and rebuild what changed; returns the number of pages MkDocs rendered."""
        self.manual = manual
        nav = json.dumps(model["nav"], ensure_ascii=False)
        if self.src.exists() and (self.state is None or nav != self.nav):
            shutil.rmtree(self.src / "docs", ignore_errors=True)  # pages that are gone
            self.digests = {}
        digests = self.write(manual, model)
        for gone in set(self.digests) - set(digests):  # a page no longer in the site
            if gone.startswith("docs/"):
                (self.src / gone).unlink(missing_ok=True)
        if self.state is None or nav != self.nav or set(digests) != set(self.digests) \
                or digests.get("mkdocs.yml") != self.digests.get("mkdocs.yml"):
            count = self._full()
        else:
            changed = [k[len("docs/"):] for k, v in digests.items()
                       if k.startswith("docs/") and k.endswith(".md") and self.digests.get(k) != v]
            count = self._pages(changed) if changed else 0
        self.digests, self.nav = digests, nav
        return count

    def _full(self) -> int:
        from mkdocs.commands import build as mk
        from mkdocs.config import load_config
        from mkdocs.structure.files import get_files, set_exclusions
        from mkdocs.structure.nav import get_navigation
        from mkdocs.structure.pages import Page

        from ...common.outputs import atomic_dir
        from . import accel

        with _quiet_mkdocs(), render._environment(self.manual):
            accel.import_jieba()
            with atomic_dir(self.site_dir) as tmp:
                config = load_config(str(self.src / "mkdocs.yml"), site_dir=str(tmp))
                with accel.accelerated(self.cache_dir, config):
                    config = config.plugins.on_config(config)
                    config.plugins.on_pre_build(config=config)
                    files = get_files(config)
                    env = config.theme.get_env()
                    files.add_files_from_theme(env, config)
                    files = config.plugins.on_files(files, config=config)
                    set_exclusions(files, config)
                    nav = get_navigation(files, config)
                    nav = config.plugins.on_nav(nav, config=config, files=files)
                    for file in files.documentation_pages():
                        if file.page is None:
                            Page(None, file, config)
                        mk._populate_page(file.page, config, files)
                    env = config.plugins.on_env(env, config=config, files=files)
                    files.copy_static_files()
                    for template in config.theme.static_templates:
                        mk._build_theme_template(template, env, files, config, nav)
                    doc_files = files.documentation_pages()
                    search = next((p for p in config.plugins.values() if hasattr(p, "search_index")), None)
                    self.entries = {}
                    for file in doc_files:
                        before = len(search.search_index.entries) if search else 0
                        mk._build_page(file.page, config, doc_files, nav, env)
                        if search:
                            self.entries[file.page.url] = search.search_index.entries[before:]
                    config.plugins.on_post_build(config=config)
            config["site_dir"] = str(self.site_dir)
            for file in files:  # the swapped-in folder: where the next page updates go
                file.dest_dir = str(self.site_dir)
                file.__dict__.pop("abs_dest_path", None)  # a cached_property
        self.state = (config, files, nav, env, search)
        return len(doc_files)

    def _pages(self, changed: list[str]) -> int:
        from mkdocs.commands import build as mk

        from . import accel

        config, files, nav, env, search = self.state
        doc_files = files.documentation_pages()
        pages = [f.page for f in (files.get_file_from_path(uri) for uri in changed) if f is not None and f.page]
        with _quiet_mkdocs(), render._environment(self.manual), accel.accelerated(self.cache_dir, config):
            for page in pages:
                mk._populate_page(page, config, files)
            for page in pages:
                if search:
                    search.search_index.entries = []
                mk._build_page(page, config, doc_files, nav, env)
                if search:
                    self.entries[page.url] = search.search_index.entries
            if search:
                search.search_index.entries = [e for f in doc_files for e in self.entries.get(f.page.url, [])]
                from mkdocs import utils

                data = search.search_index.generate_search_index(None)
                utils.write_file(data.encode("utf-8"), os.path.join(config.site_dir, "search", "search_index.json"))
        return len(pages)


class _quiet_mkdocs:
    """MkDocs' and jieba's INFO lines kept off the terminal while the preview builds."""

    def __enter__(self):
        self.saved = [(name, logging.getLogger(name).level) for name in ("mkdocs", "jieba")]
        for name, _ in self.saved:
            logging.getLogger(name).setLevel(logging.WARNING)
        os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
        return self

    def __exit__(self, *exc):
        for name, level in self.saved:
            logging.getLogger(name).setLevel(level)
        return False


# -- one preview session ------------------------------------------------------------------------------
class Session:
    """What ``manual serve`` keeps between edits: the last readable source files, the approved texts,
    and the live MkDocs site under ``build/preview/``."""

    def __init__(self, root: Path, lang: str | None = None):
        self.root = Path(root)
        self.lang_arg = lang
        self.good: dict = {}
        self.reuse: dict = {}  # unchanged files are not read again
        self.baselines = Baselines()
        self.live: LiveSite | None = None
        self.reading: Reading | None = None
        self.lang = lang or "zh-CN"

    @property
    def site_dir(self) -> Path:
        return self.root / PREVIEW_DIR / "site"

    def rebuild(self) -> dict:
        """Read, check and update the preview; returns ``{"pages", "seconds", "findings", "kept"}``."""
        from ...labels import LANGS

        start = time.perf_counter()
        reading = read_lenient(self.root, self.good, self.reuse)
        manual = reading.manual
        self.lang = self.lang_arg or (manual.locale if manual.locale in LANGS else "zh-CN")
        model = preview_model(reading, self.baselines, lang=self.lang,
                              downloads=render.download_files(manual, self.root / "dist"))
        if self.live is None:
            self.live = LiveSite(manual, self.root / PREVIEW_DIR / "src", self.site_dir, self.root / render.CACHE_DIR)
        pages = self.live.update(manual, model)
        self.reading = reading
        return {"pages": pages, "seconds": time.perf_counter() - start, "findings": reading.findings,
                "kept": sorted(reading.kept)}


