"""Times: stored in UTC with their zone, shown in Asia/Shanghai (the local zone)."""
from __future__ import annotations

from datetime import date, datetime, time, timezone

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
