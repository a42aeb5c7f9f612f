"""The new-quote editor fits what a garage can do at that moment (UX review, issue 21
item 8): no assessor column before there is a quote to assess, and a part number only on
a part or a repair line — in the browser, and in what is saved."""
from __future__ import annotations

import sqlalchemy as sa

from tests.e2e.conftest import axe_check, login, screenshot
from tests.e2e.test_garages_e2e import _assigned_claim, _fill_line


def test_the_new_quote_editor_offers_only_what_a_first_quote_needs(page, live_server):
    claim_no = _assigned_claim(live_server)
    login(page, live_server, "garage1@demo.example")
    page.goto(f"{live_server.url}/garages/claims/{claim_no}/quotes/new")
    page.wait_for_load_state("networkidle")
    headers = page.locator("[data-testid=quote-lines] thead th").all_inner_texts()
    # kind, part no., name, quality, quantity, price, amount, our comment, (remove): no assessor
    assert len(headers) == 9 and "核损" not in " ".join(headers), headers
    rows = page.locator("#quote-lines-body tr.quote-line")
    part_no = rows.nth(1).locator("input.line-part_no")
    rows.nth(1).locator("select.line-kind").select_option("labor")
    assert part_no.is_disabled()
    rows.nth(1).locator("select.line-kind").select_option("repair")
    assert part_no.is_enabled()
    part_no.fill("1k0807221")
    rows.nth(1).locator("select.line-kind").select_option("paint")
    assert part_no.is_disabled() and part_no.input_value() == ""
    _fill_line(rows.nth(0), "part", "前保险杠皮", "1", "3200", part_no="1k0807221", quality="genuine")
    _fill_line(rows.nth(1), "repair", "前保险杠修复", "2", "120", part_no="1k0807222")
    _fill_line(rows.nth(2), "labor", "拆装", "1", "100")
    axe_check(page, "quote-editor-new")
    screenshot(page, "quote-editor-new")
    page.click("button[name=action][value=save]")
    page.wait_for_load_state("networkidle")
    from plugins.garages.models import Quote, QuoteLine
    from portal.extensions import db

    with live_server.app.app_context():
        kinds = dict(db.session.execute(sa.select(QuoteLine.kind, QuoteLine.part_no).join(Quote)
                                        .where(Quote.claim.has(claim_no=claim_no))).all())
        db.session.remove()
    assert kinds == {"part": "1K0807221", "repair": "1K0807222", "labor": None}
