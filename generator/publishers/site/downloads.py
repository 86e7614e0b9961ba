"""The site's download copies: every PDF and DOCX the site offers carries the 非受控 mark.

The mark's text is ``control: {uncontrolled_mark: …}`` in manual/manual.yaml, else the catalogue's
``download_mark.text`` in the manual's language.  The masters are never touched: ``dist/`` stays as
built (administration prints from it) and ``editions/`` as released; the site gets marked copies
(``publishers.stamp``: the PDF's mark an incremental update over every page, the DOCX's in every
page header).  Controlled copies come only from ``manual issue``.

Marking costs about a second for a 40-page manual PDF, so the copies are cached in
``<root>/.cache/site/downloads/`` under a key of the master's SHA-256, the mark's text and the
marking code and engines: a build marks only the masters that changed.  Copies no build asked for
any more are removed at the end of the site build (``prune``).
"""
from __future__ import annotations

import os
from pathlib import Path

from ...common.outputs import atomic_write_bytes
from ...errors import SiteBuildError, reason
from ...labels import labels
from ...model import Manual

FOLDER = Path(".cache") / "site" / "downloads"  # relative to the manual's root
MARKED = (".pdf", ".docx")


def mark_text(manual: Manual) -> str:
    """The 非受控 mark of the manual's downloads: its own setting, or the catalogue's in its language."""
    if manual.uncontrolled_mark:
        return manual.uncontrolled_mark
    lang = manual.locale if manual.locale in ("zh-CN", "en") else "zh-CN"
    return labels(lang)["download_mark"]["text"]


def _code_key() -> str:
    from ..render import cache as cache_mod

    return cache_mod.digest(cache_mod.versions("pyHanko", "pypdf", "weasyprint", "python-docx"),
                            cache_mod.code_digest("publishers/stamp.py", "publishers/site/downloads.py"),
                            cache_mod.font_digest())


class Marker:
    """Marked copies of one site build, made or taken from the cache; ``sha(path)`` hashes a master
    (the site build's own hashing, which remembers files by size, time and inode).  ``fresh``
    (``manual build --no-cache``): every copy is made again, none taken from the cache."""

    def __init__(self, root: Path, text: str, sha, *, fresh: bool = False, notice: str = ""):
        self.folder = Path(root) / FOLDER
        self.text = text
        self.notice = notice  # manual.yaml's controlled_copy: a cover showing it has it replaced by the mark
        self.sha = sha
        self.fresh = fresh
        self.used: set[str] = set()
        self.made: set[str] = set()  # the copies this build made
        self._code = None

    def plan(self, master: Path, suffix: str, sha: str | None = None, name: str = "") -> tuple[Path, tuple | None]:
        """(where the marked copy of ``master`` is, the work to make it or None when it is cached).
        ``suffix``: ``.pdf`` or ``.docx`` (a file staged by the build has a temporary name); ``sha``:
        the master's SHA-256 when known; ``name``: its name for a message."""
        from ..render import cache as cache_mod

        master = Path(master)
        if self._code is None:
            self._code = _code_key()
        key = cache_mod.digest("download-mark", sha or self.sha(master), self.text, self.notice, self._code)
        path = self.folder / f"{key}{suffix}"
        self.used.add(path.name)
        if path.name in self.made or not (self.fresh or not path.is_file()):
            return path, None
        self.made.add(path.name)
        return path, (str(master), suffix, str(path), self.text, name or master.name, self.notice)

    def copy_of(self, master: Path, suffix: str, sha: str | None = None, name: str = "") -> Path:
        """The marked copy of ``master`` (see ``plan``), from the cache or made now."""
        path, work = self.plan(master, suffix, sha, name)
        if work is not None:
            _raise_failed([_make(work)])
        return path

    def downloads(self, files: dict[str, str], jobs: int | None = None) -> dict[str, str]:
        """``files`` (site name → master path) with every PDF and DOCX replaced by its marked copy; the
        copies not in the cache are made in ``jobs`` worker processes."""
        from ..render.pool import in_workers

        out, work = {}, []
        for name, path in files.items():
            suffix = Path(name).suffix.lower()
            if suffix not in MARKED:
                out[name] = path
                continue
            copy, todo = self.plan(Path(path), suffix, name=name)
            out[name] = str(copy)
            if todo is not None:
                work.append(todo)
        work.sort(key=lambda w: -os.path.getsize(w[0]))  # the largest first
        _raise_failed([failed for _, failed in in_workers(_make, work, jobs=jobs)])
        return out

    def mark_folder(self, folder: Path) -> None:
        """Replace every PDF and DOCX directly in ``folder`` (an edition's ``downloads/`` in the site
        being built) by its marked copy (a copy of it, never a link into the cache)."""
        import shutil

        from ...read.editions import sha256_file

        folder = Path(folder)
        if not folder.is_dir():
            return
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() in MARKED and path.is_file():
                copy = self.copy_of(path, path.suffix.lower(), sha256_file(path), name=path.name)
                path.unlink()
                shutil.copyfile(copy, path)

    def prune(self) -> None:
        """Remove the cached copies this build did not use."""
        if not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            if path.is_file() and path.name not in self.used and not path.name.startswith("."):
                try:
                    path.unlink()
                except OSError:
                    pass


def _make(work: tuple) -> str | None:
    """Mark one master (``Marker.plan``'s work) and write its copy; in a worker process or not.
    Returns None, or the master's name and why it cannot be marked (no exception crosses processes)."""
    from .. import stamp

    master, suffix, dest, text, name, notice = work
    try:
        data = Path(master).read_bytes()
        marked = (stamp.uncontrolled_pdf(data, text, notice) if suffix == ".pdf"
                  else stamp.uncontrolled_docx(data, text))
    except (MemoryError, KeyboardInterrupt):
        raise
    except Exception as exc:  # noqa: BLE001 - a file that is no PDF or DOCX: one line, no traceback
        return f"{name}\0{reason(exc)}"
    atomic_write_bytes(Path(dest), marked)
    return None


def _raise_failed(results: list) -> None:
    """A master that cannot be marked stops the site build (``SiteBuildError``): the site never offers
    an unmarked copy."""
    failed = sorted(r for r in results if r)
    if failed:
        name, why = failed[0].split("\0", 1)
        raise SiteBuildError("errors.download_unmarkable", path=name, reason=why)
