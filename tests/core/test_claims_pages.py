"""Claim pages: staff list (filters, counts, XLSX), form, detail; partners' "my claims"."""
from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from tests.core.test_claims_api import claim_body, valid_vin
from tests.querycount import count_queries


@pytest.fixture
def staff(factory):
    return factory.user(roles=("assessor",))


def _make(api_as, staff, **over):
    r = api_as(staff).post("/claims", json=claim_body(**over))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_staff_list_counts_filters_and_export(client, api_as, factory, web_login, staff):
    _make(api_as, staff, claim_no="P-BLUE")
    _make(api_as, staff, claim_no="P-RED", flags={"theft": True})
    _make(api_as, staff, claim_no="P-RED2", flags={"fire": True}, region="苏州")
    web_login(staff)
    html = client.get("/claims").get_data(as_text=True)
    assert "P-BLUE" in html and "P-RED2" in html
    assert 'data-testid="count-red"' in html
    html = client.get("/claims?color=red").get_data(as_text=True)
    assert "P-RED" in html and "P-BLUE" not in html
    html = client.get("/claims?color=red&region=苏州").get_data(as_text=True)
    assert "P-RED2" in html and "P-RED<" not in html
    r = client.get("/claims/export.xlsx?color=red")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    ws = load_workbook(io.BytesIO(r.data)).active
    assert sorted(row[0] for row in ws.iter_rows(min_row=2, values_only=True)) == ["P-RED", "P-RED2"]


def test_staff_list_queries_are_bounded(client, api_as, factory, web_login, staff):
    garage = factory.org("garage")
    for i in range(2):
        c = _make(api_as, staff, claim_no=f"B-{i}")
        api_as(staff).post(f"/claims/{c['claim_no']}/assignments", json={"organization_id": garage.id,
                                                                         "purpose": "repair"})
    web_login(staff)
    client.get("/claims")  # warm-up: the test's app context keeps the logged-in user between requests
    with count_queries() as few:
        client.get("/claims")
    for i in range(2, 12):
        c = _make(api_as, staff, claim_no=f"B-{i}")
        api_as(staff).post(f"/claims/{c['claim_no']}/assignments", json={"organization_id": garage.id,
                                                                         "purpose": "repair"})
    client.get("/claims")
    with count_queries() as many:
        client.get("/claims")
    assert many.count == few.count, (few, many)


def test_create_form_shows_field_errors_then_creates(client, factory, web_login, staff):
    web_login(staff)
    assert client.get("/claims/new").status_code == 200
    data = {"claim_no": "F-1", "policy_no": "P1", "policy_start": "2025-01-01", "policy_end": "2025-12-31",
            "insured_name": "李四", "plate": "沪B·12345", "vin": "LSVAM4187N2183290", "model": "朗逸",
            "accident_at": "2025-06-11T23:10", "reported_at": "2025-06-11T23:40", "region": "上海",
            "loss_ratio": "45", "claims_in_year": "1", "estimated_loss": "8000", "flag_single_party": "y"}
    if data["vin"] == valid_vin():
        data["vin"] = "LSVAM4187N2183291"
    r = client.post("/claims/new", data=data)
    assert r.status_code == 422
    assert "第 9 位校验位不正确" in r.get_data(as_text=True)   # in the reader's language (D-10)
    data["vin"] = valid_vin()
    r = client.post("/claims/new", data=data)
    assert r.status_code == 302 and r.headers["Location"].endswith("/claims/F-1")
    html = client.get("/claims/F-1").get_data(as_text=True)
    assert 'data-testid="risk-reasons"' in html and "NIGHT_ACCIDENT" in html
    r = client.post("/claims/new", data=data)
    assert r.status_code == 422  # duplicate number shown on the form


def test_edit_form_recomputes_colour(client, api_as, factory, web_login, staff):
    c = _make(api_as, staff)
    web_login(staff)
    r = client.get(f"/claims/{c['claim_no']}/edit")
    assert r.status_code == 200 and "15.00" in r.get_data(as_text=True)  # loss ratio shown in percent
    from portal.claims.forms import ClaimForm  # noqa: F401
    data = {"policy_no": "PDAA202631000000001", "policy_start": "2025-01-01", "policy_end": "2025-12-31",
            "insured_name": "张建国", "plate": "沪A·12345", "vin": valid_vin(), "model": "上汽大众 朗逸",
            "first_registration": "2022-03-15", "actual_value": "98000", "accident_at": "2025-06-11T10:20",
            "reported_at": "2025-06-11T10:45", "region": "上海", "estimated_loss": "3800", "property_loss": "0",
            "loss_ratio": "15", "claims_in_year": "1", "flag_single_party": "y", "flag_first_scene_reported": "y",
            "flag_suspicious": "y", "version": str(c["version"])}
    r = client.post(f"/claims/{c['claim_no']}/edit", data=data)
    assert r.status_code == 302
    body = api_as(staff).get(f"/claims/{c['claim_no']}").get_json()
    assert body["risk_reasons"] == ["SUSPICIOUS"] and body["loss_ratio"] == "0.1500"


def test_detail_assign_and_unassign_with_audit_tab(client, api_as, factory, web_login, staff):
    c = _make(api_as, staff)
    garage = factory.org("garage", name="浦东永达")
    web_login(staff)
    r = client.post(f"/claims/{c['claim_no']}/assignments", data={"organization_id": garage.id, "purpose": "repair"})
    assert r.status_code == 302
    html = client.get(f"/claims/{c['claim_no']}").get_data(as_text=True)
    assert "浦东永达" in html and "assign" in html and 'data-testid="net-cost"' in html
    r = client.post(f"/claims/{c['claim_no']}/assignments", data={"organization_id": garage.id, "purpose": "salvage"})
    assert r.status_code == 302  # refused with a message, nothing created
    from portal.claims.models import Assignment
    from portal.extensions import db

    a = db.session.query(Assignment).one()
    assert client.post(f"/claims/{c['claim_no']}/assignments/{a.id}/end").status_code == 302
    db.session.expire_all()
    assert db.session.get(Assignment, a.id).ended_at is not None


def test_partner_pages_show_only_assigned_claims_and_their_fields(client, api_as, factory, web_login, staff):
    mine = _make(api_as, staff, claim_no="M-1", loss_ratio="0.77")
    other = _make(api_as, staff, claim_no="M-2")
    garage = factory.org("garage")
    api_as(staff).post(f"/claims/{mine['claim_no']}/assignments", json={"organization_id": garage.id,
                                                                        "purpose": "repair"})
    user = factory.user(garage)
    web_login(user)
    html = client.get("/my/claims").get_data(as_text=True)
    assert "M-1" in html and "M-2" not in html
    assert client.get("/claims").status_code == 302  # partners go to their own list
    html = client.get("/claims/M-1").get_data(as_text=True)
    # the loss ratio (0.77) nowhere — the CSRF tokens are random text and may hold "77"
    shown = re.sub(r"<[^>]*csrf[^>]*>", "", html)
    assert valid_vin() in shown and "77" not in shown and "张建国" not in shown
    for path in (f"/claims/{other['claim_no']}", "/claims/NOPE", f"/claims/{other['claim_no']}/edit",
                 "/claims/new", "/claims/export.xlsx"):
        assert client.get(path).status_code == 404, path
    r = client.get("/my/claims/export.xlsx")
    ws = load_workbook(io.BytesIO(r.data)).active
    assert [row[0] for row in ws.iter_rows(min_row=2, values_only=True)] == ["M-1"]


def test_pages_in_english_and_chinese(client, api_as, factory, web_login, staff):
    from flask import g

    _make(api_as, staff, flags={"theft": True})
    g.pop("api_user", None)  # the test's app context outlives requests: forget the API caller
    web_login(staff)
    zh = client.get("/claims/RDAA2026310000000123").get_data(as_text=True)
    assert "盗抢" in zh and "风险颜色" in zh
    client.post("/lang/en", data={})
    from flask_babel import refresh

    refresh()  # flask-babel caches the locale on the test's long-lived app context
    en = client.get("/claims/RDAA2026310000000123").get_data(as_text=True)
    assert "Risk colour" in en and "Theft" in en


def test_demo_claims_are_idempotent_and_coloured(app):
    from portal.demo import load_demo

    first = load_demo()
    second = load_demo()
    line = [l for l in second if l.startswith("claims:")][0]
    assert "0 new" in line and "red" in line and "blue" in line and "yellow" in line
    assert any(l.startswith("claims: 9 (9 new") for l in first)
