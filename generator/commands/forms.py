"""``manual forms fill FORM --data FILE.csv``: pre-filled PDF forms in batches."""
from __future__ import annotations

import sys
from pathlib import Path

from ..common.suggest import closest
from ..errors import EXIT_FINDINGS, EXIT_OK, CsvProblem, FormFontMissing, UsageError
from ..publishers.forms.fill import (MAX_REPORTED, fill_pdf, merge_filled, read_batch, row_file_name,
                                     write_batch)
from ..publishers.forms.pdf import fillable_pdf
from ..rules import report
from ..rules.check import check
from . import options


def run(args) -> int:
    if args.forms_command == "fill":
        return fill(args)
    raise UsageError("cli.forms.unknown_command", command=args.forms_command)


def find_form(manual, key: str):
    """A form by id, code or title."""
    if key in manual.forms:
        return manual.forms[key]
    for form in manual.forms.values():
        if key in (form.code, form.title):
            return form
    return None


def fill(args) -> int:
    root = options.root(args)
    manual, findings = check(root)
    lang = options.lang(args, manual)
    form = find_form(manual, args.form)
    if form is None:
        close = closest(args.form, sorted(manual.forms) + sorted(f.code for f in manual.forms.values() if f.code))
        raise UsageError("cli.forms.no_form_hint" if close else "cli.forms.no_form", form=args.form,
                         folder=root / "forms", close=close, forms=", ".join(sorted(manual.forms)))
    own = [f for f in findings if f.path == form.path and f.severity == "error"]
    if own:
        sys.stderr.write(report.as_text(own, lang))
        options.say(lang, "cli.forms.has_errors", path=form.path)
        return EXIT_FINDINGS
    data_path = Path(args.data)
    if not data_path.is_file():
        raise UsageError("cli.forms.no_data", path=data_path)
    csv_name = data_path.name
    try:
        batch = read_batch(form, data_path.read_bytes())
    except CsvProblem as exc:
        options.tell(lang, "cli.forms.csv_problem", file=csv_name, problem=exc.text(lang), stream=sys.stderr)
        return EXIT_FINDINGS
    if batch.errors:
        for err in batch.errors[:MAX_REPORTED]:
            print(err.text(csv_name, lang), file=sys.stderr)
        more = len(batch.errors) - MAX_REPORTED
        if more > 0:
            options.tell(lang, "cli.forms.more", count=more, stream=sys.stderr)
        options.say(lang, "cli.forms.problems", count=len(batch.errors), file=csv_name)
        return EXIT_FINDINGS
    if not batch.records:
        options.tell(lang, "cli.forms.no_rows", file=csv_name, stream=sys.stderr)
        return EXIT_FINDINGS
    try:
        template = fillable_pdf(manual, form, lang=lang)
    except FormFontMissing as exc:
        raise UsageError(exc.key, **exc.values) from None
    files: dict[str, bytes] = {}
    parts = []
    fonts: dict = {}
    key_column = batch.columns[0]
    for number, record in enumerate(batch.records, start=1):
        pdf = fill_pdf(template, record["pdf"], fonts=fonts)
        key = record["values"].get(key_column, "")
        key = "" if isinstance(key, (bool, list)) else str(key)
        files[row_file_name(number, key)] = pdf
        parts.append((f"r{number:04d}", record["pdf"]))
    files[f"{form.id}-all.pdf"] = merge_filled(template, parts, fonts=fonts)
    default = manual.root / "dist" / "forms" / "filled" / form.id
    folder = Path(args.out).resolve() if args.out else default
    with options.locked(manual.root, lang):
        write_batch(folder, files, replace_folder=args.out is None)
    if not args.quiet:
        options.tell(lang, "cli.forms.filled", code=form.code, title=form.title, count=len(batch.records),
                     merged=f"{form.id}-all.pdf", folder=folder, stream=sys.stderr)
    return EXIT_OK
