"""``manual verify FILE``: check an edition file's signatures and its hash."""
from __future__ import annotations

from pathlib import Path

from ..errors import EXIT_FINDINGS, EXIT_OK, ManualNotFound, ReleaseError, UsageError
from ..publishers.release import verify
from ..read.reader import find_root
from . import options


def run(args) -> int:
    lang = options.args_lang(args)
    root = args.root
    if root is None:
        try:
            root = find_root(Path.cwd())
        except ManualNotFound:
            root = None
    if args.edition and root is None:
        raise UsageError("cli.verify.edition_needs_root")
    if args.edition:
        root = options.root(args) if args.root is not None else root  # a --root without a manual: exit 2
    try:
        ok, lines = verify(root, args.file, args.edition, args.trust, lang=lang)
    except ReleaseError as exc:
        options.say(lang, "cli.verify.failed_to_run", reason=exc.text(lang))
        return EXIT_FINDINGS
    for line in lines:
        print(line)
    options.tell(lang, "cli.verify.intact" if ok else "cli.verify.failed")
    return EXIT_OK if ok else EXIT_FINDINGS
