"""The subrogation API: recovery cases, transitions, receipts, flags, ledger."""
from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from portal.timeutil import local_now


def local_today() -> date:
    """Today in Asia/Shanghai: the limitation calendar's day."""
    return local_now().date()

ALLOWED = {
    "open": {"demand_sent", "closed"},
    "demand_sent": {"negotiating", "in_litigation", "closed"},
    "negotiating": {"in_litigation", "closed"},
    "in_litigation": {"negotiating", "closed"},
    "closed": set(),
}
STATUSES = list(ALLOWED)
PATH_TO = {"open": [], "demand_sent": ["demand_sent"], "negotiating": ["demand_sent", "negotiating"],
           "in_litigation": ["demand_sent", "in_litigation"], "closed": ["closed"]}


# --------------------------------------------------------------------------- deadline arithmetic

@pytest.mark.parametrize("start, years, expected", [
    (date(2024, 3, 15), 3, date(2027, 3, 15)),
    (date(2024, 2, 29), 3, date(2027, 2, 28)),   # leap day → 28 Feb in a common year
    (date(2024, 2, 29), 4, date(2028, 2, 29)),   # leap day → leap day when there is one
    (date(2023, 2, 28), 1, date(2024, 2, 28)),   # never moved to 29 Feb
    (date(2025, 12, 31), 3, date(2028, 12, 31)),
    (date(2024, 1, 31), 2, date(2026, 1, 31)),
])
def test_limitation_deadline_is_same_calendar_date_n_years_later(start, years, expected):
    from plugins.subrogation.services import limitation_deadline

    assert limitation_deadline(start, years) == expected


def test_deadline_years_come_from_configuration(app, open_case):
    app.config["SUBROGATION_LIMITATION_YEARS"] = 2
    try:
        body = open_case(limitation_starts_on="2024-02-29")
    finally:
        app.config.pop("SUBROGATION_LIMITATION_YEARS")
    assert body["limitation_deadline"] == "2026-02-28"


# --------------------------------------------------------------------------- create

def test_create_recovery_contract(open_case, legal):
    body = open_case(limitation_starts_on="2024-02-29")
    assert body["status"] == "open" and body["version"] == 1
    assert body["limitation_deadline"] == "2027-02-28"
    assert body["recovered"] == "0.00" and body["outstanding"] == "8000.00"
    assert body["amount_paid"] == "10000.00" and body["counterparty"]["name"] == "李四"
    assert body["handler_user_id"] == legal.id and body["handler_organization_id"] is None
    assert "+08:00" in body["created_at"]


@pytest.mark.parametrize("change, field", [
    ({"amount_sought": "10000.01"}, "amount_sought"),           # more than paid (保险法 §60)
    ({"amount_paid": "12.345"}, "amount_paid"),
    ({"amount_sought": -5}, "amount_sought"),
    ({"amount_sought": 12.5}, "amount_sought"),                 # floats refused
    ({"claim_no": "NOPE"}, "claim_no"),
    ({"limitation_starts_on": "2024-13-01"}, "limitation_starts_on"),
    ({"handler_user_id": None}, "handler_user_id"),             # no handler at all
])
def test_create_recovery_bad_input_is_422(api_as, legal, make_claim, change, field):
    body = {"claim_no": make_claim().claim_no, "amount_paid": "10000.00", "amount_sought": "8000.00",
            "counterparty": {"name": "李四"}, "limitation_starts_on": "2025-01-01", "handler_user_id": legal.id}
    body.update(change)
    r = api_as(legal).post("/recoveries", json=body)
    assert r.status_code == 422, r.get_json()
    assert r.get_json()["error"]["code"] == "invalid" and field in r.get_json()["error"]["details"]


def test_both_handlers_or_a_non_firm_is_422(api_as, legal, make_claim, firm, factory):
    garage = factory.org("garage")
    base = {"claim_no": make_claim().claim_no, "amount_paid": "100", "amount_sought": "100",
            "counterparty": {"name": "X"}, "limitation_starts_on": "2025-01-01"}
    r = api_as(legal).post("/recoveries", json={**base, "handler_user_id": legal.id, "handler_organization_id": firm.id})
    assert r.status_code == 422
    r = api_as(legal).post("/recoveries", json={**base, "handler_organization_id": garage.id})
    assert r.status_code == 422 and "handler_organization_id" in r.get_json()["error"]["details"]
    assessor = factory.user(roles=("assessor",))
    r = api_as(legal).post("/recoveries", json={**base, "handler_user_id": assessor.id})
    assert r.status_code == 422


def test_only_legal_staff_open_cases(api_as, factory, make_claim, firm):
    body = {"claim_no": make_claim().claim_no, "amount_paid": "100", "amount_sought": "100",
            "counterparty": {"name": "X"}, "limitation_starts_on": "2025-01-01"}
    assert api_as(factory.user(roles=("assessor",))).post("/recoveries", json=body).status_code == 403
    assert api_as(factory.user(firm)).post("/recoveries", json=body).status_code == 403


def test_law_firm_handler_gets_a_counsel_assignment(open_case, firm):
    from portal.audit.models import AuditEntry
    from portal.claims.models import Assignment
    from portal.extensions import db

    body = open_case(handler_organization_id=firm.id)
    assert body["handler_organization_id"] == firm.id and body["handler_user_id"] is None
    rows = db.session.scalars(sa.select(Assignment).where(Assignment.organization_id == firm.id)).all()
    assert [(a.purpose, a.ended_at) for a in rows] == [("counsel", None)]
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.entity == "claim", AuditEntry.action == "assigned"))


# --------------------------------------------------------------------------- transitions

@pytest.mark.parametrize("source", STATUSES)
@pytest.mark.parametrize("target", STATUSES)
def test_every_allowed_and_refused_move(api_as, legal, open_case, source, target):
    api = api_as(legal)
    case = open_case()
    for step in PATH_TO[source]:
        r = api.post(f"/recoveries/{case['id']}/transitions",
                     json={"to": step, "closed_as": "written_off" if step == "closed" else None})
        assert r.status_code == 200, r.get_json()
    r = api.post(f"/recoveries/{case['id']}/transitions",
                 json={"to": target, **({"closed_as": "recovered"} if target == "closed" else {})})
    if target in ALLOWED[source]:
        assert r.status_code == 200, r.get_json()
        assert r.get_json()["status"] == target
    else:
        assert r.status_code == 409, r.get_json()
        assert r.get_json()["error"]["code"] == "invalid_state"
        assert api.get(f"/recoveries/{case['id']}").get_json()["status"] == source


def test_unknown_target_is_409(api_as, legal, open_case):
    case = open_case()
    r = api_as(legal).post(f"/recoveries/{case['id']}/transitions", json={"to": "recovered"})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "invalid_state"


@pytest.mark.parametrize("closed_as", [None, "", "won", "paid"])
def test_closing_needs_a_valid_closed_as(api_as, legal, open_case, closed_as):
    case = open_case()
    r = api_as(legal).post(f"/recoveries/{case['id']}/transitions", json={"to": "closed", "closed_as": closed_as})
    assert r.status_code == 422 and "closed_as" in r.get_json()["error"]["details"]


@pytest.mark.parametrize("closed_as", ["recovered", "partially_recovered", "written_off"])
def test_close_is_audited(api_as, legal, open_case, closed_as):
    from portal.audit.models import AuditEntry
    from portal.extensions import db

    case = open_case()
    r = api_as(legal).post(f"/recoveries/{case['id']}/transitions", json={"to": "closed", "closed_as": closed_as})
    assert r.status_code == 200 and r.get_json()["closed_as"] == closed_as and r.get_json()["version"] == 2
    rows = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity == "recovery",
                                                          AuditEntry.entity_id == str(case["id"]))
                              .order_by(AuditEntry.id)).all()
    assert [a.action for a in rows] == ["opened", "closed"]
    assert rows[-1].changes["status"] == ["open", "closed"] and rows[-1].changes["closed_as"] == [None, closed_as]


def test_stale_version_is_409(api_as, legal, open_case):
    case = open_case()
    r = api_as(legal).post(f"/recoveries/{case['id']}/transitions", json={"to": "demand_sent", "version": 7})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "stale_version"


# --------------------------------------------------------------------------- receipts

def test_receipts_make_recovered_and_outstanding(api_as, legal, open_case):
    api = api_as(legal)
    case = open_case()
    r = api.post(f"/recoveries/{case['id']}/receipts",
                 json={"amount": "2500.50", "received_on": local_today().isoformat(), "method": "bank_transfer"})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["amount"] == "2500.50" and r.get_json()["outstanding"] == "5499.50"
    r = api.post(f"/recoveries/{case['id']}/receipts", json={"amount": 1000, "received_on": "2025-03-01",
                                                             "method": "cheque"})
    assert r.status_code == 201
    body = api.get(f"/recoveries/{case['id']}").get_json()
    assert body["recovered"] == "3500.50" and body["outstanding"] == "4499.50"
    assert [x["amount"] for x in body["receipts"]] == ["1000.00", "2500.50"]
    listed = api.get("/recoveries").get_json()["items"][0]
    assert listed["recovered"] == "3500.50" and listed["outstanding"] == "4499.50"


@pytest.mark.parametrize("body, field", [
    ({"amount": "0", "received_on": "2025-01-01", "method": "cash"}, "amount"),
    ({"amount": "9000.00", "received_on": "2025-01-01", "method": "cash"}, "amount"),   # more than outstanding
    ({"amount": "1.001", "received_on": "2025-01-01", "method": "cash"}, "amount"),
    ({"amount": "10", "received_on": "2999-01-01", "method": "cash"}, "received_on"),
    ({"amount": "10", "received_on": "2025-01-01"}, "method"),
])
def test_bad_receipts_are_422_and_store_nothing(api_as, legal, open_case, body, field):
    case = open_case()
    r = api_as(legal).post(f"/recoveries/{case['id']}/receipts", json=body)
    assert r.status_code == 422 and field in r.get_json()["error"]["details"]
    assert api_as(legal).get(f"/recoveries/{case['id']}").get_json()["receipts"] == []


def test_no_receipt_on_a_closed_case(api_as, legal, open_case):
    case = open_case()
    api_as(legal).post(f"/recoveries/{case['id']}/transitions", json={"to": "closed", "closed_as": "written_off"})
    r = api_as(legal).post(f"/recoveries/{case['id']}/receipts", json={"amount": "1", "received_on": "2025-01-01",
                                                                     "method": "cash"})
    assert r.status_code == 409


# --------------------------------------------------------------------------- law-firm isolation

def test_law_firm_sees_and_works_only_its_cases(api_as, factory, open_case, legal):
    firm_a, firm_b = factory.org("law_firm"), factory.org("law_firm")
    lawyer_a, lawyer_b = factory.user(firm_a), factory.user(firm_b)
    mine = open_case(handler_organization_id=firm_a.id)
    theirs = open_case(handler_organization_id=firm_b.id)
    inhouse = open_case()
    api = api_as(lawyer_a)
    assert [c["id"] for c in api.get("/recoveries").get_json()["items"]] == [mine["id"]]
    for case in (theirs, inhouse):
        assert api.get(f"/recoveries/{case['id']}").status_code == 404
        assert api.post(f"/recoveries/{case['id']}/transitions", json={"to": "demand_sent"}).status_code == 404
        r = api.post(f"/recoveries/{case['id']}/receipts", json={"amount": "1", "received_on": "2025-01-01",
                                                                 "method": "cash"})
        assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"
    assert api.post(f"/recoveries/{mine['id']}/transitions", json={"to": "demand_sent"}).status_code == 200
    r = api.post(f"/recoveries/{mine['id']}/receipts", json={"amount": "100", "received_on": "2025-01-01",
                                                             "method": "bank_transfer"})
    assert r.status_code == 201 and r.get_json()["recorded_by_id"] == lawyer_a.id
    assert api.post(f"/recoveries/{mine['id']}/handler", json={"handler_user_id": legal.id}).status_code == 403
    assert api_as(lawyer_b).get(f"/recoveries/{mine['id']}").status_code == 404
    assert api_as(factory.user(factory.org("garage"))).get("/recoveries").status_code == 403


def test_reassigning_to_a_firm_opens_the_case_to_it(api_as, legal, factory, open_case, firm):
    lawyer = factory.user(firm)
    case = open_case()
    assert api_as(lawyer).get(f"/recoveries/{case['id']}").status_code == 404
    r = api_as(legal).post(f"/recoveries/{case['id']}/handler", json={"handler_organization_id": firm.id})
    assert r.status_code == 200 and r.get_json()["handler_organization_id"] == firm.id
    assert api_as(lawyer).get(f"/recoveries/{case['id']}").status_code == 200


# --------------------------------------------------------------------------- limitation flag

def test_flagged_list_within_days_and_no_lawsuit(api_as, legal, open_case):
    from plugins.subrogation.services import add_years, mark_lawsuit_filed
    from portal.extensions import db

    today = local_today()

    def starts_for(days, step=-1):
        """The start whose 3-year deadline is ``days`` from today. A deadline is never 29
        February (add_years), so a target on that day moves by ``step`` days — towards today
        for a case that must be flagged, away from it for one that must not."""
        target = today + timedelta(days=days)
        if (target.month, target.day) == (2, 29):
            target += timedelta(days=step)
        start = add_years(target, -3)
        assert add_years(start, 3) == target
        return start.isoformat()

    soon = open_case(limitation_starts_on=starts_for(10))
    edge = open_case(limitation_starts_on=starts_for(90))
    later = open_case(limitation_starts_on=starts_for(91, step=1))
    sued = open_case(limitation_starts_on=starts_for(5))
    closed = open_case(limitation_starts_on=starts_for(5))
    api = api_as(legal)
    api.post(f"/recoveries/{closed['id']}/transitions", json={"to": "closed", "closed_as": "written_off"})
    db.session.rollback()  # the receiver runs after the caller's commit, in its own session
    assert mark_lawsuit_filed(sued["id"]) is True
    body = api.get("/recoveries?limitation_within_days=90").get_json()
    assert [c["id"] for c in body["items"]] == [soon["id"], edge["id"]] and body["total"] == 2
    assert all(c["limitation_flagged"] for c in body["items"])
    assert body["items"][0]["days_to_limitation"] == (date.fromisoformat(soon["limitation_deadline"]) - today).days <= 10
    assert {c["id"] for c in api.get("/recoveries?limitation_within_days=200").get_json()["items"]} == \
        {soon["id"], edge["id"], later["id"]}
    assert api.get("/recoveries?limitation_within_days=-1").status_code == 422


def test_daily_flag_job_notifies_once_a_day(api_as, legal, open_case, firm, factory):
    from plugins.subrogation.services import add_years, flag_limitations
    from portal.extensions import db
    from portal.notifications.models import Notification

    lawyer = factory.user(firm)
    today = local_today()
    open_case(limitation_starts_on=(add_years(today, -3) + timedelta(days=30)).isoformat(),
              handler_organization_id=firm.id)
    open_case(limitation_starts_on=(today - timedelta(days=10)).isoformat())
    assert flag_limitations().startswith("1 ")
    notes = db.session.scalars(sa.select(Notification).where(Notification.kind == "recovery.limitation_near")).all()
    assert {n.user_id for n in notes} == {lawyer.id, legal.id}
    assert flag_limitations().startswith("0 ")


def test_lawsuit_filed_event_clears_the_flag(app, api_as, legal, open_case):
    from plugins.subrogation.services import add_years
    from portal.events import emit
    from portal.extensions import db

    case = open_case(limitation_starts_on=(add_years(local_today(), -3) + timedelta(days=10)).isoformat())
    emit("lawsuit.filed", {"lawsuit_id": 1, "recovery_id": case["id"]})
    db.session.commit()
    body = api_as(legal).get(f"/recoveries/{case['id']}").get_json()
    assert body["lawsuit_filed"] is True and body["limitation_flagged"] is False


# --------------------------------------------------------------------------- list, ledger

def test_list_is_bounded_in_queries(api_as, legal, open_case, firm):
    from tests.querycount import count_queries

    for i in range(3):
        open_case(handler_organization_id=firm.id) if i % 2 else open_case()
    api = api_as(legal)
    api.get("/recoveries")
    with count_queries() as few:
        api.get("/recoveries")
    for i in range(6):
        open_case(handler_organization_id=firm.id) if i % 2 else open_case()
    with count_queries() as many:
        body = api.get("/recoveries").get_json()
    def ours(counter):
        return [q for q in counter.statements if "subrogation_" in q or "claims" in q]

    # the page (and its count, when the page is full): no query per recovery
    assert body["total"] == 9 and len(ours(many)) == len(ours(few)) <= 2, "\n\n".join(many.statements)
    assert many.count <= 5


def test_ledger_xlsx_is_a_real_workbook(api_as, legal, open_case, firm):
    from openpyxl import load_workbook

    case = open_case(counterparty={"name": "=HYPERLINK(\"http://evil\")", "insurer": "平安财险"})
    open_case(counterparty={"name": "上海顺丰物流有限公司"}, handler_organization_id=firm.id)
    api_as(legal).post(f"/recoveries/{case['id']}/receipts", json={"amount": "1234.56", "received_on": "2025-01-02",
                                                                   "method": "cash"})
    r = api_as(legal).get("/recoveries/ledger.xlsx")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    ws = load_workbook(io.BytesIO(r.data)).active
    header = [c.value for c in ws[1]]
    assert "对方当事人" in header and "追偿金额" in header and "已追回金额" in header
    rows = {row[header.index("案件编号")]: row for row in ws.iter_rows(min_row=2, values_only=True)}
    names = [row[header.index("对方当事人")] for row in rows.values()]
    assert "上海顺丰物流有限公司" in names
    evil = rows[case["id"]]
    col = header.index("对方当事人") + 1
    cell = next(r[col - 1] for r in ws.iter_rows(min_row=2) if r[header.index("案件编号")].value == case["id"])
    assert evil[col - 1].startswith("=") and cell.data_type == "s"   # text as written, never a formula
    assert evil[header.index("已追回金额")] == 1234.56 and evil[header.index("追偿金额")] == 8000   # numbers, not text
    assert abs(evil[header.index("未追回金额")] - 6765.44) < 1e-9


def test_ledger_xlsx_respects_law_firm_scope(api_as, factory, open_case, firm):
    from openpyxl import load_workbook

    open_case(counterparty={"name": "我方律所案件"}, handler_organization_id=firm.id)
    open_case(counterparty={"name": "内部案件"})
    ws = load_workbook(io.BytesIO(api_as(factory.user(firm)).get("/recoveries/ledger.xlsx").data)).active
    values = [c for row in ws.iter_rows(values_only=True) for c in row]
    assert "我方律所案件" in values and "内部案件" not in values


def test_targets_and_attainment(api_as, legal, open_case):
    case = open_case()
    api = api_as(legal)
    api.post(f"/recoveries/{case['id']}/receipts", json={"amount": "1500", "received_on": "2025-02-10", "method": "cash"})
    api.post(f"/recoveries/{case['id']}/receipts", json={"amount": "500", "received_on": "2025-04-01", "method": "cash"})
    r = api.put("/recovery-targets/2025-Q1", json={"amount": "6000"})
    assert r.status_code == 200 and r.get_json() == {"period": "2025-Q1", "target": "6000.00", "recovered": "1500.00",
                                                     "attainment": "0.2500"}
    assert api.put("/recovery-targets/2025-Q5", json={"amount": "1"}).status_code == 422
    api.put("/recovery-targets/2025-04", json={"amount": "1000"})
    assert [(t["period"], t["attainment"]) for t in api.get("/recovery-targets").get_json()] == \
        [("2025-04", "0.5000"), ("2025-Q1", "0.2500")]


def test_period_bounds():
    from plugins.subrogation.services import period_bounds

    assert period_bounds("2025-Q4") == (date(2025, 10, 1), date(2026, 1, 1))
    assert period_bounds("2024-02") == (date(2024, 2, 1), date(2024, 3, 1))
    assert period_bounds("2024-12") == (date(2024, 12, 1), date(2025, 1, 1))
