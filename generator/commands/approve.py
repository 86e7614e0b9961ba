"""``manual approve CODE --step STEP --name NAME | --as PERSON``: record a sign-off with its fingerprint (and signature)."""
from __future__ import annotations

import sys

from ..authoring.approve import approve
from ..errors import EXIT_FINDINGS, EXIT_OK, ApproveError
from ..labels import step_label
from ..rules import report
from . import options


def run(args) -> int:
    root = options.root(args)
    lang = options.args_lang(args)
    date = options.date("--date", args.date)
    try:
        done = approve(root, args.code, args.step, args.name, args.role, date, person=args.person, key_file=args.key)
    except ApproveError as exc:
        if exc.findings:
            sys.stderr.write(report.as_text(exc.findings, lang))
        options.say(lang, exc.key, **exc.values)
        return EXIT_FINDINGS
    if not args.quiet:
        options.tell(lang, "cli.approve.signed", path=done["path"], line=done["line"], step=done["step"],
                     step_label=step_label(done["step"], lang), name=done["name"], role=done["role"],
                     date=done["date"], fingerprint=done["fingerprint"][:19] + "…")
        if done["signed"]:
            options.tell(lang, "cli.approve.signed_with_key", name=done["name"])
    return EXIT_OK
