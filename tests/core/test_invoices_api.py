"""Invoices against approved work (直赔: payment to partners): the amount never above what is approved and not
yet invoiced, numbers and codes of the right shape, tax consistent with the rate, a scan by content."""
from __future__ import annotations

import io
import itertools
import json
from datetime import datetime
from decimal import Decimal

import pytest

from portal.timeutil import LOCAL_TZ
from tests.images import JPEG, PNG

_seq = itertools.count(1)
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def approved_quote(garage, amount="1000.00", decided=datetime(2026, 11, 2, 10, 0, tzinfo=LOCAL_TZ)):
    """An approved quote of ``garage`` on a fresh claim (the garages plugin's payable item)."""
    from plugins.garages.models import Quote
    from portal.extensions import db
    from tests.plugins.garages.conftest import make_claim

    claim = make_claim(garage)
    quote = Quote(claim_id=claim.id, garage_id=garage.id, status="approved", total_submitted=Decimal(amount),
                  total_approved=Decimal(amount), decided_at=decided)
    db.session.add(quote)
    db.session.commit()
    return quote


def invoice_data(amount="1000.00", items=(), number=None, code=None, rate="0.13", tax=None):
    amount_d = Decimal(amount)
    rate_d = Decimal(rate)
    if tax is None:
        tax = str((amount_d * rate_d / (1 + rate_d)).quantize(Decimal("0.01")))
    return {"number": number or f"{next(_seq):020d}", "code": code, "issued_on": "2026-11-20", "amount": amount,
            "tax_rate": rate, "tax": tax, "items": [{"kind": k, "id": i} for k, i in items]}


def send_invoice(client, headers, data, scan=PDF_BYTES, filename="invoice.pdf"):
    return client.post("/api/v1/invoices", headers=headers,
                       data={"data": json.dumps(data), "file": (io.BytesIO(scan), filename)},
                       content_type="multipart/form-data")


@pytest.fixture
def garage_setup(factory):
    garage = factory.org("garage")
    user = factory.user(garage)
    return garage, factory.headers(user)


def test_equal_to_the_remaining_amount_is_accepted_one_fen_more_refused(client, garage_setup):
    garage, h = garage_setup
    quote = approved_quote(garage, "1000.00")
    r = send_invoice(client, h, invoice_data("1000.01", [("quote", quote.id)]))
    assert r.status_code == 422, r.json
    assert r.json["error"]["details"]["difference"] == ["0.01"]
    r = send_invoice(client, h, invoice_data("1000.00", [("quote", quote.id)]))
    assert r.status_code == 201, r.json
    assert r.json["status"] == "submitted" and r.json["amount"] == "1000.00"
    assert r.json["items"] == [{"kind": "quote", "id": quote.id, "amount": "1000.00"}]


def test_two_invoices_splitting_an_item_cannot_together_exceed_it(client, garage_setup):
    garage, h = garage_setup
    quote = approved_quote(garage, "1000.00")
    assert send_invoice(client, h, invoice_data("600.00", [("quote", quote.id)])).status_code == 201
    r = send_invoice(client, h, invoice_data("400.01", [("quote", quote.id)]))
    assert r.status_code == 422 and r.json["error"]["details"]["difference"] == ["0.01"]
    assert send_invoice(client, h, invoice_data("400.00", [("quote", quote.id)])).status_code == 201
    r = send_invoice(client, h, invoice_data("0.01", [("quote", quote.id)]))
    assert r.status_code == 422


def test_one_invoice_over_two_items(client, garage_setup):
    garage, h = garage_setup
    q1, q2 = approved_quote(garage, "300.00"), approved_quote(garage, "200.00")
    r = send_invoice(client, h, invoice_data("450.00", [("quote", q1.id), ("quote", q2.id)]))
    assert r.status_code == 201
    assert [i["amount"] for i in r.json["items"]] == ["300.00", "150.00"]


def test_duplicate_number_409(client, garage_setup):
    garage, h = garage_setup
    quote = approved_quote(garage, "1000.00")
    data = invoice_data("100.00", [("quote", quote.id)], number="12345678901234567890")
    assert send_invoice(client, h, data).status_code == 201
    r = send_invoice(client, h, data)
    assert r.status_code == 409 and r.json["error"]["code"] == "invalid_state"


@pytest.mark.parametrize("number,code,ok", [
    ("12345678901234567890", None, True),
    ("1234567890123456789", None, False),
    ("1234567890123456789X", None, False),
    ("12345678", "1234567890", True),
    ("12345678", "123456789012", True),
    ("12345678", "12345678901", False),
    ("1234567", "1234567890", False),
])
def test_number_and_code_shapes(client, garage_setup, number, code, ok):
    garage, h = garage_setup
    quote = approved_quote(garage, "1000.00")
    r = send_invoice(client, h, invoice_data("100.00", [("quote", quote.id)], number=number, code=code))
    assert r.status_code == (201 if ok else 422), r.json
    if not ok:
        assert set(r.json["error"]["details"]) <= {"number", "code"}


@pytest.mark.parametrize("tax,ok", [("115.04", True), ("115.05", True), ("115.03", True),
                                    ("115.06", False), ("115.02", False), ("0", False)])
def test_tax_consistent_with_rate(client, garage_setup, tax, ok):
    garage, h = garage_setup
    quote = approved_quote(garage, "1000.00")
    # 1000 × 0.13 / 1.13 = 115.044… → 115.04, within 0.01
    r = send_invoice(client, h, invoice_data("1000.00", [("quote", quote.id)], tax=tax))
    assert r.status_code == (201 if ok else 422), r.json
    if not ok:
        assert "tax" in r.json["error"]["details"]


def test_unknown_rate_refused(client, garage_setup):
    garage, h = garage_setup
    quote = approved_quote(garage)
    r = send_invoice(client, h, invoice_data("100.00", [("quote", quote.id)], rate="0.12"))
    assert r.status_code == 422 and "tax_rate" in r.json["error"]["details"]


@pytest.mark.parametrize("scan,ok", [(PDF_BYTES, True), (JPEG, True), (PNG, True), (b"garbage bytes", False),
                                     (b"", False)])
def test_scan_type_by_content(client, garage_setup, scan, ok):
    garage, h = garage_setup
    quote = approved_quote(garage)
    r = send_invoice(client, h, invoice_data("100.00", [("quote", quote.id)]), scan=scan, filename="invoice.pdf")
    assert r.status_code == (201 if ok else 422), r.json
    if not ok:
        assert "file" in r.json["error"]["details"]


def test_refused_invoice_leaves_nothing_behind(client, garage_setup, app):
    from portal.extensions import db
    from portal.payments.models import Invoice

    garage, h = garage_setup
    quote = approved_quote(garage, "10.00")
    assert send_invoice(client, h, invoice_data("10.01", [("quote", quote.id)])).status_code == 422
    assert db.session.query(Invoice).count() == 0


def test_another_orgs_item_and_invoice(client, factory, garage_setup):
    garage, h = garage_setup
    other = factory.org("garage")
    other_h = factory.headers(factory.user(other))
    theirs = approved_quote(other)
    r = send_invoice(client, h, invoice_data("100.00", [("quote", theirs.id)]))
    assert r.status_code == 422 and "items" in r.json["error"]["details"]
    mine = approved_quote(garage)
    created = send_invoice(client, h, invoice_data("100.00", [("quote", mine.id)])).json
    assert client.get(f"/api/v1/invoices/{created['id']}", headers=other_h).status_code == 404
    assert client.get(f"/api/v1/invoices/{created['id']}", headers=h).status_code == 200
    assert client.get("/api/v1/invoices", headers=other_h).json["total"] == 0
    staff = factory.headers(factory.user())
    assert client.get(f"/api/v1/invoices/{created['id']}", headers=staff).status_code == 200


def test_bad_data_never_500(client, garage_setup):
    _, h = garage_setup
    r = client.post("/api/v1/invoices", headers=h, data={"data": "{not json", "file": (io.BytesIO(PDF_BYTES), "a.pdf")},
                    content_type="multipart/form-data")
    assert r.status_code == 422
    r = send_invoice(client, h, {"number": 5, "amount": 1.5, "items": "x", "tax_rate": None})
    assert r.status_code == 422
    r = send_invoice(client, h, ["a list"])
    assert r.status_code == 422


def test_staff_may_not_send_invoices(client, factory):
    r = send_invoice(client, factory.headers(factory.user()), invoice_data("1.00", [("quote", 1)]))
    assert r.status_code == 403


def test_list_filters_and_query_count(client, garage_setup):
    from portal.extensions import db
    from tests.querycount import count_queries

    garage, h = garage_setup
    garage_id = garage.id
    for _ in range(3):
        q = approved_quote(garage, "100.00")
        send_invoice(client, h, invoice_data("100.00", [("quote", q.id)]))
    db.session.remove()
    with count_queries() as counter:
        r = client.get("/api/v1/invoices?status=submitted", headers=h)
    assert r.status_code == 200 and r.json["total"] == 3
    first = counter.count
    from portal.auth.models import Organization

    garage = db.session.get(Organization, garage_id)
    for _ in range(3):
        q = approved_quote(garage, "100.00")
        send_invoice(client, h, invoice_data("100.00", [("quote", q.id)]))
    db.session.remove()
    with count_queries() as counter:
        r = client.get("/api/v1/invoices", headers=h)
    assert r.json["total"] == 6 and counter.count == first
    assert client.get("/api/v1/invoices?status=paid", headers=h).json["total"] == 0
    assert client.get("/api/v1/invoices?status=nonsense", headers=h).status_code == 422
    r = client.get("/api/v1/invoices?updated_since=2026-01-01T00:00:00", headers=h)
    assert r.json["total"] == 6, r.json
    assert client.get("/api/v1/invoices?updated_since=2099-01-01T00:00:00", headers=h).json["total"] == 0
    newest = client.get("/api/v1/invoices?sort=-updated_at", headers=h).json["items"]
    oldest = client.get("/api/v1/invoices?sort=updated_at", headers=h).json["items"]
    assert [i["id"] for i in newest] == [i["id"] for i in reversed(oldest)]
    assert [(i["updated_at"], i["id"]) for i in oldest] == sorted((i["updated_at"], i["id"]) for i in oldest)
    assert client.get("/api/v1/invoices?sort=amount", headers=h).status_code == 422


def test_portal_payable_items_hook_answers_per_kind(app, factory):
    garage = factory.org("garage")
    quote = approved_quote(garage, "123.45")
    hook = app.extensions["portal_pm"].hook
    found = [i for rows in hook.portal_payable_items(organization_id=garage.id, kind=None, item_id=None, claim_no=None) for i in rows]
    assert [(i["kind"], i["id"], i["approved_amount"]) for i in found] == [("quote", quote.id, Decimal("123.45"))]
    assert all(not rows for rows in hook.portal_payable_items(organization_id=garage.id, kind="legal_cost",
                                                               item_id=None, claim_no=None))


def test_scan_served_only_to_who_may_see_it(client, factory, garage_setup):
    garage, h = garage_setup
    quote = approved_quote(garage)
    created = send_invoice(client, h, invoice_data("100.00", [("quote", quote.id)])).json
    r = client.get(f"/api/v1/invoices/{created['id']}/scan", headers=h)
    assert r.status_code == 200 and r.data == PDF_BYTES and r.mimetype == "application/pdf"
    other = factory.headers(factory.user(factory.org("garage")))
    assert client.get(f"/api/v1/invoices/{created['id']}/scan", headers=other).status_code == 404


def test_law_firm_invoices_approved_legal_costs(client, factory):
    from datetime import date

    from plugins.litigation.models import Lawsuit, LegalCost
    from portal.extensions import db

    firm = factory.org("law_firm")
    h = factory.headers(factory.user(firm))
    suit = Lawsuit(court="上海市浦东新区人民法院", cause="追偿", role="plaintiff", amount_in_dispute=Decimal("5000.00"),
                   counsel_organization_id=firm.id)
    db.session.add(suit)
    db.session.flush()
    cost = LegalCost(lawsuit_id=suit.id, kind="attorney_fee", amount=Decimal("800.00"), incurred_on=date(2026, 11, 3),
                     status="approved")
    pending = LegalCost(lawsuit_id=suit.id, kind="court_fee", amount=Decimal("50.00"), incurred_on=date(2026, 11, 3),
                        status="pending")
    db.session.add_all([cost, pending])
    db.session.commit()
    r = send_invoice(client, h, invoice_data("800.01", [("legal_cost", cost.id)], rate="0.06"))
    assert r.status_code == 422
    r = send_invoice(client, h, invoice_data("50.00", [("legal_cost", pending.id)], rate="0.06"))
    assert r.status_code == 422
    r = send_invoice(client, h, invoice_data("800.00", [("legal_cost", cost.id)], rate="0.06"))
    assert r.status_code == 201, r.json
