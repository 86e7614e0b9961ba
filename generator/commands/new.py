"""``manual new KIND --title T``: a draft document or form with the next free code."""
from __future__ import annotations

from ..authoring.scaffold import new_item
from . import options


def run(args) -> int:
    return new_item(options.root(args), kind=args.kind, title=args.title, chapter=args.chapter,
                    document=getattr(args, "document", None), quiet=args.quiet)
