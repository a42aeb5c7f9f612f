"""Admins' overrides of the working calendar (调整工作日), audited."""
from __future__ import annotations

from datetime import date, timedelta

from ..audit.services import record_audit
from ..errors import Invalid
from ..extensions import db
from ..timeutil import local_now, utcnow
from .models import CalendarOverride
from .working_days import get_day, has_official_data

MAX_RANGE_DAYS = 400


def parse_day(text: str, field: str = "date") -> date:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise Invalid.field(field, "A date as YYYY-MM-DD.") from None


def check_range(start: date, end: date) -> None:
    if end < start:
        raise Invalid.field("to", "Must not be before 'from'.")
    if (end - start).days >= MAX_RANGE_DAYS:
        raise Invalid.field("to", f"At most {MAX_RANGE_DAYS} days at once.")


def set_override(day: date, working: bool, name: str | None, actor=None) -> CalendarOverride:
    """Make ``day`` a working day or a day off, whatever the official schedule says."""
    before = get_day(day)
    row = db.session.get(CalendarOverride, day)
    if row is None:
        row = CalendarOverride(day=day)
        db.session.add(row)
    row.working = bool(working)
    row.name = (name or "").strip() or None
    row.set_by_id = getattr(actor, "id", None)
    row.set_at = utcnow()
    db.session.flush()
    record_audit("calendar", day.isoformat(), "override",
                 {"working": [before.working, row.working], "name": [before.name, row.name],
                  "source": [before.source, "override"]}, actor=actor)
    return row


def clear_override(day: date, actor=None) -> bool:
    """Back to the official schedule (or Monday–Friday); False if there was none."""
    row = db.session.get(CalendarOverride, day)
    if row is None:
        return False
    before = (row.working, row.name)
    db.session.delete(row)
    db.session.flush()
    after = get_day(day)
    record_audit("calendar", day.isoformat(), "clear_override",
                 {"working": [before[0], after.working], "name": [before[1], after.name],
                  "source": ["override", after.source]}, actor=actor)
    return True


def years_without_official_data(horizon_days: int = 120) -> list[int]:
    """Years from today to ``horizon_days`` ahead that have no official schedule: the
    calendar falls back to Monday–Friday there and admins are warned."""
    today = local_now().date()
    years = sorted({today.year, (today + timedelta(days=horizon_days)).year})
    return [y for y in years if not has_official_data(y)]
