"""One person owns each review (案件一人终审责任制): assigned on submission to the assessor with
room in their authority and the fewest open reviews, to a supervisor on escalation; kept on a
resubmission; reassigned by a supervisor with a reason; the garage sees the role, never the id."""
from __future__ import annotations

from .conftest import create, line, make_claim


def quote_of(api, claim, amount, **kw):
    return create(api, claim, [line("outsourced", "钣金修复", "1", amount)], submit=True, **kw)


def test_assigned_round_the_assessors_with_room_then_to_a_supervisor(people, garage_api, api_as, factory):
    # people: assessor (20,000), assessor2 (100,000), supervisor (200,000), supervisor2 (2,000,000)
    a = [quote_of(garage_api, make_claim(people.garage, color="yellow"), "1000.00") for _ in range(4)]
    staff = api_as(people.supervisor)
    owners = [staff.get(f"/quotes/{q['id']}").get_json()["assignee_id"] for q in a]
    assert sorted(owners) == sorted([people.assessor.id, people.assessor2.id] * 2), owners   # the work goes round
    big = quote_of(garage_api, make_claim(people.garage, color="yellow"), "30000.00")
    assert staff.get(f"/quotes/{big['id']}").get_json()["assignee_id"] == people.assessor2.id   # room for 30,000
    # the garage sees the role only
    mine = garage_api.get(f"/quotes/{big['id']}").get_json()
    assert mine["assignee_role"] == "assessor" and "assignee_id" not in mine
    # the ¥20,000 assessor escalates a 30,000 claim: a supervisor owns it
    small_owner = api_as(people.assessor)
    q = next(q for q, o in zip(a, owners) if o == people.assessor.id)
    supp = quote_of(garage_api, make_claim(people.garage, color="yellow"), "25000.00")
    staff.post(f"/quotes/{supp['id']}/decisions", json={"action": "reassign", "version": supp["version"],
                                                         "assignee_id": people.assessor.id, "comment": "均衡工作量"})
    cur = small_owner.get(f"/quotes/{supp['id']}").get_json()
    assert cur["assignee_id"] == people.assessor.id
    out = small_owner.post(f"/quotes/{supp['id']}/decisions", json={"action": "approve", "version": cur["version"]})
    body = out.get_json()
    assert body["status"] == "escalated" and body["assignee_role"] == "supervisor"
    assert body["assignee_id"] in (people.supervisor.id, people.supervisor2.id)
    assert q["status"] == "submitted"


def test_queue_scopes_and_reassignment_rules(people, garage_api, api_as):
    from portal.audit.models import AuditEntry
    from portal.extensions import db

    q = quote_of(garage_api, make_claim(people.garage, color="yellow"), "1000.00")
    staff = api_as(people.supervisor)
    owner = staff.get(f"/quotes/{q['id']}").get_json()["assignee_id"]
    other = people.assessor2 if owner == people.assessor.id else people.assessor
    assert [i["id"] for i in api_as(other).get("/quotes?scope=mine").get_json()["items"]] == []
    mine_api = api_as(people.assessor if owner == people.assessor.id else people.assessor2)
    assert [i["id"] for i in mine_api.get("/quotes?scope=mine").get_json()["items"]] == [q["id"]]
    assert [i["id"] for i in staff.get("/quotes?scope=team").get_json()["items"]] == [q["id"]]
    assert staff.get("/quotes?scope=bogus").status_code == 422
    # an assessor may not reassign; a supervisor needs a reason and a reviewer
    r = mine_api.post(f"/quotes/{q['id']}/decisions", json={"action": "reassign", "version": q["version"],
                                                             "assignee_id": other.id, "comment": "x"})
    assert r.status_code == 403
    r = staff.post(f"/quotes/{q['id']}/decisions", json={"action": "reassign", "version": q["version"],
                                                          "assignee_id": other.id})
    assert r.status_code == 422 and "comment" in r.get_json()["error"]["details"]
    r = staff.post(f"/quotes/{q['id']}/decisions", json={"action": "reassign", "version": q["version"],
                                                          "assignee_id": people.garage_user.id, "comment": "x"})
    assert r.status_code == 422 and "assignee_id" in r.get_json()["error"]["details"]
    r = staff.post(f"/quotes/{q['id']}/decisions", json={"action": "reassign", "version": q["version"],
                                                          "assignee_id": other.id, "comment": "休假"})
    assert r.status_code == 200 and r.get_json()["assignee_id"] == other.id and r.get_json()["status"] == "submitted"
    assert [i["id"] for i in api_as(other).get("/quotes?scope=mine").get_json()["items"]] == [q["id"]]
    trail = db.session.scalars(db.select(AuditEntry).where(AuditEntry.entity == "quote", AuditEntry.entity_id ==
                                                           str(q["id"]), AuditEntry.action == "reassign")).all()
    assert len(trail) == 1 and trail[0].changes["reason"] == "休假"
    # returned and resubmitted: the same owner
    r = api_as(other).post(f"/quotes/{q['id']}/decisions", json={"action": "return", "version": r.get_json()["version"],
                                                                  "comment": "补充照片"})
    r = garage_api.post(f"/quotes/{q['id']}/submit", json={})
    assert staff.get(f"/quotes/{q['id']}").get_json()["assignee_id"] == other.id


def test_the_claims_region_comes_first(people, garage_api, api_as, factory):
    """Assessors of the claim's region get its reviews (round among them); a region without an
    assessor with room falls back to anyone with the authority. The region is set through the
    users API by an admin, audited, and refused for a partner's user."""
    admin = api_as(factory.admin())
    r = admin.patch(f"/users/{people.assessor.id}", json={"region": "苏州"})
    assert r.status_code == 200 and r.get_json()["region"] == "苏州"
    admin.patch(f"/users/{people.assessor2.id}", json={"region": "Shanghai"})
    staff = api_as(people.supervisor)
    for region, expected in (("苏州", people.assessor.id), ("Shanghai", people.assessor2.id),
                             ("苏州", people.assessor.id)):
        q = quote_of(garage_api, make_claim(people.garage, color="yellow", region=region), "1000.00")
        assert staff.get(f"/quotes/{q['id']}").get_json()["assignee_id"] == expected, region
    # 苏州's assessor has no room for 30,000: the Shanghai one with the authority takes it
    big = quote_of(garage_api, make_claim(people.garage, color="yellow", region="苏州"), "30000.00")
    assert staff.get(f"/quotes/{big['id']}").get_json()["assignee_id"] == people.assessor2.id
    # a region nobody works: anyone with the authority, round as before
    q = quote_of(garage_api, make_claim(people.garage, color="yellow", region="杭州"), "1000.00")
    assert staff.get(f"/quotes/{q['id']}").get_json()["assignee_id"] in (people.assessor.id, people.assessor2.id)
    r = admin.patch(f"/users/{people.garage_user.id}", json={"region": "苏州"})
    assert r.status_code == 422 and "region" in r.get_json()["error"]["details"]
