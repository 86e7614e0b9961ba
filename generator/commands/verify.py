"""``manual verify [FILE] [--edition E]``: is a file (or a whole edition) as released?

FILE is found in the edition that holds it — by its place in ``editions/<E>/``, else by its
SHA-256 among every edition's manifest — and its SHA-256 is always compared with that manifest;
a PDF's signatures are checked by pyHanko.  ``--edition E`` alone checks every file of the
edition.  Exit 0: as released; 1: a check failed, or no manifest lists the file (unverified);
2: the file, the edition or the trust file does not exist or cannot be read.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import EXIT_FINDINGS, EXIT_OK, ManualNotFound, UsageError, message
from ..publishers.release import verify, verify_edition
from ..read.reader import find_root
from . import options


def run(args) -> int:
    lang = options.args_lang(args)
    root = args.root
    if root is not None and not root.is_dir():
        raise UsageError("cli.root_missing", root=root)
    if root is None:
        try:
            root = find_root(Path.cwd())
        except ManualNotFound:
            root = None
    if args.file is None and not args.edition:
        raise UsageError("cli.verify.nothing")
    if args.edition and root is None:
        raise UsageError("cli.verify.edition_needs_root")
    if args.edition:
        root = options.root(args) if args.root is not None else root  # a --root without a manual: exit 2
    if args.file is None:
        result = verify_edition(root, args.edition, args.trust, lang=lang)
    else:
        result = verify(root, args.file, args.edition, args.trust, lang=lang)
    for line in result.lines:
        print(line)
    checks = message("cli.verify.checks_sep", lang).join(
        message(f"verify.checks.{name}", lang) for name in result.failed)
    if result.ok and result.copy:
        options.tell(lang, "cli.verify.ok_copy", subject=result.subject, edition=result.copy["edition"],
                     copy=result.copy["copy"])
    else:
        options.tell(lang, f"cli.verify.{result.verdict}", subject=result.subject, checks=checks)
    return EXIT_OK if result.ok else EXIT_FINDINGS
