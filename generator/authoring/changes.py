"""``manual approve CR-YYYY-NNN --step reviewed|approved --as PERSON``: sign a change request (文件更改申请单).

A change request (``control/changes/CR-YYYY-NNN.yaml``) names who requested, reviewed and approved it
(``requested_by``, ``reviewed_by``, ``approved_by``: ``{person: id, date: D}`` or ``{name: N, date: D}``).
``manual new change`` writes the request with the two later steps as comments; this fills a step in place
(the commented line is replaced, comments and layout elsewhere kept), after checking what a person would be
told by ``manual check`` too late: the request exists, the signer is in ``manual/people.yaml``, the review
comes before the approval, the date is not after today (``MANUAL_TODAY`` / ``review.today`` pin it), and a
step already signed is not signed again.  That one person requests and approves (or reviews and approves) is
the check's ``change-sod`` finding, not refused here: the signature may be corrected afterwards.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from ..errors import UsageError
from ..model.build import read_manual
from ..read.control import CHANGES
from .yamltext import flow_mapping, read_source_text, write_source_text

NUMBER = re.compile(r"CR-\d{4}-\d{3}")
KEYS = {"prepared": "requested_by", "reviewed": "reviewed_by", "approved": "approved_by"}


def is_change_number(key: str) -> bool:
    return NUMBER.fullmatch(key) is not None


def approve_change(root: Path, number: str, step: str, *, name: str | None, person: str | None,
                   date: dt.date | None) -> dict:
    """Write ``step``'s signer into the change request ``number``; what was written (path, line, key, who)."""
    root = Path(root)
    path = root / CHANGES / f"{number}.yaml"
    rel = f"{CHANGES}/{number}.yaml"
    if not path.is_file():
        raise UsageError("cli.approve.change_unknown", number=number, path=rel)
    manual, _ = read_manual(root)
    request = next((c for c in manual.changes.values() if c.number == number or c.path == rel), None)
    if request is None:  # the file exists but cannot be read: manual check says why
        raise UsageError("cli.approve.change_unreadable", path=rel)
    from ..model.review import today

    now = today(manual)
    date = date or now
    if date > now:
        raise UsageError("cli.approve.change_future", date=date.isoformat(), today=now.isoformat())
    key = KEYS[step]
    if person is not None:
        if person not in manual.people:
            raise UsageError("cli.approve.change_person", person=person, path=manual.people_path)
        signer = {"person": person, "date": date.isoformat()}
        who = f"{manual.people[person].name}（{person}）"
    else:
        if not (name or "").strip():
            raise UsageError("cli.approve.name_empty")
        signer = {"name": name.strip(), "date": date.isoformat()}
        who = name.strip()
    text, eol, bom = read_source_text(path)
    if re.search(rf"^{key}\s*:", text, re.M):
        raise UsageError("cli.approve.change_signed_before", number=number, key=key, path=rel)
    if step == "approved" and not re.search(r"^reviewed_by\s*:", text, re.M):
        raise UsageError("cli.approve.change_not_reviewed", number=number)
    line = f"{key}: {flow_mapping(signer)}".replace(f"'{date.isoformat()}'", date.isoformat())  # a YAML date
    commented = re.compile(rf"^#\s*{key}\s*:.*$", re.M)
    if commented.search(text):
        text = commented.sub(lambda _m: line, text, count=1)
    else:
        anchor = next((m for k in ("reviewed_by", "requested_by")
                       for m in [re.search(rf"^{k}\s*:.*$", text, re.M)] if m), None)
        at = anchor.end() if anchor else len(text.rstrip("\n"))
        text = text[:at] + "\n" + line + text[at:]
    write_source_text(path, text if text.endswith("\n") else text + "\n", eol, bom)
    lineno = text[: text.index(line)].count("\n") + 1
    return {"path": rel, "line": lineno, "key": key, "who": who, "date": date.isoformat(), "number": number}
