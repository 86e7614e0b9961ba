"""Writing outputs: atomically, and byte-for-byte reproducibly.

Nothing half-written ever replaces a good output: each file is written to a
temporary file in the same folder and renamed over the target.
"""
from __future__ import annotations

import io
import os
import shutil
import tempfile
import zipfile
from contextlib import contextmanager
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
        os.replace(tmp, path)
    except BaseException:
        with _quiet():
            os.unlink(tmp)
        raise
    return path


def atomic_write_text(path: Path, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


@contextmanager
def atomic_dir(path: Path):
    """Build a folder in a temporary sibling, then swap it in whole.

    Yields the temporary folder.  On success the old folder is replaced; on
    any error the old one stays as it was and the temporary one is removed.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    os.chmod(tmp, 0o777 & ~_umask())
    try:
        yield tmp
        old = None
        if path.exists():
            old = path.with_name(f".{path.name}.old")
            if old.exists():
                shutil.rmtree(old)
            os.replace(path, old)
        os.replace(tmp, path)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
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
