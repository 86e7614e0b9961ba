"""Review cycles: when each document is next due for review."""
from __future__ import annotations

import datetime as dt
import os

from ..errors import UsageError
from . import Document, Manual


def add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def interval_months(manual: Manual, doc: Document) -> int:
    if doc.review_months is not None and doc.review_months > 0:
        return doc.review_months
    return manual.review_default_months or 12


def last_reviewed(doc: Document) -> dt.date | None:
    """The later of the last review and the approval date."""
    dates = [doc.last_review] if doc.last_review is not None else []
    approved = doc.signoff("approved")
    if approved and approved.date:
        dates.append(approved.date)
    return max(dates) if dates else None


def next_review(manual: Manual, doc: Document) -> dt.date | None:
    last = last_reviewed(doc)
    return add_months(last, interval_months(manual, doc)) if last else None


def today(manual: Manual | None = None) -> dt.date:
    """Today, or a pinned date (``review.today`` in the config, or MANUAL_TODAY=YYYY-MM-DD)."""
    pinned = os.environ.get("MANUAL_TODAY")
    if pinned:
        try:
            return dt.date.fromisoformat(pinned)
        except ValueError:
            raise UsageError("errors.today_invalid", value=pinned) from None
    if manual is not None and manual.review_today is not None:
        return manual.review_today
    return dt.date.today()


def due(manual: Manual, on: dt.date | None = None) -> list[tuple[Document, dt.date]]:
    """Documents in force whose next review date is on or before ``on``."""
    on = on or today(manual)
    out = []
    for doc in manual.documents:
        if doc.status in ("approved", "effective"):
            when = next_review(manual, doc)
            if when and when <= on:
                out.append((doc, when))
    return out
