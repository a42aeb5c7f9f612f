"""Subrogation and litigation in a real browser: legal staff open a recovery case and
assign the law firm, register the lawsuit; the firm books a receipt and a hearing."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.e2e.conftest import login, logout, screenshot

pytestmark = pytest.mark.e2e


def _claim_no_and_firm(live_server) -> tuple[str, int]:
    import sqlalchemy as sa

    from portal.auth.models import Organization
    from portal.claims.models import Claim
    from portal.extensions import db
    from portal.timeutil import utcnow

    with live_server.app.app_context():
        claim = Claim(claim_no="E2E-LEGAL-1", policy_no="P-E2E-L", policy_start=utcnow().date() - timedelta(days=300),
                      policy_end=utcnow().date() + timedelta(days=65), insured_name="赵六", plate="沪C11111",
                      vin="LSVAU033512345678", model="Toyota Camry", accident_at=utcnow() - timedelta(days=60),
                      reported_at=utcnow() - timedelta(days=60), region="上海")
        db.session.add(claim)
        firm = db.session.scalar(sa.select(Organization).where(Organization.kind == "law_firm"))
        db.session.commit()
        result = claim.claim_no, firm.id
        db.session.remove()
    return result


def test_recovery_case_firm_receipt_and_hearing(live_server, page):
    claim_no, firm_id = _claim_no_and_firm(live_server)
    login(page, live_server, "legal@demo.example")
    page.goto(live_server.url + "/subrogation/cases/new")
    page.fill("input[name=claim_no]", claim_no)
    page.fill("input[name=amount_paid]", "42000")
    page.fill("input[name=amount_sought]", "42000")
    page.fill("input[name=counterparty_name]", "E2E 物流有限公司")
    page.fill("input[name=counterparty_insurer]", "E2E 财险")
    page.fill("input[name=limitation_starts_on]", "2024-02-29")
    page.select_option("select[name=handler]", index=0)   # in-house first
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/subrogation/cases/\d+$"))
    case_id = int(page.url.rstrip("/").split("/")[-1])
    assert "2027-02-28" in page.content()
    page.select_option("form[action$='/handler'] select[name=handler]", f"o{firm_id}")
    page.click("form[action$='/handler'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "E2E" in page.inner_text("h1")
    assert "律师事务所" in page.inner_text("[data-testid=handler]")
    page.goto(live_server.url + f"/litigation/lawsuits/new?recovery_id={case_id}")
    page.fill("input[name=court]", "上海市浦东新区人民法院")
    page.fill("input[name=cause]", "保险人代位求偿权纠纷")
    page.fill("input[name=amount_in_dispute]", "42000")
    page.select_option("select[name=stage]", "filed")
    page.select_option("select[name=counsel]", f"o{firm_id}")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/litigation/lawsuits/\d+$"))
    lawsuit_url = page.url
    screenshot(page, "legal-lawsuit-registered")
    logout(page, live_server)

    login(page, live_server, "lawyer@demo.example")
    page.goto(live_server.url + "/subrogation/cases")
    page.click(f"a[href$='/subrogation/cases/{case_id}']")
    page.fill("form[action$='/receipts'] input[name=amount]", "12000.50")
    page.click("form[action$='/receipts'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "¥12,000.50" in page.inner_text("[data-testid=recovered]")
    assert "¥29,999.50" in page.inner_text("[data-testid=outstanding]")
    screenshot(page, "legal-firm-receipt")
    page.goto(lawsuit_url)
    page.fill("form[action$='/hearings'] input[name=scheduled_at]", "2030-03-04T09:30")
    page.fill("form[action$='/hearings'] input[name=court_room]", "第三法庭")
    page.click("form[action$='/hearings'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    table = page.inner_text("[data-testid=hearings]")
    assert "2030-03-04 09:30" in table and "第三法庭" in table
    screenshot(page, "legal-firm-hearing")
