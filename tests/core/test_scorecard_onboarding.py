"""An onboarding grade is labelled as such (issue 23 item 4) until the partner's first
published scorecard, on its scorecard page and on the staff's organization list."""
from __future__ import annotations

from decimal import Decimal as D

from tests.core.test_evaluations import compute, metrics  # noqa: F401 - fixture


def _row(html, org):
    start = html.index(f"/admin/organizations/{org.id}\"")
    return html[start:html.index("</tr>", start)]


def test_onboarding_grade_labelled_until_first_scorecard(web_login, factory, metrics):  # noqa: F811
    new = factory.org("garage", grade="B", name="新入网修理厂")
    old = factory.org("garage", grade="B", name="老牌修理厂")
    partner = factory.user(new)
    metrics.values["test.delay"] = {old.id: D(1)}
    compute()
    client = web_login(partner)
    page = client.get(f"/evaluations/organizations/{new.id}").get_data(as_text=True)
    assert 'data-testid="onboarding-grade"' in page and "新入网评级" in page and ">B<" in page
    assert "onboarding grade" in client.get(f"/evaluations/organizations/{new.id}?lang=en").get_data(as_text=True)
    client.post("/logout")
    client = web_login(factory.admin())
    html = client.get("/admin/organizations").get_data(as_text=True)
    assert "新入网评级" in _row(html, new) and "新入网评级" not in _row(html, old)
    scored = client.get(f"/evaluations/organizations/{old.id}").get_data(as_text=True)
    assert "新入网评级" not in scored
    # the first published scorecard ends the label
    metrics.values["test.delay"][new.id] = D(1)
    compute()
    html = client.get("/admin/organizations").get_data(as_text=True)
    assert "新入网评级" not in _row(html, new)
    assert "新入网评级" not in client.get(f"/evaluations/organizations/{new.id}").get_data(as_text=True)


def test_ungraded_partner_gets_no_onboarding_label(web_login, factory, metrics):  # noqa: F811
    plain = factory.org("garage", grade=None, name="未评级修理厂")
    client = web_login(factory.admin())
    assert "新入网评级" not in _row(client.get("/admin/organizations").get_data(as_text=True), plain)
    assert "新入网评级" not in client.get(f"/evaluations/organizations/{plain.id}").get_data(as_text=True)
