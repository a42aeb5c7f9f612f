"""Parts prices in a real browser: a supplier uploads a price list (with the upload
progress bar) and sees its diff against the current version; pricing staff approve it."""
from __future__ import annotations

import pytest

from tests.e2e.conftest import login, logout, screenshot

pytestmark = pytest.mark.e2e

# GB18030 with Chinese headers, as Excel in China saves it. Against supplier 1's current
# demo list: 前保险杠皮 up (1280 → 1300), 后保险杠皮 down (1150 → 1100), one new part.
PRICE_FILE = ("配件编号,配件名称,品质,品牌,车型,单价,起订量,供货周期\n"
              "L18D807221,前保险杠皮,原厂,大众,朗逸,1300.00,1,2\n"
              "L18D807217,后保险杠皮,原厂,大众,朗逸,1100.00,1,2\n"
              "E2E-NEW-001,前雾灯,原厂,大众,朗逸,320.00,1,5\n").encode("gb18030")


def test_supplier_uploads_sees_diff_pricing_approves(page, live_server, tmp_path):
    path = tmp_path / "华域价格表-e2e.csv"
    path.write_bytes(PRICE_FILE)

    login(page, live_server, "supplier1@demo.example")
    page.goto(live_server.url + "/parts/price-lists/upload")
    page.set_input_files("#price-upload-form input[type=file]", str(path))
    page.click("#price-upload-form button[type=submit]")
    page.wait_for_url("**/parts/price-lists/*", timeout=20000)
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=diff-up]").inner_text() == "1"
    assert page.locator("[data-testid=diff-down]").inner_text() == "1"
    assert page.locator("[data-testid=diff-added]").inner_text() == "1"
    assert "L18D807221" in page.locator("main table").inner_text()
    list_url = page.url.split("?")[0]
    screenshot(page, "parts-supplier-diff-zh")
    logout(page, live_server)

    login(page, live_server, "pricing@demo.example")
    page.goto(live_server.url + "/parts/price-lists?status=pending")
    assert page.locator("[data-testid=count-pending]").inner_text().strip().endswith("1")
    page.goto(list_url)
    page.click("[data-testid=approve]")
    page.wait_for_load_state("networkidle")
    assert page.locator(".status-badge.status-current").count() == 1
    screenshot(page, "parts-pricing-approved-zh")
    page.goto(live_server.url + "/parts/price-lists?status=current")
    assert page.locator("main tbody tr").count() == 2
