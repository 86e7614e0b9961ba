"""What every command shares: the manual's folder, the language, the check before a build."""
from __future__ import annotations

import sys
from pathlib import Path

from ..errors import ManualNotFound, UsageError
from ..read.reader import find_root
from ..rules import report
from ..rules.check import check, strict


def root(args) -> Path:
    """The manual's folder: --root, or the current folder or the nearest one above it."""
    if args.root is not None:
        if not args.root.is_dir():
            raise UsageError(f"--root {args.root}: no such folder")
        return args.root.resolve()
    try:
        return find_root(Path.cwd())
    except ManualNotFound as exc:
        raise UsageError(str(exc)) from None


def lang(args, manual=None) -> str:
    """--lang, else the manual's locale, else zh-CN."""
    if args.lang:
        return args.lang
    if manual is not None and manual.locale in ("zh-CN", "en"):
        return manual.locale
    return "zh-CN"


def checked_manual(args, *, strict_mode: bool = False):
    """Check first; refuse to go on when there are errors (nothing is written)."""
    folder = root(args)
    manual, findings = check(folder)
    if strict_mode:
        strict(findings)
    errors, _ = report.counts(findings)
    if errors or (findings and not args.quiet):
        sys.stderr.write(report.as_text(findings, lang(args, manual)))
    if errors:
        return manual, findings, False
    return manual, findings, True
