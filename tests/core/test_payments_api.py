"""Payments the insurer's payment system reports (直赔: payment to partners): partial, full, reversals by
reference, never below zero paid, reconciled line by line, audited, one state machine."""
from __future__ import annotations

import pytest

from tests.core.test_invoices_api import approved_quote, invoice_data, send_invoice


@pytest.fixture
def invoiced(client, factory):
    garage = factory.org("garage")
    h = factory.headers(factory.user(garage))
    q1, q2 = approved_quote(garage, "600.00"), approved_quote(garage, "400.00")
    r = send_invoice(client, h, invoice_data("900.00", [("quote", q1.id), ("quote", q2.id)]))
    assert r.status_code == 201
    admin = factory.headers(factory.admin())
    return r.json["id"], h, admin, (q1.id, q2.id)


def pay(client, headers, invoice_id, amount, reference, value_date="2026-11-25"):
    return client.post("/api/v1/payments", headers=headers, json={"invoice_id": invoice_id, "amount": amount,
                                                                  "value_date": value_date, "reference": reference})


def test_partial_then_full(client, invoiced):
    invoice_id, h, admin, (q1, q2) = invoiced
    r = pay(client, admin, invoice_id, "700.00", "PAY-1")
    assert r.status_code == 201, r.json
    assert r.json["amount"] == "700.00" and r.json["reference"] == "PAY-1"
    inv = client.get(f"/api/v1/invoices/{invoice_id}", headers=h).json
    assert inv["status"] == "partly_paid" and inv["paid"] == "700.00" and inv["outstanding"] == "200.00"
    assert inv["payments"] == [{"amount": "700.00", "value_date": "2026-11-25", "reference": "PAY-1"}]
    # a short payment explained line by line
    assert inv["lines"] == [
        {"kind": "quote", "id": q1, "approved": "600.00", "invoiced": "600.00", "paid": "600.00", "difference": "0.00"},
        {"kind": "quote", "id": q2, "approved": "400.00", "invoiced": "300.00", "paid": "100.00",
         "difference": "200.00"}]
    assert pay(client, admin, invoice_id, "200.01", "PAY-2").status_code == 422
    assert pay(client, admin, invoice_id, "200.00", "PAY-2").status_code == 201
    inv = client.get(f"/api/v1/invoices/{invoice_id}", headers=h).json
    assert inv["status"] == "paid" and inv["outstanding"] == "0.00"


def test_reversal_moves_back(client, invoiced):
    invoice_id, h, admin, _ = invoiced
    assert pay(client, admin, invoice_id, "900.00", "PAY-1").status_code == 201
    r = pay(client, admin, invoice_id, "-100.00", "PAY-1")
    assert r.status_code == 201
    inv = client.get(f"/api/v1/invoices/{invoice_id}", headers=h).json
    assert inv["status"] == "partly_paid" and inv["paid"] == "800.00"
    assert pay(client, admin, invoice_id, "-800.00", "PAY-1").status_code == 201
    inv = client.get(f"/api/v1/invoices/{invoice_id}", headers=h).json
    assert inv["status"] == "submitted" and inv["paid"] == "0.00"


def test_reversal_beyond_paid_or_without_payment_422(client, invoiced):
    invoice_id, h, admin, _ = invoiced
    assert pay(client, admin, invoice_id, "-1.00", "PAY-X").status_code == 422
    assert pay(client, admin, invoice_id, "300.00", "PAY-1").status_code == 201
    assert pay(client, admin, invoice_id, "-300.01", "PAY-1").status_code == 422
    assert pay(client, admin, invoice_id, "-1.00", "PAY-2").status_code == 422
    assert pay(client, admin, invoice_id, "-300.00", "PAY-1").status_code == 201
    assert pay(client, admin, invoice_id, "-0.01", "PAY-1").status_code == 422


def test_same_reference_twice_409(client, invoiced):
    invoice_id, _, admin, _ = invoiced
    assert pay(client, admin, invoice_id, "1.00", "PAY-1").status_code == 201
    r = pay(client, admin, invoice_id, "1.00", "PAY-1")
    assert r.status_code == 409 and r.json["error"]["code"] == "invalid_state"


def test_bad_input_and_who_may_pay(client, factory, invoiced):
    invoice_id, h, admin, _ = invoiced
    assert pay(client, h, invoice_id, "1.00", "P").status_code == 403
    assert pay(client, factory.headers(factory.user()), invoice_id, "1.00", "P").status_code == 403
    for body in ({"invoice_id": invoice_id, "amount": "1.001", "value_date": "2026-11-25", "reference": "P"},
                 {"invoice_id": invoice_id, "amount": "0", "value_date": "2026-11-25", "reference": "P"},
                 {"invoice_id": invoice_id, "amount": "1", "value_date": "nope", "reference": "P"},
                 {"invoice_id": invoice_id, "amount": "1", "value_date": "2026-11-25", "reference": ""},
                 {"invoice_id": 99999, "amount": "1", "value_date": "2026-11-25", "reference": "P"},
                 {"invoice_id": "x", "amount": 1.5, "value_date": None, "reference": None}):
        r = client.post("/api/v1/payments", headers=admin, json=body)
        assert r.status_code == 422, (body, r.json)


def test_every_payment_and_transition_audited_and_events_emitted(client, invoiced, app):
    from portal.audit.models import AuditEntry
    from portal.extensions import db
    from portal.payments.services import INVOICE_FLOW, PAYMENTS_WRITE_SCOPE

    from portal.payments.models import Invoice

    invoice_id, h, admin, _ = invoiced
    org_id = db.session.get(Invoice, invoice_id).organization_id
    seen = []
    pm = app.extensions["portal_pm"]

    class Spy:
        from portal.hookspecs import hookimpl

        @hookimpl
        def portal_event(self, name, payload):
            seen.append((name, payload["organization_id"]))

    spy = Spy()
    pm.register(spy)
    try:
        pay(client, admin, invoice_id, "900.00", "PAY-1")
        pay(client, admin, invoice_id, "-900.00", "PAY-1")
    finally:
        pm.unregister(spy)
    rows = db.session.query(AuditEntry.entity, AuditEntry.action).filter(
        AuditEntry.entity.in_(["invoice", "payment"])).all()
    assert ("invoice", "pay_full") in rows and ("invoice", "reverse_all") in rows
    assert sum(1 for e, _ in rows if e == "payment") == 2
    assert ("invoice", "submit") in rows
    assert PAYMENTS_WRITE_SCOPE == "payments:write"
    assert INVOICE_FLOW.states == {"submitted", "partly_paid", "paid"}
    assert {"payment.recorded", "payment.reversed", "invoice.paid"} <= {n for n, _ in seen}
    assert {org for _, org in seen} == {org_id}


def test_the_payment_system_reports_with_a_key_scoped_payments_write(client, api_as, factory, invoiced):
    """The contract: ``POST /api/v1/payments`` takes an insurer key with the scope ``payments:write``;
    a key of the same admin without it is refused, and so is a person's token of a partner."""
    from tests.core.test_api_keys import make_key

    invoice_id, partner, _, _ = invoiced
    admin = factory.admin()
    paying = make_key(api_as, admin, scopes=["read", "payments:write"])["key"]
    reading = make_key(api_as, admin, scopes=["read"])["key"]
    refused = pay(client, {"Authorization": f"Bearer {reading}"}, invoice_id, "100.00", "PAY-K0")
    assert refused.status_code == 403, refused.json
    assert pay(client, partner, invoice_id, "100.00", "PAY-K0").status_code == 403
    answer = pay(client, {"Authorization": f"Bearer {paying}"}, invoice_id, "100.00", "PAY-K1")
    assert answer.status_code == 201, answer.json
