"""Checks: small rule functions over the model.

Each module in this package holds the rules of one topic.  A rule is a plain
function ``rule(manual) -> list[Finding]`` registered with ``@rule``; every
finding it returns is located at a file and line.  ``run_rules`` runs them
all.  Each rule has a failing fixture under ``tests/fixtures/broken/``.
"""
from __future__ import annotations

from typing import Callable

RULES: dict[str, Callable] = {}


def rule(name: str):
    def register(fn):
        RULES[name] = fn
        fn.rule_name = name
        return fn
    return register


def written(item, *path) -> bool:
    """Whether the source of ``item`` (a document, a form) writes the key or item at ``path``, whatever its value."""
    return tuple(path) in item.positions.spots


def _load_all():
    """Register every rule: each topic's module registers its rules when imported."""
    from . import approvals, codes, forms, org, references, reviews, segregation, signoff, terminology, versions  # noqa: F401


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
    return findings
