"""Working days: an admin override wins; else the official schedule (chinese-calendar)
for the years it knows; else Monday–Friday, with ``source="fallback"`` so callers can
warn instead of failing."""
from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar
import sqlalchemy as sa

from ..extensions import db
from .models import CalendarOverride

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Day:
    date: date
    working: bool
    name: str | None
    source: str  # "override" | "official" | "fallback"


@functools.cache
def official_years() -> range:
    """The years chinese-calendar has the State Council's schedule for (fixed per release)."""
    years = sorted({d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays})
    return range(years[0], years[-1] + 1)


def has_official_data(year: int) -> bool:
    return year in official_years()


@functools.lru_cache(maxsize=8192)
def _official(day: date) -> Day | None:
    """The State Council's schedule for ``day`` (static data of the installed release, so
    remembered: chinese-calendar checks its whole table on every call)."""
    if not has_official_data(day.year):
        return None
    working = chinese_calendar.is_workday(day)
    _, holiday_name = chinese_calendar.get_holiday_detail(day)
    if working and day.weekday() >= 5:
        name = f"{holiday_name} (调休 make-up working day)" if holiday_name else "调休 make-up working day"
    elif not working and holiday_name:
        name = holiday_name
    else:
        name = None
    return Day(day, working, name, "official")


def _fallback(day: date) -> Day:
    return Day(day, day.weekday() < 5, None, "fallback")


def days_between(start: date, end: date) -> list[Day]:
    """Every day from ``start`` to ``end`` inclusive, with one query for the overrides."""
    o = CalendarOverride
    overrides = {d: (working, name) for d, working, name in db.session.execute(
        sa.select(o.day, o.working, o.name).where(o.day >= start, o.day <= end))}
    out = []
    day = start
    while day <= end:
        found = overrides.get(day)
        if found is not None:
            out.append(Day(day, found[0], found[1], "override"))
        else:
            out.append(_official(day) or _fallback(day))
        day += timedelta(days=1)
    return out


def get_day(day: date) -> Day:
    return days_between(day, day)[0]


def is_working_day(day: date) -> bool:
    return get_day(day).working


def add_working_days(start: date, n: int) -> tuple[date, bool]:
    """The N-th working day after ``start`` (``start`` itself not counted).
    Returns the day and whether any fallback (no official data) was used."""
    if n < 1:
        raise ValueError("n must be at least 1")
    window = 14 + n * 3
    found = 0
    fallback = False
    cursor = start + timedelta(days=1)
    while True:
        for d in days_between(cursor, cursor + timedelta(days=window - 1)):
            if d.source == "fallback":
                fallback = True
            if d.working:
                found += 1
                if found == n:
                    return d.date, fallback
        cursor += timedelta(days=window)
