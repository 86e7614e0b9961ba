"""``manual init DIR``: a new manual repository that passes the check and builds."""
from __future__ import annotations

from pathlib import Path

from ..authoring.scaffold import init_repository
from . import options


def run(args) -> int:
    lang = args.lang or "zh-CN"  # there is no manual yet: the example manual's locale
    target = Path(args.dir)
    init_repository(target, quiet=args.quiet, lang=lang)
    options.note(lang, "cli.authoring.init_done", target=target, quiet=args.quiet)
    return 0
