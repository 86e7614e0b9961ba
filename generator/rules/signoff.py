"""Sign-off: completeness for documents in force, and dates in order."""
from __future__ import annotations

from ..common.findings import error
from ..model import IN_FORCE, SIGNOFF_STEPS
from . import rule, written
from .approvals import items, step_zh


@rule("signoff-complete")
def signoff_complete(manual):
    findings = []
    for item in items(manual):
        if item.status not in IN_FORCE:
            continue
        for step in SIGNOFF_STEPS:
            entry = item.signoff(step)
            if entry is None:
                findings.append(error("signoff-complete", item.loc("signoff"), "signoff-missing", status=item.status,
                                      step=step, step_zh=step_zh(step)))
                continue
            for part in ("name", "role", "date"):
                if part == "date" and written(item, "signoff", step, "date"):
                    continue  # a date that is written but is no date: the schema's finding says so
                if not getattr(entry, part):
                    findings.append(error("signoff-complete", item.loc("signoff", step), "signoff-incomplete",
                                          step=step, step_zh=step_zh(step), part=part))
    return findings


@rule("signoff-order")
def signoff_order(manual):
    findings = []
    for item in items(manual):
        chain = [(step, s.date) for step in SIGNOFF_STEPS if (s := item.signoff(step)) and s.date]
        if item.effective is not None:
            chain.append(("effective", item.effective))
        for (a, da), (b, db) in zip(chain, chain[1:]):
            if db < da:
                path = ("effective",) if b == "effective" else ("signoff", b, "date")
                findings.append(error("signoff-order", item.loc(*path), "signoff-order", later=b, later_date=db,
                                      earlier=a, earlier_date=da))
    return findings
