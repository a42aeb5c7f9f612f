"""The payment clock in a real browser (直赔): a garage sends its invoice with a scan chosen in
the browser's file chooser for an approved quote, the payment system reports the payment over
HTTP with its ``payments:write`` key, and the garage sees 已付款 with the days it waited."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import httpx
import pytest

from tests.e2e.conftest import assigned_claim, axe_check, login, screenshot

pytestmark = pytest.mark.e2e

GARAGE = "garage1@demo.example"
SCAN = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _approved_quote(live_server, days_ago: int) -> int:
    """An approved quote of garage1 on a fresh claim, approved ``days_ago`` days ago."""
    import sqlalchemy as sa

    from plugins.garages.models import Quote
    from portal.auth.models import User
    from portal.claims.models import Claim
    from portal.extensions import db
    from portal.timeutil import utcnow

    claim_no = assigned_claim(live_server, "RDAA202611PAY0001")
    with live_server.app.app_context():
        garage_id = db.session.scalar(sa.select(User.organization_id).where(User.email == GARAGE))
        claim_id = db.session.scalar(sa.select(Claim.id).where(Claim.claim_no == claim_no))
        quote = Quote(claim_id=claim_id, garage_id=garage_id, status="approved", total_submitted=Decimal("2260.00"),
                      total_approved=Decimal("2260.00"), decided_at=utcnow() - timedelta(days=days_ago))
        db.session.add(quote)
        db.session.commit()
        quote_id = quote.id
        db.session.remove()
    return quote_id


def _payment_key(live_server) -> str:
    """The payment system's key (an insurer admin's, scope ``payments:write``)."""
    import sqlalchemy as sa

    from portal.auth.api_keys import create_key
    from portal.auth.models import User
    from portal.extensions import db

    with live_server.app.app_context():
        admin = db.session.scalar(sa.select(User).where(User.email == "admin@demo.example"))
        _row, key = create_key(actor=admin, name="付款系统", scopes=["read", "payments:write"])
        db.session.commit()
        db.session.remove()
    return key


def test_garage_invoices_and_sees_paid_with_days_waited(live_server, page, tmp_path):
    quote_id = _approved_quote(live_server, days_ago=9)
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, GARAGE)
    page.goto(live_server.url + "/payments/invoices/new")
    page.check(f"input[name=items][value='quote:{quote_id}']")
    page.fill("#f-number", "26117000000000000042")
    page.fill("#f-issued_on", _today().isoformat())
    page.fill("#f-amount", "2260.00")
    page.select_option("#f-tax_rate", "0.13")
    page.fill("#f-tax", "260.00")
    scan = tmp_path / "发票.pdf"
    scan.write_bytes(SCAN)
    with page.expect_file_chooser() as chooser:
        page.click("#f-file")
    chooser.value.set_files(str(scan))
    screenshot(page, "payment-journey-390-invoice-form")
    axe_check(page, "invoice form")
    with page.expect_navigation():
        page.click("main button.btn-primary.w-100")
    page.wait_for_load_state("networkidle")
    assert "/payments/invoices/new" not in page.url, page.locator("main").inner_text()[:400]
    row = page.locator("tr", has_text=f"#{quote_id}")
    assert "已开票" in row.inner_text(), row.inner_text()

    # the payment system reports the payment over HTTP
    api = httpx.Client(base_url=live_server.url + "/api/v1",
                       headers={"Authorization": f"Bearer {_payment_key(live_server)}"})
    invoice = next(i for i in api.get("/invoices").json()["items"] if i["number"] == "26117000000000000042")
    answer = api.post("/payments", json={"invoice_id": invoice["id"], "amount": "2260.00",
                                         "value_date": _today().isoformat(), "reference": "CMB-20261204-0042"})
    assert answer.status_code == 201, answer.text

    page.reload()
    page.wait_for_load_state("networkidle")
    row = page.locator("tr", has_text=f"#{quote_id}")
    text = row.inner_text()
    assert "已付款" in text, text
    cells = row.locator("td").all_inner_texts()
    assert cells[8].strip() == "9", cells
    screenshot(page, "payment-journey-390-paid")
    # at 390 px the table scrolls sideways: the status and the days waited, scrolled into view
    row.locator("td").nth(9).scroll_into_view_if_needed()
    screenshot(page, "payment-journey-390-paid-status")
    axe_check(page, "payment clock")


def _today():
    from portal.timeutil import local_now

    return local_now().date()


def test_report_card_pages(live_server, page):
    """The garage's report card at 390 px (its figures; the demo region has too few peers) and
    staff's per-team figures at 1280 px, both in Chinese and without a serious axe finding."""
    from tests.e2e.conftest import logout

    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, GARAGE)
    page.goto(live_server.url + "/payments/report-card/")
    page.wait_for_load_state("networkidle")
    assert "保险公司成绩单" in page.locator("h1").inner_text()
    review = page.locator("tr[data-figure=review_median_hours] td").first.inner_text()
    assert review.strip() not in ("", "—"), review
    assert page.locator("#few-peers").count() == 1
    screenshot(page, "report-card-390-garage")
    axe_check(page, "report card")
    logout(page, live_server)
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, live_server, "supervisor@demo.example")
    page.goto(live_server.url + "/payments/report-card/teams")
    page.wait_for_load_state("networkidle")
    assert page.locator("#team-report-card tbody tr").count() >= 1
    screenshot(page, "report-card-1280-teams")
    axe_check(page, "report card by team")
