"""The litigation API: lawsuits, stages, hearings, major flag, isolation;
complaints; law-firm metrics computed by hand."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.timeutil import LOCAL_TZ, Period, local_now

ALLOWED = {
    "pre_suit_mediation": {"filed", "closed"},
    "filed": {"first_instance", "closed"},
    "first_instance": {"judgment", "closed"},
    "judgment": {"appeal", "enforcement", "closed"},
    "appeal": {"judgment", "enforcement", "closed"},
    "enforcement": {"closed"},
    "closed": set(),
}
PATH = {"pre_suit_mediation": [], "filed": ["filed"], "first_instance": ["filed", "first_instance"],
        "judgment": ["filed", "first_instance", "judgment"],
        "appeal": ["filed", "first_instance", "judgment", "appeal"],
        "enforcement": ["filed", "first_instance", "judgment", "enforcement"], "closed": ["closed"]}


def test_register_contract(new_suit, legal):
    body = new_suit()
    assert body["stage"] == "pre_suit_mediation" and body["major"] is False and body["version"] == 1
    assert body["counsel_user_id"] == legal.id and body["legal_costs"] == "0.00" and body["hearings"] == []


@pytest.mark.parametrize("amount, major", [("499999.99", False), ("500000.00", True), ("500000.01", True),
                                           (500000, True), ("0", False)])
def test_major_flag_at_the_boundary(new_suit, amount, major):
    assert new_suit(amount_in_dispute=amount)["major"] is major


def test_major_set_by_staff_and_threshold_configurable(app, api_as, legal, new_suit):
    body = new_suit(amount_in_dispute="1000", major=True)
    assert body["major"] is True and body["major_by_staff"] is True
    big = new_suit(amount_in_dispute="600000")
    r = api_as(legal).post(f"/lawsuits/{big['id']}/major", json={"major": False})
    assert r.status_code == 422
    app.config["LITIGATION_MAJOR_AMOUNT"] = "1000"
    try:
        assert new_suit(amount_in_dispute="1000")["major"] is True
    finally:
        app.config.pop("LITIGATION_MAJOR_AMOUNT")


@pytest.mark.parametrize("change, field", [
    ({"role": "judge"}, "role"), ({"amount_in_dispute": "-1"}, "amount_in_dispute"),
    ({"claim_no": "NOPE"}, "claim_no"), ({"counsel_user_id": None}, "counsel_user_id"),
    ({"recovery_id": 999}, "recovery_id"), ({"stage": "judgment"}, "stage"), ({"court": ""}, "court"),
])
def test_register_bad_input_is_422(api_as, legal, make_claim, change, field):
    body = {"claim_no": make_claim().claim_no, "court": "法院", "cause": "纠纷", "role": "plaintiff",
            "amount_in_dispute": "100", "counsel_user_id": legal.id}
    body.update(change)
    r = api_as(legal).post("/lawsuits", json=body)
    assert r.status_code == 422 and field in r.get_json()["error"]["details"], r.get_json()


def test_only_legal_staff_register(api_as, factory, firm):
    body = {"court": "法院", "cause": "纠纷", "role": "plaintiff", "amount_in_dispute": "100",
            "counsel_organization_id": firm.id}
    assert api_as(factory.user(roles=("assessor",))).post("/lawsuits", json=body).status_code == 403
    assert api_as(factory.user(firm)).post("/lawsuits", json=body).status_code == 403


@pytest.mark.parametrize("source", list(ALLOWED))
@pytest.mark.parametrize("target", list(ALLOWED))
def test_every_allowed_and_refused_stage_move(api_as, legal, new_suit, source, target):
    api = api_as(legal)
    suit = new_suit()
    for step in PATH[source]:
        r = api.post(f"/lawsuits/{suit['id']}/transitions",
                     json={"to": step, **({"outcome": "withdrawn"} if step == "closed" else {})})
        assert r.status_code == 200, r.get_json()
    r = api.post(f"/lawsuits/{suit['id']}/transitions",
                 json={"to": target, **({"outcome": "won", "amount": "1200.50"} if target == "closed" else {})})
    if target in ALLOWED[source]:
        assert r.status_code == 200, r.get_json()
        assert r.get_json()["stage"] == target
        if target == "closed":
            assert r.get_json()["outcome"] == "won" and r.get_json()["amount"] == "1200.50"
    else:
        assert r.status_code == 409 and r.get_json()["error"]["code"] == "invalid_state"


@pytest.mark.parametrize("outcome", [None, "lost_badly", ""])
def test_closing_needs_an_outcome(api_as, legal, new_suit, outcome):
    suit = new_suit()
    r = api_as(legal).post(f"/lawsuits/{suit['id']}/transitions", json={"to": "closed", "outcome": outcome})
    assert r.status_code == 422 and "outcome" in r.get_json()["error"]["details"]


def test_hearings_and_results(api_as, legal, new_suit):
    api = api_as(legal)
    suit = new_suit()
    r = api.post(f"/lawsuits/{suit['id']}/hearings", json={"scheduled_at": "2030-05-06T09:30:00",
                                                           "court_room": "第十二法庭"})
    assert r.status_code == 201, r.get_json()
    h = r.get_json()
    assert h["scheduled_at"] == "2030-05-06T09:30:00+08:00" and h["result_due_at"] == "2030-05-08T09:30:00+08:00"
    assert api.post(f"/lawsuits/{suit['id']}/hearings/{h['id']}/result", json={"result": "x"}).status_code == 409
    past = api.post(f"/lawsuits/{suit['id']}/hearings", json={"scheduled_at": "2025-01-06T09:30:00+08:00"}).get_json()
    r = api.post(f"/lawsuits/{suit['id']}/hearings/{past['id']}/result", json={"result": "休庭，择期宣判"})
    assert r.status_code == 200 and r.get_json()["result"] == "休庭，择期宣判"
    assert api.post(f"/lawsuits/{suit['id']}/hearings", json={"scheduled_at": "tomorrow"}).status_code == 422
    detail = api.get(f"/lawsuits/{suit['id']}").get_json()
    assert [x["id"] for x in detail["hearings"]] == [past["id"], h["id"]]
    assert detail["next_hearing_at"] == "2030-05-06T09:30:00+08:00"


def test_costs_add_up(api_as, legal, new_suit):
    api = api_as(legal)
    suit = new_suit()
    for amount, kind in (("1880.00", "court_fee"), ("5000.50", "attorney_fee")):
        assert api.post(f"/lawsuits/{suit['id']}/costs", json={"kind": kind, "amount": amount,
                                                               "incurred_on": "2025-03-01"}).status_code == 201
    assert api.post(f"/lawsuits/{suit['id']}/costs", json={"kind": "bribe", "amount": "1",
                                                           "incurred_on": "2025-03-01"}).status_code == 422
    for day in ("0001-01-01", "9999-12-31"):   # review L9: never a fact
        r = api.post(f"/lawsuits/{suit['id']}/costs", json={"kind": "court_fee", "amount": "1", "incurred_on": day})
        assert r.status_code == 422 and "incurred_on" in r.get_json()["error"]["details"]
    assert api.get(f"/lawsuits/{suit['id']}").get_json()["legal_costs"] == "6880.50"


def test_law_firm_sees_and_updates_only_its_lawsuits(api_as, factory, new_suit):
    firm_a, firm_b = factory.org("law_firm"), factory.org("law_firm")
    lawyer = factory.user(firm_a)
    mine = new_suit(counsel_organization_id=firm_a.id)
    theirs = new_suit(counsel_organization_id=firm_b.id)
    inhouse = new_suit()
    api = api_as(lawyer)
    assert [s["id"] for s in api.get("/lawsuits").get_json()["items"]] == [mine["id"]]
    for s in (theirs, inhouse):
        assert api.get(f"/lawsuits/{s['id']}").status_code == 404
        assert api.post(f"/lawsuits/{s['id']}/transitions", json={"to": "filed"}).status_code == 404
        assert api.post(f"/lawsuits/{s['id']}/hearings", json={"scheduled_at": "2030-01-01T09:00"}).status_code == 404
    assert api.post(f"/lawsuits/{mine['id']}/transitions", json={"to": "filed"}).status_code == 200
    assert api.post(f"/lawsuits/{mine['id']}/hearings", json={"scheduled_at": "2030-01-01T09:00"}).status_code == 201
    assert api.get("/lawsuits/figures").status_code == 403
    assert api_as(factory.user(factory.org("garage"))).get("/lawsuits").status_code == 403


def test_a_lawsuit_on_a_recovery_case_stops_its_limitation_flag(app, api_as, legal, make_claim):
    if "subrogation_recoveries" not in __import__("portal.extensions", fromlist=["db"]).db.metadata.tables:
        pytest.skip("subrogation plugin not loaded")
    from plugins.subrogation.services import add_years  # test only: the plugin code never imports it

    api = api_as(legal)
    claim = make_claim()
    start = add_years(local_now().date(), -3) + timedelta(days=10)
    rec = api.post("/recoveries", json={"claim_no": claim.claim_no, "amount_paid": "100", "amount_sought": "100",
                                        "counterparty": {"name": "X"}, "limitation_starts_on": start.isoformat(),
                                        "handler_user_id": legal.id}).get_json()
    assert [c["id"] for c in api.get("/recoveries?limitation_within_days=90").get_json()["items"]] == [rec["id"]]
    other = make_claim()
    r = api.post("/lawsuits", json={"claim_no": other.claim_no, "recovery_id": rec["id"], "court": "法院",
                                    "cause": "代位求偿", "role": "plaintiff", "amount_in_dispute": "100",
                                    "counsel_user_id": legal.id})
    assert r.status_code == 422 and "recovery_id" in r.get_json()["error"]["details"]
    r = api.post("/lawsuits", json={"recovery_id": rec["id"], "court": "法院", "cause": "代位求偿", "role": "plaintiff",
                                    "amount_in_dispute": "100", "counsel_user_id": legal.id})
    assert r.status_code == 201 and r.get_json()["claim_no"] == claim.claim_no
    assert api.get("/recoveries?limitation_within_days=90").get_json()["items"] == []


def test_hearing_reminders_notify_counsel_once(api_as, factory, firm, new_suit):
    from plugins.litigation.services import send_hearing_reminders
    from portal.extensions import db
    from portal.notifications.models import Notification

    lawyer = factory.user(firm)
    suit = new_suit(counsel_organization_id=firm.id)
    api = api_as(factory.user(firm))
    soon = (local_now() + timedelta(days=2)).replace(microsecond=0).isoformat()
    later = (local_now() + timedelta(days=10)).replace(microsecond=0).isoformat()
    api.post(f"/lawsuits/{suit['id']}/hearings", json={"scheduled_at": soon})
    api.post(f"/lawsuits/{suit['id']}/hearings", json={"scheduled_at": later})
    assert send_hearing_reminders().startswith("1 ")
    assert send_hearing_reminders().startswith("0 ")
    notes = db.session.scalars(sa.select(Notification).where(Notification.kind == "lawsuit.hearing_near")).all()
    assert lawyer.id in {n.user_id for n in notes} and len({n.user_id for n in notes}) == 2


def test_figures(api_as, legal, factory, new_suit, firm):
    api = api_as(legal)
    a = new_suit(counsel_organization_id=firm.id)
    b = new_suit()
    new_suit(counsel_organization_id=firm.id, stage="filed")
    new_suit()
    api.post(f"/lawsuits/{a['id']}/transitions", json={"to": "closed", "outcome": "mediated", "amount": "500"})
    api.post(f"/lawsuits/{b['id']}/transitions", json={"to": "filed"})
    api.post(f"/lawsuits/{b['id']}/transitions", json={"to": "closed", "outcome": "settled"})
    api.post(f"/lawsuits/{b['id']}/costs", json={"kind": "court_fee", "amount": "1000", "incurred_on": "2025-01-01"})
    api.post(f"/lawsuits/{a['id']}/costs", json={"kind": "attorney_fee", "amount": "3000", "incurred_on": "2025-01-01"})
    f = api.get("/lawsuits/figures").get_json()
    assert f["total"] == 4 and f["external"] == 2 and f["external_rate"] == "0.5000"
    assert f["closed"] == 2 and f["pre_suit_mediated"] == 1 and f["pre_suit_mediation_rate"] == "0.5000"
    assert f["outcomes"] == {"mediated": 1, "settled": 1} and f["costs"] == "4000.00" and f["cost_per_case"] == "1000.00"


# --------------------------------------------------------------------------- metrics by hand

def test_law_firm_metrics_by_hand(legal, factory, make_claim):
    from plugins.litigation import metrics, services
    from portal.extensions import db
    from portal.timeutil import utcnow

    f1, f2, idle = factory.org("law_firm"), factory.org("law_firm"), factory.org("law_firm")

    def suit(firm, outcome=None, closed_at=None):
        s = services.register_lawsuit(legal, services.LawsuitInput(court="法院", cause="纠纷", role="plaintiff",
                                                                   amount_in_dispute=Decimal("100"),
                                                                   counsel_organization_id=firm.id))
        if outcome:
            services.move_lawsuit(s, legal, "closed", outcome)
            s.closed_at = closed_at
        return s

    march = datetime(2025, 3, 15, 12, 0, tzinfo=LOCAL_TZ)
    a1 = suit(f1, "mediated", march)
    suit(f1, "won", march)
    suit(f1, "settled", march)
    suit(f1, "lost", datetime(2025, 4, 1, 0, 0, tzinfo=LOCAL_TZ))       # April: outside March
    suit(f2, "lost", datetime(2025, 3, 31, 23, 59, tzinfo=LOCAL_TZ))    # last minute of March: inside
    b1 = suit(f2)
    a2 = suit(f1)   # open: its hearings
    db.session.flush()
    for s, amount, on in ((a1, "3000", date(2025, 3, 2)), (a1, "1000", date(2025, 3, 31)),
                          (b1, "2500.50", date(2025, 3, 10)), (b1, "9999", date(2025, 2, 28))):
        services.record_cost(s, legal, kind="court_fee", amount=Decimal(amount), incurred_on=on)
    # hearings: f1 has 3 in March (one on time, one late, one not recorded and past due); f2 one pending (not due)
    def hearing(s, at, recorded_after=None):
        h = services.schedule_hearing(s, legal, scheduled_at=at)
        if recorded_after is not None:
            h.result, h.result_recorded_at = "ok", at + recorded_after
        return h

    hearing(a2, datetime(2025, 3, 3, 9, 0, tzinfo=LOCAL_TZ), timedelta(days=1))
    hearing(a2, datetime(2025, 3, 4, 9, 0, tzinfo=LOCAL_TZ), timedelta(days=3))
    hearing(a2, datetime(2025, 3, 5, 9, 0, tzinfo=LOCAL_TZ))
    hearing(a2, datetime(2025, 4, 5, 9, 0, tzinfo=LOCAL_TZ), timedelta(hours=1))   # April
    db.session.flush()
    ids = [f1.id, f2.id, idle.id]
    period = Period.of_days(date(2025, 3, 1), date(2025, 3, 31))
    assert metrics.mediation_rate(period, ids) == {f1.id: Decimal("0.6667"), f2.id: Decimal("0.0000"),
                                                   idle.id: None}
    assert metrics.cost_per_case(period, ids) == {f1.id: Decimal("4000.00"), f2.id: Decimal("2500.50"),
                                                  idle.id: None}
    assert metrics.hearings_on_time(period, ids, now=utcnow()) == {f1.id: Decimal("0.3333"), f2.id: None,
                                                                   idle.id: None}
    hearing(b1, local_now() - timedelta(hours=1))
    db.session.flush()
    today = local_now().date()
    assert metrics.hearings_on_time(Period.of_days(today.replace(day=1), today), [f2.id])[f2.id] is None   # not yet due


# --------------------------------------------------------------------------- complaints

def test_complaint_life_and_time_to_answer(api_as, legal, factory, make_claim):
    garage = factory.org("garage")
    handler = factory.user(roles=("supervisor",))
    api = api_as(legal)
    r = api.post("/complaints", json={"kind": "complaint", "complainant": "张先生", "description": "维修周期过长",
                                      "claim_no": make_claim().claim_no, "against_organization_id": garage.id})
    assert r.status_code == 201 and r.get_json()["status"] == "registered"
    cid = r.get_json()["id"]
    assert api.post(f"/complaints/{cid}/actions", json={"action": "answer", "text": "x"}).status_code == 409
    assert api.post(f"/complaints/{cid}/actions", json={"action": "assign"}).status_code == 422
    assert api.post(f"/complaints/{cid}/actions", json={"action": "assign",
                                                        "assignee_user_id": handler.id}).status_code == 200
    assert api.post(f"/complaints/{cid}/actions", json={"action": "answer", "text": ""}).status_code == 422
    r = api.post(f"/complaints/{cid}/actions", json={"action": "answer", "text": "已协调修理厂三日内交车"})
    assert r.status_code == 200 and r.get_json()["hours_to_answer"] is not None
    assert api.post(f"/complaints/{cid}/actions", json={"action": "follow_up", "text": "客户满意"}).status_code == 200
    assert api.post(f"/complaints/{cid}/actions", json={"action": "archive"}).status_code == 422   # no verdict
    assert api.post(f"/complaints/{cid}/actions", json={"action": "decide",
                                                        "verdict": "substantiated"}).status_code == 200
    r = api.post(f"/complaints/{cid}/actions", json={"action": "archive"})
    assert r.status_code == 200 and r.get_json()["status"] == "archived"
    assert api.post(f"/complaints/{cid}/actions", json={"action": "archive"}).status_code == 409
    assert api.get("/complaints?status=archived").get_json()["total"] == 1
    assert api_as(factory.user(garage)).get("/complaints").status_code == 403
    assert api.post("/complaints", json={"kind": "rant", "complainant": "x", "description": "y"}).status_code == 422
    trail = api_as(factory.user(roles=("supervisor",))).get(f"/audit?entity=complaint&entity_id={cid}")
    assert trail.status_code == 200
    assert [i["action"] for i in trail.get_json()["items"]] == ["registered", "assign", "answer", "follow_up",
                                                         "decide", "archive"]


def test_complaints_against_partners_reach_their_scorecards(app, api_as, legal, factory):
    """``portal_partner_complaints``: substantiated complaints registered in the period, per organization."""
    from plugins.litigation.models import Complaint
    from portal.extensions import db
    from datetime import timedelta

    from portal.plugins import hook
    from portal.timeutil import utcnow

    garage, other = factory.org("garage"), factory.org("garage")
    api = api_as(legal)
    for against in (garage.id, garage.id, other.id, None):
        body = {"kind": "complaint", "complainant": "李女士", "description": "配件以次充好"}
        if against:
            body["against_organization_id"] = against
        assert api.post("/complaints", json=body).status_code == 201
    for c in db.session.query(Complaint).all():   # only 有责 counts: give them all that verdict
        c.status, c.verdict = "answered", "substantiated"
    db.session.commit()
    now = utcnow()
    answers = hook(app).portal_partner_complaints(period=Period(now - timedelta(hours=1), now + timedelta(hours=1)))
    assert {garage.id: 2, other.id: 1} in answers
    later = hook(app).portal_partner_complaints(period=Period(now + timedelta(hours=1), now + timedelta(hours=2)))
    assert all(garage.id not in a for a in later)


def test_claim_costs_components(legal, new_suit, api_as):
    from portal.claims.costs import claim_costs, net_cost
    from portal.claims.models import Claim
    from portal.extensions import db

    suit = new_suit()
    api_as(legal).post(f"/lawsuits/{suit['id']}/costs", json={"kind": "court_fee", "amount": "1880",
                                                              "incurred_on": "2025-01-01"})
    claim = db.session.scalar(sa.select(Claim).where(Claim.claim_no == suit["claim_no"]))
    comps = [c for c in claim_costs(claim) if c.code == "legal_costs"]
    assert [(c.amount, c.sign) for c in comps] == [(Decimal("1880.00"), 1)]
    assert net_cost(comps) == Decimal("1880.00")


def test_a_law_firms_cost_above_the_amount_waits_for_legal_staff(app, api_as, factory, legal, new_suit):
    """Security review L8: ¥99,999,999 booked by a law firm entered the claim's net cost."""
    from portal.audit.models import AuditEntry
    from portal.extensions import db

    firm = factory.org("law_firm")
    suit = new_suit(counsel_organization_id=firm.id)
    lawyer = api_as(factory.user(firm, roles=("partner_admin",)))
    url = f"/lawsuits/{suit['id']}/costs"
    small = lawyer.post(url, json={"kind": "court_fee", "amount": "5000.00", "incurred_on": "2025-03-01"}).get_json()
    big = lawyer.post(url, json={"kind": "attorney_fee", "amount": "99999999", "incurred_on": "2025-03-01"}).get_json()
    assert small["status"] == "approved" and big["status"] == "pending"     # 5,000.00 at the line; above waits
    assert api_as(legal).get(f"/lawsuits/{suit['id']}").get_json()["legal_costs"] == "5000.00"
    decision = f"{url}/{big['id']}/decision"
    assert lawyer.post(decision, json={"action": "approve"}).status_code == 403        # never its own
    assert api_as(legal).post(decision, json={"action": "reject"}).status_code == 422   # why, in words
    r = api_as(legal).post(decision, json={"action": "reject", "note": "无发票"})
    assert r.status_code == 200 and r.get_json()["status"] == "rejected"
    assert api_as(legal).post(decision, json={"action": "approve"}).status_code == 409
    again = lawyer.post(url, json={"kind": "attorney_fee", "amount": "8000.00", "incurred_on": "2025-03-01"}).get_json()
    assert api_as(legal).post(f"{url}/{again['id']}/decision", json={"action": "approve"}).get_json()["status"] \
        == "approved"
    assert api_as(legal).get(f"/lawsuits/{suit['id']}").get_json()["legal_costs"] == "13000.00"
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEntry).where(
        AuditEntry.action.in_(("cost_rejected", "cost_approved")))) == 2


def test_legal_staff_decide_a_pending_cost_on_the_lawsuit_page(app, api_as, factory, legal, new_suit, web_login):
    firm = factory.org("law_firm")
    suit = new_suit(counsel_organization_id=firm.id)
    lawyer = api_as(factory.user(firm, roles=("partner_admin",)))
    cost = lawyer.post(f"/lawsuits/{suit['id']}/costs", json={"kind": "attorney_fee", "amount": "20000.00",
                                                              "incurred_on": "2025-03-01"}).get_json()
    client = web_login(legal)
    page = client.get(f"/litigation/lawsuits/{suit['id']}").get_data(as_text=True)
    assert "待法务审批" in page and "驳回理由" in page
    r = client.post(f"/litigation/lawsuits/{suit['id']}/costs/{cost['id']}/decision", data={"action": "approve"})
    assert r.status_code == 302
    assert api_as(legal).get(f"/lawsuits/{suit['id']}").get_json()["legal_costs"] == "20000.00"


def test_a_lawsuits_page_links_its_recovery_case_through_the_published_hook(app, api_as, legal, make_claim, client,
                                                                          web_login):
    """``portal_recovery_cases`` (published by litigation, implemented by subrogation): the
    lawsuit's page links the recovery case's page; litigation never reads subrogation's tables."""
    if app.extensions["portal_pm"].get_plugin("subrogation") is None:
        pytest.skip("subrogation plugin not loaded")
    from plugins.litigation import services

    api = api_as(legal)
    claim = make_claim()
    rec = api.post("/recoveries", json={"claim_no": claim.claim_no, "amount_paid": "100", "amount_sought": "100",
                                        "counterparty": {"name": "X"}, "handler_user_id": legal.id,
                                        "limitation_starts_on": local_now().date().isoformat()}).get_json()
    suit = api.post("/lawsuits", json={"recovery_id": rec["id"], "court": "法院", "cause": "代位求偿",
                                       "role": "plaintiff", "amount_in_dispute": "100",
                                       "counsel_user_id": legal.id}).get_json()
    assert [(r.id, r.claim_id) for r in services.recovery_cases(ids=[rec["id"]])] == [(rec["id"], claim.id)]
    web_login(legal)
    html = client.get(f"/litigation/lawsuits/{suit['id']}").get_data(as_text=True)
    assert f'href="/subrogation/cases/{rec["id"]}"' in html
