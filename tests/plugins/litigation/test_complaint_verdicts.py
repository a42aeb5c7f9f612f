"""Complaint verdicts (issue 23 item 4): only a substantiated (有责) complaint counts in the
garage's scorecard; follow-up (回访) before archiving; a referred complaint records its
referrer and the feedback sent back; every step is audited."""
from __future__ import annotations

from datetime import timedelta

from portal.timeutil import Period, utcnow


def _complaint(api, garage, **extra):
    r = api.post("/complaints", json={"kind": "complaint", "complainant": "王女士", "description": "交车延误",
                                      "against_organization_id": garage.id, **extra})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def _act(api, cid, action, **body):
    return api.post(f"/complaints/{cid}/actions", json={"action": action, **body})


def _answered(api, cid, handler):
    assert _act(api, cid, "assign", assignee_user_id=handler.id).status_code == 200
    assert _act(api, cid, "answer", text="已核实").status_code == 200


def test_only_substantiated_complaints_count(app, api_as, legal, factory):
    from portal.plugins import hook

    garage = factory.org("garage")
    handler = factory.user(roles=("supervisor",))
    api = api_as(legal)
    founded, unfounded, withdrawn, pending = (_complaint(api, garage) for _ in range(4))
    for cid in (founded, unfounded):
        _answered(api, cid, handler)
    assert _act(api, founded, "decide", verdict="substantiated").get_json()["verdict"] == "substantiated"
    assert _act(api, unfounded, "decide", verdict="not_substantiated").status_code == 200
    assert _act(api, unfounded, "decide", verdict="maybe").status_code == 422
    r = _act(api, withdrawn, "withdraw", text="客户撤回投诉")
    assert r.status_code == 200 and r.get_json()["verdict"] == "withdrawn"
    now = utcnow()
    answers = hook(app).portal_partner_complaints(period=Period(now - timedelta(hours=1), now + timedelta(hours=1)))
    assert {garage.id: 1} in answers


def test_follow_up_required_before_archive(api_as, legal, factory):
    garage = factory.org("garage")
    api = api_as(legal)
    cid = _complaint(api, garage)
    _answered(api, cid, factory.user(roles=("supervisor",)))
    assert _act(api, cid, "decide", verdict="not_substantiated").status_code == 200
    assert _act(api, cid, "archive").status_code == 409               # no 回访 yet
    assert _act(api, cid, "follow_up", text="客户认可").status_code == 200
    r = _act(api, cid, "archive")
    assert r.status_code == 200 and r.get_json()["status"] == "archived"
    trail = api_as(factory.user(roles=("supervisor",))).get(f"/audit?entity=complaint&entity_id={cid}").get_json()
    assert [i["action"] for i in trail["items"]] == ["registered", "assign", "answer", "decide", "follow_up",
                                                     "archive"]


def test_referred_complaint_needs_the_feedback_sent(api_as, legal, factory):
    garage = factory.org("garage")
    api = api_as(legal)
    cid = _complaint(api, garage, referred_by="银保监局转办")
    _answered(api, cid, factory.user(roles=("supervisor",)))
    _act(api, cid, "decide", verdict="substantiated")
    _act(api, cid, "follow_up", text="已回访")
    assert _act(api, cid, "archive").status_code == 422
    r = _act(api, cid, "archive", referrer_feedback="已书面回复监管局")
    assert r.status_code == 200
    assert (r.get_json()["referred_by"], r.get_json()["referrer_feedback"]) == ("银保监局转办", "已书面回复监管局")


def test_complaint_page_records_the_verdict(client, web_login, api_as, legal, factory):
    garage = factory.org("garage")
    api = api_as(legal)
    cid = _complaint(api, garage)
    _answered(api, cid, factory.user(roles=("supervisor",)))
    web_login(legal)
    page = client.get(f"/litigation/complaints/{cid}?lang=zh").get_data(as_text=True)
    assert "认定责任" in page and "有责" in page
    version = api.get(f"/complaints/{cid}").get_json()["version"]
    r = client.post(f"/litigation/complaints/{cid}", data={"action": "decide", "verdict": "substantiated",
                                                           "version": version})
    assert r.status_code == 302
    assert "有责" in client.get(f"/litigation/complaints/{cid}?lang=zh").get_data(as_text=True)
    assert api.get(f"/complaints/{cid}").get_json()["verdict"] == "substantiated"
