"""Checks: small rule functions over the model.

Each module in this package holds the rules of one topic.  A rule is a plain
function ``rule(manual) -> list[Finding]`` registered with ``@rule``; every
finding it returns is located at a file and line and carries the rule's name.
``run_rules`` runs them all.  Each rule has a failing fixture under
``tests/fixtures/broken/``.

Severity policy (README, "The checks"): an **error** where the manual is
wrong, a **warning** where what was found may be intended.  Each rule declares
the severities it may give (``@rule(name, severities=...)``, errors only by
default); the README's rule table states the same, and the tests hold the
table, the declarations and what the rules emit together.
"""
from __future__ import annotations

from typing import Callable

RULES: dict[str, Callable] = {}
SEVERITIES: dict[str, tuple[str, ...]] = {}  # rule -> the severities its findings may have
# Rules whose findings on a document or form marked ``imported: true`` (imported from a legacy file, not yet
# reviewed) are warnings: the sign-off, code and citation checks.  They run on such a file whatever its status
# (a draft is not exempt) and say what the legacy source got wrong, but an imported manual still builds;
# ``--strict`` (and so ``manual release``) refuses them until the file is reviewed and the flag removed.
UNREVIEWED: set[str] = set()

# What the reader (``generator.read``) reports before any rule runs: a file that cannot be read,
# or reads wrong.  Always errors: nothing built on such a file can be trusted.
READING: dict[str, tuple[str, ...]] = {name: ("error",) for name in (
    "schema", "duplicate-key", "yaml-syntax", "yaml-alias", "yaml-tag", "yaml-too-large", "encoding", "empty-file",
    "file-too-large", "front-matter", "missing-file", "duplicate-form", "duplicate-role", "duplicate-person",
    "symlink-outside", "control-character")}


def rule(name: str, *, severities: tuple[str, ...] = ("error",), unreviewed: bool = False):
    """Register a rule; ``severities``: what its findings may be (the README's table says the same).

    ``unreviewed=True``: its findings in an imported, not yet reviewed file are warnings (``UNREVIEWED``).
    """
    def register(fn):
        RULES[name] = fn
        SEVERITIES[name] = tuple(dict.fromkeys((*severities, "warning"))) if unreviewed else severities
        if unreviewed:
            UNREVIEWED.add(name)
        fn.rule_name = name
        return fn
    return register


def all_severities() -> dict[str, tuple[str, ...]]:
    """Every rule a finding may name (the reader's and the registered ones) -> its severities."""
    _load_all()
    return {**READING, **SEVERITIES}


def written(item, *path) -> bool:
    """Whether the source of ``item`` (a document, a form) writes the key or item at ``path``, whatever its value."""
    return tuple(path) in item.positions.spots


def _load_all():
    """Register every rule: each topic's module registers its rules when imported."""
    from . import (acks, approvals, codes, companies, control, dates, distribution, editions, forms,  # noqa: F401
                   images, legacy, org, references, reviews, segregation, signoff, structure, terminology, versions)


_MEMO = "_rules_memo"


def memo(manual, key, compute: Callable):
    """``compute()``, done once per run of the rules and shared by the rules that need it.

    Within ``run_rules`` the model does not change, so what several rules
    derive from it (every piece of prose, the raw text of source files) is
    worked out once.  A rule called on its own computes afresh.
    """
    store = manual.__dict__.get(_MEMO)
    if store is None:
        return compute()
    if key not in store:
        store[key] = compute()
    return store[key]


def run_rules(manual) -> list:
    _load_all()
    findings = []
    manual.__dict__[_MEMO] = {}
    try:
        for name in sorted(RULES):
            findings.extend(RULES[name](manual))
    finally:
        manual.__dict__.pop(_MEMO, None)
    return unreviewed_as_warnings(manual, findings)


def unreviewed_as_warnings(manual, findings: list) -> list:
    """The findings of ``UNREVIEWED`` rules in imported, not yet reviewed files, as warnings."""
    imported = {item.path for item in [*manual.documents, *manual.forms.values()] if item.imported}
    if imported:
        for f in findings:
            if f.rule in UNREVIEWED and f.path in imported:
                f.severity = "warning"
    return findings
