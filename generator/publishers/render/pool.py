"""The one worker pool of the renderers: forked processes that share the checked model.

``in_workers(task, items, jobs=…, context=…)`` calls ``task(item)`` for every item
and yields ``(index, result)`` as each one finishes, so a caller can hand a file on
(or drop it from memory) before slower ones are done.  Workers are forked: they
inherit the model and whatever ``context`` holds without pickling it; each worker
freezes what it inherited (``gc.freeze``), so the collector never walks those
objects and copy-on-write does not duplicate their pages.  Where fork is not
available, with one job or one item, everything runs here, in order.

``context`` is any plain value (for example ``(manual, lang)``); a task reads it
with ``worker_context()``.  Tasks must be module-level functions (they are
pickled by name).
"""
from __future__ import annotations

import gc
import multiprocessing as mp
import os
import sys
from collections.abc import Callable, Iterable, Iterator

_CONTEXT: dict = {}


def can_fork() -> bool:
    return "fork" in mp.get_all_start_methods()


def worker_context():
    """What the caller of ``in_workers`` passed as ``context``."""
    return _CONTEXT.get("value")


def _init(context, parent: int | None = None) -> None:
    _die_with(parent)
    gc.freeze()
    _CONTEXT["value"] = context


def _die_with(parent: int | None) -> None:
    """A worker does not outlive its build.  Killed, a build's workers would wait for work for ever,
    holding the build lock they inherited (``generator.common.lock``), so that no build could run
    again: on Linux the kernel kills a worker when its parent dies (``PR_SET_PDEATHSIG``), and a
    worker whose parent died before that was set ends at once."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # 1: PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if parent is not None and os.getppid() != parent:
        os._exit(1)


def in_workers(task: Callable, items: Iterable, *, jobs: int | None, context=None) -> Iterator[tuple[int, object]]:
    """``(index, task(item))`` for each item, as they finish, in up to ``jobs`` forked processes."""
    items = list(items)
    if not jobs or jobs <= 1 or len(items) < 2 or not can_fork():
        previous = _CONTEXT.get("value")
        _CONTEXT["value"] = context
        try:
            for i, item in enumerate(items):
                yield i, task(item)
        finally:
            _CONTEXT["value"] = previous
        return
    from concurrent.futures import ProcessPoolExecutor, as_completed

    with ProcessPoolExecutor(max_workers=min(jobs, len(items)), mp_context=mp.get_context("fork"),
                             initializer=_init, initargs=(context, os.getpid())) as pool:
        futures = {pool.submit(task, item): i for i, item in enumerate(items)}
        for future in as_completed(futures):
            yield futures.pop(future), future.result()
