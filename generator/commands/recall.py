"""``manual recall EDITION --copy N [--date D]``: record the return of a controlled copy in
control/distribution.yaml (``recalled: D``), under the build lock.  The date may not be before the copy's
issue nor after today (``MANUAL_TODAY`` / ``review.today`` pin it)."""
from __future__ import annotations

from ..authoring.copies import record_recall
from ..errors import EXIT_OK, UsageError
from ..model.build import read_manual
from ..model.review import today
from . import options
from .issue import edition_name


def run(args) -> int:
    root = options.root(args)
    lang = options.args_lang(args)
    edition = edition_name(args.edition)
    date = options.date("--date", args.date)
    with options.locked(root, lang):
        manual, _ = read_manual(root)
        now = today(manual)
        recalled = date or now
        if recalled > now:
            raise UsageError("cli.recall.date_future", date=recalled.isoformat(), today=now.isoformat())
        entry = next((c for c in manual.copies if c.edition == edition and c.copy == args.copy), None)
        if entry is not None and entry.issued is not None and recalled < entry.issued and entry.recalled is None:
            raise UsageError("cli.recall.date_early", date=recalled.isoformat(), edition=edition,
                             copy=args.copy, issued=entry.issued.isoformat())
        result = record_recall(root, edition, args.copy, recalled)
    if result == "unknown":
        raise UsageError("cli.recall.unknown", edition=edition, copy=args.copy)
    if result == "already":
        raise UsageError("cli.recall.already", edition=edition, copy=args.copy)
    if not args.quiet:
        options.tell(lang, "cli.recall.recalled", edition=edition, copy=args.copy, date=recalled.isoformat())
    return EXIT_OK
