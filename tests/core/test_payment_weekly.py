"""The weekly approved-unpaid list (已决未付清单): age bands, the holiday-Monday rule, the XLSX,
and the days from approval to payment (median, p90)."""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import time_machine
from openpyxl import load_workbook

from portal.timeutil import LOCAL_TZ
from tests.core.test_invoices_api import approved_quote, invoice_data, send_invoice
from tests.core.test_payments_api import pay

MONDAY = date(2026, 12, 7)


def at(day: date, hour=9):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, 0, tzinfo=LOCAL_TZ), tick=False)


def approved_days_before(garage, days, amount="100.00"):
    d = MONDAY - timedelta(days=days)
    return approved_quote(garage, amount, decided=datetime(d.year, d.month, d.day, 23, 0, tzinfo=LOCAL_TZ))


def make_list_on(day):
    from portal.extensions import db
    from portal.payments.weekly import generate

    with at(day):
        generate()
    db.session.commit()


def login_as(web_login, user):
    from portal.extensions import db

    db.session.commit()
    web_login(user)
    db.session.commit()   # reading the user began a write transaction in the test's session: end it


def test_bands_at_their_boundaries_per_partner_and_office(client, factory, web_login):
    garage = factory.org("garage")
    for days, amount in ((0, "1.00"), (7, "2.00"), (8, "4.00"), (15, "8.00"), (16, "16.00"), (30, "32.00"),
                         (31, "64.00")):
        approved_days_before(garage, days, amount)
    make_list_on(MONDAY)
    login_as(web_login, factory.user())
    page = client.get(f"/payments/unpaid?week={MONDAY.isoformat()}")
    xlsx = client.get(f"/payments/unpaid?week={MONDAY.isoformat()}&format=xlsx")
    assert page.status_code == 200 and garage.name in page.get_data(as_text=True)
    rows = list(load_workbook(io.BytesIO(xlsx.data)).active.iter_rows(values_only=True))
    body = [r for r in rows[1:] if r[1] == garage.name]
    assert len(body) == 1
    assert [float(v) for v in body[0][2:7]] == [3.0, 12.0, 48.0, 64.0, 127.0] and body[0][7] == 7
    office = [r for r in rows[1:] if r[1] == "Shanghai"]
    assert [float(v) for v in office[0][2:7]] == [3.0, 12.0, 48.0, 64.0, 127.0]


def test_paid_items_leave_the_list_partly_paid_stay_with_the_rest(client, factory, web_login):
    garage = factory.org("garage")
    h = factory.headers(factory.user(garage))
    admin = factory.headers(factory.admin())
    full, part = approved_days_before(garage, 10, "300.00"), approved_days_before(garage, 10, "500.00")
    with at(MONDAY - timedelta(days=3)):
        a = send_invoice(client, h, invoice_data("300.00", [("quote", full.id)])).json
        b = send_invoice(client, h, invoice_data("500.00", [("quote", part.id)])).json
        assert pay(client, admin, a["id"], "300.00", "P-1", value_date="2026-12-04").status_code == 201
        assert pay(client, admin, b["id"], "200.00", "P-2", value_date="2026-12-04").status_code == 201
    make_list_on(MONDAY)
    login_as(web_login, factory.user())
    xlsx = client.get(f"/payments/unpaid?week={MONDAY.isoformat()}&format=xlsx")
    rows = [r for r in load_workbook(io.BytesIO(xlsx.data)).active.iter_rows(values_only=True) if r[1] == garage.name]
    assert float(rows[0][3]) == 300.0 and rows[0][7] == 1


def test_holiday_monday_runs_next_working_day_once(app, factory):
    from portal.calendar.services import set_override
    from portal.extensions import db
    from portal.payments.models import UnpaidList
    from portal.worker import run_jobs

    set_override(MONDAY, False, "停电", actor=factory.admin())
    approved_days_before(factory.org("garage"), 3)
    db.session.commit()
    job = "payments.weekly_unpaid_list"
    with at(MONDAY):
        assert run_jobs(job) == [(job, "not yet")]
    with at(MONDAY + timedelta(days=1)):
        assert run_jobs(job) == [(job, "1 unpaid items")]
        assert run_jobs(job) == [(job, "already made")]
    with at(MONDAY + timedelta(days=2)):
        assert run_jobs(job) == [(job, "already made")]
    stored = db.session.query(UnpaidList).all()
    assert [(s.week_start, s.list_date) for s in stored] == [(MONDAY, MONDAY + timedelta(days=1))]


def test_ordinary_monday_runs_on_monday_and_past_weeks_stay(app, client, factory, web_login):
    from portal.worker import run_jobs

    approved_days_before(factory.org("garage"), 3)
    job = "payments.weekly_unpaid_list"
    with at(MONDAY - timedelta(days=7)):
        assert run_jobs(job) == [(job, "0 unpaid items")]
    with at(MONDAY):
        assert run_jobs(job) == [(job, "1 unpaid items")]
    login_as(web_login, factory.user())
    old = client.get(f"/payments/unpaid?week={(MONDAY - timedelta(days=7)).isoformat()}")
    assert old.status_code == 200
    assert client.get("/payments/unpaid?week=2020-01-06").status_code == 404
    assert client.get("/payments/unpaid?week=not-a-date").status_code == 404


def test_cli_makes_the_list(app, factory):
    approved_days_before(factory.org("garage"), 3)
    with at(MONDAY):
        result = app.test_cli_runner().invoke(args=["unpaid-list"])
    assert result.exit_code == 0 and "2026-12-07: 1 unpaid items" in result.output


def test_button_makes_this_weeks_list(client, factory, web_login):
    from portal.extensions import db
    from portal.payments.models import UnpaidList

    approved_days_before(factory.org("garage"), 3)
    login_as(web_login, factory.user())
    assert client.post("/payments/unpaid").status_code == 302
    assert client.post("/payments/unpaid").status_code == 302   # again: the same week's list, made anew
    assert db.session.query(UnpaidList).count() == 1
    assert len(db.session.query(UnpaidList).one().lines) == 1


def test_partners_do_not_see_the_list(client, factory, web_login):
    login_as(web_login, factory.user(factory.org("garage")))
    assert client.get("/payments/unpaid").status_code == 404
    assert client.post("/payments/unpaid").status_code == 404


def test_percentiles_exact():
    from portal.payments.weekly import percentile_days

    assert percentile_days([]) == {"count": 0, "median": None, "p90": None}
    assert percentile_days([5]) == {"count": 1, "median": 5, "p90": 5}
    assert percentile_days([10, 1, 4, 3]) == {"count": 4, "median": 3.5, "p90": 10}
    assert percentile_days(list(range(1, 11))) == {"count": 10, "median": 5.5, "p90": 9}
    assert percentile_days(list(range(1, 12))) == {"count": 11, "median": 6, "p90": 10}


def test_payment_days_figure_on_the_page(client, factory, web_login):
    garage = factory.org("garage")
    h = factory.headers(factory.user(garage))
    admin = factory.headers(factory.admin())
    for days, value_date in ((20, "2026-11-27"), (20, "2026-12-04"), (20, "2026-11-20")):
        q = approved_days_before(garage, days, "100.00")   # approved 2026-11-17
        with at(MONDAY - timedelta(days=14)):
            inv = send_invoice(client, h, invoice_data("100.00", [("quote", q.id)])).json
            assert pay(client, admin, inv["id"], "100.00", f"R{value_date}", value_date=value_date).status_code == 201
    login_as(web_login, factory.user())
    html = client.get("/payments/unpaid").get_data(as_text=True)
    assert 'data-figure="payment-days"' in html and "10 · p90 17" in html


def test_dashboard_figure_for_staff_only(client, factory, web_login):
    garage = factory.org("garage")
    h = factory.headers(factory.user(garage))
    admin = factory.headers(factory.admin())
    q = approved_days_before(garage, 20, "100.00")   # approved 2026-11-17
    with at(MONDAY - timedelta(days=14)):
        inv = send_invoice(client, h, invoice_data("100.00", [("quote", q.id)])).json
        assert pay(client, admin, inv["id"], "100.00", "D-1", value_date="2026-11-24").status_code == 201
    login_as(web_login, factory.user())
    assert "7 / p90 7" in client.get("/").get_data(as_text=True)
    client.post("/logout")
    login_as(web_login, factory.user(garage))
    assert "p90" not in client.get("/").get_data(as_text=True)
