"""Sign-off: completeness for documents in force, and dates in order."""
from __future__ import annotations

from ..common.findings import error
from ..model import IN_FORCE, SIGNOFF_STEPS
from . import rule

LABELS = {"prepared": "编制", "reviewed": "审核", "approved": "批准"}


def _items(manual):
    return list(manual.documents) + list(manual.forms.values())


@rule("signoff-complete")
def signoff_complete(manual):
    findings = []
    for item in _items(manual):
        if item.status not in IN_FORCE:
            continue
        signoff = item.meta.get("signoff") or {}
        for step in SIGNOFF_STEPS:
            entry = signoff.get(step)
            if not isinstance(entry, dict):
                findings.append(error("signoff-complete", item.loc("signoff"),
                                      f"status is '{item.status}' but the {step} ({LABELS[step]}) sign-off is missing",
                                      f"状态为 '{item.status}'，但缺少{LABELS[step]}签署"))
                continue
            for key in ("name", "role", "date"):
                if not entry.get(key):
                    findings.append(error("signoff-complete", item.loc("signoff", step),
                                          f"the {step} ({LABELS[step]}) sign-off has no {key}",
                                          f"{LABELS[step]}签署缺少 {key}"))
    return findings


@rule("signoff-order")
def signoff_order(manual):
    findings = []
    for item in _items(manual):
        chain = [(step, s.date) for step in SIGNOFF_STEPS if (s := item.signoff(step)) and s.date]
        effective = item.meta.get("effective")
        if hasattr(effective, "isoformat"):
            chain.append(("effective", effective))
        for (a, da), (b, db) in zip(chain, chain[1:]):
            if db < da:
                path = ("effective",) if b == "effective" else ("signoff", b, "date")
                findings.append(error("signoff-order", item.loc(*path),
                                      f"the {b} date {db} is before the {a} date {da}; "
                                      "the order must be prepared ≤ reviewed ≤ approved ≤ effective",
                                      f"{b} 日期 {db} 早于 {a} 日期 {da}；顺序应为 编制 ≤ 审核 ≤ 批准 ≤ 生效"))
    return findings
