"""``manual init DIR``: a new manual repository that passes the check and builds."""
from __future__ import annotations

from pathlib import Path

from ..authoring.scaffold import init_repository


def run(args) -> int:
    return init_repository(Path(args.dir), quiet=args.quiet)
