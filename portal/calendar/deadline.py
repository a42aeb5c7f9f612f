"""Review deadline (核损时效): close of business (17:00 Asia/Shanghai) of the N-th
working day after the submission day; N by the submitted total (tiers in config:
N = 1 below 20,000; 2 from 20,000 to 50,000; 3 above 50,000)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal

from flask import current_app

from ..timeutil import local_date, local_datetime
from .working_days import add_working_days


@dataclass(frozen=True)
class ReviewDeadline:
    due_at: datetime
    working_days: int
    source: str  # "official" or "fallback" (a year without official data was involved)


def review_working_days(amount: Decimal, tiers=None) -> int:
    """``tiers``: ``[(upper_bound_exclusive_or_None, n, inclusive_upper)]`` from config."""
    tiers = tiers or current_app.config["REVIEW_DEADLINE_TIERS"]
    for bound, n, inclusive in tiers:
        if bound is None:
            return n
        bound = Decimal(str(bound))
        if amount < bound or (inclusive and amount == bound):
            return n
    return tiers[-1][1]


def compute_review_deadline(submitted_at: datetime, amount: Decimal) -> ReviewDeadline:
    n = review_working_days(Decimal(amount))
    close = time.fromisoformat(current_app.config["REVIEW_CLOSE_OF_BUSINESS"])
    due_day, fallback = add_working_days(local_date(submitted_at), n)
    return ReviewDeadline(local_datetime(due_day, close), n, "fallback" if fallback else "official")


def working_days_ahead(start: datetime, n: int, close: str | None = None) -> datetime:
    """Close of business of the N-th working day after ``start``'s day (pickup deadlines)."""
    close_t = time.fromisoformat(close or current_app.config["REVIEW_CLOSE_OF_BUSINESS"])
    day, _ = add_working_days(local_date(start), n)
    return local_datetime(day, close_t)
