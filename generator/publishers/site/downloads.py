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

    def __init__(self, root: Path, text: str, sha, *, fresh: bool = False):
        self.folder = Path(root) / FOLDER
        self.text = text
        self.sha = sha
        self.fresh = fresh
        self.used: set[str] = set()
        self.made: set[str] = set()  # the copies this build made
        self._code = None

    def copy_of(self, master: Path, suffix: str, sha: str | None = None, name: str = "") -> Path:
        """The marked copy of ``master``, a ``.pdf`` or ``.docx`` (``suffix``: a file staged by the build
        has a temporary name; ``sha`` its SHA-256 when known; ``name`` its name for a message), from the
        cache or made now.  A master that cannot be marked (not a readable PDF or DOCX) stops the site
        build (``SiteBuildError``): the site never offers an unmarked copy."""
        from ..render import cache as cache_mod
        from .. import stamp

        master = Path(master)
        if self._code is None:
            self._code = _code_key()
        key = cache_mod.digest("download-mark", sha or self.sha(master), self.text, self._code)
        path = self.folder / f"{key}{suffix}"
        self.used.add(path.name)
        if path.name not in self.made and (self.fresh or not path.is_file()):
            data = master.read_bytes()
            try:
                marked = stamp.uncontrolled_pdf(data, self.text) if suffix == ".pdf" else \
                    stamp.uncontrolled_docx(data, self.text)
            except (MemoryError, KeyboardInterrupt):
                raise
            except Exception as exc:  # noqa: BLE001 - a file that is no PDF or DOCX: one line, no traceback
                raise SiteBuildError("errors.download_unmarkable", path=name or master.name,
                                     reason=reason(exc)) from None
            atomic_write_bytes(path, marked)
            self.made.add(path.name)
        return path

    def downloads(self, files: dict[str, str]) -> dict[str, str]:
        """``files`` (site name → master path) with every PDF and DOCX replaced by its marked copy."""
        return {name: (str(self.copy_of(Path(path), Path(name).suffix.lower(), name=name)) if Path(name).suffix.lower() in MARKED else path)
                for name, path in files.items()}

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
