"""``manual diff CODE [--since approved|EDITION|REV]``: what changed, clause by clause, as a redline.

On a terminal, additions are green and underlined, deletions red and struck through (rich);
otherwise (a pipe, a file, a test) the same lines carry plain markers: ``[+added+]``, ``[-deleted-]``.
Only the rows that changed are printed, each after a sign: ``~`` changed, ``+`` added, ``-`` deleted.
"""
from __future__ import annotations

import sys

from ..authoring.revise import changes_since, find
from ..errors import EXIT_OK, message
from ..model.build import read_manual
from . import options

SINCE = {"approved-git": "cli.diff.since_approved_git", "approved-edition": "cli.diff.since_approved_edition",
         "edition": "cli.diff.since_edition", "git": "cli.diff.since_git"}
SIGNS = {"change": "~", "insert": "+", "delete": "-"}
STYLES = {"insert": "green underline", "delete": "red strike"}
MARKERS = {"insert": ("[+", "+]"), "delete": ("[-", "-]")}


def since_label(since, lang: str) -> str:
    """Where the compared text came from, in words."""
    return message(SINCE[since.kind], lang, name=since.name,
                   date=since.date.isoformat() if since.date else "?")


def plain_row(row) -> str:
    return "".join(MARKERS[op][0] + text + MARKERS[op][1] if op in MARKERS else text for op, text in row["parts"])


def rows_changed(result) -> list[dict]:
    return [row for row in result["redline"] if row["op"] != "equal"]


def run(args) -> int:
    root = options.root(args)
    manual, _ = read_manual(root)
    lang = options.lang(args, manual)
    item = find(manual, args.code)
    result = changes_since(manual, item, args.since)
    out = sys.stdout
    old = result["old"]
    print(message("cli.diff.head", lang, path=item.path, key=item.code or item.id, title=item.title,
                  old_version=old.version or "?", version=item.version or "?",
                  since=since_label(result["since"], lang)), file=out)
    rows = rows_changed(result)
    if not rows:
        print(message("cli.diff.same" if result["same"] else "cli.diff.same_format", lang), file=out)
        return EXIT_OK
    if out.isatty():
        from rich.console import Console
        from rich.text import Text

        console = Console(file=out, highlight=False, soft_wrap=True)
        for row in rows:
            line = Text(SIGNS[row["op"]] + " ")
            for op, text in row["parts"]:
                line.append(text, style=STYLES.get(op, ""))
            console.print(line)
    else:
        for row in rows:
            print(SIGNS[row["op"]] + " " + plain_row(row), file=out)
    print(message("cli.diff.counts", lang, changed=result["changed"], added=result["added"],
                  deleted=result["deleted"]), file=out)
    return EXIT_OK
