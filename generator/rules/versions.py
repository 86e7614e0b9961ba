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
fingerprint recorded by the ``approved`` (批准) sign-off, with the version that
the revision history shows in force on the approval date.
"""
from __future__ import annotations


from ..common.findings import error
from ..model.fingerprint import fingerprint
from ..model.versions import _date, baseline, version_key
from . import rule
from .approvals import items


@rule("revision-history")
def revision_history(manual):
    findings = []
    for item in items(manual):
        revisions = [r for r in item.meta.get("revisions") or [] if isinstance(r, dict)]
        version = item.meta.get("version")
        if version is None:
            continue
        if not revisions:
            findings.append(error("revision-history", item.loc("revisions"),
                                  f"the revision history has no entry for version {version}",
                                  f"修订记录中没有版本 {version} 的记录"))
            continue
        last = str(revisions[-1].get("version"))
        if last != str(version):
            line = item.loc("revisions", len(revisions) - 1).line
            findings.append(error("revision-history", item.loc("version"),
                                  f"the version is {version}, but the last revision-history entry (line {line}) "
                                  f"is {last}; add a revision entry for {version} or correct the version",
                                  f"版本为 {version}，但修订记录的最后一条（第 {line} 行）为 {last}；"
                                  f"请为 {version} 补充修订记录，或更正版本号"))
    return findings


@rule("revision-order")
def revision_order(manual):
    findings = []
    for item in items(manual):
        previous = None  # (index, version key, version, date)
        for i, entry in enumerate(item.meta.get("revisions") or []):
            if not isinstance(entry, dict):
                continue
            key, when = version_key(entry.get("version")), _date(entry.get("date"))
            if previous is not None:
                _, pkey, pversion, pdate = previous
                if key is not None and pkey is not None and key <= pkey:
                    findings.append(error(
                        "revision-order", item.loc("revisions", i, "version"),
                        f"revision {entry.get('version')} follows {pversion}: versions must increase down the "
                        "revision history",
                        f"修订记录中版本 {entry.get('version')} 排在 {pversion} 之后：版本号应逐条递增"))
                if when is not None and pdate is not None and when < pdate:
                    findings.append(error(
                        "revision-order", item.loc("revisions", i, "date"),
                        f"revision {entry.get('version')} is dated {when}, before the previous entry ({pdate}): "
                        "dates must not go back",
                        f"修订记录中版本 {entry.get('version')} 的日期 {when} 早于上一条（{pdate}）：日期不得倒退"))
            if key is not None:
                previous = (i, key, entry.get("version"), when or (previous[3] if previous else None))
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
        try:
            current = fingerprint(item, manual)
        except (TypeError, ValueError):
            continue
        if current == base.fingerprint:
            continue
        version = str(item.meta.get("version", ""))
        what = "the approval" if base.source == "approved" else base.source
        what_zh = "批准" if base.source == "approved" else base.source
        since = f"{what} on {base.date}" if base.date else what
        since_zh = f" {base.date} {what_zh}" if base.date else what_zh
        entry = None
        for r in item.meta.get("revisions") or []:
            if isinstance(r, dict) and str(r.get("version")) == version:
                entry = r
        vkey, bkey = version_key(version), version_key(base.version) if base.version else None
        if bkey is not None and vkey is not None and vkey <= bkey:
            dated = f" (revision entry of {entry['date']})" if entry and _date(entry.get("date")) else ""
            dated_zh = f"，修订记录日期 {entry['date']}" if entry and _date(entry.get("date")) else ""
            findings.append(error(
                "version-bump", item.loc("version"),
                f"the content changed since {since}, when version {base.version}{dated} was in force, but the "
                f"version is still {version}: a change needs a new version with a revision-history entry "
                f"dated{' on or after ' + str(base.date) if base.date else ''} that says what changed",
                f"内容自{since_zh}以来已改动（当时的版本为 {base.version}{dated_zh}），但版本仍为 {version}："
                f"请升级版本号，并{'在修订记录中新增一条 ' + str(base.date) + ' 或之后的记录，' if base.date else '在修订记录中'}"
                "写明改动内容"))
        elif entry is None:
            findings.append(error(
                "version-bump", item.loc("version"),
                f"the content changed since {since}, but the revision history has no entry for version {version}",
                f"内容自{since_zh}以来已改动，但修订记录中没有版本 {version} 的记录"))
        elif base.date and _date(entry.get("date")) and entry["date"] < base.date:
            findings.append(error(
                "version-bump", item.loc("version"),
                f"the content changed since {since}, but the revision entry for version {version} is dated "
                f"{entry['date']}, before that: add a new version with a revision entry for the change",
                f"内容自{since_zh}以来已改动，但版本 {version} 的修订记录日期为 {entry['date']}，早于该日期："
                "请为本次改动新增版本和修订记录"))
    return findings
