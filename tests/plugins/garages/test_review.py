"""Review rules: fast track, authority, four eyes, return/resubmit, versions, audit."""
from __future__ import annotations

from datetime import timedelta

import pytest

from .conftest import create, line, make_claim, part


def decide(api, q, action="approve", **kw):
    return api.post(f"/quotes/{q['id']}/decisions", json={"action": action, "version": q["version"], **kw})


def test_fast_track_approves_small_blue_quote_as_the_system(people, garage_api, catalog):
    claim = make_claim(people.garage, color="blue")
    q = create(garage_api, claim, [part(price="800")], submit=True)
    assert q["status"] == "approved" and q["fast_tracked"] is True and q["total_approved"] == "800.00"
    auto = [d for d in q["decisions"] if d["action"] == "approve"]
    assert len(auto) == 1 and auto[0]["user_id"] is None and auto[0]["automatic"] is True
    assert auto[0]["rule"] == "FAST_TRACK" and auto[0]["rules_version"] == "2026.1"
    assert all(ln["approved_amount"] == ln["amount"] for ln in q["lines"])


@pytest.mark.parametrize("case", ["amount", "color", "injury", "grade", "warn", "block"])
def test_fast_track_each_condition_failing(people, garage_api, factory, api_as, catalog, case):
    api, garage = garage_api, people.garage
    kwargs = {"color": "blue"}
    lines = [part(price="800")]
    if case == "amount":
        lines = [part(price="5000.01")]
    elif case == "color":
        kwargs["color"] = "yellow"
    elif case == "injury":
        kwargs["flags"] = {"injury": True}
    elif case == "grade":
        garage = people.other_garage       # grade C
        api = api_as(people.other_user)
    elif case == "warn":
        lines = [part(), line("material", "机油", "9", "10")]    # MATERIAL_OVER_STANDARD (warn)
    elif case == "block":
        kwargs["actual_value"] = "900"      # TOTAL_LOSS_SUSPECTED (block)
    claim = make_claim(garage, **kwargs)
    q = create(api, claim, lines, submit=True)
    assert q["status"] == "submitted" and q["fast_tracked"] is False


def test_fast_track_limit_is_configuration(app, people, garage_api, catalog):
    app.config["GARAGES_RULES"] = {"fast_track_limit": "100", "version": "2026.2"}
    try:
        claim = make_claim(people.garage, color="blue")
        q = create(garage_api, claim, [part(price="800")], submit=True)
        assert q["status"] == "submitted" and q["rules_version"] == "2026.2"
    finally:
        app.config.pop("GARAGES_RULES")


def test_approval_within_authority_with_line_adjustment(people, garage_api, api_as):
    claim = make_claim(people.garage, color="yellow")
    q = create(garage_api, claim, [part(price="1000", qty="2"), line("labor", "拆装", "2", "100")], submit=True)
    pid = q["lines"][0]["id"]
    r = decide(api_as(people.assessor), q, lines=[{"id": pid, "approved_unit_price": "800", "reason": "PRICE_HIGH"}])
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["status"] == "approved" and body["total_approved"] == "1800.00" and body["desk"] is None
    adj = body["lines"][0]
    assert adj["approved_unit_price"] == "800.00" and adj["approved_amount"] == "1600.00" and adj["reason"] == "PRICE_HIGH"
    assert body["lines"][1]["approved_amount"] == "200.00" and body["lines"][1]["reason"] is None
    d = body["decisions"][-1]
    assert d["action"] == "approve" and d["user_id"] == people.assessor.id and d["at"].endswith("+08:00")


def test_adjustment_needs_a_reason_code_and_cannot_exceed_the_quote(people, garage_api, api_as):
    claim = make_claim(people.garage, color="yellow")
    q = create(garage_api, claim, [part(price="1000")], submit=True)
    lid = q["lines"][0]["id"]
    staff = api_as(people.assessor)
    r = decide(staff, q, lines=[{"id": lid, "approved_unit_price": "900"}])
    assert r.status_code == 422 and "lines.0.reason" in r.get_json()["error"]["details"]
    r = decide(staff, q, lines=[{"id": lid, "approved_unit_price": "1200", "reason": "OTHER"}])
    assert r.status_code == 422
    r = decide(staff, q, lines=[{"id": lid, "approved_unit_price": "900", "reason": "MADE_UP"}])
    assert r.status_code == 422
    r = decide(staff, q, lines=[{"id": 999999, "approved_unit_price": "900", "reason": "OTHER"}])
    assert r.status_code == 422


def test_above_authority_escalates_and_a_covering_supervisor_approves(people, garage_api, api_as):
    from portal.notifications.models import Notification
    from portal.extensions import db

    claim = make_claim(people.garage, color="yellow")
    q = create(garage_api, claim, [part(price="30000")], submit=True)
    r = decide(api_as(people.assessor), q)             # limit 20,000
    body = r.get_json()
    assert r.status_code == 200 and body["status"] == "escalated" and body["desk"] == "supervisor"
    assert body["decisions"][-1]["rule"] == "AUTHORITY_LIMIT"
    notified = {n.user_id for n in db.session.query(Notification).filter_by(kind="quote.escalated")}
    assert people.supervisor.id in notified and people.assessor.id not in notified
    # an assessor cannot act on an escalated quote
    assert decide(api_as(people.assessor2), body).status_code == 403
    r = decide(api_as(people.supervisor), body)
    assert r.get_json()["status"] == "approved" and r.get_json()["total_approved"] == "30000.00"


def test_nothing_above_a_limit_is_approved_without_it(people, garage_api, api_as, factory):
    claim = make_claim(people.garage, color="yellow")
    q = create(garage_api, claim, [part(price="40000")], submit=True)
    low_sup = factory.user(roles=("supervisor",), limit=30000)
    body = decide(api_as(people.assessor), q).get_json()
    body = decide(api_as(low_sup), body).get_json()
    assert body["status"] == "escalated"
    body = decide(api_as(people.supervisor), body).get_json()
    assert body["status"] == "approved"


def test_major_quote_needs_two_different_approvers(people, garage_api, api_as):
    claim = make_claim(people.garage, color="blue")
    q = create(garage_api, claim, [part(price="60000")], submit=True)
    assert q["status"] == "submitted"                  # never fast-tracked
    first = decide(api_as(people.supervisor), q).get_json()
    assert first["status"] == "awaiting_second_approval" and first["desk"] == "second_approver"
    again = decide(api_as(people.supervisor), first)
    assert again.status_code == 403 and again.get_json()["error"]["code"] == "forbidden"
    done = decide(api_as(people.supervisor2), first).get_json()
    assert done["status"] == "approved"
    approvers = [d["user_id"] for d in done["decisions"] if d["action"] in ("first_approve", "approve")]
    assert approvers == [people.supervisor.id, people.supervisor2.id]


def test_return_stops_the_clock_and_resubmission_starts_a_new_deadline(people, garage_api, api_as):
    from portal.extensions import db
    from plugins.garages.models import Quote

    claim = make_claim(people.garage, color="yellow")
    q = create(garage_api, claim, [part(price="1000"), line("labor", "拆装", "2", "100")], submit=True)
    first_due = q["due_at"]
    lid = q["lines"][0]["id"]
    r = decide(api_as(people.assessor), q, "return", comment="请补充拆检照片",
               lines=[{"id": lid, "approved_unit_price": "800", "reason": "PRICE_HIGH"}])
    body = r.get_json()
    assert body["status"] == "returned" and body["due_at"] is None and body["desk"] == "garage"
    assert body["lines"][0]["reason"] == "PRICE_HIGH" and body["lines"][0]["approved_amount"] == "800.00"
    # move the first submission back so the new deadline is visibly new
    row = db.session.get(Quote, q["id"])
    row.submitted_at = row.submitted_at - timedelta(days=10)
    db.session.commit()
    lines = [{**ln, "comment": "原厂件，附发票" if ln["id"] == lid else None} for ln in body["lines"]]
    lines = [{k: ln[k] for k in ("id", "kind", "part_no", "name", "quality", "quantity", "unit_price", "comment")}
             for ln in lines]
    r = garage_api.post(f"/quotes/{q['id']}/lines", json={"lines": lines, "version": body["version"]})
    assert r.status_code == 200, r.get_json()
    again = garage_api.post(f"/quotes/{q['id']}/submit", json={}).get_json()
    assert again["status"] == "submitted" and again["due_at"] is not None
    assert again["submitted_at"] > first_due[:0] and again["lines"][0]["garage_comment"] == "原厂件，附发票"
    assert again["lines"][0]["approved_amount"] is None     # a new round
    assert [d["action"] for d in again["decisions"]] == ["submit", "return", "submit"]


def test_return_and_reject_need_a_comment(people, garage_api, api_as):
    claim = make_claim(people.garage, color="yellow")
    q = create(garage_api, claim, [part()], submit=True)
    r = decide(api_as(people.assessor), q, "return")
    assert r.status_code == 422 and "comment" in r.get_json()["error"]["details"]
    r = decide(api_as(people.assessor), q, "reject", comment="非本次事故损失")
    assert r.get_json()["status"] == "rejected"


def test_stale_version_and_invalid_state(people, garage_api, api_as):
    claim = make_claim(people.garage, color="yellow")
    q = create(garage_api, claim, [part()], submit=True)
    staff = api_as(people.assessor)
    r = staff.post(f"/quotes/{q['id']}/decisions", json={"action": "approve", "version": q["version"] - 1})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "stale_version"
    ok = decide(staff, q).get_json()
    r = decide(staff, q)                       # the old version again
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "stale_version"
    r = decide(staff, ok)                      # current version, but approved takes no decision
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "invalid_state"
    draft = create(garage_api, make_claim(people.garage, color="yellow"), [part()])
    r = decide(staff, draft)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "invalid_state"


def test_manual_escalation(people, garage_api, api_as):
    claim = make_claim(people.garage, color="yellow")
    q = create(garage_api, claim, [part()], submit=True)
    body = decide(api_as(people.assessor), q, "escalate", comment="疑似扩大损失").get_json()
    assert body["status"] == "escalated" and body["desk"] == "supervisor"


def test_every_transition_is_audited(people, garage_api, api_as, factory):
    claim = make_claim(people.garage, color="yellow")
    q = create(garage_api, claim, [part()], submit=True)
    decide(api_as(people.assessor), q, lines=[{"id": q["lines"][0]["id"], "approved_unit_price": "700",
                                                "reason": "PRICE_HIGH"}])
    from portal.audit.models import AuditEntry
    from portal.extensions import db

    rows = db.session.query(AuditEntry).filter_by(entity="quote", entity_id=str(q["id"])).order_by(AuditEntry.id).all()
    actions = [r.action for r in rows]
    assert actions[:3] == ["create", "add_photo", "submit"] and "approve" in actions and "adjust_lines" in actions
    approve = next(r for r in rows if r.action == "approve")
    assert approve.changes["status"] == ["submitted", "approved"] and approve.actor_id == people.assessor.id


def test_garage_is_notified_of_the_decision(people, garage_api, api_as):
    from portal.notifications.models import Notification
    from portal.extensions import db

    claim = make_claim(people.garage, color="yellow")
    q = create(garage_api, claim, [part()], submit=True)
    decide(api_as(people.assessor), q, "return", comment="补充照片")
    notes = db.session.query(Notification).filter_by(kind="quote.returned").all()
    assert {n.user_id for n in notes} == {people.garage_user.id}
