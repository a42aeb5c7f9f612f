"""The pages of the claim's controls: the review screen shows the claim's repair total, the
assessor's limit and why approving would escalate, in Chinese; the garage withdraws a quote and
deletes a draft from its page."""
from __future__ import annotations

from .conftest import assign, create, line, make_claim
from .test_pages import As


def test_review_screen_shows_the_claim_total_limit_and_escalation_in_chinese(app, people, garage_api, factory,
                                                                             api_as):
    other = factory.org("garage", name="第二修理厂", grade="A")
    claim = make_claim(people.garage, color="yellow")
    assign(claim, other)
    create(api_as(factory.user(other, roles=("partner_user",))), claim,
           [line("outsourced", "外加工", "1", "12000.00")], submit=True)
    q = create(garage_api, claim, [line("outsourced", "钣金修复", "1", "12000.00")], submit=True)
    a = As(app, people.assessor)
    page = a.get(f"/garages/quotes/{q['id']}").get_data(as_text=True)
    assert "案件核损总额 ¥24,000.00 超出您的审批权限 ¥20,000.00" in page
    assert "核准后案件核损总额" in page and 'data-testid="claim-total"' in page
    # approving escalates; the decision line says why, in words
    r = a.post(f"/garages/quotes/{q['id']}/decide", data={"action": "approve", "version": q["version"]})
    assert r.status_code == 302
    page = a.get(f"/garages/quotes/{q['id']}").get_data(as_text=True)
    assert "超出审批权限，已上报" in page and "AUTHORITY_LIMIT" not in page
    assert "案件核损总额 ¥24,000.00 超出权限 ¥20,000.00" in page


def test_the_garage_withdraws_a_quote_and_deletes_a_draft_on_its_page(app, people, garage_api):
    claim = make_claim(people.garage, color="yellow")
    q = create(garage_api, claim, [line("outsourced", "钣金修复", "1", "300.00")], submit=True)
    g = As(app, people.garage_user)
    page = g.get(f"/garages/quotes/{q['id']}").get_data(as_text=True)
    assert "撤回报价" in page
    r = g.post(f"/garages/quotes/{q['id']}/withdraw", data={"version": q["version"]})
    assert r.status_code == 302
    page = g.get(f"/garages/quotes/{q['id']}").get_data(as_text=True)
    assert "已撤回" in page and "报价已撤回" in page
    draft = create(garage_api, claim, [line("outsourced", "钣金修复", "1", "300.00")])
    r = g.post(f"/garages/quotes/{draft['id']}/withdraw", data={"version": draft["version"]})
    assert r.status_code == 302 and r.headers["Location"].endswith("/garages/quotes")
    assert g.get(f"/garages/quotes/{draft['id']}").status_code == 404
    assert g.get("/garages/quotes").get_data(as_text=True).count(f"#{draft['id']}<") == 0
