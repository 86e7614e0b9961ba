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


@rule("review-overdue")
def review_overdue(manual):
    on = today(manual)
    findings = []
    for doc, when in due(manual, on):
        last = last_reviewed(doc)
        where = doc.loc("last_review") if "last_review" in doc.meta else doc.loc("signoff", "approved", "date")
        months = interval_months(manual, doc)
        findings.append(warning(
            "review-overdue", where,
            f"review overdue: last reviewed or approved on {last}, every {months} month(s), so due on {when} "
            f"(today is {on}); review the document and update last_review",
            f"评审已逾期：上次评审或批准于 {last}，评审周期 {months} 个月，应于 {when} 前评审（今天是 {on}）；"
            "请评审本文件并更新 last_review"))
    return findings
