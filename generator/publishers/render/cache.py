"""The build cache: rendered outputs keyed by a hash of what the engine consumes.

``manual build`` keeps, per output kind (``pdf``, ``docx``, ``forms``), a
folder of entries under ``<manual root>/.cache/<kind>/``.  An entry's key is
the SHA-256 of exactly what the engine turns into the output, plus the
engine's identity, e.g. for a PDF

    the HTML string · WeasyPrint and pydyf versions · the installed fonts ·
    HarfBuzz subsetting on or off · the renderer function

so an unchanged document's PDF is taken from the cache and never rendered
again, and anything that could change the bytes (the text, a template, the
engine, a font) makes a new key.  Where the engine's input is not a string
(python-docx builds the document from the model), the key hashes the source
data the output is made of and the generator's own code (``code_digest``):
any change to the generator renders everything again.

Entries are written atomically (temporary file + rename) and carry the
SHA-256 of their payload; an entry that does not match it (a torn or edited
file) is ignored, removed and rendered again.  After a successful build,
``prune`` removes the entries of that kind the build did not use, so the
cache holds one build's outputs per kind.  ``--no-cache`` bypasses it:
nothing is read or written.

``LAST_STATS[kind]`` holds the counts of the last build of each kind in this
process (hits, misses, corrupt, pruned), for tests and the benchmark.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sys
import tempfile
import time
from functools import lru_cache
from pathlib import Path

from ...common.outputs import walk_stats
from ...common.resources import PACKAGE
from ...labels import text

CACHE_DIR = ".cache"
MAGIC = b"manual-cache/1 "
CODE_SUFFIXES = {".py", ".j2", ".css", ".html", ".json", ".yaml", ".yml", ".js", ".svg"}
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.fonts", "~/.local/share/fonts")

LAST_STATS: dict[str, dict[str, int]] = {}


# -- keys ------------------------------------------------------------------------------------
def _json_default(value):
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    if isinstance(value, Path):
        return str(value)
    return repr(value)


def canonical(value) -> bytes:
    """Plain data as canonical JSON bytes (sorted keys, dates as ISO strings)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=_json_default).encode("utf-8")


def digest(*parts) -> str:
    """SHA-256 (hex) of the parts; each part is length-prefixed, so ("ab", "c") ≠ ("a", "bc")."""
    h = hashlib.sha256()
    for part in parts:
        if isinstance(part, str):
            data = b"s" + part.encode("utf-8")
        elif isinstance(part, (bytes, bytearray, memoryview)):
            data = b"b" + bytes(part)
        else:
            data = b"j" + canonical(part)
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


@lru_cache(maxsize=None)
def code_digest(*patterns: str) -> str:
    """The generator's code and templates that make an output (glob patterns relative to the package;
    none: the whole package): a changed generator renders those outputs again."""
    h = hashlib.sha256()
    paths: set[Path] = set()
    for pattern in patterns or ("**/*",):
        paths.update(PACKAGE.glob(pattern))
    for path in sorted(paths):
        if path.suffix in CODE_SUFFIXES and path.is_file() and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(PACKAGE)).encode("utf-8") + b"\0")
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


@lru_cache(maxsize=1)
def font_digest() -> str:
    """The installed font files (name, size, mtime): a font update renders everything again."""
    entries = []
    for folder in FONT_DIRS:
        base = Path(os.path.expanduser(folder))
        if not base.is_dir():
            continue
        entries += [f"{path}\0{st.st_size}\0{st.st_mtime_ns}" for path, st in walk_stats(base)]
    entries.sort()
    try:
        from ...common.engines import harfbuzz_subset_available

        entries.append(f"harfbuzz-subset={harfbuzz_subset_available()}")
    except Exception:  # noqa: BLE001 - a missing probe only makes the key less specific
        pass
    return hashlib.sha256("\n".join(entries).encode("utf-8")).hexdigest()


@lru_cache(maxsize=None)
def versions(*distributions: str) -> str:
    """``name==version`` of each installed distribution (``?`` when it is not installed)."""
    from importlib import metadata

    out = []
    for name in distributions:
        try:
            out.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            out.append(f"{name}==?")
    return ";".join(out)


def renderer_id(fn) -> str:
    """The identity of the function that renders: another renderer must not reuse its outputs."""
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"


# -- the store ----------------------------------------------------------------------------------
class BuildCache:
    """One kind's entries under ``root/.cache/<kind>/``; ``enabled=False`` is a no-op cache."""

    def __init__(self, root: Path | None, kind: str, *, enabled: bool = True):
        self.kind = kind
        self.root = Path(root) if root is not None else None
        self.folder = Path(root) / CACHE_DIR / kind if root is not None else None
        self.enabled = bool(enabled) and self.folder is not None
        self.used: set[str] = set()
        self.stats = {"hits": 0, "misses": 0, "corrupt": 0, "pruned": 0, "write_errors": 0}
        LAST_STATS[kind] = self.stats

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.bin"

    def get(self, key: str, *, count: bool = True) -> bytes | None:
        """The cached bytes for ``key``, or None (absent, unreadable or corrupt).  ``count=False``:
        reading back what this build has just put, not a hit or a miss."""
        if not self.enabled:
            self.stats["misses"] += count
            return None
        path = self._path(key)
        try:
            raw = path.read_bytes()
        except OSError:
            self.stats["misses"] += count
            return None
        head, sep, payload = raw.partition(b"\n")
        if (not sep or not head.startswith(MAGIC)
                or head[len(MAGIC):] != hashlib.sha256(payload).hexdigest().encode("ascii")):
            self.stats["corrupt"] += 1
            self.stats["misses"] += count
            try:
                path.unlink()
            except OSError:
                pass
            return None
        self.used.add(key)
        self.stats["hits"] += count
        return payload

    def put(self, key: str, data: bytes) -> None:
        """Store ``data`` under ``key`` atomically; a failure to write only costs a later re-render."""
        if not self.enabled:
            return
        self.used.add(key)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_checked(self._path(key), data, MAGIC)
        except OSError as exc:
            self.stats["write_errors"] += 1
            if self.stats["write_errors"] == 1:
                print(f"warning: the build cache {self.folder} cannot be written ({exc.strerror or exc}); "
                      "building without it", file=sys.stderr)

    def contains(self, key: str) -> bool:
        """Whether an entry for ``key`` is there (not checked: ``get`` checks it)."""
        return self.enabled and self._path(key).is_file()

    def has(self, key: str) -> bool:
        """``contains``, counting a miss when the entry is not there (a hit is counted by ``get``,
        when it is read)."""
        found = self.contains(key)
        self.stats["misses"] += not found
        return found

    def keep(self, key: str) -> None:
        """Count ``key`` as used by this build without reading it (pruning keeps it)."""
        if self.enabled:
            self.used.add(key)

    def prune(self) -> int:
        """Remove this kind's entries that the build did not use, and temporary files left by an
        interrupted build (older than an hour: a younger one may belong to a build running now)."""
        if not self.enabled or not self.folder.is_dir():
            return 0
        removed = 0
        now = time.time()
        for path in self.folder.iterdir():
            if path.name.endswith(".tmp"):
                try:
                    stale = now - path.stat().st_mtime > 3600
                except OSError:
                    stale = False
            else:
                stale = path.suffix == ".bin" and path.stem not in self.used
            if stale and path.is_file():
                try:
                    path.unlink()
                    removed += 1
                except OSError:
                    pass
        self.stats["pruned"] = removed
        return removed

    def summary(self, lang: str = "zh-CN") -> str:
        """``12 from the cache`` / ``12 个取自缓存`` (empty when the cache is off or nothing was hit)."""
        if not self.enabled or not self.stats["hits"]:
            return ""
        return text("print_text.from_cache", lang, n=self.stats["hits"])


def read_checked(path: Path, magic: bytes) -> bytes | None:
    """The payload of a file written by ``write_checked`` with the same ``magic``; None when the file
    is missing, unreadable, or its payload does not match its SHA-256 (torn or edited)."""
    try:
        raw = Path(path).read_bytes()
    except OSError:
        return None
    head, sep, payload = raw.partition(b"\n")
    if not sep or head != magic + hashlib.sha256(payload).hexdigest().encode("ascii"):
        return None
    return payload


def write_checked(path: Path, data: bytes, magic: bytes) -> None:
    """Write ``magic`` + the SHA-256 of ``data``, a newline, then ``data``, atomically (temporary file
    + rename; the temporary file is removed on failure).  Raises OSError."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:16]}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(magic + hashlib.sha256(data).hexdigest().encode("ascii") + b"\n")
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_if_changed(path: Path, data: bytes) -> Path:
    """Write ``data`` atomically unless the file already holds exactly these bytes (mtime kept).

    Inside an ``output_transaction`` "already holds" means what the file will hold at its commit."""
    from ...common.outputs import atomic_write_bytes, pending

    path = Path(path)
    current = pending(path)
    try:
        if current is not None and current.stat().st_size == len(data) and current.read_bytes() == data:
            return path
    except OSError:
        pass
    return atomic_write_bytes(path, data)


def default_jobs() -> int:
    """Worker processes when ``--jobs`` is not given: the number of cores."""
    return max(1, os.cpu_count() or 1)
