"""One build at a time per manual: an advisory lock on ``<root>/.cache/build.lock``.

``manual build``, ``release``, ``forms fill`` and the rebuilds of ``serve`` take it for as long
as they write outputs.  A second one waits (saying so, with the holder's process id) until the
first is done; with ``MANUAL_LOCK_WAIT=N`` it waits at most N seconds and then stops with a
``LockBusy`` error.  The lock is the kernel's (``flock``): a process that dies, however it dies,
releases it, so a lock left behind by a killed build is never in the way.
"""
from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager
from pathlib import Path

from ..errors import LockBusy

LOCK_FILE = Path(".cache") / "build.lock"


def _holder(handle) -> str:
    handle.seek(0)
    return handle.read().strip() or "?"


@contextmanager
def build_lock(root: Path, *, waiting=None, wait: float | None = None):
    """Hold the manual's build lock inside the ``with``; ``waiting(pid)`` is told once if it must wait."""
    path = Path(root) / LOCK_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    if wait is None and os.environ.get("MANUAL_LOCK_WAIT"):
        wait = float(os.environ["MANUAL_LOCK_WAIT"])
    with open(path, "a+", encoding="ascii") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _holder(handle)
            if waiting is not None:
                waiting(pid)
            deadline = None if wait is None else time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if deadline is not None and time.monotonic() >= deadline:
                        raise LockBusy("errors.lock_busy", pid=pid) from None
                    time.sleep(0.2)
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))
            handle.flush()
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
