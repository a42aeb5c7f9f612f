"""Salvage in a real browser: a vendor bids; staff close and award; the winner records
pickup with a photo, the disposal, and books the proceeds."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.e2e.conftest import axe_check, login, logout, screenshot

pytestmark = pytest.mark.e2e

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082")


def _make_lot(live_server) -> int:
    """A claim and an open lot on the live server's database."""
    import sqlalchemy as sa

    from plugins.salvage import services
    from portal.auth.models import User
    from portal.claims.models import Claim
    from portal.extensions import db
    from portal.timeutil import utcnow

    with live_server.app.app_context():
        claim = Claim(claim_no="E2E-SALVAGE-1", policy_no="P-E2E", policy_start=utcnow().date() - timedelta(days=200),
                      policy_end=utcnow().date() + timedelta(days=165), insured_name="李四", plate="沪B54321",
                      vin="LSVAU033512345678", model="Honda Accord", accident_at=utcnow() - timedelta(days=3),
                      reported_at=utcnow() - timedelta(days=3), region="上海", flags={"total_loss": True})
        db.session.add(claim)
        db.session.flush()
        staff = db.session.scalar(sa.select(User).where(User.email == "supervisor@demo.example"))
        lot = services.create_lot(actor=staff, claim_no=claim.claim_no, description="E2E 全损本田雅阁 / total-loss Accord",
                                  estimated_value=Decimal("40000"), reserve_price=Decimal("25000"),
                                  bidding_closes_at=utcnow() + timedelta(days=2), location="安亭停车场",
                                  facts={"mileage_km": 98000, "keys_present": False, "driving_licence": True,
                                         "registration_certificate": True, "starts": True, "drives": False,
                                         "damage": "前部严重碰撞，安全气囊弹出，发动机舱变形。"})
        db.session.commit()
        lot_id = lot.id
        db.session.remove()
    return lot_id


def test_vendor_bids_staff_award_winner_books_proceeds(page, live_server, tmp_path):
    lot_id = _make_lot(live_server)
    lot_url = f"{live_server.url}/salvage/lots/{lot_id}"

    login(page, live_server, "salvage1@demo.example")
    page.goto(live_server.url + "/salvage/market")
    assert page.locator("[data-testid=market-table] >> text=E2E").count() == 1
    screenshot(page, "salvage-market-zh")
    page.set_viewport_size({"width": 390, "height": 844})   # a vendor's phone
    page.goto(lot_url)
    facts = page.locator("[data-testid=lot-facts]").inner_text()
    assert "LSVAU033512345678" in facts and "无钥匙" in facts and "无法行驶" in facts and "前部严重碰撞" in facts
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    axe_check(page, "salvage-vendor-lot-390")
    page.fill("input[name=amount]", "31,500")
    page.click("[data-testid=next-step] button[type=submit]")   # 下一步: the confirmation step
    page.wait_for_load_state("networkidle")
    step = page.locator("[data-testid=confirm-step]").inner_text()
    assert "¥31,500.00" in step and "不能降价" in step
    screenshot(page, "salvage-vendor-bid-confirm-390")
    axe_check(page, "salvage-vendor-bid-confirm-390")
    page.click("[data-testid=confirm-step] a")   # go back: the typed amount is still there
    page.wait_for_load_state("networkidle")
    assert page.input_value("input[name=amount]") == "31500.00"
    page.click("[data-testid=next-step] button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.click("[data-testid=confirm]")
    page.wait_for_load_state("networkidle")
    assert "31,500.00" in page.locator("[data-testid=my-best]").inner_text()
    screenshot(page, "salvage-vendor-bid-zh")
    logout(page, live_server)

    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, live_server, "supervisor@demo.example")
    page.goto(lot_url)
    page.click("[data-testid=next-step] a[href$='/close/confirm']")
    page.wait_for_load_state("networkidle")
    assert "提前" in page.locator("[data-testid=confirm-step]").inner_text()
    screenshot(page, "salvage-staff-close-confirm-1280")
    axe_check(page, "salvage-staff-close-confirm-1280")
    page.click("[data-testid=confirm]")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=bid-table]").is_visible()
    screenshot(page, "salvage-staff-closed-zh")
    page.click("[data-testid=next-step] a[href$='/award/confirm']")
    page.wait_for_load_state("networkidle")
    step = page.locator("[data-testid=confirm-step]").inner_text()
    assert "¥31,500.00" in step and "¥25,000.00" in step and "不可撤销" in step
    screenshot(page, "salvage-staff-award-confirm-1280")
    axe_check(page, "salvage-staff-award-confirm-1280")
    page.click("[data-testid=confirm]")
    page.wait_for_load_state("networkidle")
    assert "31,500.00" in page.locator("[data-testid=winning-amount]").inner_text()
    page.goto(live_server.url + "/salvage/")
    screenshot(page, "salvage-staff-lots-zh")
    logout(page, live_server)

    login(page, live_server, "salvage1@demo.example")
    page.goto(lot_url)
    photo = tmp_path / "pickup.png"
    photo.write_bytes(PNG)
    page.set_input_files("input[name=file]", str(photo))
    page.click("form[enctype='multipart/form-data'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.locator("form[action$='/pickup'] button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    page.select_option("select[name=kind]", "sold")
    page.locator("form[action$='/disposal'] button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    page.fill("input[name=amount]", "31500")
    page.fill("input[name=costs]", "800")
    page.fill("input[name=booked_on]", page.evaluate("new Date(Date.now() + 8*3600*1000).toISOString().slice(0, 10)"))
    page.locator("form[action$='/proceeds'] button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "30,700.00" in page.locator("[data-testid=net-recovery]").inner_text()
    screenshot(page, "salvage-settled-zh")
    page.click("form.lang-switch button")
    page.wait_for_load_state("networkidle")
    assert "Net recovery" in page.content()
    screenshot(page, "salvage-settled-en")
