"""The claim's controls (docs/review-controls.md): authority, four eyes and fast track judged
on the claim's repair total, never on one quote — split into a first quote and supplements, or into quotes of two repairers, a claim
can never be approved in parts above the approver's limit, above 50,000 without four eyes, or
fast-tracked above 5,000 in sum. One quote chain per garage and claim; withdraw and delete."""
from __future__ import annotations

import threading

import pytest

from .conftest import create, line, make_claim, part


def labour(amount: str) -> list[dict]:
    """One line of exactly ``amount`` that no automatic check questions (specialist work)."""
    return [line("outsourced", "外加工 钣金修复", "1", amount)]


def decide(api, q, action="approve", **kw):
    r = api.post(f"/quotes/{q['id']}/decisions", json={"action": action, "version": q["version"], **kw})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


@pytest.fixture
def second_garage(factory, api_as):
    """Another grade-A garage assigned to the same claims (a parallel quote)."""
    org = factory.org("garage", name="第二修理厂", grade="A")
    return org, api_as(factory.user(org, roles=("partner_user",)))


def parts_of_claim(split, claim, people, garage_api, second_garage, first_amount, second_amount, submit=True):
    """The claim's money in two parts: a first quote approved by ``people.supervisor2`` when
    ``split`` is "supplement" (so the second is a supplement to it), else two pending quotes of two
    garages. Returns the second part (submitted)."""
    from .conftest import assign

    first = create(garage_api, claim, labour(first_amount), submit=True)
    if split == "supplement":
        approved = decide(second_garage[2], first)   # an unlimited supervisor approves the first part
        assert approved["status"] == "approved"
        return create(garage_api, claim, labour(second_amount), submit=submit, supplement_to=first["id"])
    assign(claim, second_garage[0])
    return create(second_garage[1], claim, labour(second_amount), submit=submit)


@pytest.fixture
def split_parts(people, garage_api, second_garage, api_as):
    sup = api_as(people.supervisor2)

    def make(split, claim, first_amount, second_amount, submit=True):
        return parts_of_claim(split, claim, people, garage_api, (*second_garage, sup), first_amount, second_amount,
                              submit)
    return make


# ------------------------------------------------------------------ authority (审批权限)


@pytest.mark.parametrize("split", ["supplement", "parallel"])
@pytest.mark.parametrize("second, expected", [("8000.00", "approved"), ("8000.01", "escalated")])
def test_authority_is_judged_on_the_claims_repair_total(people, api_as, split_parts, split, second, expected):
    """12,000 + 8,000.00 = 20,000.00 is within a 20,000 limit; 20,000.01 is not, whichever way
    the claim was split."""
    claim = make_claim(people.garage, color="yellow")
    q = split_parts(split, claim, "12000.00", second)
    assessor = api_as(people.assessor)    # limit 20,000
    assert assessor.get(f"/quotes/{q['id']}").get_json()["claim_repair_total"] == \
        ("20000.00" if second == "8000.00" else "20000.01")
    out = decide(assessor, q)
    assert out["status"] == expected, out
    last = out["decisions"][-1]
    assert last["claim_total"] == out["claim_repair_total"] and last["authority_limit"] == "20000.00"
    if expected == "escalated":
        assert last["rule"] == "AUTHORITY_LIMIT" and out["desk"] == "supervisor"
        # a supervisor whose limit covers the claim approves it
        assert decide(api_as(people.supervisor), out)["status"] == "approved"


def test_pending_quotes_count_unless_configured_otherwise(app, people, api_as, split_parts):
    claim = make_claim(people.garage, color="yellow")
    q = split_parts("parallel", claim, "12000.00", "12000.00")
    assessor = api_as(people.assessor)
    view = assessor.get(f"/quotes/{q['id']}").get_json()
    assert view["approval"] == {"claim_total": "24000.00", "limit": "20000.00", "within_limit": False,
                                "needs_second_approver": False, "message": view["approval"]["message"]}
    assert "24,000.00" in view["approval"]["message"] and "20,000.00" in view["approval"]["message"]
    app.config["GARAGES_RULES"] = {"claim_total_counts": "approved"}
    try:
        assert decide(assessor, q)["status"] == "approved"   # the other quote is only pending
    finally:
        app.config.pop("GARAGES_RULES")


def test_the_garage_sees_its_own_total_never_a_competitors(people, garage_api, second_garage, api_as, split_parts):
    claim = make_claim(people.garage, color="yellow")
    theirs = split_parts("parallel", claim, "12000.00", "3000.00")
    mine = garage_api.get("/quotes").get_json()["items"][0]
    body = garage_api.get(f"/quotes/{mine['id']}").get_json()
    assert body["claim_repair_total"] == "12000.00" and "approval" not in body or body["approval"] is None
    assert second_garage[1].get(f"/quotes/{theirs['id']}").get_json()["claim_repair_total"] == "3000.00"
    assert api_as(people.assessor).get(f"/quotes/{theirs['id']}").get_json()["claim_repair_total"] == "15000.00"


# ------------------------------------------------------------------ four eyes (大要案)


@pytest.mark.parametrize("split", ["supplement", "parallel"])
@pytest.mark.parametrize("second, four_eyes", [("20000.00", False), ("20000.01", True)])
def test_four_eyes_on_the_claims_repair_total(people, api_as, split_parts, factory, split, second, four_eyes):
    claim = make_claim(people.garage, color="yellow")
    q = split_parts(split, claim, "30000.00", second)
    first = api_as(people.assessor2)      # limit 100,000
    out = decide(first, q)
    if not four_eyes:
        assert out["status"] == "approved"
        return
    assert out["status"] == "awaiting_second_approval" and out["decisions"][-1]["rule"] == "MAJOR_FOUR_EYES"
    r = first.post(f"/quotes/{q['id']}/decisions", json={"action": "approve", "version": out["version"]})
    assert r.status_code == 403
    other = api_as(factory.user(roles=("assessor",), limit=100000))
    assert decide(other, out)["status"] == "approved"


# ------------------------------------------------------------------ fast track (小额快赔)


@pytest.mark.parametrize("split", ["supplement", "parallel"])
@pytest.mark.parametrize("second, fast", [("2000.00", True), ("2000.01", False)])
def test_fast_track_on_the_claims_repair_total(people, garage_api, split_parts, catalog, split, second, fast):
    claim = make_claim(people.garage, color="blue")
    if split == "supplement":   # the first part is fast-tracked itself
        first = create(garage_api, claim, labour("3000.00"), submit=True)
        assert first["status"] == "approved" and first["fast_tracked"]
        q = create(garage_api, claim, labour(second), submit=True, supplement_to=first["id"])
    else:
        q = split_parts("parallel", claim, "3000.00", second)
    assert q["fast_tracked"] is fast and q["status"] == ("approved" if fast else "submitted"), q


def test_six_small_quotes_never_pass_the_limit_together(people, garage_api, catalog):
    """The penetration test's H1: ≤ 5,000 each, approved without a person up to 5,000 in sum only."""
    claim = make_claim(people.garage, color="blue")
    first = create(garage_api, claim, labour("2500.00"), submit=True)
    statuses = [first["status"]] + [create(garage_api, claim, labour("1250.00"), submit=True,
                                           supplement_to=first["id"])["status"] for _ in range(5)]
    # 2,500 + 1,250 + 1,250 = 5,000.00 without a person; from the fourth part on, a person decides
    assert statuses == ["approved"] * 3 + ["submitted"] * 3, statuses


@pytest.mark.parametrize("trouble", ["returned", "rejected", "reinspection"])
def test_no_fast_track_after_trouble_on_the_claim(people, garage_api, api_as, catalog, trouble, second_garage):
    from portal.extensions import db
    from plugins.garages.models import AuditSample

    from .conftest import assign

    claim = make_claim(people.garage, color="yellow" if trouble != "reinspection" else "blue")
    assessor = api_as(people.assessor)
    if trouble == "reinspection":
        first = create(garage_api, claim, labour("1000.00"), submit=True)
        assert first["fast_tracked"]
        db.session.add(AuditSample(quote_id=first["id"], sample_date=claim.created_at.date(), reason="random",
                                   seed="s", share="0.1", draw="0.01", rules_version="2026.1", result="overpaid"))
        db.session.commit()
        q = create(garage_api, claim, labour("500.00"), submit=True, supplement_to=first["id"])
        assert q["status"] == "submitted" and not q["fast_tracked"]
        return
    first = create(garage_api, claim, labour("1000.00"), submit=True)
    decide(assessor, first, "return" if trouble == "returned" else "reject", comment="请补充照片")
    from plugins.garages.models import Quote
    from portal.claims.models import Claim

    db.session.get(Claim, claim.id).risk_color = "blue"
    db.session.commit()
    if trouble == "returned":   # resubmitted: back to a person, not to fast track
        r = garage_api.post(f"/quotes/{first['id']}/submit", json={})
        assert r.status_code == 200 and r.get_json()["status"] == "submitted" and not r.get_json()["fast_tracked"]
    else:   # another garage's clean quote on the refused claim
        assign(claim, second_garage[0])
        q = create(second_garage[1], claim, labour("500.00"), submit=True)
        assert q["status"] == "submitted" and not q["fast_tracked"]
        assert db.session.get(Quote, q["id"]).fast_tracked is False


# ------------------------------------------------------------------ concurrency


@pytest.mark.slow
@pytest.mark.parametrize("counts, approved", [("approved", 1), ("approved_and_pending", 0)])
def test_two_quotes_of_one_claim_approved_at_once(app, people, garage_api, second_garage, factory, counts, approved):
    """Two assessors, each with a limit that covers one quote but not both, approve the two
    quotes of one claim at the same moment: at most one passes (exactly one when only approved
    money counts); the other is escalated on the claim's total — never both approved."""
    from portal.extensions import db
    from plugins.garages.models import Quote

    from .conftest import assign

    claim = make_claim(people.garage, color="yellow")
    assign(claim, second_garage[0])
    qs = [create(garage_api, claim, labour("12000.00"), submit=True),
          create(second_garage[1], claim, labour("12000.00"), submit=True)]
    tokens = [factory.token(factory.user(roles=("assessor",), limit=20000)) for _ in qs]
    app.config["GARAGES_RULES"] = {"claim_total_counts": counts}
    barrier = threading.Barrier(2)
    results = []

    def act(token, q):
        client = app.test_client()
        barrier.wait()
        r = client.post(f"/api/v1/quotes/{q['id']}/decisions", json={"action": "approve", "version": q["version"]},
                        headers={"Authorization": f"Bearer {token}"})
        results.append((r.status_code, (r.get_json() or {}).get("status")))

    try:
        threads = [threading.Thread(target=act, args=(t, q)) for t, q in zip(tokens, qs)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        app.config.pop("GARAGES_RULES")
    assert sorted(results) == sorted([(200, "approved")] * approved + [(200, "escalated")] * (2 - approved)), results
    db.session.expire_all()
    statuses = sorted(db.session.get(Quote, q["id"]).status for q in qs)
    assert statuses.count("approved") == approved


# ------------------------------------------------------------------ one chain per garage and claim


def test_one_quote_chain_per_garage_and_claim(people, garage_api, api_as):
    from portal.audit.models import AuditEntry
    from portal.extensions import db

    claim = make_claim(people.garage, color="yellow")
    draft = create(garage_api, claim, labour("100.00"))
    r = garage_api.post(f"/claims/{claim.claim_no}/quotes", json={"lines": labour("100.00")})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "invalid_state"
    assert r.get_json()["error"]["details"]["quote_id"] == draft["id"]
    # a draft is deleted: gone from every list and page, its trail kept
    assert garage_api.delete(f"/quotes/{draft['id']}").status_code == 204
    assert garage_api.get(f"/quotes/{draft['id']}").status_code == 404
    assert api_as(people.assessor).get(f"/quotes/{draft['id']}").status_code == 404
    assert garage_api.get("/quotes").get_json()["total"] == 0
    assert [e.action for e in db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.entity == "quote", AuditEntry.entity_id == str(draft["id"])).order_by(AuditEntry.id))] \
        == ["create", "delete"]
    # a submitted quote is withdrawn by the garage before a decision, then a new one may start
    q = create(garage_api, claim, labour("100.00"), submit=True)
    assert garage_api.delete(f"/quotes/{q['id']}").status_code == 409     # only a draft is deleted
    r = garage_api.post(f"/quotes/{q['id']}/withdraw", json={"version": q["version"]})
    assert r.status_code == 200 and r.get_json()["status"] == "withdrawn" and r.get_json()["claim_repair_total"] == "0.00"
    assert api_as(people.assessor).post(f"/quotes/{q['id']}/decisions",
                                        json={"action": "approve", "version": r.get_json()["version"]}).status_code == 409
    q = create(garage_api, claim, labour("100.00"), submit=True)
    approved = decide(api_as(people.assessor), q)
    r = garage_api.post(f"/quotes/{q['id']}/withdraw", json={})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "invalid_state"   # decided: too late
    r = garage_api.post(f"/claims/{claim.claim_no}/quotes", json={"lines": labour("100.00")})
    assert r.status_code == 409 and r.get_json()["error"]["details"]["use"] == "supplement_to"
    assert "supplement" in r.get_json()["error"]["message"]
    create(garage_api, claim, labour("100.00"), supplement_to=approved["id"])   # the way for more damage
    # staff and other garages cannot withdraw or delete it
    assert api_as(people.assessor).post(f"/quotes/{q['id']}/withdraw", json={}).status_code == 403
    assert api_as(people.other_user).post(f"/quotes/{q['id']}/withdraw", json={}).status_code == 404


def test_a_closed_claim_takes_no_quote(people, garage_api, api_as):
    claim = make_claim(people.garage, color="blue")
    draft = create(garage_api, claim, labour("100.00"))
    staff = api_as(people.supervisor)
    r = staff.post(f"/claims/{claim.claim_no}/transitions", json={"action": "close", "version": 1})
    assert r.status_code == 200, r.get_json()
    r = garage_api.post(f"/quotes/{draft['id']}/submit", json={})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "invalid_state"
    garage_api.delete(f"/quotes/{draft['id']}")
    r = garage_api.post(f"/claims/{claim.claim_no}/quotes", json={"lines": labour("100.00"), "submit": True})
    assert r.status_code == 409 and r.get_json()["error"]["details"]["claim_status"] == "closed"


def test_the_same_part_twice_on_one_claim_is_a_duplicate(people, garage_api, api_as, catalog):
    claim = make_claim(people.garage, color="yellow")
    first = create(garage_api, claim, [part()], submit=True)
    assert "DUPLICATE_PART_HISTORY" not in [f["code"] for f in first["findings"]]
    approved = decide(api_as(people.assessor), first)
    q = create(garage_api, claim, [part()], submit=True, supplement_to=approved["id"])
    dup = [f for f in q["findings"] if f["code"] == "DUPLICATE_PART_HISTORY"]
    assert dup and f"#{first['id']}" in dup[0]["message"]


@pytest.mark.parametrize("second, suspected", [("3999.99", False), ("4000.00", True)])
def test_total_loss_is_suspected_on_the_claims_repair_total(people, garage_api, api_as, split_parts, second,
                                                            suspected):
    """Actual value 10,000 at 80%: 4,000.00 + 4,000.00 reaches 8,000.00 on the claim."""
    claim = make_claim(people.garage, color="yellow", actual_value="10000")
    q = split_parts("supplement", claim, "4000.00", second)
    assert ("TOTAL_LOSS_SUSPECTED" in [f["code"] for f in q["findings"]]) is suspected


def test_the_garage_reads_the_insurers_people_by_role(app, people, garage_api, api_as):
    from .test_pages import As

    claim = make_claim(people.garage, color="yellow")
    q = create(garage_api, claim, labour("100.00"), submit=True)
    decide(api_as(people.assessor), q)
    page = As(app, people.garage_user).get(f"/garages/quotes/{q['id']}").get_data(as_text=True)
    assert people.assessor.name not in page and "保险公司核损岗" in page
    assert people.garage_user.name in page   # its own people by name
    app.config["GARAGES_RULES"] = {"show_reviewer_names_to_partners": True}
    try:
        assert people.assessor.name in As(app, people.garage_user).get(f"/garages/quotes/{q['id']}").get_data(
            as_text=True)
    finally:
        app.config.pop("GARAGES_RULES")


def test_an_escalated_quote_shows_no_approved_total(people, garage_api, api_as):
    """Security review L9: escalated is not approved; the proposal is on the lines and the decision."""
    q = create(garage_api, make_claim(people.garage, color="yellow"), labour("30000.00"), submit=True)
    out = decide(api_as(people.assessor), q)
    assert out["status"] == "escalated" and out["total_approved"] is None
    assert out["decisions"][-1]["amount"] == "30000.00" and out["lines"][0]["approved_amount"] == "30000.00"
    assert decide(api_as(people.supervisor), out)["total_approved"] == "30000.00"
