"""``manual check``: read, check and report."""
from __future__ import annotations

import sys

from ..errors import EXIT_FINDINGS, EXIT_OK, UsageError
from ..rules import report
from ..rules.check import check, strict
from . import options


def run(args) -> int:
    formats = dict(report.FORMATS)
    for extra in ("sarif", "github"):
        fn = getattr(report, f"as_{extra}", None)
        if fn:
            formats[extra] = fn
    if args.format not in formats:
        raise UsageError("cli.format_unknown", value=args.format, choices=", ".join(formats))
    root = options.root(args)
    manual, findings = check(root)
    if args.strict:
        strict(findings)
    sys.stdout.write(formats[args.format](findings, options.lang(args, manual)))
    errors, _ = report.counts(findings)
    return EXIT_FINDINGS if errors else EXIT_OK
