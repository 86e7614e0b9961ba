"""``manual revise CODE --summary TEXT [--class substantive|editorial] [--major] [--by WHO]``: start a change."""
from __future__ import annotations

from ..authoring.revise import revise
from ..errors import EXIT_FINDINGS, EXIT_OK, ApproveError
from . import options


def run(args) -> int:
    root = options.root(args)
    lang = options.args_lang(args)
    try:
        done = revise(root, args.code, args.summary, args.change_class, args.major, args.by)
    except ApproveError as exc:
        options.say(lang, exc.key, **exc.values)
        return EXIT_FINDINGS
    if not args.quiet:
        options.tell(lang, "cli.revise.done", **done)
        options.tell(lang, "cli.revise.next", key=done["key"])
    return EXIT_OK
