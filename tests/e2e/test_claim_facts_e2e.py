"""An assessor records a claim with seed 002's facts in a real browser at 1280 px: the vehicle's
use, imported, reported by someone other than the driver or the insured; the claim comes out
red with the reasons in Chinese words; the form keeps what was typed when a field is wrong.
axe-core finds nothing critical or serious on the form or the claim."""
from __future__ import annotations

import pytest

from tests.e2e.conftest import axe_check, login, screenshot

pytestmark = pytest.mark.e2e


def test_new_claim_with_the_seed_facts_is_red_for_the_right_reasons(page, live_server):
    from tests.core.test_claims_api import valid_vin

    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, live_server, "assessor@demo.example")
    page.goto(live_server.url + "/claims/new")
    fields = {"#claim_no": "RDAA2026310000000777", "#policy_no": "PDAA2026310000777", "#policy_start": "2025-01-01",
              "#policy_end": "2025-12-31", "#insured_name": "钱多多", "#plate": "沪K·77777",
              "#vin": "LSVAM4187N218329X",   # a wrong check digit first
              "#model": "奔驰 G500 2014款", "#first_registration": "2014-03-01", "#accident_at": "2025-06-11T10:10",
              "#reported_at": "2025-06-11T10:40", "#region": "上海", "#estimated_loss": "3000"}
    for selector, value in fields.items():
        page.fill(selector, value)
    page.select_option("#vehicle_use", "private")
    page.select_option("#origin", "imported")
    page.select_option("#reported_by", "other")
    axe_check(page, "claim form")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.input_value("#model") == "奔驰 G500 2014款"            # kept
    assert page.locator("#origin").input_value() == "imported"
    page.fill("#vin", valid_vin())
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/claims/RDAA2026310000000777")
    reasons = page.locator("[data-testid=risk-reasons]").inner_text()
    assert "10 年及以上的老旧进口车型或稀有车型" in reasons and "驾驶人非被保险人，且非本人报案" in reasons
    assert page.locator("[data-testid=vehicle-use]").inner_text() == "家庭自用"
    axe_check(page, "claim detail")
    screenshot(page, "claim-seed-facts-red-zh")
