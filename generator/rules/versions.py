"""Version discipline: changed content needs a new version and a revision entry.

* ``revision-history``: the revision history's last entry is the current
  ``version``.
* ``revision-order``: versions strictly increase down the history, and
  dates never go back.
* ``version-bump``: content that changed since the *baseline* — the last
  approved state — carries a higher version than the baseline and a
  revision entry for that version dated on or after the baseline.

The baseline (``generator.model.versions.baseline``) is the last released
edition's manifest entry of the item when an edition holds it, else the
fingerprint recorded by the ``approved`` (批准) sign-off, with the version it
records (``version:``, written by ``manual approve``); an older sign-off without
it takes the version the revision history shows in force on the approval date
(``generator.model.versions.approved_version``: a current version first dated on
the approval day itself counts as written after the approval).
"""
from __future__ import annotations

from ..common.findings import error, texts
from ..model.versions import baseline, version_key
from . import rule
from .approvals import items, safe_fingerprint


@rule("revision-history")
def revision_history(manual):
    findings = []
    for item in items(manual):
        if not item.version:
            continue
        if not item.revisions:
            findings.append(error("revision-history", item.loc("revisions"), "revision-history-empty",
                                  version=item.version))
            continue
        last = item.revisions[-1]
        if last.version != item.version:
            findings.append(error("revision-history", item.loc("version"), "revision-history", version=item.version,
                                  line=item.loc("revisions", last.index).line, last=last.version))
    return findings


@rule("revision-order")
def revision_order(manual):
    findings = []
    for item in items(manual):
        previous = None  # (version key, version, date)
        for entry in item.revisions:
            key = version_key(entry.version)
            if previous is not None:
                pkey, pversion, pdate = previous
                if key is not None and pkey is not None and key <= pkey:
                    findings.append(error("revision-order", item.loc("revisions", entry.index, "version"),
                                          "revision-order-version", version=entry.version, previous=pversion))
                if entry.date is not None and pdate is not None and entry.date < pdate:
                    findings.append(error("revision-order", item.loc("revisions", entry.index, "date"),
                                          "revision-order-date", version=entry.version, date=entry.date,
                                          previous_date=pdate))
            if key is not None:
                previous = (key, entry.version, entry.date or (previous[2] if previous else None))
    return findings


@rule("version-bump")
def version_bump(manual):
    findings = []
    for item in items(manual):
        if item.status == "superseded":
            continue
        base = baseline(manual, item)
        if base is None:
            continue
        current = safe_fingerprint(item, manual)
        if current is None or current == base.fingerprint:
            continue
        version = item.version
        what = texts("baseline-approval") if base.source == "approved" else base.source
        since = texts("baseline-since", what=what, date=base.date) if base.date else what
        entry = None
        for r in item.revisions:
            if r.version == version:
                entry = r
        vkey, bkey = version_key(version), version_key(base.version) if base.version else None
        if bkey is not None and vkey is not None and vkey <= bkey:
            findings.append(error(
                "version-bump", item.loc("version"), "version-bump", since=since, base_version=base.version,
                dated=texts("version-bump-dated", date=entry.date) if entry and entry.date else "",
                version=version, key=item.code or getattr(item, "id", ""),
                after=texts("version-bump-after", date=base.date) if base.date else texts("version-bump-anytime")))
        elif entry is None:
            findings.append(error("version-bump", item.loc("version"), "version-bump-no-entry", since=since,
                                  version=version))
        elif base.date and entry.date and entry.date < base.date:
            findings.append(error("version-bump", item.loc("version"), "version-bump-entry-before", since=since,
                                  version=version, date=entry.date))
    return findings
