"""``manual issue EDITION --to HOLDER [--copies N] [--date D]``: controlled copies of a released edition.

Each copy gets the next copy number (分发号) of the edition; its PDF is the edition's PDF with the 受控
stamp (copy number, holder, edition) over every page, appended as an incremental update
(``publishers.stamp``: the original's bytes and signature are kept inside the copy, and the same copy
made again is byte-identical), the edition's own file untouched, kept as
``control/copies/<E>/<E>-<NN>.pdf``; control/distribution.yaml records the issue with the copy's
SHA-256, by which ``manual verify COPY`` recognises it.  Under the build lock.

Refused: an EDITION that is not the name of a released edition (no ``/`` or ``..``), an edition a newer
release has superseded (clause 7.5.3: only the current edition is issued), a date before the edition's
release or after today (``MANUAL_TODAY`` / ``review.today`` pin it), a holder that is neither a post nor
a person of the registry (an id, or a name it lists once).
"""
from __future__ import annotations

import hashlib

from ..authoring.copies import next_numbers, record_issues
from ..errors import EXIT_OK, UsageError
from ..labels import labels
from ..model.build import read_manual
from ..model.review import today
from ..publishers.release import PDF_NAME
from ..publishers.stamp import controlled_copy
from ..read.control import copy_file
from ..read.editions import editions_dir
from . import options


def edition_name(value: str) -> str:
    """EDITION as a plain folder name of editions/ (never a path)."""
    if not value or "/" in value or "\\" in value or value in (".", "..") or value.startswith("."):
        raise UsageError("cli.issue.edition_name", edition=value)
    return value


def released_edition(manual, edition: str):
    """The model's record of the released ``edition`` (an ``EditionCheck``), or None."""
    return next((e for e in manual.editions if e.edition == edition), None)


def latest_released(manual) -> str | None:
    return ((manual.released or {}).get("_edition") or {}).get("edition") or None


def holder_id(manual, value: str) -> str:
    """A post, a person id, or a name the registry lists exactly once (→ that person's id)."""
    if value in manual.people or value in manual.roles:
        return value
    named = [pid for pid, p in manual.people.items() if p.name == value]
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        raise UsageError("cli.issue.holder_ambiguous", holder=value, ids=", ".join(named))
    raise UsageError("cli.issue.unknown_holder", holder=value)


def run(args) -> int:
    root = options.root(args)
    lang = options.args_lang(args)
    edition = edition_name(args.edition)
    date = options.date("--date", args.date)
    if args.copies < 1:
        raise UsageError("cli.issue.copies", count=args.copies)
    with options.locked(root, lang):
        pdf = editions_dir(root) / edition / PDF_NAME
        manual, _ = read_manual(root)
        info = released_edition(manual, edition)
        if info is None or not pdf.is_file():
            raise UsageError("cli.issue.no_edition", edition=edition)
        latest = latest_released(manual)
        if latest and latest != edition:
            raise UsageError("cli.issue.superseded", edition=edition, latest=latest)
        now = today(manual)
        issued = date or now
        if issued > now:
            raise UsageError("cli.issue.date_future", date=issued.isoformat(), today=now.isoformat())
        if info.released is not None and issued < info.released:
            raise UsageError("cli.issue.date_early", date=issued.isoformat(), edition=edition,
                             released=info.released.isoformat())
        holder = holder_id(manual, args.to)
        person = manual.people.get(holder)
        shown = f"{person.name}（{person.id}）" if person is not None else holder
        words = labels(manual.locale if manual.locale in ("zh-CN", "en") else "zh-CN")["copy_stamp"]
        entries = []
        for number in next_numbers(manual.copies, edition, args.copies):
            rel = copy_file(edition, number)
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            data = controlled_copy(pdf, root / rel, words["title"], [
                f"{words['copy_number']}：{number:02d}", f"{words['holder']}：{shown}",
                f"{words['edition']}：{edition}"])
            entries.append({"edition": edition, "copy": number, "holder": holder, "issued": issued,
                            "file": rel, "sha256": hashlib.sha256(data).hexdigest()})
        record_issues(root, entries)
    if not args.quiet:
        for entry in entries:
            options.tell(lang, "cli.issue.issued", edition=edition, copy=entry["copy"], holder=shown,
                         file=entry["file"])
    return EXIT_OK
