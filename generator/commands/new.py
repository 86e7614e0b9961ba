"""``manual new KIND --title T``: a draft document or form with the next free code; ``manual new change
--document CODE``: a change request."""
from __future__ import annotations

from pathlib import Path

from ..authoring.scaffold import new_item
from . import options


def shown(path: Path) -> str:
    """``path`` relative to the current folder when it is below it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def run(args) -> int:
    root = options.root(args)
    lang = options.args_lang(args)
    created = new_item(root, kind=args.kind, title=args.title, chapter=args.chapter, document=args.document,
                       by=getattr(args, "by", None))
    print(shown(created.path))
    if args.kind == "change":
        options.note(lang, "cli.authoring.new_change", number=created.code, document=args.document,
                     quiet=args.quiet)
        return 0
    values = {"code": created.code, "title": created.title, "id": created.form_id}
    if args.kind != "form":
        options.note(lang, "cli.authoring.new_document", chapter=created.chapter, quiet=args.quiet, **values)
    elif created.document is None:
        options.note(lang, "cli.authoring.new_form_unused", quiet=args.quiet, **values)
    elif created.document_changed:
        options.note(lang, "cli.authoring.new_form_added", document=created.document.code,
                     quiet=args.quiet, **values)
    else:
        options.note(lang, "cli.authoring.new_form_in_force", document=created.document.code,
                     status=created.document.status, quiet=args.quiet, **values)
    return 0
