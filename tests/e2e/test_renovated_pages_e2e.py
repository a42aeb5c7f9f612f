"""Pages the renovation changed, seen as people use them: the garage's quote editor on a
phone (390 px) after a validation error — every typed value still there, the error beside
the line in Chinese — and the notifications page with its kinds (390 px), axe-core clean."""
from __future__ import annotations

from decimal import Decimal

import pytest

from tests.e2e.conftest import assigned_claim, axe_check, login, screenshot

pytestmark = pytest.mark.e2e
CLAIM_NO = "E2E-RENOVATED-1"


def _assigned_claim(live_server) -> None:
    """garage1's claim, and a notification of a returned quote for the notifications page."""
    import sqlalchemy as sa

    from portal.auth.models import User
    from portal.extensions import db
    from portal.notifications.models import Notification

    assigned_claim(live_server, CLAIM_NO, plate="沪C77799", vin="LFV2A21K9E4123457", model="Volkswagen Lavida",
                   actual_value=Decimal("98000"))
    with live_server.app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "garage1@demo.example"))
        db.session.add(Notification(user_id=user.id, kind="quote.returned", title=f"报价已退回修改（案件 {CLAIM_NO}）",
                                    body="请补充照片。", url="/garages/quotes"))
        db.session.commit()
        db.session.remove()


def test_the_editor_keeps_typed_lines_after_an_error_on_a_phone(page, live_server):
    _assigned_claim(live_server)
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, "garage1@demo.example")
    page.goto(f"{live_server.url}/garages/claims/{CLAIM_NO}/quotes/new")
    rows = page.locator("tbody tr")
    first, second = rows.nth(0), rows.nth(1)
    first.locator("select.line-kind").select_option("part")
    first.locator("input.line-part_no").fill("5G0941005")
    first.locator("input.line-name").fill("左前大灯总成")
    first.locator("select.line-quality").select_option("genuine")
    first.locator("input.line-quantity").fill("1")
    first.locator("input.line-unit_price").fill("¥3,200")
    second.locator("select.line-kind").select_option("labor")
    second.locator("input.line-name").fill("拆装大灯")
    second.locator("input.line-quantity").fill("1")
    second.locator("input.line-unit_price").fill("12.345")          # three decimal places: refused
    page.locator("button[name=action][value=save]").click()
    page.wait_for_load_state("networkidle")
    text = page.inner_text("main")
    assert "第 2 行" in text and "最多两位小数" in text, text[:600]
    # nothing typed is lost: both lines come back as they were typed
    assert page.locator("input.line-name").nth(0).input_value() == "左前大灯总成"
    assert page.locator("input.line-part_no").nth(0).input_value() == "5G0941005"
    assert page.locator("input.line-name").nth(1).input_value() == "拆装大灯"
    assert page.locator("input.line-unit_price").nth(1).input_value() == "12.345"
    screenshot(page, "renovated-editor-error-390")
    axe_check(page, "garage editor after an error, 390 px")


def test_the_notifications_page_names_each_kind_on_a_phone(page, live_server):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, "garage1@demo.example")
    page.goto(f"{live_server.url}/notifications")
    assert "报价已退回修改（案件" in page.inner_text("main")
    page.select_option("select#kind", "quote.returned")
    page.locator("form[role=search] button").click()
    page.wait_for_load_state("networkidle")
    assert "kind=quote.returned" in page.url and "报价已退回修改（案件" in page.inner_text("main")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways: {width} px"
    screenshot(page, "renovated-notifications-390")
    axe_check(page, "notifications, 390 px")
