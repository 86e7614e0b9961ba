"""Versions and baselines: the last approved or released state of a document or form."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from . import Document, Manual


@dataclass
class Baseline:
    fingerprint: str
    version: str | None  # the version the baseline content carried, when known
    date: dt.date | None  # when the baseline was fixed (approval or release date)
    source: str = "approved"  # "approved" (the 批准 sign-off) or "edition <name>"


def released_baseline(manual: Manual, item):
    """The item as the last released edition holds it (the version-discipline seam).

    Returns a ``Baseline`` or None when no released edition holds the item
    (then the approval sign-off is the baseline).  The reader loaded the latest
    edition's manifest index into the model (``manual.released``).
    """
    index = manual.released
    if not index:
        return None
    key = ("document", item.code) if isinstance(item, Document) else ("form", item.id)
    entry = index.get(key)
    if not entry or not entry.get("fingerprint"):
        return None
    edition = index["_edition"]
    released = None
    try:
        released = dt.date.fromisoformat(edition.get("released", ""))
    except ValueError:
        pass
    return Baseline(entry["fingerprint"], entry.get("version"), released, f"edition {edition.get('edition')}")


def version_key(version) -> tuple | None:
    """(major, minor, patch) of "1.2", or None when it is not a version."""
    try:
        parts = [int(p) for p in str(version).split(".")]
    except ValueError:
        return None
    if not parts or len(parts) > 3 or any(p < 0 for p in parts):
        return None
    return tuple(parts + [0] * (3 - len(parts)))


def version_on(item, day: dt.date | None) -> str | None:
    """The version the revision history shows in force on ``day``."""
    if day is None:
        return None
    version = None
    for entry in item.revisions:
        if entry.date is not None and entry.date <= day:
            version = entry.version
    return version


def approved_version(item, approved) -> str | None:
    """The version the 批准 sign-off ``approved`` approved.

    ``manual approve --step approved`` records it (``version:``).  An older
    sign-off without it falls back on the revision history: the version in
    force on the approval date.  When the current version's entry is dated on
    the approval day itself, the history cannot tell whether the approval saw
    it or it was added later that day; a version that changed content needs a
    bump, so the later reading wins: the highest earlier version dated on or
    before the approval is taken (when there is one).
    """
    if approved.version:
        return approved.version
    seen = version_on(item, approved.date)
    if seen is None or seen != item.version:
        return seen
    dated = [r for r in item.revisions if r.date is not None and r.date <= approved.date]
    if not dated or dated[-1].date != approved.date:
        return seen  # the current version was written before the approval day: the approval saw it
    key = version_key(seen)
    earlier = [r for r in dated if r.version != seen and (key is None or (version_key(r.version) or key) < key)]
    return earlier[-1].version if earlier else seen


def baseline(manual, item) -> Baseline | None:
    """The last approved state of ``item``, or None when there is none."""
    released = released_baseline(manual, item)
    if released is not None:
        return released
    approved = item.signoff("approved")
    if approved is None or not approved.fingerprint:
        return None
    return Baseline(approved.fingerprint, approved_version(item, approved), approved.date, "approved")
