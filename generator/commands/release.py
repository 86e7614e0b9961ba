"""``manual release EDITION``: freeze an immutable, optionally signed edition."""
from __future__ import annotations

import datetime as dt
import sys

from ..errors import ReleaseError, UsageError
from ..publishers.release import release
from . import options


def run(args) -> int:
    root = options.root(args)
    released = None
    if args.date:
        try:
            released = dt.date.fromisoformat(args.date)
        except ValueError:
            raise UsageError(f"--date {args.date}: write the date as YYYY-MM-DD") from None
    if args.sign is not None and not args.sign.is_file():
        raise UsageError(f"--sign {args.sign}: no such certificate file")
    try:
        folder = release(root, args.edition, released=released, sign=args.sign, quiet=args.quiet, lang=options.lang(args))
    except ReleaseError as exc:
        print(f"manual: release refused: {exc}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(f"released edition {args.edition}: {folder.relative_to(root)}")
    return 0
