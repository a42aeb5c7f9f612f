"""Repair quotes in a real browser (定损核损): the garage writes a quote with the line editor,
adds a photo, runs the pre-check and submits; an assessor adjusts a line with a reason and
approves; the garage reads the decision line by line."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest

from tests.e2e.conftest import assigned_claim, login, logout, screenshot

pytestmark = pytest.mark.e2e

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082")
CLAIM_NO = "E2E-GARAGE-1"


def _assigned_claim(live_server) -> str:
    """The garage journey's claim: yellow (no fast track), garage1's workshop; made once."""
    return assigned_claim(live_server, CLAIM_NO, plate="沪C66688", vin="LFV2A21K9E4123456", model="Volkswagen Lavida",
                          insured="王五", actual_value=Decimal("98000"))


def _fill_line(row, kind, name, qty, price, part_no=None, quality=None):
    row.locator("select.line-kind").select_option(kind)
    if part_no:
        row.locator("input.line-part_no").fill(part_no)
    row.locator("input.line-name").fill(name)
    if quality:
        row.locator("select.line-quality").select_option(quality)
    row.locator("input.line-quantity").fill(qty)
    row.locator("input.line-unit_price").fill(price)


def test_garage_quotes_assessor_adjusts_and_approves_garage_reads_decision(page, live_server, tmp_path):
    claim_no = _assigned_claim(live_server)

    # 1. The garage opens the assigned claim and writes the quote in the line editor.
    login(page, live_server, "garage1@demo.example")
    page.goto(live_server.url + "/garages/quotes")
    page.click(f"main a[href$='/garages/claims/{claim_no}/quotes/new']")
    page.wait_for_load_state("networkidle")
    rows = page.locator("#quote-lines-body tr.quote-line")
    assert rows.count() == 3
    add = page.locator("[data-testid=add-line]")
    assert add.is_visible()   # the script is served from the plugin and allowed by the CSP
    add.click()
    add.click()
    assert rows.count() == 5
    _fill_line(rows.nth(0), "part", "前保险杠皮", "1", "3,200", part_no="1k0807221", quality="genuine")
    _fill_line(rows.nth(1), "labor", "拆装前保险杠", "2", "120")
    _fill_line(rows.nth(2), "paint", "前保险杠喷漆", "3", "150")
    _fill_line(rows.nth(3), "material", "冷却液", "6", "35")
    _fill_line(rows.nth(4), "rescue", "拖车（现场至修理厂）", "1", "400")
    assert rows.nth(1).locator("select.line-quality").is_disabled()      # only a part has a quality
    assert not rows.nth(0).locator("select.line-quality").is_disabled()
    assert page.locator("[data-testid=editor-total]").inner_text() == "¥4,500.00"
    page.locator("#quote-lines-body tr.quote-line").nth(5 - 1).locator(".remove-line").click()
    assert rows.count() == 4
    assert page.locator("[data-testid=editor-total]").inner_text() == "¥4,100.00"
    screenshot(page, "garages-editor-new-zh")
    page.click("main button[value=save]")
    page.wait_for_load_state("networkidle")
    assert re.search(r"/garages/quotes/\d+/edit$", page.url), page.url
    quote_url = page.url.removesuffix("/edit")
    assert page.locator("input[name='lines-0-part_no']").input_value() == "1K0807221"
    assert page.locator("[data-testid=editor-total]").inner_text() == "¥4,100.00"

    # 2. A damage photo on the part line, then the pre-check, then submit.
    photo = tmp_path / "bumper.png"
    photo.write_bytes(PNG)
    page.set_input_files("#photo-file", str(photo))
    page.select_option("#photo-line", index=1)
    page.click("form[enctype='multipart/form-data'] button[type=submit]")
    page.wait_for_selector("[data-testid=photo-card]")   # uploaded in place (static/photos.js)
    assert page.locator("#quote-lines-body tr.quote-line").nth(0).locator("a[href*='/photos/']").count() == 1
    page.click("main button[value=precheck]")
    page.wait_for_load_state("networkidle")
    verdict = page.locator("main [data-testid=precheck-verdict]").inner_text()
    assert "不符合小额快赔条件" in verdict and "风险颜色不符" in verdict    # a yellow claim: no fast track
    findings = page.locator("#quote-lines-body tr.quote-line").nth(2).inner_text()
    assert "LABOR_RATE_ABOVE_AGREED" in findings    # paint at 150/h against the agreed 120/h, beside its line
    screenshot(page, "garages-editor-precheck-zh")
    page.click("main button[value=submit]")
    page.wait_for_load_state("networkidle")
    assert page.url == quote_url
    assert page.locator("[data-testid=desk]").inner_text().strip() != "—"
    screenshot(page, "garages-garage-submitted-zh")
    quote_id = int(quote_url.rsplit("/", 1)[1])
    logout(page, live_server)

    # 3. The assessor (authority ¥50,000) finds it in the queue, cuts the part price, approves.
    login(page, live_server, "assessor2@demo.example")
    page.goto(live_server.url + "/garages/queue?scope=team")   # the review is the team's: assigned to another
    link = page.locator(f"main a[href$='/garages/quotes/{quote_id}']")
    assert link.count() == 1
    screenshot(page, "garages-review-queue-zh")
    link.click()
    page.wait_for_load_state("networkidle")
    price = page.locator("main input[name^='price-']").first
    line_id = price.get_attribute("name").split("-", 1)[1]
    price.fill("2800")
    page.select_option(f"select[name='reason-{line_id}']", "PRICE_HIGH")
    page.fill("#comment", "前杠按市场价核定")
    screenshot(page, "garages-review-adjust-zh")
    page.click("main button[value=approve]")
    page.wait_for_load_state("networkidle")
    assert page.locator("main .alert-success").count() == 1
    assert "3,700.00" in page.locator("main tfoot").inner_text()
    screenshot(page, "garages-review-approved-zh")
    logout(page, live_server)

    # 4. The garage sees the decision line by line, with the reason.
    login(page, live_server, "garage1@demo.example")
    page.goto(quote_url)
    assert "3,700.00" in page.locator("[data-testid=approved-total]").inner_text()
    adjusted = page.locator("main tr.table-warning")
    assert adjusted.count() == 1
    assert "2,800.00" in adjusted.inner_text() and "3,200.00" in adjusted.inner_text()
    assert adjusted.locator("[data-testid=reason]").inner_text().strip() == "价格偏高"   # the reason, in words
    assert "前杠按市场价核定" in page.locator("main").inner_text()
    screenshot(page, "garages-garage-decision-zh")
    page.click("form.lang-switch button")
    page.wait_for_load_state("networkidle")
    assert "Approved amount" in page.locator("main").inner_text()
    assert page.locator("main [data-testid=reason]").inner_text().strip() == "Price too high"
    screenshot(page, "garages-garage-decision-en")
