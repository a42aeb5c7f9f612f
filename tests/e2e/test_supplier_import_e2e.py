"""A supplier on a phone (390 px) uploads a large price list: the page hands it to the background
worker and shows its progress in Chinese; My account shows the organization's storage.
axe-core finds nothing critical or serious on either page."""
from __future__ import annotations

import pytest

from tests.e2e.conftest import axe_check, login, screenshot

pytestmark = pytest.mark.e2e


def test_large_price_list_goes_to_the_worker_on_a_phone(page, live_server, tmp_path):
    from tests.plugins.parts_suppliers.helpers import csv_bytes, good_rows

    live_server.app.config["PARTS_SUPPLIERS_IMPORT_BACKGROUND_BYTES"] = 2000
    try:
        page.set_viewport_size({"width": 390, "height": 844})
        login(page, live_server, "supplier1@demo.example")
        page.goto(live_server.url + "/parts/price-lists/upload")
        path = tmp_path / "华域价格表-2026Q4.csv"
        path.write_bytes(csv_bytes(good_rows(300)))
        page.set_input_files("input[type=file]", str(path))
        page.click("#price-upload-form button[type=submit]")
        page.wait_for_url("**/parts/price-lists/imports/**")
        assert "价格表导入中" in page.locator("h1").inner_text()
        assert page.locator("[data-testid=import-status]").inner_text() == "排队等待后台处理"
        assert "华域价格表-2026Q4.csv" in page.locator("main").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        axe_check(page, "import progress")
        screenshot(page, "supplier-import-progress-390-zh")
        page.goto(live_server.url + "/account")
        assert "本机构存储空间" in page.locator("main").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        axe_check(page, "account")
        screenshot(page, "supplier-account-storage-390-zh")
    finally:
        live_server.app.config.pop("PARTS_SUPPLIERS_IMPORT_BACKGROUND_BYTES", None)
