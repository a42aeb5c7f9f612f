"""Rounds of a quote in a real browser: an assessor's failed decision keeps every adjustment typed
(the error beside line 3, in Chinese); a returned quote is refused on the garage's phone until each
adjusted line is answered, then accepted; the rounds side by side on the review screen; a
supplement shown as a change against the approved quote."""
from __future__ import annotations

from decimal import Decimal

import pytest

from tests.e2e.conftest import assigned_claim, login, logout, screenshot

pytestmark = pytest.mark.e2e

CLAIM_NO = "E2E-ROUNDS-1"


def _with_damage_photo(quote, user, seed: int) -> None:
    """The garage's damage photo (a submission needs one), then the submission."""
    import io

    from werkzeug.datastructures import FileStorage

    from plugins.garages import services
    from tests.images import photo_bytes

    services.add_photo(quote, user, FileStorage(stream=io.BytesIO(photo_bytes(seed)), filename="damage.jpg"), "damage")
    services.submit_quote(quote, user)


def _claim_and_quote(live_server) -> tuple[int, str, list[int]]:
    """A yellow claim assigned to garage1, a submitted quote of three lines; its reviewer's e-mail."""
    import sqlalchemy as sa

    from plugins.garages import services
    from portal.auth.models import User
    from portal.extensions import db

    assigned_claim(live_server, CLAIM_NO, vin="LFV2A21K9E4123457", model="Volkswagen Lavida", actual_value=Decimal("98000"))
    with live_server.app.app_context():
        garage_user = db.session.scalar(sa.select(User).where(User.email == "garage1@demo.example"))
        quote = services.create_quote(CLAIM_NO, garage_user, [
            {"kind": "part", "part_no": "1K0807221", "name": "前保险杠皮", "quality": "genuine", "quantity": "1",
             "unit_price": "1000"},
            {"kind": "labor", "name": "拆装前保险杠", "quantity": "2", "unit_price": "100"},
            {"kind": "paint", "name": "前保险杠喷漆", "quantity": "3", "unit_price": "150"}])
        _with_damage_photo(quote, garage_user, 7100)
        reviewer = db.session.get(User, quote.assigned_reviewer_id)
        out = quote.id, reviewer.email, [ln.id for ln in quote.lines]
        db.session.commit()
        db.session.remove()
    return out


def _supplement(live_server, parent_id: int) -> int:
    import sqlalchemy as sa

    from plugins.garages import services
    from portal.auth.models import User
    from portal.extensions import db

    with live_server.app.app_context():
        garage_user = db.session.scalar(sa.select(User).where(User.email == "garage1@demo.example"))
        s = services.create_quote(CLAIM_NO, garage_user, [
            {"kind": "labor", "name": "拆装前保险杠", "quantity": "1", "unit_price": "100"},
            {"kind": "part", "part_no": "5G0853651", "name": "格栅", "quality": "genuine", "quantity": "1",
             "unit_price": "300"}], supplement_to=parent_id)
        _with_damage_photo(s, garage_user, 7200)
        sid = s.id
        db.session.commit()
        db.session.remove()
    return sid


def test_rounds_from_a_failed_decision_to_the_supplement(page, live_server):
    qid, reviewer, ids = _claim_and_quote(live_server)
    review = f"{live_server.url}/garages/quotes/{qid}"

    # 1. The assessor adjusts three lines and forgets the reason on line 3: nothing typed is lost.
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, live_server, reviewer)
    page.goto(review)
    page.fill(f"#price-{ids[0]}", "900")
    page.select_option(f"select[name=reason-{ids[0]}]", "PRICE_HIGH")
    page.fill(f"#qty-{ids[1]}", "1.5")
    page.select_option(f"select[name=reason-{ids[1]}]", "LABOR_HIGH")
    page.fill(f"#price-{ids[2]}", "120")
    page.fill("#comment", "保险杠按协议价，工时核减")
    page.click("button[name=action][value=approve]")
    page.wait_for_load_state("networkidle")
    text = page.inner_text("main")
    assert "第 3 行：请选择核减原因" in text and "lines." not in text and "reason" not in text
    assert page.input_value(f"#price-{ids[0]}") == "900" and page.input_value(f"#qty-{ids[1]}") == "1.5"
    assert page.input_value(f"#price-{ids[2]}") == "120" and page.input_value("#comment") == "保险杠按协议价，工时核减"
    assert page.input_value(f"select[name=reason-{ids[0]}]") == "PRICE_HIGH"
    assert page.input_value(f"select[name=reason-{ids[1]}]") == "LABOR_HIGH"
    screenshot(page, "rounds_01_review_error_kept_1280")
    page.select_option(f"select[name=reason-{ids[2]}]", "PRICE_HIGH")
    page.click("button[name=action][value=return]")
    page.wait_for_load_state("networkidle")
    assert "已退回修改" in page.inner_text("main")
    logout(page, live_server)

    # 2. The garage, on a phone: the adjustments are shown; resubmitting unanswered is refused.
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, "garage1@demo.example")
    page.goto(f"{live_server.url}/garages/quotes/{qid}/edit")
    assert page.locator("[data-testid=adjustment]").count() == 3
    rows = page.locator("#quote-lines-body tr.quote-line")
    rows.nth(1).locator("input[name$=-comment]").fill("拆装含雾灯支架")   # answers line 2
    page.click("button[name=action][value=submit]")
    page.wait_for_load_state("networkidle")
    text = page.inner_text("main")
    assert "第 1 行：请接受核损员的调整或填写答复" in text and "第 3 行：请接受核损员的调整或填写答复" in text
    assert "第 2 行：请接受" not in text
    assert rows.nth(1).locator("input[name$=-comment]").input_value() == "拆装含雾灯支架"   # kept
    screenshot(page, "rounds_02_garage_refused_390")
    rows.nth(0).locator(".answer-accept input").check()
    assert rows.nth(0).locator("input.line-unit_price").input_value() == "900.00"   # the assessor's figure
    rows.nth(2).locator("input[name$=-comment]").fill("三层珠光漆，按原价")
    page.click("button[name=action][value=submit]")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/garages/quotes/{qid}")
    assert page.locator("[data-testid=rounds]").is_visible()
    screenshot(page, "rounds_03_garage_resubmitted_390")
    logout(page, live_server)

    # 3. The assessor sees round 1 side by side: submitted → adjusted (reason) → answer → resubmitted.
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, live_server, reviewer)
    page.goto(review)
    rounds = page.locator("[data-testid=rounds]")
    first = rounds.locator("[data-testid=round-1-line-1]").inner_text()
    assert "¥1,000.00" in first and "¥900.00" in first and "价格偏高" in first and "已接受核损调整" in first
    third = rounds.locator("[data-testid=round-1-line-3]").inner_text()
    assert "¥450.00" in third and "¥360.00" in third and "三层珠光漆，按原价" in third
    screenshot(page, "rounds_04_review_rounds_1280")
    page.click("button[name=action][value=approve]")
    page.wait_for_load_state("networkidle")

    # 4. A supplement is shown as a change against the approved quote.
    sid = _supplement(live_server, qid)
    page.goto(f"{live_server.url}/garages/quotes/{sid}")
    delta = page.locator("[data-testid=supplement-delta]")
    assert "新增 1 项，变更 1 项，删除 0 项" in delta.inner_text()
    assert page.locator("[data-testid=delta-total]").inner_text() == "+¥400.00"
    screenshot(page, "rounds_05_supplement_delta_1280")
