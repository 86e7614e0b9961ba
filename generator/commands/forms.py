"""``manual forms fill FORM --data FILE.csv``: pre-filled PDF forms in batches."""
from __future__ import annotations

import difflib
import sys
from pathlib import Path

from ..errors import EXIT_FINDINGS, CsvProblem, FormFontMissing, UsageError
from ..publishers.forms.fill import (MAX_REPORTED, fill_pdf, merge_filled, read_batch, row_file_name,
                                     write_batch)
from ..publishers.forms.pdf import fillable_pdf
from ..rules import report
from ..rules.check import check
from . import options


def run(args) -> int:
    if args.forms_command == "fill":
        return fill(args)
    raise UsageError(f"manual forms {args.forms_command}: unknown command")


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
        keys = sorted(manual.forms) + sorted(f.code for f in manual.forms.values() if f.code)
        close = difflib.get_close_matches(args.form, keys, n=1, cutoff=0.5)
        hint = f"; did you mean '{close[0]}'?" if close else f" (forms: {', '.join(sorted(manual.forms))})"
        raise UsageError(f"no form '{args.form}' in {root / 'forms'}{hint}")
    own = [f for f in findings if f.path == form.path and f.severity == "error"]
    if own:
        sys.stderr.write(report.as_text(own, lang))
        print(f"manual: {form.path} has errors; fix them before filling the form", file=sys.stderr)
        return EXIT_FINDINGS
    data_path = Path(args.data)
    if not data_path.is_file():
        raise UsageError(f"--data {data_path}: no such file")
    csv_name = data_path.name
    try:
        batch = read_batch(form, data_path.read_bytes())
    except CsvProblem as exc:
        print(f"{csv_name}: {exc.messages['en' if lang == 'en' else 'zh-CN']}", file=sys.stderr)
        return EXIT_FINDINGS
    if batch.errors:
        for err in batch.errors[:MAX_REPORTED]:
            print(err.text(csv_name, lang), file=sys.stderr)
        more = len(batch.errors) - MAX_REPORTED
        if more > 0:
            print(f"… and {more} more" if lang == "en" else f"……另有 {more} 处", file=sys.stderr)
        print(f"manual: {len(batch.errors)} problem(s) in {csv_name}; nothing was written" if lang == "en" else
              f"manual: {csv_name} 中有 {len(batch.errors)} 处问题；未写入任何文件", file=sys.stderr)
        return EXIT_FINDINGS
    if not batch.records:
        print(f"{csv_name}: no data rows below the header; nothing was written" if lang == "en" else
              f"{csv_name}：表头下没有数据行；未写入任何文件", file=sys.stderr)
        return EXIT_FINDINGS
    try:
        template = fillable_pdf(manual, form, lang=lang)
    except FormFontMissing as exc:
        raise UsageError(str(exc)) from None
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
    write_batch(folder, files, replace_folder=args.out is None)
    if not args.quiet:
        n = len(batch.records)
        print(f"{form.code} {form.title}: {n} filled PDF(s) and {form.id}-all.pdf → {folder}" if lang == "en" else
              f"{form.code} {form.title}：已生成 {n} 份预填表单及合并文件 {form.id}-all.pdf → {folder}",
              file=sys.stderr)
    return 0
