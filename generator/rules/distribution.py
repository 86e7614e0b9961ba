"""Controlled copies: the distribution register (control/distribution.yaml) against the registry
and the released editions.

* ``copy-holder``: a copy is issued to a holder that is neither a person of manual/people.yaml nor a
  post of manual/roles.yaml; at the entry's ``holder``.
* ``copy-duplicate``: one copy number of one edition is issued twice; at the second entry's ``copy``.
* ``copy-edition``: a copy of an edition that editions/ does not hold (not released, or a path), issued
  before the edition's release, recalled before its issue, or dated after today; at the entry's
  ``edition``, ``issued`` or ``recalled``.
* ``copy-outstanding`` (warning): a copy of an edition that a newer released edition has superseded
  and that has not been recalled; at the entry, naming the holder and the copy number.
"""
from __future__ import annotations

from ..common.findings import error, warning
from ..model.review import today
from . import rule


def holder_known(manual, holder: str) -> bool:
    return holder in manual.people or holder in manual.roles


@rule("copy-holder")
def copy_holder(manual):
    if not manual.copies or not (manual.has_people or manual.has_org):
        return []
    return [error("copy-holder", manual.distribution_loc("copies", c.index, "holder"), "copy-holder-unknown",
                  holder=c.holder, edition=c.edition, copy=c.copy)
            for c in manual.copies if c.holder and not holder_known(manual, c.holder)]


@rule("copy-duplicate")
def copy_duplicate(manual):
    seen: dict[tuple[str, int], int] = {}
    findings = []
    for c in manual.copies:
        if c.copy is None or not c.edition:
            continue
        key = (c.edition, c.copy)
        if key in seen:
            findings.append(error("copy-duplicate", manual.distribution_loc("copies", c.index, "copy"),
                                  "copy-issued-twice", edition=c.edition, copy=c.copy, line=seen[key]))
        else:
            seen[key] = manual.distribution_loc("copies", c.index, "copy").line
    return findings


def latest_edition_name(manual) -> str | None:
    latest = (manual.released or {}).get("_edition") or {}
    return latest.get("edition") or None


@rule("copy-outstanding", severities=("warning",))
def copy_outstanding(manual):
    latest = latest_edition_name(manual)
    if latest is None:
        return []
    released = {e.edition for e in manual.editions}
    return [warning("copy-outstanding", manual.distribution_loc("copies", c.index), "copy-not-recalled",
                    edition=c.edition, copy=c.copy, holder=shown_holder(manual, c.holder), latest=latest)
            for c in manual.copies
            if c.edition in released and c.edition != latest and c.recalled is None]


def shown_holder(manual, holder: str) -> str:
    """A person as 姓名（id）, as status and the site show them; a post as written."""
    person = manual.people.get(holder)
    return f"{person.name}（{holder}）" if person is not None and person.name and person.name != holder else holder


@rule("copy-edition")
def copy_edition(manual):
    if not manual.copies:
        return []
    released = {e.edition: e.released for e in manual.editions}
    on = today(manual)
    findings = []
    for c in manual.copies:
        values = {"edition": c.edition, "copy": c.copy}
        if c.edition and c.edition not in released:
            findings.append(error("copy-edition", manual.distribution_loc("copies", c.index, "edition"),
                                  "copy-edition-unknown", **values))
        release_date = released.get(c.edition)
        if c.issued is not None and c.issued > on:
            findings.append(error("copy-edition", manual.distribution_loc("copies", c.index, "issued"),
                                  "copy-date-future", date=c.issued.isoformat(), today=on.isoformat(), **values))
        elif c.issued is not None and release_date is not None and c.issued < release_date:
            findings.append(error("copy-edition", manual.distribution_loc("copies", c.index, "issued"),
                                  "copy-issued-early", date=c.issued.isoformat(), released=release_date.isoformat(),
                                  **values))
        if c.recalled is not None and c.recalled > on:
            findings.append(error("copy-edition", manual.distribution_loc("copies", c.index, "recalled"),
                                  "copy-date-future", date=c.recalled.isoformat(), today=on.isoformat(), **values))
        elif c.recalled is not None and c.issued is not None and c.recalled < c.issued:
            findings.append(error("copy-edition", manual.distribution_loc("copies", c.index, "recalled"),
                                  "copy-recalled-early", date=c.recalled.isoformat(), issued=c.issued.isoformat(),
                                  **values))
    return findings
