"""``manual forms fill FORM --data FILE.csv``: pre-filled PDF forms in batches."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

from ..common.suggest import closest
from ..errors import EXIT_FINDINGS, EXIT_OK, CsvProblem, FormFontMissing, UsageError
from ..publishers.forms.fill import check_rows, read_csv_file, space_needed, write_batch
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
    default = manual.root / "dist" / "forms" / "filled" / form.id
    folder = Path(args.out).resolve() if args.out else default
    if folder.exists() and not folder.is_dir():
        raise UsageError("cli.forms.out_not_a_folder", path=folder)
    try:
        table = read_csv_file(form, data_path)
        checked = check_rows(table)
    except CsvProblem as exc:
        options.tell(lang, "cli.forms.csv_problem", file=csv_name, problem=exc.text(lang), stream=sys.stderr)
        return EXIT_FINDINGS
    if checked.error_count:
        for err in checked.errors:
            print(err.text(csv_name, lang), file=sys.stderr)
        more = checked.error_count - len(checked.errors)
        if more > 0:
            options.tell(lang, "cli.forms.more", count=more, stream=sys.stderr)
        options.say(lang, "cli.forms.problems", count=checked.error_count, file=csv_name)
        return EXIT_FINDINGS
    if not checked.rows:
        options.tell(lang, "cli.forms.no_rows", file=csv_name, stream=sys.stderr)
        return EXIT_FINDINGS
    try:
        template = fillable_pdf(manual, form, lang=lang)
    except FormFontMissing as exc:
        raise UsageError(exc.key, **exc.values) from None
    _check_space(folder, space_needed(template, checked.rows), checked.rows)
    warnings: list = []
    with options.locked(manual.root, lang):
        write_batch(folder, form.id, template, table.records(), checked.rows, table.columns[0],
                    keep_others=args.out is not None, warnings=warnings)
    for warning in warnings:  # a value too long for its box: filled whole, shown in part
        print(warning.text(csv_name, lang, warning=True), file=sys.stderr)
    if not args.quiet:
        options.tell(lang, "cli.forms.filled", code=form.code, title=form.title, count=checked.rows,
                     merged=f"{form.id}-all.pdf", folder=folder, stream=sys.stderr)
    return EXIT_OK


def _check_space(folder: Path, needed: int, rows: int) -> None:
    """Refuse a batch that cannot fit on the disk, before writing any of it."""
    place = folder
    while not place.exists() and place != place.parent:
        place = place.parent
    free = shutil.disk_usage(place).free
    if free < needed:
        raise UsageError("cli.forms.no_space", rows=rows, needed=f"{needed / 1024 ** 3:.1f} GB",
                         free=f"{free / 1024 ** 3:.1f} GB", folder=folder)
