"""Invoices & payments pages: the partner's clock with filters and export, the invoice form
that keeps every typed value on an error."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.core.test_invoices_api import PDF_BYTES, approved_quote


def form(quote, **over):
    data = {"items": [f"quote:{quote.id}"], "number": "12345678901234567890", "code": "", "issued_on": "2026-11-20",
            "amount": "1000.00", "tax_rate": "0.13", "tax": "115.04", "file": (io.BytesIO(PDF_BYTES), "inv.pdf")}
    data.update(over)
    return data


def test_form_keeps_every_typed_value_on_an_error(client, factory, web_login):
    garage = factory.org("garage")
    quote = approved_quote(garage, "1000.00")
    web_login(factory.user(garage))
    r = client.post("/payments/invoices/new", data=form(quote, amount="1000.01", tax="115.05",
                                                        issued_on="2026-11-19", number="98765432109876543210"),
                    content_type="multipart/form-data")
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    for typed in ('value="1000.01"', 'value="115.05"', 'value="2026-11-19"', 'value="98765432109876543210"',
                  f'value="quote:{quote.id}" id="item-1" checked', 'value="0.13" selected', "0.01"):
        assert typed in html, typed
    assert "invalid-feedback" in html


def test_form_sends_and_clock_shows_it(client, factory, web_login):
    garage = factory.org("garage")
    quote = approved_quote(garage, "1000.00")
    web_login(factory.user(garage))
    assert client.get("/payments/invoices/new").status_code == 200
    r = client.post("/payments/invoices/new", data=form(quote), content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    html = client.get("/payments/?status=invoiced").get_data(as_text=True)
    assert "1000.00" in html and quote.claim_id
    empty = client.get("/payments/?status=paid").get_data(as_text=True)
    assert "暂无已核定项目" in empty and "发票与付款" in empty   # zh by default, nav item included
    x = client.get("/payments/?format=xlsx")
    assert x.status_code == 200
    ws = load_workbook(io.BytesIO(x.data)).active
    assert ws.max_row == 2


def test_staff_and_other_kinds(client, factory, web_login):
    garage = factory.org("garage")
    approved_quote(garage)
    web_login(factory.user())
    assert client.get("/payments/invoices/new").status_code == 404
    assert client.get(f"/payments/?partner_id={garage.id}").status_code == 200


def test_claim_page_shows_paid_against_approved(client, factory, web_login):
    from tests.core.test_invoices_api import invoice_data, send_invoice
    from tests.core.test_payments_api import pay

    garage = factory.org("garage")
    quote = approved_quote(garage, "1000.00")
    from portal.claims.models import Claim
    from portal.extensions import db

    claim_no = db.session.get(Claim, quote.claim_id).claim_no
    inv = send_invoice(client, factory.headers(factory.user(garage)),
                       invoice_data("800.00", [("quote", quote.id)])).json
    assert pay(client, factory.headers(factory.admin()), inv["id"], "500.00", "PAY-1").status_code == 201
    web_login(factory.admin())
    html = client.get(f"/claims/{claim_no}").get_data(as_text=True)
    assert "核定与付款" in html
    assert "¥1,000.00" in html and "¥800.00" in html and "¥500.00" in html
