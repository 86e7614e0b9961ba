"""``manual import FILE --out DIR``: a legacy manual (.txt or .docx) as source files."""
from __future__ import annotations

from pathlib import Path

from ..authoring.importer import read_source, run_import, write_manual
from ..authoring.scaffold import check_empty_target
from ..errors import Message, UsageError
from ..labels import text as label_text
from . import options


def run(args) -> int:
    lang = args.lang or "zh-CN"  # the manual is written in zh-CN; its import-report.md and these lines in lang
    if args.year is not None and not 1900 <= args.year <= 2099:
        raise UsageError("cli.authoring.import_year", year=args.year)
    target = Path(args.out)
    check_empty_target(target.resolve())  # before the (slow) import
    try:
        source = read_source(Path(args.file))
    except Message:
        raise
    except Exception as exc:  # a damaged .docx (zip, XML): the command boundary says so, naming the file
        exc.input_path = str(args.file)
        raise
    if not source.text.strip():
        raise UsageError("cli.authoring.import_no_text", path=args.file)
    unit = "import_unit_paragraph" if source.path.suffix.lower() == ".docx" else "import_unit_line"
    options.note(lang, "cli.authoring.import_reading", path=args.file, count=len(source.lines),
                 unit=label_text(f"cli.authoring.{unit}", lang), quiet=args.quiet)
    result = run_import(source, year=args.year, placeholder_forms=args.placeholder_forms, lang=lang)
    write_manual(result, target, str(args.out), quiet=args.quiet, lang=lang)
    options.note(lang, "cli.authoring.import_done", documents=len(result.documents), forms=len(result.forms),
                 target=target, report=target / "import-report.md", quiet=args.quiet)
    return 0
