"""Writing outputs: atomically, all together, and byte-for-byte reproducibly.

Nothing half-written ever replaces a good output: each file is written to a temporary file in the
same folder (``.NAME.XXXXXXXX.tmp``) and renamed over the target; a folder (``site/``, an edition
site, a batch of filled forms) is built in a temporary sibling and swapped in whole (``atomic_dir``):
on Linux with one ``renameat2(RENAME_EXCHANGE)``, so the folder is never missing; elsewhere with two
renames that keep the old folder (``.NAME.old``) until the new one is in place, and that the next
run puts right (``repair_swap``).

``manual build`` writes all its outputs in one ``output_transaction``: every file and folder waits
beside its place until every requested target has rendered, then all are renamed in, after a
journal of the renames (``.cache/outputs.journal``) has been written.  A build that fails leaves the
earlier outputs as they were; a build killed while renaming is finished by the next one
(``finish_commit``), so outputs of two sources are never left side by side.

``clean_up`` (run under the build lock, before anything is written) finishes an interrupted commit or
swap, then removes what killed builds left in the build's own folders: temporary files and folders,
``.NAME.old`` folders and scratch folders.
"""
from __future__ import annotations

import ctypes
import errno
import io
import json
import os
import re
import shutil
import stat
import sys
import tempfile
import zipfile
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

# 2014-05-20 00:00 is not used: zip times are pinned per build from the manual date.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: Path, data: bytes) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are for everyone to read
        tx = _deferring(path)
        if tx is not None:
            tx.stage(path, Path(tmp), "file")
        else:
            os.replace(tmp, path)
    except BaseException:
        with _quiet():
            os.unlink(tmp)
        raise
    return path


def atomic_write_text(path: Path, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def remove_output(path: Path) -> None:
    """Remove an output file that is no longer made (inside an ``output_transaction``: at its commit)."""
    path = Path(path)
    tx = _deferring(path)
    if tx is not None:
        tx.stage(path, None, "remove")
        return
    with _quiet():
        path.unlink()


def pending(path: Path) -> Path | None:
    """Where the bytes that output ``path`` will hold are now: inside an ``output_transaction``, its
    staged file (None when it is to be removed); otherwise ``path`` itself."""
    path = Path(path)
    tx = _deferring(path)
    if tx is None:
        return path
    return tx.pending(path)


# -- swapping a folder in ---------------------------------------------------------------------------
RENAME_EXCHANGE = 2  # <linux/fs.h>
AT_FDCWD = -100


@lru_cache(maxsize=1)
def _renameat2():
    """glibc's ``renameat2`` (Linux 3.15, glibc 2.28), or None where there is none."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths in one atomic step (``renameat2`` with ``RENAME_EXCHANGE``).

    False when this system or file system cannot (not Linux, an old C library or kernel, a file
    system without the flag); nothing has changed then.  Other failures raise OSError.
    """
    function = _renameat2()
    if function is None:
        return False
    if function(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EPERM):
        return False
    raise OSError(err, os.strerror(err), str(a), None, str(b))


def old_name(path: Path) -> Path:
    """Where the two-rename swap keeps the old folder until the new one is in place."""
    return Path(path).with_name(f".{Path(path).name}.old")


def swap_in(new: Path, path: Path) -> None:
    """Put the folder (or file) ``new`` in the place of ``path`` and remove what was there.

    With an atomic exchange where the system allows (``path`` is never missing); else the old one is
    renamed to ``.NAME.old`` and the new one into place, and only then is the old one removed: a
    kill between the two renames leaves the old one, which ``repair_swap`` puts back.
    """
    new, path = Path(new), Path(path)
    if not os.path.lexists(path):
        os.rename(new, path)
    elif exchange(new, path):
        _remove(new)  # it holds the old one now
    else:
        old = old_name(path)
        if os.path.lexists(old):
            _remove(old)
        os.rename(path, old)
        os.rename(new, path)
    old = old_name(path)
    if os.path.lexists(old):
        _remove(old)


def repair_swap(path: Path) -> None:
    """Finish or undo a two-rename swap of ``path`` that was interrupted: with ``.NAME.old`` left
    and ``path`` missing the old one is put back; with both there, the new one is in place and the
    old one is removed."""
    path = Path(path)
    old = old_name(path)
    if not os.path.lexists(old):
        return
    if os.path.lexists(path):
        _remove(old)
    else:
        os.rename(old, path)


def _remove(path: Path) -> None:
    """Remove a file or a whole folder (read-only files included; symbolic links are not followed)."""
    path = Path(path)
    if path.is_dir() and not path.is_symlink():
        def writable(function, name, _exc):
            parent = os.path.dirname(name)
            os.chmod(parent, os.stat(parent).st_mode | stat.S_IWUSR | stat.S_IXUSR)
            if os.path.isdir(name) and not os.path.islink(name):
                os.chmod(name, os.stat(name).st_mode | stat.S_IRWXU)
            function(name)

        shutil.rmtree(path, onerror=writable)
    else:
        path.unlink()


# -- writing all outputs together ---------------------------------------------------------------------
JOURNAL = Path(".cache") / "outputs.journal"  # relative to the manual's root
JOURNAL_VERSION = 1
_ACTIVE: list["_Transaction"] = []


class _Transaction:
    """The outputs a build has staged: destination → ``{"op", "dest", "staged", "inode"}``."""

    def __init__(self, journal: Path, prefixes):
        self.journal = Path(journal)
        self.prefixes = [Path(os.path.abspath(p)) for p in prefixes]
        self.pid = os.getpid()
        self.ops: dict[str, dict] = {}

    def covers(self, path: Path) -> bool:
        path = Path(os.path.abspath(path))
        return os.getpid() == self.pid and any(path == p or path.is_relative_to(p) for p in self.prefixes)

    def stage(self, dest: Path, staged: Path | None, op: str) -> None:
        key = os.path.abspath(dest)
        self._drop(self.ops.pop(key, None))
        entry = {"op": op, "dest": key, "staged": None if staged is None else os.path.abspath(staged)}
        if op == "dir":
            st = os.lstat(staged)
            entry["inode"] = [st.st_dev, st.st_ino]
        self.ops[key] = entry

    def pending(self, dest: Path) -> Path | None:
        entry = self.ops.get(os.path.abspath(dest))
        if entry is None:
            return Path(dest)
        return None if entry["op"] == "remove" else Path(entry["staged"])

    @staticmethod
    def _drop(entry: dict | None) -> None:
        if entry and entry.get("staged"):
            with _quiet():
                _remove(Path(entry["staged"]))

    def abandon(self) -> None:
        for entry in self.ops.values():
            self._drop(entry)
        self.ops.clear()

    def commit(self) -> None:
        if not self.ops:
            return
        # Files and removals first, folders (the site) last; the journal lists them in that order.
        entries = sorted(self.ops.values(), key=lambda e: e["op"] == "dir")
        try:
            _write_journal(self.journal, entries)
        except BaseException:
            self.abandon()  # nothing renamed yet: the earlier outputs stay
            raise
        _apply(entries)
        self.ops.clear()
        self.journal.unlink()


@contextmanager
def output_transaction(root: Path, prefixes):
    """Inside the ``with``, outputs under ``prefixes`` (files written with ``atomic_write_bytes``,
    folders made with ``atomic_dir``, removals with ``remove_output``) wait beside their places; at
    the end they are all renamed in (the commit), or, when the ``with`` fails, all dropped.

    The commit first writes the journal ``<root>/.cache/outputs.journal`` of its renames: a build
    killed during the commit is finished by the next one (``finish_commit``, from ``clean_up``).
    Hold the build lock around it.
    """
    tx = _Transaction(Path(root) / JOURNAL, prefixes)
    _ACTIVE.append(tx)
    try:
        yield tx
    except BaseException:
        tx.abandon()
        raise
    else:
        tx.commit()  # if it fails half-way, the journal stays: the next run finishes the rest
    finally:
        _ACTIVE.remove(tx)


def _deferring(path: Path) -> _Transaction | None:
    """The open transaction that covers ``path`` (in this process), if any."""
    for tx in reversed(_ACTIVE):
        if tx.covers(path):
            return tx
    return None


def _write_journal(journal: Path, entries: list[dict]) -> None:
    journal.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps({"version": JOURNAL_VERSION, "ops": entries}, ensure_ascii=False).encode("utf-8")
    fd, tmp = tempfile.mkstemp(prefix=f".{journal.name}.", suffix=".tmp", dir=journal.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, journal)
    except BaseException:
        with _quiet():
            os.unlink(tmp)
        raise
    with _quiet():
        folder = os.open(journal.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def _staged_beside(entry: dict) -> bool:
    """A journal entry is only ever a rename of a temporary sibling onto its destination."""
    dest, staged = entry.get("dest"), entry.get("staged")
    if not isinstance(dest, str) or not os.path.isabs(dest):
        return False
    if entry.get("op") == "remove":
        return True
    return (isinstance(staged, str) and os.path.dirname(staged) == os.path.dirname(dest)
            and TEMP_NAME.match(os.path.basename(staged)) is not None)


def _same(path: str, inode) -> bool:
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return [st.st_dev, st.st_ino] == list(inode)


def _apply(entries: list[dict]) -> None:
    """Do the journal's renames; doing them again after some are done is harmless (roll forward)."""
    for entry in entries:
        if not isinstance(entry, dict) or not _staged_beside(entry):
            continue
        op, dest, staged = entry.get("op"), entry["dest"], entry.get("staged")
        if op == "file":
            if os.path.lexists(staged):
                os.replace(staged, dest)
        elif op == "remove":
            with _quiet():
                os.unlink(dest)
        elif op == "dir" and isinstance(entry.get("inode"), list):
            if _same(dest, entry["inode"]):  # swapped in already; what is at the staged name is the old one
                if os.path.lexists(staged):
                    _remove(Path(staged))
                repair_swap(Path(dest))
            elif _same(staged, entry["inode"]):
                repair_swap(Path(dest))
                swap_in(Path(staged), Path(dest))


def finish_commit(root: Path) -> bool:
    """Finish the commit a killed build left half done (its journal is there); True if there was one.

    Every rename the journal lists that is not done yet is done now; then the journal is removed.
    Call it under the build lock, before anything else is written (``clean_up`` does).
    """
    journal = Path(root) / JOURNAL
    try:
        data = json.loads(journal.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return False
    except (OSError, ValueError):
        data = {}
    entries = data.get("ops") if isinstance(data, dict) and data.get("version") == JOURNAL_VERSION else None
    for entry in entries if isinstance(entries, list) else []:
        try:
            _apply([entry])
        except OSError:
            continue  # one that cannot be done now: the next build writes that output again
    with _quiet():
        journal.unlink()
    return True


# -- cleaning up after killed builds -----------------------------------------------------------------
# ``tempfile``'s names: a prefix, 8 characters of [a-z0-9_], a suffix; every temporary name of the
# generator is ``.NAME.`` + those 8 + ``.tmp``.
TEMP_NAME = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")
OLD_NAME = re.compile(r"^\.(.+)\.old$")
SITE = "site"  # the site's folder, relative to the manual's root
SWEPT = ("dist", "build", ".cache")  # a build's own folders, relative to the manual's root, swept whole
EDITIONS = "editions"  # released editions: only its top level holds a build's temporary folders
SWEEP_DEPTH = 4  # how deep the sweep looks (dist/ is 0, forms/ 1, filled/ 2, <form>/ 3, and one more)


def clean_up(root: Path, out: Path | None = None) -> list[Path]:
    """Put right what killed builds left, and remove their temporary files; returns what was removed.

    Only under the build lock: a running build's temporary files are never touched, because no
    build is running.  First an interrupted commit is finished (``finish_commit``).  Then, in the
    build's own folders only (``dist/`` or ``out``, ``build/``, ``.cache/``, all the way down; the top
    of ``editions/``; and next to ``site/`` in the manual's folder only ``.site.*.tmp`` and
    ``.site.old``): every ``.NAME.XXXXXXXX.tmp`` file or folder is removed, and every ``.NAME.old``
    folder is put back or removed (``repair_swap``).  Nothing else in those folders is touched.
    """
    root = Path(root)
    finish_commit(root)
    removed: list[Path] = []
    site_temp = re.compile(rf"^\.{re.escape(SITE)}\.[a-z0-9_]{{8}}\.tmp$")
    site_old = old_name(root / SITE).name
    removed += _sweep_level(root, lambda name: site_temp.match(name) is not None, lambda name: name == site_old)
    removed += _sweep_level(root / EDITIONS, lambda name: TEMP_NAME.match(name) is not None, lambda name: False)
    places = {os.path.abspath(root / name) for name in SWEPT}
    if out is not None:
        places.add(os.path.abspath(out))
    for place in sorted(places):
        for folder, dirs, _files in os.walk(place):
            removed += _sweep_level(Path(folder), lambda name: TEMP_NAME.match(name) is not None,
                                    lambda name: OLD_NAME.match(name) is not None)
            depth = 0 if folder == place else os.path.relpath(folder, place).count(os.sep) + 1
            # Temporary names appear only near the top (dist/forms/filled/<form>/ is the deepest):
            # the pages below build/site-src/docs/ or an edition site's files are not walked.
            dirs[:] = [] if depth >= SWEEP_DEPTH else [d for d in dirs if os.path.lexists(os.path.join(folder, d))]
    return removed


def _sweep_level(folder: Path, is_temp, is_old) -> list[Path]:
    """One folder's temporary entries (``is_temp(name)``) removed, and its ``.NAME.old`` folders
    (``is_old(name)``) put back or removed."""
    removed = []
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return removed
    for name in names:
        path = folder / name
        try:
            if is_old(name) and path.is_dir() and not path.is_symlink():
                repair_swap(folder / OLD_NAME.match(name).group(1))
                if not os.path.lexists(path):
                    removed.append(path)
            elif is_temp(name):
                _remove(path)
                removed.append(path)
        except OSError:
            continue  # cannot be removed now (permissions): tried again by the next build
    return removed


def scratch_dir(root: Path | None, label: str):
    """A scratch folder for the length of a build (a ``TemporaryDirectory``), in ``<root>/.cache/``
    where the next build sweeps it away if this one is killed; in the system's temporary folder
    when there is no root or ``.cache/`` cannot be made."""
    if root is not None:
        folder = Path(root) / ".cache"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            return tempfile.TemporaryDirectory(prefix=f".{label}.", suffix=".tmp", dir=folder)
        except OSError:
            pass
    return tempfile.TemporaryDirectory(prefix=f"manual-{label}-")


@contextmanager
def atomic_dir(path: Path):
    """Build a folder in a temporary sibling, then swap it in whole.

    Yields the temporary folder.  On success the new folder takes the old one's place (``swap_in``:
    one atomic exchange where the system allows, so ``path`` is never missing); on any error the old
    one stays as it was and the temporary one is removed.  Inside an ``output_transaction`` that
    covers ``path``, the swap waits for the transaction's commit.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    repair_swap(path)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    os.chmod(tmp, 0o777 & ~_umask())
    try:
        yield tmp
        tx = _deferring(path)
        if tx is not None:
            tx.stage(path, tmp, "dir")
        else:
            swap_in(tmp, path)
    except BaseException:
        with _quiet():
            if os.path.lexists(tmp):
                _remove(tmp)
        with _quiet():
            repair_swap(path)
        raise


def normalize_zip(data: bytes, date_time=ZIP_EPOCH) -> bytes:
    """Rewrite a zip (DOCX) with fixed entry times and order: reproducible bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            new = zipfile.ZipInfo(info.filename, date_time=date_time)
            new.compress_type = zipfile.ZIP_DEFLATED
            new.external_attr = 0o644 << 16
            new.create_system = 3
            dst.writestr(new, src.read(info.filename))
    return out.getvalue()


@contextmanager
def _quiet():
    try:
        yield
    except OSError:
        pass


def walk_stats(folder: Path, *, follow_links: bool = True):
    """(path, os.stat_result) of every file below ``folder``; a file that vanishes meanwhile is skipped."""
    stat = os.stat if follow_links else os.lstat
    for dirpath, _dirs, names in os.walk(folder):
        for name in names:
            path = os.path.join(dirpath, name)
            try:
                yield path, stat(path)
            except OSError:
                continue
