"""The partner's payment clock (直赔: payment to partners): each approved item's dates and the days waited."""
from __future__ import annotations

from datetime import datetime

import time_machine

from portal.timeutil import LOCAL_TZ
from tests.core.test_invoices_api import approved_quote, invoice_data, send_invoice
from tests.core.test_payments_api import pay


def test_days_waited_exact(client, factory):
    garage = factory.org("garage")
    h = factory.headers(factory.user(garage))
    admin = factory.headers(factory.admin())
    decided = datetime(2026, 11, 2, 23, 30, tzinfo=LOCAL_TZ)   # late evening: the local date counts
    paid_q = approved_quote(garage, "500.00", decided=decided)
    open_q = approved_quote(garage, "300.00", decided=decided)
    idle_q = approved_quote(garage, "200.00", decided=decided)
    with time_machine.travel(datetime(2026, 11, 10, 9, 0, tzinfo=LOCAL_TZ), tick=False):
        inv = send_invoice(client, h, {**invoice_data("500.00", [("quote", paid_q.id)]), "issued_on": "2026-11-09"})
        assert inv.status_code == 201, inv.json
        inv = inv.json
        r = send_invoice(client, h, {**invoice_data("300.00", [("quote", open_q.id)]), "issued_on": "2026-11-09"})
        assert r.status_code == 201
        assert pay(client, admin, inv["id"], "500.00", "PAY-1", value_date="2026-11-20").status_code == 201
    with time_machine.travel(datetime(2026, 12, 1, 9, 0, tzinfo=LOCAL_TZ), tick=False):
        r = client.get("/api/v1/payment-clock", headers=h)
    assert r.status_code == 200, r.json
    rows = {row["item"]["id"]: row for row in r.json}
    assert rows[paid_q.id]["approved_on"] == "2026-11-02"
    assert rows[paid_q.id]["invoiced_on"] == "2026-11-10"
    assert rows[paid_q.id]["paid_on"] == "2026-11-20"
    assert rows[paid_q.id]["days_waiting"] == 18 and rows[paid_q.id]["status"] == "paid"
    assert rows[open_q.id]["status"] == "invoiced" and rows[open_q.id]["paid_on"] is None
    assert rows[open_q.id]["days_waiting"] == 29
    assert rows[idle_q.id]["status"] == "approved" and rows[idle_q.id]["invoiced_on"] is None
    assert rows[paid_q.id]["item"]["paid"] == "500.00" and rows[open_q.id]["item"]["invoiced"] == "300.00"


def test_who_sees_which_clock(client, factory):
    garage, other = factory.org("garage"), factory.org("garage")
    h = factory.headers(factory.user(garage))
    approved_quote(garage)
    approved_quote(other)
    assert len(client.get("/api/v1/payment-clock", headers=h).json) == 1
    assert client.get(f"/api/v1/payment-clock?partner_id={other.id}", headers=h).status_code == 404
    staff = factory.headers(factory.user())
    assert len(client.get(f"/api/v1/payment-clock?partner_id={other.id}", headers=staff).json) == 1
    assert client.get("/api/v1/payment-clock", headers=staff).status_code == 422


def test_clock_query_count_does_not_grow(client, factory):
    from portal.extensions import db
    from tests.querycount import count_queries

    garage = factory.org("garage")
    gid = garage.id
    h = factory.headers(factory.user(garage))

    def add(n):
        from portal.auth.models import Organization

        g = db.session.get(Organization, gid)
        for _ in range(n):
            q = approved_quote(g, "100.00")
            send_invoice(client, h, invoice_data("100.00", [("quote", q.id)]))

    def measure():
        db.session.remove()
        with count_queries() as counter:
            assert client.get("/api/v1/payment-clock", headers=h).status_code == 200
        return counter.count

    add(2)
    first = measure()
    add(3)
    assert measure() == first
