"""Review cycles: a document in force is reviewed every N months.

The interval is ``review_months`` of the document, or the manual's
``review.default_months``; the next review is the later of ``last_review``
and the approval date, plus the interval (``generator.model.review``).  Today is
``MANUAL_TODAY`` or ``review.today`` when pinned (tests), else the real date.
An overdue document is a warning (an error under ``--strict``).
"""
from __future__ import annotations

from ..common.findings import warning
from ..model.review import due, interval_months, last_reviewed, today
from . import rule


@rule("review-overdue", severities=("warning",))
def review_overdue(manual):
    on = today(manual)
    findings = []
    for doc, when in due(manual, on):
        last = last_reviewed(doc)
        where = doc.loc("last_review") if doc.last_review is not None else doc.loc("signoff", "approved", "date")
        findings.append(warning("review-overdue", where, "review-overdue", last=last,
                                months=interval_months(manual, doc), due=when, today=on))
    return findings
