"""read → model → check: the whole consistency check of a manual."""
from __future__ import annotations

import gc
from contextlib import contextmanager
from pathlib import Path

from ..common.findings import Finding
from ..model import Manual
from ..model.build import read_manual
from . import run_rules


@contextmanager
def no_cycle_collection():
    """Reading builds a large tree of small objects and frees none of them.

    The cyclic garbage collector would walk that growing tree again and again
    (a third of the time of a check of thousands of documents) for nothing:
    the model holds no reference cycles.  It is paused while the manual is
    read and checked, and what was built is then moved out of its sight
    (``gc.freeze``) so the first collection afterwards does not walk it
    either; objects are still freed as soon as they are no longer used.
    A process that checks again (``manual serve``) first hands what an
    earlier check froze back to the collector and lets it collect once, so
    no cyclic garbage stays frozen for good.
    """
    if not gc.isenabled():
        yield
        return
    if gc.get_freeze_count():
        gc.unfreeze()
        gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def check(root: Path) -> tuple[Manual, list[Finding]]:
    """Read the manual at ``root`` and run every rule; findings sorted."""
    with no_cycle_collection():
        manual, findings = read_manual(root)
        findings = findings + run_rules(manual)
        unique = {}
        for f in findings:
            unique.setdefault((f.path, f.line, f.column, f.rule, f.message("en")), f)
        return manual, sorted(unique.values(), key=Finding.sort_key)


def strict(findings: list[Finding]) -> list[Finding]:
    """``--strict``: every warning counts as an error."""
    for f in findings:
        if f.severity == "warning":
            f.severity = "error"
    return findings
