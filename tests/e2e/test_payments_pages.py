"""The partner's payment clock at 390 px and staff's weekly approved-unpaid list at 1280 px,
in a real browser, axe-clean; screenshots are kept."""
from __future__ import annotations

import pytest

from tests.e2e.conftest import axe_check, login, screenshot

pytestmark = pytest.mark.e2e


def test_staff_weekly_unpaid_list_at_1280(page, live_server):
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, live_server, "director@demo.example")
    page.goto(live_server.url + "/payments/unpaid")
    with page.expect_navigation():
        page.click("main form[method=post] button")
    page.wait_for_load_state("networkidle")
    assert "week=" in page.url
    assert page.locator("main table").count() == 2          # per partner, per office
    assert page.locator("main a[href*='format=xlsx']").count() == 1
    axe_check(page, "payments-unpaid")
    screenshot(page, "payments-unpaid-1280")


def test_partner_clock_at_390(page, live_server):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, "garage1@demo.example")
    page.goto(live_server.url + "/payments/")
    assert page.locator("main h1").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    axe_check(page, "payments-clock")
    screenshot(page, "payments-clock-390")
