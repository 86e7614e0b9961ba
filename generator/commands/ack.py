"""``manual ack sheet EDITION [--out DIR]`` and ``manual ack record FILE.csv``: read-and-acknowledge (阅知).

``sheet`` makes the paper 阅知确认表 of a released edition's substantive changes, one sheet per department
(``publishers.acksheet``); ``record`` checks every row of a CSV of signed acknowledgements and writes them,
all or nothing, into control/acks/ (``authoring.acks``).  Both under the build lock.
"""
from __future__ import annotations

import sys
from pathlib import Path

from ..errors import EXIT_FINDINGS, EXIT_OK, CsvProblem, UsageError
from ..labels import text
from . import options


def run(args) -> int:
    return record(args) if args.ack_command == "record" else sheet(args)


def record(args) -> int:
    from ..authoring.acks import read_rows, write_records
    from ..model.build import read_manual
    from ..model.review import today

    root = options.root(args)
    lang = options.args_lang(args)
    data_path = Path(args.file)
    if not data_path.is_file():
        raise UsageError("ack.record.no_file", path=data_path)
    name = data_path.name
    with options.locked(root, lang):
        manual, _ = read_manual(root)
        try:
            records, problems = read_rows(manual, data_path.read_bytes())
        except CsvProblem as exc:
            options.tell(lang, "cli.forms.csv_problem", file=name, problem=exc.text(lang), stream=sys.stderr)
            return EXIT_FINDINGS
        if problems:
            for p in problems:
                detail = text(f"ack.record.{p.key}", lang, **p.values)
                print(text("form_fill.row_error", lang, csv=name, row=p.row, column=p.column, message=detail),
                      file=sys.stderr)
            options.say(lang, "ack.record.problems", count=len(problems), file=name)
            return EXIT_FINDINGS
        if not records:
            options.say(lang, "ack.record.nothing", file=name)
            return EXIT_FINDINGS
        rel = write_records(root, records, today(manual), name)
    if not args.quiet:
        options.tell(lang, "ack.record.done", path=rel, count=len(records), file=name)
    return EXIT_OK


def sheet(args) -> int:
    from ..model.build import read_manual
    from ..publishers.acksheet import build_sheet
    from ..read.editions import editions_dir
    from .issue import edition_name

    root = options.root(args)
    lang = options.args_lang(args)
    edition_name(args.edition)  # a plain name of editions/, never a path
    if not (editions_dir(root) / args.edition / "manifest.json").is_file():
        raise UsageError("ack.sheet.no_edition", edition=args.edition)
    with options.locked(root, lang, out=args.out):
        manual, _ = read_manual(root)
        made = build_sheet(manual, args.edition, Path(args.out) if args.out else None)
    if made is None:
        options.say(lang, "ack.sheet.none", edition=args.edition)
        return EXIT_FINDINGS
    if not args.quiet:
        options.tell(lang, "ack.sheet.done", path=made["path"], departments=made["departments"],
                     people=made["people"])
    return EXIT_OK
