"""Checks: small rule functions over the model.

Each module in this package holds the rules of one topic.  A rule is a plain
function ``rule(manual) -> list[Finding]`` registered with ``@rule``; every
finding it returns is located at a file and line.  ``run_rules`` runs them
all.  Each rule has a failing fixture under ``tests/fixtures/broken/``.
"""
from __future__ import annotations

import importlib
import pkgutil
from typing import Callable

RULES: dict[str, Callable] = {}


def rule(name: str):
    def register(fn):
        RULES[name] = fn
        fn.rule_name = name
        return fn
    return register


def _load_all():
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")


def run_rules(manual) -> list:
    _load_all()
    findings = []
    for name in sorted(RULES):
        findings.extend(RULES[name](manual))
    return findings
