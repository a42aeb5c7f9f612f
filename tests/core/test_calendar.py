"""Working calendar (工作日历) and the review deadline (核损时效)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from portal.calendar.deadline import compute_review_deadline, review_working_days
from portal.calendar.working_days import add_working_days, get_day
from portal.timeutil import LOCAL_TZ


def local(y, m, d, hh=10, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=LOCAL_TZ)


@pytest.mark.parametrize("amount, n", [("0.01", 1), ("19999.99", 1), ("20000", 2), ("20000.01", 2),
                                       ("50000", 2), ("50000.01", 3), ("1000000", 3)])
def test_tiers(amount, n):
    assert review_working_days(Decimal(amount)) == n


def test_spec_example_friday_to_monday():
    due = compute_review_deadline(local(2025, 6, 13), Decimal("12000"))  # Friday
    assert due.due_at == local(2025, 6, 16, 17) and due.working_days == 1 and due.source == "official"


@pytest.mark.parametrize("day, working", [
    ("2025-09-28", True),   # Sunday made a working day before National Day
    ("2025-10-01", False), ("2025-10-08", False),
    ("2025-10-11", True),   # Saturday made a working day after
    ("2025-10-12", False),
    ("2025-01-26", True), ("2025-02-08", True),   # Spring Festival 2025 make-up Sunday and Saturday
    ("2025-01-28", False), ("2025-02-04", False),
    ("2026-02-14", True), ("2026-02-28", True),   # Spring Festival 2026 make-up Saturdays
    ("2026-02-15", False), ("2026-02-23", False), ("2026-02-24", True),
    ("2026-09-20", True), ("2026-10-07", False), ("2026-10-08", True), ("2026-10-10", True),
])
def test_official_days(day, working):
    d = get_day(date.fromisoformat(day))
    assert d.working is working and d.source == "official"


@pytest.mark.parametrize("submitted, amount, due", [
    # National Day 2025: 10-01..10-08 off; 09-28 (Sun) and 10-11 (Sat) worked
    ((2025, 9, 27), "1000", (2025, 9, 28)),      # Saturday submission → the make-up Sunday
    ((2025, 9, 30), "1000", (2025, 10, 9)),      # before the holiday → first day back
    ((2025, 9, 30), "30000", (2025, 10, 10)),
    ((2025, 9, 30), "60000", (2025, 10, 11)),    # the 3rd working day is the make-up Saturday
    ((2025, 10, 10), "1000", (2025, 10, 11)),
    # Spring Festival 2025: 01-28..02-04 off; 01-26 (Sun) and 02-08 (Sat) worked
    ((2025, 1, 25), "1000", (2025, 1, 26)),
    ((2025, 1, 27), "1000", (2025, 2, 5)),
    ((2025, 2, 7), "20000", (2025, 2, 10)),      # Fri → Sat 02-08 (1) → Mon 02-10 (2)
    # Spring Festival 2026: 02-15..02-23 off; 02-14 (Sat) and 02-28 (Sat) worked
    ((2026, 2, 13), "1000", (2026, 2, 14)),
    ((2026, 2, 13), "50000", (2026, 2, 24)),     # 02-14 (1), 02-24 (2)
    ((2026, 2, 13), "50000.01", (2026, 2, 25)),
    ((2026, 2, 27), "1000", (2026, 2, 28)),
    # National Day 2026: 10-01..10-07 off; 09-20 (Sun) and 10-10 (Sat) worked
    ((2026, 9, 19), "19999.99", (2026, 9, 20)),
    ((2026, 9, 30), "1000", (2026, 10, 8)),
    ((2026, 10, 9), "1000", (2026, 10, 10)),
])
def test_deadlines_around_holidays(submitted, amount, due):
    result = compute_review_deadline(local(*submitted), Decimal(amount))
    assert result.due_at == local(*due, hh=17), result
    assert result.source == "official"


def test_submission_day_is_not_counted_even_at_night():
    # Monday 23:59 local is still Monday: due Tuesday 17:00
    assert compute_review_deadline(local(2025, 6, 9, 23, 59), Decimal("1")).due_at == local(2025, 6, 10, 17)


def test_override_wins(factory):
    from portal.calendar.services import set_override
    from portal.extensions import db

    set_override(date(2025, 6, 16), False, "公司停电", actor=factory.admin())
    db.session.commit()
    assert compute_review_deadline(local(2025, 6, 13), Decimal("12000")).due_at == local(2025, 6, 17, 17)
    set_override(date(2025, 10, 4), True, "年度结算加班")
    db.session.commit()
    assert compute_review_deadline(local(2025, 9, 30), Decimal("1000")).due_at == local(2025, 10, 4, 17)


def test_year_without_official_data_falls_back_to_monday_to_friday():
    from portal.calendar.working_days import has_official_data

    assert not has_official_data(2027)
    result = compute_review_deadline(local(2027, 1, 1), Decimal("1000"))  # a Friday
    assert result.due_at == local(2027, 1, 4, 17) and result.source == "fallback"
    assert get_day(date(2027, 1, 2)).source == "fallback" and not get_day(date(2027, 1, 2)).working
    # crossing from a known year into an unknown one says so as well
    assert compute_review_deadline(local(2026, 12, 31), Decimal("60000")).source == "fallback"


def test_fallback_year_honours_overrides():
    from portal.calendar.services import set_override
    from portal.extensions import db

    set_override(date(2027, 1, 4), False, "元旦")
    db.session.commit()
    result = compute_review_deadline(local(2027, 1, 1), Decimal("1000"))
    assert result.due_at == local(2027, 1, 5, 17) and result.source == "fallback"


def test_add_working_days_rejects_zero():
    with pytest.raises(ValueError):
        add_working_days(date(2025, 1, 1), 0)


# ---------------------------------------------------------------- API


def test_review_deadline_api(api_as, factory):
    api = api_as(factory.user())
    r = api.get("/calendar/review-deadline?submitted_at=2025-06-13T10:00:00%2B08:00&amount=12000")
    assert r.status_code == 200
    assert r.get_json() == {"due_at": "2025-06-16T17:00:00+08:00", "working_days": 1, "source": "official"}
    r = api.get("/calendar/review-deadline?submitted_at=2025-09-30T10:00:00&amount=50000.01")
    assert r.get_json()["due_at"] == "2025-10-11T17:00:00+08:00" and r.get_json()["working_days"] == 3
    r = api.get("/calendar/review-deadline?submitted_at=2027-01-01T10:00:00&amount=1")
    assert r.get_json()["source"] == "fallback"
    for bad in ("?amount=1", "?submitted_at=2025-06-13T10:00:00", "?submitted_at=x&amount=1",
                "?submitted_at=2025-06-13T10:00:00&amount=1.234", "?submitted_at=2025-06-13T10:00:00&amount=-5"):
        r = api.get("/calendar/review-deadline" + bad)
        assert r.status_code == 422, bad
    assert api_as().get("/calendar/review-deadline?submitted_at=2025-06-13T10:00:00&amount=1").status_code == 401


def test_days_api(api_as, factory):
    api = api_as(factory.user())
    r = api.get("/calendar/days?from=2025-09-27&to=2025-10-12")
    assert r.status_code == 200
    days = {d["date"]: d for d in r.get_json()}
    assert len(days) == 16
    assert days["2025-09-28"]["working"] is True and days["2025-09-28"]["name"]
    assert days["2025-10-01"] == {"date": "2025-10-01", "working": False, "name": "National Day",
                                  "source": "official"}
    assert days["2025-10-11"]["working"] is True
    assert days["2025-09-27"]["working"] is False and days["2025-09-27"]["name"] is None
    r = api.get("/calendar/days?from=2027-01-01&to=2027-01-03")
    assert [d["source"] for d in r.get_json()] == ["fallback"] * 3
    assert api.get("/calendar/days?from=2025-10-12&to=2025-10-01").status_code == 422
    assert api.get("/calendar/days?from=2025-01-01&to=2027-01-01").status_code == 422
    assert api.get("/calendar/days?from=2025-01-01").status_code == 422


def test_override_api_admin_only_and_audited(api_as, factory):
    admin = factory.admin()
    r = api_as(admin).put("/calendar/days/2027-02-08", json={"working": False, "name": "春节"})
    assert r.status_code == 200
    assert r.get_json() == {"date": "2027-02-08", "working": False, "name": "春节", "source": "override"}
    assert api_as(admin).get("/calendar/days?from=2027-02-08&to=2027-02-08").get_json()[0]["source"] == "override"
    assert api_as(factory.user()).put("/calendar/days/2027-02-09", json={"working": False}).status_code == 403
    assert api_as(admin).put("/calendar/days/2027-02-30", json={"working": False}).status_code == 422
    assert api_as(admin).put("/calendar/days/2027-02-09", json={"name": "x"}).status_code == 422
    r = api_as(admin).delete("/calendar/days/2027-02-08")
    assert r.get_json()["source"] == "fallback" and r.get_json()["working"] is True

    import sqlalchemy as sa

    from portal.audit.models import AuditEntry
    from portal.extensions import db

    rows = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity == "calendar")
                              .order_by(AuditEntry.id)).all()
    assert [(r.entity_id, r.action, r.actor_id) for r in rows] == [("2027-02-08", "override", admin.id),
                                                                   ("2027-02-08", "clear_override", admin.id)]
    assert rows[0].changes["working"] == [True, False]


def test_calendar_page_warns_about_fallback_year(client, factory, web_login, monkeypatch):
    from portal.calendar import services

    admin = factory.admin()
    web_login(admin)
    monkeypatch.setattr(services, "years_without_official_data", lambda horizon_days=120: [2027])
    r = client.get("/admin/calendar?month=2025-10")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert 'data-testid="fallback-warning"' in html and "2027" in html
    assert 'data-date="2025-10-11" data-working="true"' in html
    assert 'data-date="2025-10-01" data-working="false"' in html
    r = client.get("/")
    assert "2027" in r.get_data(as_text=True)
    r = client.post("/admin/calendar?month=2025-10", data={"day": "2025-10-13", "working": "0", "name": "测试"})
    assert r.status_code == 302
    assert 'data-date="2025-10-13" data-working="false"' in client.get("/admin/calendar?month=2025-10").get_data(
        as_text=True)


def test_calendar_page_is_for_admins(client, factory, web_login):
    web_login(factory.user())
    assert client.get("/admin/calendar").status_code == 403


def test_month_start_crosses_the_year_both_ways():
    """portal.timeutil.month_start, the one month step of the project (the salvage desk's
    chart, its nav widget, recovery periods, the previous evaluation period). The salvage
    desk answered 500 every December when it stepped months by hand."""
    from datetime import date

    from portal.timeutil import month_start

    assert month_start(date(2026, 12, 2), 1) == date(2027, 1, 1)
    assert month_start(date(2026, 12, 31)) == date(2026, 12, 1)
    assert month_start(date(2026, 3, 15), -5) == date(2025, 10, 1)
    assert month_start(date(2027, 1, 1), -12) == date(2026, 1, 1)
    assert month_start(date(2026, 11, 30), 2) == date(2027, 1, 1)
    assert month_start(date(2026, 1, 31), -1) == date(2025, 12, 1)
    from portal.evaluations.engine import previous_period

    assert previous_period("2026-01") == "2025-12" and previous_period("2026-12") == "2026-11"
