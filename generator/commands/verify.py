"""``manual verify FILE``: check an edition file's signatures and its hash."""
from __future__ import annotations

import sys
from pathlib import Path

from ..errors import ManualNotFound, ReleaseError, UsageError
from ..publishers.release import verify
from ..read.reader import find_root


def run(args) -> int:
    root = args.root
    if root is None:
        try:
            root = find_root(Path.cwd())
        except ManualNotFound:
            root = None
    if args.edition and root is None:
        raise UsageError("--edition needs the manual's folder: run in it or give --root")
    try:
        ok, lines = verify(root, args.file, args.edition, args.trust)
    except ReleaseError as exc:
        print(f"manual: verify: {exc}", file=sys.stderr)
        return 1
    for line in lines:
        print(line)
    print("OK: the file is intact" if ok else "FAILED: see above")
    return 0 if ok else 1
