"""Holds (问题件) and investigations (案件调查): the clock stops, the garage sees that its quote
is held but never why, resuming starts a new deadline; a red claim may need an investigation
before approval above an amount (docs/review-controls.md)."""
from __future__ import annotations

from .conftest import create, line, make_claim
from .test_pages import As


def post(api, q, action, **kw):
    return api.post(f"/quotes/{q['id']}/decisions", json={"action": action, "version": q["version"], **kw})


def test_hold_investigate_resume_through_the_api(people, garage_api, api_as):
    from portal.audit.models import AuditEntry
    from portal.extensions import db

    claim = make_claim(people.garage, color="yellow")
    q = create(garage_api, claim, [line("outsourced", "钣金修复", "1", "3000.00")], submit=True)
    assessor = api_as(people.assessor)
    # a reason code and a note are required
    r = post(assessor, q, "hold", comment="核实维修记录")
    assert r.status_code == 422 and "reason" in r.get_json()["error"]["details"]
    r = post(assessor, q, "hold", reason="PRICE_VERIFICATION")
    assert r.status_code == 422 and "comment" in r.get_json()["error"]["details"]
    r = post(assessor, q, "hold", reason="PRICE_VERIFICATION", comment="核实配件进货价")
    assert r.status_code == 200, r.get_json()
    held = r.get_json()
    assert held["status"] == "on_hold" and held["due_at"] is None and held["overdue"] is False
    assert held["hold"]["reason"] == "PRICE_VERIFICATION" and held["hold"]["held_by_id"] == people.assessor.id
    # the garage sees that it is held, never the reason or the note
    mine = garage_api.get(f"/quotes/{q['id']}").get_json()
    assert mine["status"] == "on_hold" and mine.get("hold") is None
    assert "核实配件进货价" not in str(mine) and "PRICE_VERIFICATION" not in str(mine)
    # the garage is told that it is held (a notification), never why
    from portal.notifications.models import Notification

    notes = db.session.scalars(db.select(Notification).where(Notification.user_id == people.garage_user.id,
                                                              Notification.kind == "quote.held")).all()
    assert len(notes) == 1 and "暂停" in notes[0].body   # in the garage user's language (Chinese by default)
    assert "核实配件进货价" not in notes[0].body + notes[0].title and "PRICE_VERIFICATION" not in notes[0].body
    # nothing is approved while held; it can become an investigation
    assert post(assessor, held, "approve").status_code == 409
    r = post(assessor, held, "investigate", reason="SUSPECTED_FRAUD", comment="现场复勘")
    assert r.status_code == 200 and r.get_json()["status"] == "under_investigation"
    inv = r.get_json()
    assert inv["hold"]["held_from"] == "submitted"
    r = post(assessor, inv, "resume", comment="调查结束，无异常")
    assert r.status_code == 200, r.get_json()
    resumed = r.get_json()
    assert resumed["status"] == "submitted" and resumed["due_at"] is not None and resumed["hold"] is None
    assert post(assessor, resumed, "approve").get_json()["status"] == "approved"
    actions = [e.action for e in db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.entity == "quote", AuditEntry.entity_id == str(q["id"])).order_by(AuditEntry.id))]
    assert actions[-4:] == ["hold", "investigate", "resume", "approve"]
    # a partner cannot hold
    assert post(garage_api, resumed, "hold", reason="OTHER", comment="x").status_code == 403


def test_a_red_claim_above_the_amount_needs_an_investigation_first(app, people, garage_api, api_as):
    app.config["GARAGES_RULES"] = {"red_investigation_above": "10000"}
    try:
        claim = make_claim(people.garage, color="red")
        small = create(garage_api, claim, [line("outsourced", "钣金修复", "1", "10000.00")], submit=True)
        assessor = api_as(people.assessor)
        assert post(assessor, small, "approve").get_json()["status"] == "approved"   # 10,000.00: at the line
        q = create(garage_api, claim, [line("outsourced", "追加", "1", "0.01")], submit=True,
                   supplement_to=small["id"])
        r = post(assessor, q, "approve")
        assert r.status_code == 409 and r.get_json()["error"]["details"]["rule"] == "RED_NEEDS_INVESTIGATION"
        q = post(assessor, q, "investigate", reason="SUSPECTED_FRAUD", comment="核实追加项目").get_json()
        q = post(assessor, q, "resume", comment="核实无误").get_json()
        assert post(assessor, q, "approve").get_json()["status"] == "approved"
    finally:
        app.config.pop("GARAGES_RULES")


def test_hold_and_resume_on_the_pages(app, people, garage_api):
    claim = make_claim(people.garage, color="yellow")
    q = create(garage_api, claim, [line("outsourced", "钣金修复", "1", "3000.00")], submit=True)
    a = As(app, people.assessor)
    page = a.get(f"/garages/quotes/{q['id']}").get_data(as_text=True)
    assert "发起案件调查" in page and "挂起为问题件" in page and "价格待核实" in page
    r = a.post(f"/garages/quotes/{q['id']}/decide", data={"action": "investigate", "version": q["version"],
                                                           "hold_reason": "SUSPECTED_FRAUD", "comment": "现场复勘"})
    assert r.status_code == 302
    page = a.get(f"/garages/quotes/{q['id']}").get_data(as_text=True)
    assert "案件调查中" in page and "涉嫌欺诈 — 现场复勘" in page and "恢复审核" in page
    garage_page = As(app, people.garage_user).get(f"/garages/quotes/{q['id']}").get_data(as_text=True)
    assert "案件调查中" in garage_page and "核损时效暂停计时" in garage_page
    assert "现场复勘" not in garage_page and "涉嫌欺诈" not in garage_page
    r = a.post(f"/garages/quotes/{q['id']}/decide", data={"action": "resume", "version": q["version"] + 1})
    assert r.status_code == 302
    assert "待核损" in a.get(f"/garages/quotes/{q['id']}").get_data(as_text=True)
