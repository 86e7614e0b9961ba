"""``manual revise CODE --summary TEXT [--class substantive|editorial] [--change CR-YYYY-NNN] [--major] [--by WHO]``:
start a change (with ``--change``, of a change request: the revision entry names it and takes its class)."""
from __future__ import annotations

from ..authoring.revise import revise
from ..errors import EXIT_FINDINGS, EXIT_OK, ApproveError
from . import options


def run(args) -> int:
    root = options.root(args)
    lang = options.args_lang(args)
    try:
        done = revise(root, args.code, args.summary, args.change_class, args.major, args.by,
                      getattr(args, "change", None))
    except ApproveError as exc:
        options.say(lang, exc.key, **exc.values)
        return EXIT_FINDINGS
    if not args.quiet:
        options.tell(lang, "cli.revise.done", **done)
        options.tell(lang, "cli.revise.next", key=done["key"])
    return EXIT_OK
