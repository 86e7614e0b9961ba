"""read → model → check: the whole consistency check of a manual."""
from __future__ import annotations

from pathlib import Path

from .findings import Finding
from .model import Manual
from .reader import read_manual
from .rules import run_rules


def check(root: Path) -> tuple[Manual, list[Finding]]:
    """Read the manual at ``root`` and run every rule; findings sorted."""
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
