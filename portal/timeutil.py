"""Times: stored in UTC with their zone, shown in Asia/Shanghai (the local zone)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
UTC = timezone.utc


def utcnow() -> datetime:
    return datetime.now(UTC)


def local_now() -> datetime:
    return datetime.now(LOCAL_TZ)


def as_aware(value: datetime) -> datetime:
    """A request time without offset is Asia/Shanghai."""
    if value.tzinfo is None:
        return value.replace(tzinfo=LOCAL_TZ)
    return value


def to_local(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return as_aware(value).astimezone(LOCAL_TZ)


def local_date(value: datetime) -> date:
    return to_local(value).date()


def local_datetime(d: date, t: time) -> datetime:
    return datetime.combine(d, t, tzinfo=LOCAL_TZ)


def month_start(d: date, months: int = 0) -> date:
    """The first day of the month ``months`` after ``d``'s (negative: before it)."""
    year, month0 = divmod(d.year * 12 + d.month - 1 + months, 12)
    return date(year, month0 + 1, 1)


MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Period:
    """A span of time: ``start`` included, ``end`` excluded, both aware datetimes.

    The one value every scorecard metric and every period hook receives. A period of days
    runs from the Asia/Shanghai midnight of its first day to the midnight after its last
    day (``Period.of_days``, ``Period.day``, ``Period.month``); compare timestamps with
    ``start <= t < end`` (or ``t in period``), local dates with ``first_day`` and
    ``last_day`` (both included)."""

    start: datetime
    end: datetime

    def __post_init__(self):
        for name in ("start", "end"):
            value = getattr(self, name)
            if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
                raise TypeError(f"Period.{name} must be an aware datetime, not {value!r}")
        if self.end < self.start:
            raise ValueError(f"Period ends ({self.end.isoformat()}) before it starts ({self.start.isoformat()})")

    @classmethod
    def of_days(cls, first_day: date, last_day: date) -> Period:
        """Local days ``first_day`` to ``last_day``, both included."""
        if last_day < first_day:
            raise ValueError(f"Period's last day {last_day} is before its first day {first_day}")
        return cls(local_datetime(first_day, time.min), local_datetime(last_day + timedelta(days=1), time.min))

    @classmethod
    def day(cls, d: date) -> Period:
        """One local day."""
        return cls.of_days(d, d)

    @classmethod
    def month_of(cls, d: date) -> Period:
        """The local calendar month that ``d`` falls in."""
        return cls(local_datetime(month_start(d), time.min), local_datetime(month_start(d, 1), time.min))

    @classmethod
    def month(cls, text: str) -> Period:
        """The local calendar month ``"YYYY-MM"``; anything else raises ``ValueError``."""
        m = MONTH_RE.match(text) if isinstance(text, str) else None
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise ValueError(f"Not a month as YYYY-MM: {text!r}")
        return cls.month_of(date(int(m.group(1)), int(m.group(2)), 1))

    @property
    def first_day(self) -> date:
        """The local date of ``start``."""
        return to_local(self.start).date()

    @property
    def last_day(self) -> date:
        """The local date of the last moment inside the period (the day before ``end``
        when it is a midnight)."""
        return to_local(self.end - timedelta(microseconds=1)).date()

    def _whole_days(self) -> bool:
        """Both ends are Asia/Shanghai midnights."""
        return all(to_local(v).time() == time.min for v in (self.start, self.end))

    @property
    def label(self) -> str:
        """``2026-10`` for a calendar month, ``2026-10-05`` for one day, ``2026-10-01..2026-10-15``
        for other whole days (both included), else the ISO 8601 interval ``start/end``."""
        if self._whole_days() and self.end > self.start:
            first, last = self.first_day, self.last_day
            if first.day == 1 and last + timedelta(days=1) == month_start(first, 1):
                return first.strftime("%Y-%m")
            if first == last:
                return first.isoformat()
            return f"{first.isoformat()}..{last.isoformat()}"
        return f"{isoformat(self.start)}/{isoformat(self.end)}"

    def __contains__(self, moment: datetime) -> bool:
        if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
            raise TypeError(f"Only an aware datetime can be in a Period, not {moment!r}")
        return self.start <= moment < self.end


def isoformat(value: datetime | None) -> str | None:
    """Responses: ISO 8601 with the Asia/Shanghai offset."""
    if value is None:
        return None
    return to_local(value).isoformat()


class AwareDateTime(TypeDecorator):
    """Timezone-aware datetimes on every backend.

    PostgreSQL keeps ``timestamptz``; SQLite has no zone type, so the value is stored
    normalised to UTC and given its zone back when read.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError("AwareDateTime needs a datetime")
        value = as_aware(value).astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
