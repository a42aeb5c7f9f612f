"""Confirmations under the portal's Content-Security-Policy (review D-31): "end assignment"
asks first through the site's own script (``data-confirm``, portal/static/portal.js), never
an inline handler the CSP would block."""
from __future__ import annotations

import re

from tests.e2e.conftest import login, screenshot


def _claim_with_an_active_assignment(live_server) -> str:
    import sqlalchemy as sa

    from portal.extensions import db
    from portal.plugin import Assignment, Claim

    with live_server.app.app_context():
        claim_no = db.session.scalar(sa.select(Claim.claim_no).join(Assignment, Assignment.claim_id == Claim.id)
                                     .where(Assignment.ended_at.is_(None)).order_by(Claim.id))
        db.session.remove()
    assert claim_no
    return claim_no


def test_ending_an_assignment_asks_first_and_a_no_keeps_it(page, live_server):
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    claim_no = _claim_with_an_active_assignment(live_server)
    login(page, live_server, "supervisor@demo.example")
    page.goto(f"{live_server.url}/claims/{claim_no}")
    page.click("#partners-tab")
    buttons = page.locator("form[action*='/assignments/'] button[data-confirm]")
    before = buttons.count()
    assert before >= 1
    asked: list[str] = []

    def answer(dialog, accept):
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda d: answer(d, False))
    buttons.first.click()
    page.wait_for_timeout(300)
    assert len(asked) == 1 and asked[0].strip()
    assert page.url.endswith(f"/claims/{claim_no}") and buttons.count() == before   # nothing ended
    page.once("dialog", lambda d: answer(d, True))
    with page.expect_navigation():
        buttons.first.click()
    assert len(asked) == 2
    page.wait_for_load_state()
    # back on the claim's partners tab (#partners), opened without a click
    assert page.url.endswith("#partners")
    page.locator("#partners.show.active").wait_for(state="visible")
    assert buttons.count() == before - 1
    assert not [e for e in errors if re.search("Content Security Policy|Refused to execute", e)], errors
    screenshot(page, "claim-assignment-ended")
