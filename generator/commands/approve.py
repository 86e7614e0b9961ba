"""``manual approve CODE --step STEP --name NAME``: record a sign-off with its fingerprint."""
from __future__ import annotations

import datetime as dt
import sys

from ..authoring.approve import STEP_ZH, approve
from ..errors import EXIT_FINDINGS, EXIT_OK, ApproveError, UsageError
from ..model.build import read_manual
from ..rules import report
from . import options


def run(args) -> int:
    root = options.root(args)
    lang = args.lang or "zh-CN"
    if not args.lang:
        try:
            lang = options.lang(args, read_manual(root)[0])
        except Exception:  # noqa: BLE001 - the language is a nicety; approve() reports real problems
            pass
    date = None
    if args.date:
        try:
            date = dt.date.fromisoformat(args.date)
        except ValueError:
            raise UsageError(f"--date {args.date}: not a date; write YYYY-MM-DD, e.g. 2014-05-18") from None
    try:
        done = approve(root, args.code, args.step, args.name, args.role, date)
    except (LookupError, ValueError) as exc:
        raise UsageError(str(exc)) from None
    except ApproveError as exc:
        if exc.findings:
            sys.stderr.write(report.as_text(exc.findings, lang))
        print(f"manual: {exc.messages.get(lang, exc.messages['en'])}", file=sys.stderr)
        return EXIT_FINDINGS
    short = done["fingerprint"][:19] + "…"
    if lang == "en":
        msg = (f"{done['path']}:{done['line']}: {done['step']} signed by {done['name']} ({done['role']}) "
               f"on {done['date']}, fingerprint {short}")
    else:
        msg = (f"{done['path']}:{done['line']}: 已{STEP_ZH[done['step']]}签署：{done['name']}（{done['role']}），"
               f"{done['date']}，内容指纹 {short}")
    if not args.quiet:
        print(msg)
    return EXIT_OK
