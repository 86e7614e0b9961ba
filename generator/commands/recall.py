"""``manual recall EDITION --copy N [--date D]``: record the return of a controlled copy in
control/distribution.yaml (``recalled: D``), under the build lock."""
from __future__ import annotations

import datetime as dt

from ..authoring.copies import record_recall
from ..errors import EXIT_OK, UsageError
from . import options


def run(args) -> int:
    root = options.root(args)
    lang = options.args_lang(args)
    recalled = options.date("--date", args.date) or dt.date.today()
    with options.locked(root, lang):
        result = record_recall(root, args.edition, args.copy, recalled)
    if result == "unknown":
        raise UsageError("cli.recall.unknown", edition=args.edition, copy=args.copy)
    if result == "already":
        raise UsageError("cli.recall.already", edition=args.edition, copy=args.copy)
    if not args.quiet:
        options.tell(lang, "cli.recall.recalled", edition=args.edition, copy=args.copy, date=recalled.isoformat())
    return EXIT_OK
