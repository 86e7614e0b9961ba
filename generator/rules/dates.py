"""Dates that cannot be right, and the effective date of what is in force.

* ``date-future``: a date that records something done — a revision, a review
  (``last_review``), a sign-off (of a document, a form or the manual) — lies
  after today.
* ``effective-date``: an ``effective`` document without an effective date, or
  an ``effective`` document or form whose effective date has not come yet
  (until then it is ``approved``).

Today is ``MANUAL_TODAY`` or ``review.today`` when pinned, else the real date
(``generator.model.review.today``), as for the review checks.  A date that is
written but is no date is the schema's finding, not these.
"""
from __future__ import annotations

from ..common.findings import error
from ..model import SIGNOFF_STEPS, Document
from ..model.review import today
from . import rule, written
from .approvals import items


@rule("date-future")
def date_future(manual):
    on = today(manual)
    findings = []

    def future(loc, date, what):
        if date is not None and date > on:
            findings.append(error("date-future", loc, f"date-future-{what}", date=date, today=on))

    for item in items(manual):
        for entry in item.revisions:
            future(item.loc("revisions", entry.index, "date"), entry.date, "revision")
        if isinstance(item, Document):
            future(item.loc("last_review"), item.last_review, "review")
        for s in item.signoffs():
            future(item.loc("signoff", s.step, "date"), s.date, "signoff")
    for step in SIGNOFF_STEPS:
        s = manual.signoff(step)
        if s is not None:
            future(manual.config_loc("signoff", step, "date"), s.date, "signoff")
    return findings


@rule("effective-date")
def effective_date(manual):
    on = today(manual)
    findings = []
    for item in items(manual):
        if item.status != "effective":
            continue
        if item.effective is None:
            if isinstance(item, Document) and not written(item, "effective"):
                findings.append(error("effective-date", item.loc("status"), "effective-date-missing"))
        elif item.effective > on:
            findings.append(error("effective-date", item.loc("effective"), "effective-date-future",
                                  date=item.effective, today=on))
    return findings
