"""The major-case register (大案, docs/review-controls.md) fed by the repair total: a claim enters when its
repair total reaches 50,000.00 (first quote plus supplement), the band decides who is
responsible, milestones by API and page, overdue milestones on the supervisors' dashboard,
reassignment and closing audited, staff only."""
from __future__ import annotations

from datetime import timedelta

import pytest

from .conftest import create, line, make_claim


def work(amount: str) -> list[dict]:
    return [line("outsourced", "外加工 钣金修复", "1", amount)]


def register_of(api, claim_no):
    items = api.get("/major-cases?per_page=100").get_json()["items"]
    return [c for c in items if c["claim_no"] == claim_no]


@pytest.fixture
def admin(factory):
    return factory.admin()


@pytest.mark.parametrize("supplement, enters", [("20000.00", True), ("19999.99", False)])
def test_a_claim_enters_when_its_repair_total_reaches_the_threshold(people, api_as, garage_api, admin,
                                                                    supplement, enters):
    claim = make_claim(people.garage, color="yellow")
    first = create(garage_api, claim, work("30000.00"), submit=True)
    sup = api_as(people.supervisor2)
    r = sup.post(f"/quotes/{first['id']}/decisions", json={"action": "approve", "version": first["version"]})
    assert r.get_json()["status"] == "approved"
    assert register_of(sup, claim.claim_no) == []            # 30,000: not major
    create(garage_api, claim, work(supplement), submit=True, supplement_to=first["id"])
    found = register_of(sup, claim.claim_no)
    assert bool(found) is enters
    if enters:
        case = found[0]
        assert case["amount"] == "50000.00" and case["basis"] == "repair" and case["band"] == 1
        # the supervisor with the fewest open major cases whose authority covers it
        assert case["responsible_id"] in (people.supervisor.id, people.supervisor2.id)
        assert case["overdue"] == [] and case["status"] == "open"
        assert sup.get(f"/major-cases/{case['id']}").get_json()["amounts"] == {"repair": "50000.00"}


@pytest.mark.parametrize("amount, band, role", [("120000.00", 1, "supervisor"), ("120000.01", 2, "admin")])
def test_the_band_decides_the_responsible_role(people, api_as, garage_api, admin, amount, band, role):
    claim = make_claim(people.garage, color="yellow")
    create(garage_api, claim, work(amount), submit=True)
    case = register_of(api_as(admin), claim.claim_no)[0]
    assert case["band"] == band
    if role == "supervisor":    # both supervisors' limits (200,000 and 2,000,000) cover 120,000
        assert case["responsible_id"] in (people.supervisor.id, people.supervisor2.id)
    else:
        assert case["responsible_id"] == admin.id


def test_moving_up_a_band_hands_the_case_to_the_new_band_and_is_audited(people, api_as, garage_api, admin):
    claim = make_claim(people.garage, color="yellow")
    first = create(garage_api, claim, work("50000.00"), submit=True)
    sup = api_as(people.supervisor2)
    case = register_of(sup, claim.claim_no)[0]
    assert case["band"] == 1 and case["responsible_id"] != admin.id
    r = sup.post(f"/quotes/{first['id']}/decisions", json={"action": "approve", "version": first["version"]})
    assert r.get_json()["status"] == "approved"
    create(garage_api, claim, work("70000.01"), submit=True, supplement_to=first["id"])
    moved = sup.get(f"/major-cases/{case['id']}").get_json()
    assert moved["band"] == 2 and moved["amount"] == "120000.01" and moved["responsible_id"] == admin.id
    trail = api_as(people.supervisor2).get(f"/audit?entity=major_case&entity_id={case['id']}").get_json()["items"]
    assert [t["action"] for t in trail] == ["enter", "amount"]
    assert trail[1]["changes"]["band"] == [1, 2]


def _major(people, garage_api, api_as, amount="80000.00"):
    claim = make_claim(people.garage, color="yellow")
    create(garage_api, claim, work(amount), submit=True)
    return claim, register_of(api_as(people.supervisor2), claim.claim_no)[0]


def _age(case_id, hours):
    """Time passes: the case was entered ``hours`` ago."""
    from portal.extensions import db
    from portal.major_cases.models import MajorCase

    case = db.session.get(MajorCase, case_id)
    shift = timedelta(hours=hours)
    case.opened_at -= shift
    case.on_site_due -= shift
    case.report_due -= shift
    case.status_due -= shift
    db.session.commit()


@pytest.mark.parametrize("hours, late", [(23.9, []), (24.1, ["on_site"]), (72.1, ["on_site", "investigation_report"]),
                                         (24 * 7 + 0.1, ["on_site", "investigation_report", "status"])])
def test_milestones_fall_overdue_at_24h_72h_and_a_week(people, garage_api, api_as, hours, late):
    _claim, case = _major(people, garage_api, api_as)
    _age(case["id"], hours)
    assert api_as(people.supervisor2).get(f"/major-cases/{case['id']}").get_json()["overdue"] == late


def test_recording_milestones_by_api(people, garage_api, api_as, factory):
    _claim, case = _major(people, garage_api, api_as)
    responsible = api_as(people.supervisor if case["responsible_id"] == people.supervisor.id else people.supervisor2)
    _age(case["id"], 100)
    url = f"/major-cases/{case['id']}/milestones"
    # an assessor who is not responsible may read, never record
    stranger = api_as(factory.user(roles=("assessor",), limit=20000))
    assert stranger.get(f"/major-cases/{case['id']}").status_code == 200
    assert stranger.post(url, json={"kind": "on_site"}).status_code == 403
    r = responsible.post(url, json={"kind": "investigation_report", "text": "  "})
    assert r.status_code == 422 and "text" in r.get_json()["error"]["details"]
    r = responsible.post(url, json={"kind": "on_site", "at": "2999-01-01T10:00:00+08:00"})
    assert r.status_code == 422
    assert responsible.post(url, json={"kind": "on_site"}).status_code == 201
    assert responsible.post(url, json={"kind": "on_site"}).status_code == 422     # once
    r = responsible.post(url, json={"kind": "investigation_report", "text": "现场查勘：碰撞痕迹与事故经过相符。"})
    assert r.status_code == 201
    r = responsible.post(url, json={"kind": "status", "text": "已完成定损，等待配件到货。"})
    body = r.get_json()
    assert r.status_code == 201 and body["overdue"] == []
    assert [x["kind"] for x in body["lines"]] == ["on_site", "investigation_report", "status"]


def test_reassign_needs_a_reason_and_a_fitting_person(people, garage_api, api_as, factory):
    _claim, case = _major(people, garage_api, api_as)
    sup = api_as(people.supervisor2)
    url = f"/major-cases/{case['id']}/responsible"
    other = people.supervisor if case["responsible_id"] == people.supervisor2.id else people.supervisor2
    assert sup.post(url, json={"user_id": other.id, "reason": ""}).status_code == 422
    assert sup.post(url, json={"user_id": people.assessor.id, "reason": "休假"}).status_code == 422   # not the band's role
    assert api_as(people.assessor2).post(url, json={"user_id": other.id, "reason": "休假"}).status_code == 403
    r = sup.post(url, json={"user_id": other.id, "reason": "原负责人休假"})
    assert r.status_code == 200 and r.get_json()["responsible_id"] == other.id


def test_close_needs_the_report_and_reopen(people, garage_api, api_as):
    _claim, case = _major(people, garage_api, api_as)
    sup = api_as(people.supervisor2)
    url = f"/major-cases/{case['id']}/transitions"
    r = sup.post(url, json={"action": "close"})
    assert r.status_code == 422
    sup.post(f"/major-cases/{case['id']}/milestones", json={"kind": "investigation_report", "text": "调查结论：无异常。"})
    r = sup.post(url, json={"action": "close", "reason": "已赔付结案"})
    assert r.status_code == 200 and r.get_json()["status"] == "closed" and r.get_json()["overdue"] == []
    assert sup.post(url, json={"action": "close"}).status_code == 409
    assert sup.post(url, json={"action": "reopen"}).get_json()["status"] == "open"


def test_partners_never_see_the_register(people, garage_api, api_as, client, web_login):
    _claim, case = _major(people, garage_api, api_as)
    assert garage_api.get("/major-cases").status_code == 403
    assert garage_api.get(f"/major-cases/{case['id']}").status_code == 403
    web_login(people.garage_user)
    assert client.get("/major-cases").status_code == 404
    assert client.get(f"/major-cases/{case['id']}").status_code == 404


def test_pages_register_dashboard_and_milestone_form(people, garage_api, api_as, client, web_login):
    claim, case = _major(people, garage_api, api_as)
    _age(case["id"], 30)
    web_login(people.supervisor2)
    dash = client.get("/").get_data(as_text=True)
    assert "大案" in dash and "/major-cases?overdue=1" in dash
    html = client.get("/major-cases?overdue=1").get_data(as_text=True)
    assert claim.claim_no in html and "到达现场" in html and "逾期" in html
    # a report without text keeps what was typed in the other fields and says why
    r = client.post(f"/major-cases/{case['id']}/milestones", data={"kind": "on_site", "at": "2999-01-01T10:00"})
    assert r.status_code == 422 and "2999-01-01T10:00" in r.get_data(as_text=True)
    r = client.post(f"/major-cases/{case['id']}/milestones", data={"kind": "status", "text": "配件已到，维修中。"})
    assert r.status_code == 302
    page = client.get(f"/major-cases/{case['id']}").get_data(as_text=True)
    assert "配件已到，维修中。" in page and "50,000–120,000" in page


def test_two_people_recording_arrival_at_once_record_it_once(app, people, garage_api, api_as):
    """Racing: the responsible person and a supervisor record arrival on site at the same time;
    exactly one line is kept, the other answer is 409 (stale) or 422 (already recorded)."""
    import threading

    import sqlalchemy as sa

    from portal.extensions import db
    from portal.major_cases.models import MajorCaseLine

    _claim, case = _major(people, garage_api, api_as)
    callers = [api_as(people.supervisor), api_as(people.supervisor2)]
    db.session.remove()
    start, answers = threading.Barrier(2), []

    def record(api):
        with app.app_context():
            start.wait()
            answers.append(api.post(f"/major-cases/{case['id']}/milestones", json={"kind": "on_site"}).status_code)

    threads = [threading.Thread(target=record, args=(c,)) for c in callers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(answers)[0] == 201 and sorted(answers)[1] in (409, 422), answers
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MajorCaseLine).where(
        MajorCaseLine.case_id == case["id"], MajorCaseLine.kind == "on_site")) == 1
