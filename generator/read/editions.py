"""Released editions as the reader sees them: their manifests, the latest one as the version baseline,
and whether each edition's files are still the ones its manifest lists (``edition_check``).

An edition folder (``editions/<E>/``, written by ``generator.publishers.release``) holds
``manifest.json``, ``changes.json``, the outputs (``manual.pdf``, ``manual.docx``) and ``source/``,
the frozen source.  The manifest lists the SHA-256 of every output (``outputs``), of every
document's and form's source file (``documents[].source_sha256``, ``forms[].source_sha256``)
and, since manifests list them, of every file of ``source/`` (``source_files``) and of the
change record (``changes_sha256``).  ``edition_check`` hashes the files as they are now and
pairs each with what the manifest says; what to make of a difference is the caller's
(the ``edition-integrity`` rule, ``manual verify``, the edition site).
"""
from __future__ import annotations

import datetime as dt

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

EDITIONS = "editions"
MANIFEST = "manifest.json"
CHANGES = "changes.json"
SOURCE = "source"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def editions_dir(root: Path) -> Path:
    return Path(root) / EDITIONS


def list_editions(root: Path) -> list[dict]:
    """Manifests of the released editions, oldest first."""
    out = []
    folder = editions_dir(root)
    if not folder.is_dir():
        return out
    for path in folder.iterdir():
        manifest = path / MANIFEST
        if path.is_dir() and not path.name.startswith(".") and manifest.is_file():
            try:
                data = json.loads(manifest.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            data["_path"] = str(path)
            out.append(data)
    out.sort(key=lambda m: (m.get("released", ""), m.get("sequence", 0), m.get("edition", "")))
    return out


def latest_edition(root: Path) -> dict | None:
    editions = list_editions(root)
    return editions[-1] if editions else None


_LATEST_CACHE: dict = {}


def latest_index(root: Path) -> dict | None:
    """{("document"|"form", key): entry} of the latest edition, cached per folder state."""
    folder = editions_dir(root)
    try:
        stamp = (folder.stat().st_mtime_ns, tuple(sorted(p.name for p in folder.iterdir())))
    except OSError:
        return None
    cached = _LATEST_CACHE.get(str(root))
    if cached and cached[0] == stamp:
        return cached[1]
    latest = latest_edition(root)
    index = None
    if latest:
        index = {"_edition": latest}
        for entry in latest.get("documents", []):
            index[("document", entry.get("code"))] = entry
        for entry in latest.get("forms", []):
            index[("form", entry.get("id"))] = entry
    _LATEST_CACHE[str(root)] = (stamp, index)
    return index


# -- integrity: the files of an edition against its manifest ----------------------------------------
@dataclass(frozen=True)
class EditionFile:
    """One file of an edition folder and what its manifest says about it.

    ``path`` is relative to the edition folder (``manual.pdf``, ``source/policies/0101-2014.md``);
    ``expected`` the manifest's SHA-256 (None: the manifest does not list the file); ``actual`` the
    SHA-256 of the file now (None: it is missing, or it is not a plain file).
    """

    path: str
    expected: str | None
    actual: str | None

    @property
    def state(self) -> str:
        """``ok`` | ``changed`` | ``missing`` | ``unlisted``."""
        if self.expected is None:
            return "unlisted"
        if self.actual is None:
            return "missing"
        return "ok" if self.actual == self.expected else "changed"


@dataclass(frozen=True)
class EditionCheck:
    """One edition folder compared with its manifest (``edition_check``)."""

    edition: str            # the folder's name
    folder: str             # relative to the manual's root: editions/<E>
    files: tuple[EditionFile, ...] = ()
    manifest_error: str = ""  # why manifest.json cannot be read ("" when it can)
    complete: bool = True   # the manifest lists every file of source/ (older manifests list only
                            # the documents and forms; their other source files cannot be checked)
    released: dt.date | None = None  # the manifest's release date (None when it names none readable)

    @property
    def problems(self) -> list[EditionFile]:
        return [f for f in self.files if f.state != "ok"]

    @property
    def ok(self) -> bool:
        return not self.manifest_error and not self.problems


def _safe_rel(value) -> str | None:
    """A manifest's relative path, or None when it is not one that stays inside the folder."""
    if not isinstance(value, str) or not value or "\\" in value or "\0" in value:
        return None
    path = PurePosixPath(value)
    if path.is_absolute() or any(part in ("", ".", "..") for part in path.parts):
        return None
    return path.as_posix()


def _hex(value) -> str | None:
    return value.lower() if isinstance(value, str) and len(value) == 64 else None


def expected_files(manifest: dict) -> tuple[dict[str, str], bool]:
    """({path in the edition folder: SHA-256} the manifest lists, whether it lists every source file).

    An entry whose path would leave the folder is listed under its own text with an impossible
    hash, so that it never matches.
    """
    expected: dict[str, str] = {}

    def put(rel, digest):
        safe = _safe_rel(rel)
        expected[safe if safe is not None else f"<{rel!r}>"] = (_hex(digest) or "-") if safe is not None else "-"

    outputs = manifest.get("outputs")
    for name, digest in (outputs.items() if isinstance(outputs, dict) else ()):
        put(name, digest)
    for kind in ("documents", "forms"):
        entries = manifest.get(kind)
        for entry in entries if isinstance(entries, list) else ():
            if isinstance(entry, dict) and "path" in entry:
                put(f"{SOURCE}/{entry['path']}", entry.get("source_sha256"))
    sources = manifest.get("source_files")
    complete = isinstance(sources, dict)
    for rel, digest in (sources.items() if complete else ()):
        put(f"{SOURCE}/{rel}", digest)
    if "changes_sha256" in manifest:
        put(CHANGES, manifest.get("changes_sha256"))
    return expected, complete


def present_files(folder: Path) -> list[str]:
    """Every file of an edition folder (but its manifest), relative to it, sorted."""
    out = []
    for path in Path(folder).rglob("*"):
        if path.is_file() or path.is_symlink():
            rel = path.relative_to(folder).as_posix()
            if rel != MANIFEST:
                out.append(rel)
    return sorted(out)


def edition_check(folder: Path, root: Path | None = None) -> EditionCheck:
    """Hash every file of the edition ``folder`` and pair it with its manifest's SHA-256.

    Unlisted files count where the manifest says what belongs: at the folder's top (the manifest,
    the change record, the outputs and ``source/``) and, when the manifest lists every source
    file, anywhere in ``source/``.  ``root`` (the manual's folder) only makes ``folder`` relative.
    """
    folder = Path(folder)
    try:
        rel_folder = folder.relative_to(root).as_posix() if root is not None else folder.as_posix()
    except ValueError:
        rel_folder = folder.as_posix()
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if not isinstance(manifest, dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError) as exc:
        return EditionCheck(folder.name, rel_folder, manifest_error=str(exc) or type(exc).__name__)
    expected, complete = expected_files(manifest)
    files = []
    for rel in sorted(expected):
        path = folder / rel
        actual = None
        if not rel.startswith("<") and path.is_file() and not path.is_symlink():
            try:
                actual = sha256_file(path)
            except OSError:
                actual = None
        files.append(EditionFile(rel, expected[rel], actual))
    for rel in present_files(folder):
        if rel in expected:
            continue
        top = rel.split("/", 1)[0]
        if top == SOURCE and not complete:
            continue
        if top == CHANGES and "changes_sha256" not in manifest:
            continue
        path = folder / rel
        files.append(EditionFile(rel, None, None if path.is_symlink() else sha256_file(path)))
    try:
        released = dt.date.fromisoformat(str(manifest.get("released")))
    except ValueError:
        released = None
    return EditionCheck(folder.name, rel_folder, tuple(files), complete=complete, released=released)


def edition_folders(root: Path) -> list[Path]:
    """The folders of ``editions/`` that hold a manifest (whether or not it can be read), by name."""
    folder = editions_dir(root)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if p.is_dir() and not p.name.startswith(".") and (p / MANIFEST).is_file())


def check_editions(root: Path) -> list[EditionCheck]:
    """Every released edition of the manual at ``root`` compared with its manifest."""
    return [edition_check(folder, root) for folder in edition_folders(root)]
