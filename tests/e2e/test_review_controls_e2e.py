"""The assessor's journey through the claim's controls (docs/review-controls.md) in a real
browser: a supervisor assigns the review to an assessor; the assessor sees that approving would
escalate (the claim's repair total above the limit), holds the quote as a problem case, resumes it
and approves — it is escalated, with the reason in words; then the re-inspection (复勘) of a
sampled quote with a photo."""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from tests.e2e.conftest import DEMO_PASSWORD, assigned_claim, axe_check, login, logout, screenshot
from tests.images import photo_bytes

pytestmark = pytest.mark.e2e

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082")


def _api(page, live_server, email):
    """The garage's own system: the quote comes in through the API, as partners send it."""
    r = page.request.post(live_server.url + "/api/v1/tokens", data={"email": email, "password": DEMO_PASSWORD})
    assert r.status == 201, r.text()
    return {"Authorization": f"Bearer {r.json()['token']}"}


def _submit(page, live_server, claim_no, lines) -> int:
    headers = _api(page, live_server, "garage1@demo.example")
    r = page.request.post(f"{live_server.url}/api/v1/claims/{claim_no}/quotes", headers=headers,
                          data={"lines": lines})
    assert r.status == 201, r.text()
    quote_id = r.json()["id"]
    r = page.request.post(f"{live_server.url}/api/v1/quotes/{quote_id}/photos", headers=headers, multipart={
        "file": {"name": "damage.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes(quote_id + 8000)},
        "kind": "damage"})   # a submission needs its damage photo
    assert r.status == 201, r.text()
    r = page.request.post(f"{live_server.url}/api/v1/quotes/{quote_id}/submit", headers=headers, data={})
    assert r.status == 200, r.text()
    return quote_id


def _decide(page, action: str):
    page.click(f"main button[value={action}]")
    page.wait_for_load_state("networkidle")
    assert page.locator("main .alert-danger").count() == 0, page.locator("main .alert-danger").all_inner_texts()


def test_assign_hold_resume_approve_with_escalation(page, live_server):
    page.set_viewport_size({"width": 1280, "height": 900})
    assigned_claim(live_server, "E2E-CONTROLS-1", vin="LFV2A21K9E4123456", actual_value=Decimal("180000"))
    quote_id = _submit(page, live_server, "E2E-CONTROLS-1", [
        {"kind": "outsourced", "name": "车身钣金整形（外加工）", "quantity": "1", "unit_price": "30000.00"}])
    url = f"{live_server.url}/garages/quotes/{quote_id}"

    # 1. The supervisor gives the review to the ¥20,000 assessor, with the reason.
    login(page, live_server, "supervisor@demo.example")
    page.goto(url)
    page.select_option("#assignee_id", label=page.locator("#assignee_id option", has_text="20,000").first.inner_text())
    page.fill("#comment", "均衡工作量")
    _decide(page, "reassign")
    owner = page.locator("[data-testid=owner]").inner_text()
    logout(page, live_server)

    # 2. The assessor sees that approving would escalate: the claim's total is above the limit.
    login(page, live_server, "assessor@demo.example")
    page.goto(url)
    assert page.locator("[data-testid=owner]").inner_text() == owner
    warning = page.locator("[data-testid=escalation]").inner_text()
    assert "案件核损总额 ¥30,000.00 超出您的审批权限 ¥20,000.00" in warning
    screenshot(page, "controls-review-escalation-warning-zh")
    axe_check(page, "controls-review-escalation-warning-zh")

    # 3. A problem case: held with a reason and a note; the deadline clock stops.
    page.select_option("#hold_reason", "PRICE_VERIFICATION")
    page.fill("#comment", "外加工价格待核实")
    _decide(page, "hold")
    assert "问题件挂起" in page.locator("main h1").inner_text()
    assert "价格待核实 — 外加工价格待核实" in page.locator("[data-testid=hold]").inner_text()
    screenshot(page, "controls-review-on-hold-zh")

    # 4. Resumed: a new deadline; approving escalates with the reason in words.
    _decide(page, "resume")
    assert "待核损" in page.locator("main h1").inner_text()
    _decide(page, "approve")
    assert "已上报" in page.locator("main h1").inner_text()
    decisions = page.locator("main .card-body ul").first.inner_text()
    assert "超出审批权限，已上报" in decisions and "案件核损总额 ¥30,000.00 超出权限 ¥20,000.00" in decisions
    screenshot(page, "controls-review-escalated-zh")
    axe_check(page, "controls-review-escalated-zh")
    logout(page, live_server)


def test_reinspection_of_a_sampled_quote_with_a_photo(page, live_server, tmp_path):
    page.set_viewport_size({"width": 1280, "height": 900})
    assigned_claim(live_server, "E2E-CONTROLS-2", vin="LFV2A21K9E4123456", actual_value=Decimal("180000"))
    quote_id = _submit(page, live_server, "E2E-CONTROLS-2", [
        {"kind": "part", "part_no": "1K0807221", "name": "前保险杠皮", "quality": "genuine", "quantity": "1",
         "unit_price": "800.00"},
        {"kind": "labor", "name": "拆装前保险杠", "quantity": "1", "unit_price": "120.00"}])
    login(page, live_server, "assessor2@demo.example")
    page.goto(f"{live_server.url}/garages/quotes/{quote_id}")
    _decide(page, "approve")
    assert "已核定" in page.locator("main h1").inner_text()

    # a day's draw, as the scheduled job runs it (every approved quote drawn at a share of 1); the
    # demo's days are drawn already (a day is drawn once), so the approval is moved to a quiet day
    app = live_server.app
    from portal.extensions import db
    from portal.timeutil import LOCAL_TZ
    from plugins.garages.models import Quote

    day = datetime.now(LOCAL_TZ).date() - timedelta(days=400)
    with app.app_context():
        quote = db.session.get(Quote, quote_id)
        assert quote.status == "approved", (quote.status, quote.decided_at)
        quote.decided_at = datetime.combine(day, datetime.min.time(), LOCAL_TZ) \
            + timedelta(hours=12)
        db.session.commit()
        db.session.remove()
    app.config["GARAGES_RULES"] = {"sampling_share": "1"}
    try:
        with app.app_context():   # the live server's app (the suite's own app context is pushed too)
            result = app.test_cli_runner().invoke(args=["sample-quotes", "--date", day.isoformat(), "--seed", "e2e"])
        assert result.exit_code == 0 and f"quote {quote_id}" in result.output, result.output
    finally:
        app.config.pop("GARAGES_RULES")

    page.goto(f"{live_server.url}/garages/samples")
    page.click(f"main a[href$='/garages/reinspection/{quote_id}']")
    page.wait_for_load_state("networkidle")
    photo = tmp_path / "复勘-前杠.png"
    photo.write_bytes(PNG)
    page.set_input_files("#reinspection-file", str(photo))
    page.click("main form[enctype='multipart/form-data'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "复勘-前杠.png" in page.locator("main").inner_text()
    page.select_option("main select[name^='outcome-']", "not_replaced")
    page.fill("main input[name^='note-']", "旧件仍在车上")
    page.click("main button:has-text('登记复勘结果')")
    page.wait_for_load_state("networkidle")
    result_text = page.locator("[data-testid=result]").inner_text()
    assert "多付金额" in result_text and "¥800.00" in result_text
    screenshot(page, "controls-reinspection-overpaid-zh")
    axe_check(page, "controls-reinspection-overpaid-zh")


def test_queue_tabs_and_the_assessors_figures_page(page, live_server):
    """The assessor lands on its own reviews; the supervisor ranks the assessors against the target."""
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, live_server, "assessor2@demo.example")
    page.goto(live_server.url + "/garages/queue")
    tabs = page.locator("main .nav-tabs, main [role=tablist]").first.inner_text()
    assert "我的" in tabs and "未分派" in tabs and "全组" in tabs, tabs
    screenshot(page, "controls-queue-tabs-zh")
    axe_check(page, "controls-queue-tabs-zh")
    logout(page, live_server)
    login(page, live_server, "supervisor@demo.example")
    page.goto(live_server.url + "/garages/queue")
    page.click("nav a[href$='/garages/figures/']")
    page.wait_for_load_state("networkidle")
    text = page.locator("main").inner_text()
    assert "超时限交案率" in text and "10.0%" in text, text[:500]
    screenshot(page, "controls-assessor-figures-zh")
    axe_check(page, "controls-assessor-figures-zh")
