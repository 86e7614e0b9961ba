"""``manual issue EDITION --to HOLDER [--copies N] [--date D]``: controlled copies of a released edition.

Each copy gets the next copy number (分发号) of the edition; its PDF is the edition's PDF with the 受控
stamp (copy number, holder, edition) over every page, appended as an incremental update
(``publishers.stamp``: the original's bytes and signature are kept inside the copy, and the same copy
made again is byte-identical), the edition's own file untouched, kept as
``control/copies/<E>/<E>-<NN>.pdf``; control/distribution.yaml records the issue with the copy's
SHA-256, by which ``manual verify COPY`` recognises it.  Under the build lock.
"""
from __future__ import annotations

import datetime as dt
import hashlib

from ..authoring.copies import next_numbers, record_issues
from ..errors import EXIT_OK, UsageError
from ..labels import labels
from ..model.build import read_manual
from ..publishers.release import PDF_NAME
from ..publishers.stamp import controlled_copy
from ..read.control import copy_file
from ..read.editions import editions_dir
from . import options


def run(args) -> int:
    root = options.root(args)
    lang = options.args_lang(args)
    issued = options.date("--date", args.date) or dt.date.today()
    if args.copies < 1:
        raise UsageError("cli.issue.copies", count=args.copies)
    with options.locked(root, lang):
        pdf = editions_dir(root) / args.edition / PDF_NAME
        if not pdf.is_file():
            raise UsageError("cli.issue.no_edition", edition=args.edition)
        manual, _ = read_manual(root)
        person = manual.people.get(args.to)
        if person is None and args.to not in manual.roles:
            raise UsageError("cli.issue.unknown_holder", holder=args.to)
        shown = f"{person.name}（{person.id}）" if person is not None else args.to
        words = labels(manual.locale if manual.locale in ("zh-CN", "en") else "zh-CN")["copy_stamp"]
        entries = []
        for number in next_numbers(manual.copies, args.edition, args.copies):
            rel = copy_file(args.edition, number)
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            data = controlled_copy(pdf, root / rel, words["title"], [
                f"{words['copy_number']}：{number:02d}", f"{words['holder']}：{shown}",
                f"{words['edition']}：{args.edition}"])
            entries.append({"edition": args.edition, "copy": number, "holder": args.to, "issued": issued,
                            "file": rel, "sha256": hashlib.sha256(data).hexdigest()})
        record_issues(root, entries)
    if not args.quiet:
        for entry in entries:
            options.tell(lang, "cli.issue.issued", edition=args.edition, copy=entry["copy"], holder=shown,
                         file=entry["file"])
    return EXIT_OK
