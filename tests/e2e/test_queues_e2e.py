"""Issue 21, items 4–6 in a real browser at 1280 px: the review queue searched by plate, sorted
by amount, its deadlines in red and amber; the garage's claim page with its quote linked and
the one next step; the sampling page's button (posted with its CSRF token). axe-core finds
nothing critical or serious on the queue and the claim page."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.e2e.conftest import assigned_claim, axe_check, login, logout, screenshot
from tests.e2e.test_review_controls_e2e import _api

pytestmark = pytest.mark.e2e



def _rgb(locator) -> tuple[int, ...]:
    css = locator.evaluate("e => getComputedStyle(e).backgroundColor")
    return tuple(int(x) for x in css[css.index("(") + 1:css.index(")")].split(",")[:3])


def _red(rgb) -> bool:
    r, g, b = rgb
    return r >= 150 and g < 90 and b < 90


def _amber(rgb) -> bool:
    r, g, b = rgb
    return r >= 200 and 130 <= g <= 220 and b < 80


def _claim(live_server, claim_no: str, plate: str, vin: str) -> None:
    assigned_claim(live_server, claim_no, plate=plate, vin=vin, model="Buick GL8", insured="钱七", actual_value=None)


def _due(live_server, quote_id: int, due) -> None:
    import sqlalchemy as sa

    from portal.extensions import db
    from plugins.garages.models import Quote

    with live_server.app.app_context():
        db.session.execute(sa.update(Quote).where(Quote.id == quote_id).values(due_at=due))
        db.session.commit()
        db.session.remove()


def _rows(page) -> list[int]:
    return [int(x) for x in page.locator("[data-testid=queue-table] tbody tr[data-quote]").evaluate_all(
        "rows => rows.map(r => r.dataset.quote)")]


def _submitted(page, live_server, headers, claim_no: str, lines: list) -> int:
    """A quote drafted, given its damage photo (a submission needs one) and submitted through the API."""
    from tests.images import photo_bytes

    r = page.request.post(f"{live_server.url}/api/v1/claims/{claim_no}/quotes", headers=headers, data={"lines": lines})
    assert r.status == 201, r.text()
    quote_id = r.json()["id"]
    r = page.request.post(f"{live_server.url}/api/v1/quotes/{quote_id}/photos", headers=headers, multipart={
        "file": {"name": "damage.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes(quote_id + 9000)},
        "kind": "damage"})
    assert r.status == 201, r.text()
    r = page.request.post(f"{live_server.url}/api/v1/quotes/{quote_id}/submit", headers=headers, data={})
    assert r.status == 200, r.text()
    return quote_id


def test_the_queue_searched_sorted_and_coloured_and_the_claim_page(page, live_server):
    from portal.timeutil import LOCAL_TZ, utcnow

    page.set_viewport_size({"width": 1280, "height": 900})
    headers = _api(page, live_server, "garage1@demo.example")
    ids = {}
    for claim_no, plate, vin, price in (("E2E-QUEUE-1", "沪Q10001", "LSGUD84X0EE100001", "1200.00"),
                                        ("E2E-QUEUE-2", "沪Q20002", "LSGUD84X0EE100002", "8800.00"),
                                        ("E2E-QUEUE-3", "苏E30003", "LSGUD84X0EE100003", "450.00")):
        _claim(live_server, claim_no, plate, vin)
        ids[plate] = _submitted(page, live_server, headers, claim_no,
                                [{"kind": "outsourced", "name": "钣金修复", "quantity": "1", "unit_price": price}])
    end_today = datetime.combine(datetime.now(LOCAL_TZ).date() + timedelta(days=1), datetime.min.time(),
                                 tzinfo=LOCAL_TZ)
    _due(live_server, ids["沪Q10001"], utcnow() - timedelta(hours=3))                  # overdue: red
    _due(live_server, ids["沪Q20002"], max(end_today - timedelta(minutes=30), utcnow() + timedelta(minutes=1)))
    _due(live_server, ids["苏E30003"], end_today + timedelta(days=3))

    login(page, live_server, "supervisor@demo.example")
    page.goto(live_server.url + "/garages/queue?scope=team")
    shown = _rows(page)
    assert {ids["沪Q10001"], ids["沪Q20002"], ids["苏E30003"]} <= set(shown)
    overdue = page.locator(f"tr[data-quote='{ids['沪Q10001']}'] [data-testid=clock]")
    assert "已超时" in overdue.inner_text()
    assert _red(_rgb(overdue)), _rgb(overdue)
    soon = page.locator(f"tr[data-quote='{ids['沪Q20002']}'] [data-testid=clock]")
    assert "剩余" in soon.inner_text()
    if end_today - timedelta(minutes=30) > utcnow():   # (not in the last half hour of the day)
        assert _amber(_rgb(soon)), _rgb(soon)
    later = page.locator(f"tr[data-quote='{ids['苏E30003']}'] [data-testid=clock]")
    assert not _red(_rgb(later)) and not _amber(_rgb(later))
    screenshot(page, "queues-review-queue-1280-zh")
    axe_check(page, "queues-review-queue-1280-zh")

    # search by plate (typed in lower case with a space), then by VIN prefix
    page.fill("#queue-q", "沪q 1000")
    page.click("[data-testid=queue-search] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert _rows(page) == [ids["沪Q10001"]]
    assert "沪Q1000" in page.locator("[data-testid=search-note]").inner_text()
    screenshot(page, "queues-review-queue-search-1280-zh")
    page.fill("#queue-q", "LSGUD84X0EE10000")
    page.click("[data-testid=queue-search] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert set(_rows(page)) == set(ids.values())

    # sort by amount (largest first): the search is kept
    page.click("[data-testid=queue-table] a[data-sort=amount]")
    page.wait_for_load_state("networkidle")
    assert "q=LSGUD84X0EE10000" in page.url and "sort=amount" in page.url
    assert _rows(page) == [ids["沪Q20002"], ids["沪Q10001"], ids["苏E30003"]]
    page.click("[data-testid=queue-table] a[data-sort=submitted]")
    page.wait_for_load_state("networkidle")
    assert _rows(page) == [ids["沪Q10001"], ids["沪Q20002"], ids["苏E30003"]]
    screenshot(page, "queues-review-queue-sorted-1280-zh")

    # the sampling page: when the scheduled draw runs, and the button (CSRF token posted)
    page.goto(live_server.url + "/garages/samples")
    assert "每 5 分钟运行一次" in page.locator("[data-testid=draw-schedule]").inner_text()
    page.click("[data-action=draw-sample]")
    page.wait_for_load_state("networkidle")
    assert page.locator(".alert-success").count() == 1, page.locator("main").inner_text()[:500]
    page.click("[data-action=draw-sample]")
    page.wait_for_load_state("networkidle")
    again = page.locator(".alert-success").inner_text()
    assert "本次未新增" in again or "本次未抽中" in again, again
    screenshot(page, "queues-samples-1280-zh")
    logout(page, live_server)

    # the garage's claim page: its quote linked with status and amount; no second new quote
    login(page, live_server, "garage1@demo.example")
    page.goto(live_server.url + "/claims/E2E-QUEUE-2")
    section = page.locator(".card", has_text="定损报价").first
    link = section.locator(f"a[href='/garages/quotes/{ids['沪Q20002']}']")
    assert link.inner_text() == f"#{ids['沪Q20002']}"
    text = section.inner_text()
    assert "¥8,800.00" in text and "待核损" in text and "正在保险公司处理" in text
    assert section.locator("[data-action=new-quote]").count() == 0
    assert section.locator("[data-action=withdraw]").count() == 1
    screenshot(page, "queues-claim-page-garage-1280-zh")
    axe_check(page, "queues-claim-page-garage-1280-zh")
    page.goto(live_server.url + "/garages/quotes?q=苏E")
    assert [int(x) for x in page.locator("[data-testid=quotes-table] tr[data-quote]").evaluate_all(
        "rows => rows.map(r => r.dataset.quote)")] == [ids["苏E30003"]]
    screenshot(page, "queues-garage-quotes-search-1280-zh")
    logout(page, live_server)

    # the ¥20,000 assessor reads, beside the approve button, what approving ¥20,000.01 will do
    _claim(live_server, "E2E-QUEUE-4", "沪Q40004", "LSGUD84X0EE100004")
    above = _submitted(page, live_server, headers, "E2E-QUEUE-4",
                       [{"kind": "outsourced", "name": "车身钣金整形", "quantity": "1", "unit_price": "20000.01"}])
    login(page, live_server, "assessor@demo.example")
    page.goto(f"{live_server.url}/garages/quotes/{above}")
    outcome = page.locator("[data-testid=outcome-approve]")
    assert outcome.get_attribute("data-outcome") == "escalate"
    assert outcome.inner_text().strip() == "金额超出您的权限（¥20,000.00）：批准后将转交主管审批"
    assert "将退回修理厂" in page.locator("[data-testid=outcome-return]").inner_text()
    page.locator("[data-testid=decision-buttons]").scroll_into_view_if_needed()
    screenshot(page, "queues-review-decision-outcomes-1280-zh")
    logout(page, live_server)

    # staff read the same claim page with the quote linked to the review screen
    login(page, live_server, "assessor2@demo.example")
    page.goto(live_server.url + "/claims/E2E-QUEUE-2#partners")
    page.wait_for_load_state("networkidle")
    screenshot(page, "queues-claim-page-staff-1280-zh")
    axe_check(page, "queues-claim-page-staff-1280-zh")
