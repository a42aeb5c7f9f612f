"""``Period``: the one half-open, aware span every metric and period hook receives."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from portal.timeutil import LOCAL_TZ, UTC, Period


def local(y, m, d, h=0, mi=0, s=0, us=0):
    return datetime(y, m, d, h, mi, s, us, tzinfo=LOCAL_TZ)


def test_a_month_runs_from_local_midnight_to_the_next_months():
    p = Period.month("2026-10")
    assert (p.start, p.end) == (local(2026, 10, 1), local(2026, 11, 1))
    assert p.start.tzinfo is LOCAL_TZ and p.end.tzinfo is LOCAL_TZ
    # Asia/Shanghai midnight is 16:00 UTC the day before
    assert p.start.astimezone(UTC) == datetime(2026, 9, 30, 16, tzinfo=UTC)
    assert p.end.astimezone(UTC) == datetime(2026, 10, 31, 16, tzinfo=UTC)
    assert (p.first_day, p.last_day) == (date(2026, 10, 1), date(2026, 10, 31))
    assert p.label == "2026-10"


def test_december_runs_into_january():
    p = Period.month("2026-12")
    assert (p.start, p.end) == (local(2026, 12, 1), local(2027, 1, 1))
    assert (p.first_day, p.last_day) == (date(2026, 12, 1), date(2026, 12, 31))
    assert p.label == "2026-12"
    assert Period.month_of(date(2026, 12, 31)) == p


@pytest.mark.parametrize("month, last", [("2024-02", date(2024, 2, 29)),    # leap year
                                         ("2026-02", date(2026, 2, 28)),
                                         ("2000-02", date(2000, 2, 29)),    # divisible by 400: leap
                                         ("2100-02", date(2100, 2, 28))])   # divisible by 100: not
def test_february(month, last):
    p = Period.month(month)
    assert p.last_day == last
    assert p.end == local(last.year, 3, 1)
    assert local(last.year, last.month, last.day, 23, 59, 59, 999999) in p


def test_month_of_any_day_is_its_calendar_month():
    assert Period.month_of(date(2024, 2, 14)) == Period.month("2024-02")
    assert Period.month_of(date(2026, 1, 1)) == Period.of_days(date(2026, 1, 1), date(2026, 1, 31))


@pytest.mark.parametrize("bad", ["2026-13", "2026-00", "2026-3", "26-03", "2026-03-01", "", " 2026-03", None, 202603])
def test_a_month_must_be_yyyy_mm(bad):
    with pytest.raises(ValueError):
        Period.month(bad)


def test_the_start_is_in_and_the_end_is_out():
    p = Period.month("2026-03")
    assert p.start in p
    assert p.end not in p
    assert p.end - timedelta(microseconds=1) in p
    assert p.start - timedelta(microseconds=1) not in p
    # the same moments in another zone: membership is by the instant, not the wall clock
    assert datetime(2026, 2, 28, 16, tzinfo=UTC) in p                  # = 03-01 00:00 Shanghai
    assert datetime(2026, 3, 31, 16, tzinfo=UTC) not in p              # = 04-01 00:00 Shanghai
    assert datetime(2026, 3, 31, 15, 59, tzinfo=UTC) in p
    assert datetime(2026, 3, 1, 0, 30, tzinfo=timezone(timedelta(hours=9))) not in p   # = 02-28 23:30 Shanghai


def test_only_an_aware_datetime_can_be_in_a_period():
    p = Period.month("2026-03")
    with pytest.raises(TypeError):
        datetime(2026, 3, 5) in p     # naive
    with pytest.raises(TypeError):
        date(2026, 3, 5) in p         # a date is not a moment


def test_of_days_includes_the_last_day():
    p = Period.of_days(date(2026, 3, 10), date(2026, 3, 12))
    assert (p.start, p.end) == (local(2026, 3, 10), local(2026, 3, 13))
    assert (p.first_day, p.last_day) == (date(2026, 3, 10), date(2026, 3, 12))
    assert local(2026, 3, 12, 23, 59, 59) in p and local(2026, 3, 13) not in p
    assert p.label == "2026-03-10..2026-03-12"
    # a whole month given by its days is the month
    assert Period.of_days(date(2026, 3, 1), date(2026, 3, 31)) == Period.month("2026-03")
    assert Period.of_days(date(2026, 3, 1), date(2026, 3, 31)).label == "2026-03"
    with pytest.raises(ValueError):
        Period.of_days(date(2026, 3, 12), date(2026, 3, 10))


def test_one_day():
    p = Period.day(date(2026, 10, 5))
    assert (p.start, p.end) == (local(2026, 10, 5), local(2026, 10, 6))
    assert p.first_day == p.last_day == date(2026, 10, 5)
    assert p.label == "2026-10-05"
    assert p == Period.of_days(date(2026, 10, 5), date(2026, 10, 5))


def test_a_period_is_aware_and_does_not_run_backwards():
    with pytest.raises(TypeError):
        Period(datetime(2026, 3, 1), local(2026, 3, 2))
    with pytest.raises(TypeError):
        Period(local(2026, 3, 1), date(2026, 3, 2))
    with pytest.raises(ValueError):
        Period(local(2026, 3, 2), local(2026, 3, 1))


def test_a_period_of_moments():
    """Not every period is whole days (the last 90 days up to now): the days are those the
    moments fall on in Asia/Shanghai; the label is the ISO 8601 interval."""
    p = Period(datetime(2026, 3, 1, 1, 30, tzinfo=UTC), datetime(2026, 3, 1, 17, 0, tzinfo=UTC))
    assert (p.first_day, p.last_day) == (date(2026, 3, 1), date(2026, 3, 2))   # 09:30 and 01:00 the next day
    assert p.label == "2026-03-01T09:30:00+08:00/2026-03-02T01:00:00+08:00"


def test_equal_by_instant_hashable_and_frozen():
    a = Period.month("2026-03")
    b = Period(a.start.astimezone(UTC), a.end.astimezone(UTC))
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    with pytest.raises(AttributeError):
        a.start = local(2026, 1, 1)   # type: ignore[misc]
