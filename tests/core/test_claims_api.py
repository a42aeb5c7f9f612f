"""The claims API: create, read, patch, list, assign/unassign; partner visibility; errors."""
from __future__ import annotations

import copy

import pytest
import sqlalchemy as sa

from tests.querycount import count_queries

VIN = "LSVAM4187N2183294"  # check digit fixed below


def valid_vin():
    from portal.claims.vin import with_check_digit

    return with_check_digit(VIN)


def claim_body(claim_no="RDAA2026310000000123", **over):
    body = {
        "claim_no": claim_no, "policy_no": "PDAA202631000000001", "policy_start": "2025-01-01",
        "policy_end": "2025-12-31", "insured_name": "张建国",
        "vehicle": {"plate": "沪A·12345", "vin": valid_vin(), "model": "上汽大众 朗逸", "first_registration": "2022-03-15",
                    "actual_value": "98000.00", "use": "private", "origin": "domestic"},
        "accident_at": "2025-06-11T10:20:00+08:00", "reported_at": "2025-06-11T10:45:00+08:00",
        "region": "上海", "place": "上海市浦东新区张杨路", "description": "倒车刮擦",
        "estimated_loss": "3800.00", "property_loss": "0", "loss_ratio": "0.15", "claims_in_year": 1,
        "policy_cover": "120000.00",
        "flags": {"single_party": True, "first_scene_reported": True, "driver_is_insured": True},
    }
    for key, value in over.items():
        if key == "vehicle":
            body["vehicle"] = {**body["vehicle"], **value}
        elif key == "flags":
            body["flags"] = {**body["flags"], **value}
        else:
            body[key] = value
    return copy.deepcopy(body)


@pytest.fixture
def staff(factory):
    return factory.user(roles=("assessor",), limit=20000)


@pytest.fixture
def as_staff(api_as, staff):
    return api_as(staff)


def make_claim(as_staff, **over):
    r = as_staff.post("/claims", json=claim_body(**over))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_create_returns_every_field_with_colour(as_staff):
    r = as_staff.post("/claims", json=claim_body())
    assert r.status_code == 201
    c = r.get_json()
    assert c["claim_no"] == "RDAA2026310000000123" and isinstance(c["id"], int)
    assert c["risk_color"] == "blue" and c["risk_reasons"] == []
    assert c["vehicle"] == {"plate": "沪A·12345", "vin": valid_vin(), "model": "上汽大众 朗逸",
                            "first_registration": "2022-03-15", "actual_value": "98000.00", "use": "private",
                            "origin": "domestic", "rare_model": None}
    assert c["accident_at"] == "2025-06-11T10:20:00+08:00" and c["policy_start"] == "2025-01-01"
    assert c["loss_ratio"] == "0.1500" and c["claims_in_year"] == 1 and c["policy_cover"] == "120000.00"
    assert c["estimated_loss"] == "3800.00" and c["property_loss"] == "0.00"
    assert c["flags"]["single_party"] is True and c["flags"]["theft"] is False and len(c["flags"]) == 10
    assert c["status"] == "open" and c["place"] == "上海市浦东新区张杨路"


def test_red_claim_lists_reasons(as_staff):
    c = make_claim(as_staff, accident_at="2025-06-11T22:00:00+08:00", reported_at="2025-06-14T08:00:00+08:00",
                   flags={"theft": True})
    assert c["risk_color"] == "red"
    assert c["risk_reasons"] == ["NIGHT_ACCIDENT", "LATE_REPORT", "THEFT"]


def test_time_without_offset_is_shanghai(as_staff):
    c = make_claim(as_staff, accident_at="2025-06-11T22:30:00", reported_at="2025-06-11T22:40:00")
    assert c["accident_at"] == "2025-06-11T22:30:00+08:00" and c["risk_reasons"] == ["NIGHT_ACCIDENT"]


def test_duplicate_claim_no_is_409(as_staff):
    make_claim(as_staff)
    r = as_staff.post("/claims", json=claim_body())
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "invalid_state"


@pytest.mark.parametrize("vin", ["LSVAM4187N218329", "LSVAM4187N21832944", "LSVAM4187N218329O", "LSVAM41I7N2183294"])
def test_bad_vin_shape_is_422(as_staff, vin):
    r = as_staff.post("/claims", json=claim_body(vehicle={"vin": vin}))
    assert r.status_code == 422
    assert "vehicle.vin" in r.get_json()["error"]["details"]


def test_wrong_check_digit_is_422(as_staff):
    vin = valid_vin()
    wrong = vin[:8] + ("1" if vin[8] != "1" else "2") + vin[9:]
    r = as_staff.post("/claims", json=claim_body(vehicle={"vin": wrong}))
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "invalid"
    assert "check digit" in r.get_json()["error"]["details"]["vehicle.vin"][0]


@pytest.mark.parametrize("over, field", [
    ({"policy_start": "2025-13-01"}, "policy_start"),
    ({"loss_ratio": 0.45}, "loss_ratio"),             # a float is refused
    ({"loss_ratio": "abc"}, "loss_ratio"),
    ({"estimated_loss": "12.345"}, "estimated_loss"),
    ({"estimated_loss": "-1"}, "estimated_loss"),
    ({"claims_in_year": -1}, "claims_in_year"),
    ({"policy_end": "2024-12-31"}, "policy_end"),      # before the start
    ({"reported_at": "2025-06-11T09:00:00+08:00"}, "reported_at"),  # before the accident
    ({"claim_no": "bad no/1"}, "claim_no"),
    ({"flags": {"bogus": True}}, "flags.bogus"),
])
def test_bad_fields_are_422(as_staff, over, field):
    r = as_staff.post("/claims", json=claim_body(**over))
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["error"]["details"]


def test_missing_required_fields_are_422(as_staff):
    body = claim_body()
    del body["policy_no"], body["vehicle"]["plate"]
    r = as_staff.post("/claims", json=body)
    assert r.status_code == 422
    details = r.get_json()["error"]["details"]
    assert "policy_no" in details and "vehicle.plate" in details


def test_only_insurer_staff_create(api_as, factory):
    garage_user = factory.user(factory.org("garage"))
    r = api_as(garage_user).post("/claims", json=claim_body())
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "forbidden"
    assert api_as().post("/claims", json=claim_body()).status_code == 401


def test_patch_recomputes_colour_and_audits(as_staff, api_as, factory):
    c = make_claim(as_staff)
    r = as_staff.patch(f"/claims/{c['claim_no']}", json={"flags": {"suspicious": True}, "version": c["version"]})
    assert r.status_code == 200
    body = r.get_json()
    assert body["risk_color"] == "red" and body["risk_reasons"] == ["SUSPICIOUS"]
    assert body["version"] == c["version"] + 1
    assert body["flags"]["single_party"] is True  # other flags kept
    r = as_staff.patch(f"/claims/{c['claim_no']}", json={"flags": {"suspicious": False},
                                                         "vehicle": {"actual_value": "1000000"}})
    assert r.get_json()["risk_reasons"] == ["HIGH_VALUE_VEHICLE"]
    admin = factory.admin()
    trail = api_as(admin).get(f"/audit?entity=claim&entity_id={c['id']}").get_json()["items"]
    assert [i["action"] for i in trail] == ["create", "update", "update"]
    assert trail[1]["changes"]["risk_color"] == ["blue", "red"]
    assert trail[2]["changes"]["actual_value"] == ["98000.00", "1000000.00"]


def test_patch_with_stale_version_is_409(as_staff):
    c = make_claim(as_staff)
    as_staff.patch(f"/claims/{c['claim_no']}", json={"place": "A"})
    r = as_staff.patch(f"/claims/{c['claim_no']}", json={"place": "B", "version": c["version"]})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "stale_version"


def test_patch_bad_vin_is_422_and_changes_nothing(as_staff):
    c = make_claim(as_staff)
    r = as_staff.patch(f"/claims/{c['claim_no']}", json={"vehicle": {"vin": "12345"}, "place": "X"})
    assert r.status_code == 422
    assert as_staff.get(f"/claims/{c['claim_no']}").get_json()["place"] == c["place"]


def test_patch_by_partner_is_forbidden_and_unknown_claim_404(as_staff, api_as, factory):
    c = make_claim(as_staff)
    garage_user = factory.user(factory.org("garage"))
    assert api_as(garage_user).patch(f"/claims/{c['claim_no']}", json={"place": "x"}).status_code == 403
    assert as_staff.get("/claims/NOPE").status_code == 404
    assert as_staff.patch("/claims/NOPE", json={"place": "x"}).status_code == 404


def test_close_and_reopen(as_staff, api_as, factory):
    c = make_claim(as_staff)
    r = as_staff.post(f"/claims/{c['claim_no']}/transitions", json={"action": "close"})
    assert r.status_code == 200 and r.get_json()["status"] == "closed"
    assert as_staff.patch(f"/claims/{c['claim_no']}", json={"place": "x"}).status_code == 409
    assert as_staff.post(f"/claims/{c['claim_no']}/transitions", json={"action": "close"}).status_code == 409
    assert as_staff.post(f"/claims/{c['claim_no']}/transitions", json={"action": "reopen"}).status_code == 403
    sup = factory.user(roles=("supervisor",))
    assert api_as(sup).post(f"/claims/{c['claim_no']}/transitions", json={"action": "reopen"}).get_json()[
        "status"] == "open"


# ---------------------------------------------------------------- assignments and visibility


def test_assignment_fits_kind_and_partner_sees_only_its_fields(as_staff, api_as, factory):
    c = make_claim(as_staff)
    garage = factory.org("garage")
    user = factory.user(garage)
    as_garage = api_as(user)
    assert as_garage.get(f"/claims/{c['claim_no']}").status_code == 404
    assert as_garage.get("/claims").get_json()["total"] == 0
    r = as_staff.post(f"/claims/{c['claim_no']}/assignments", json={"organization_id": garage.id, "purpose": "repair"})
    assert r.status_code == 201
    a = r.get_json()
    assert a["purpose"] == "repair" and a["organization_id"] == garage.id and a["active"] is True
    seen = as_garage.get(f"/claims/{c['claim_no']}").get_json()
    for hidden in ("loss_ratio", "claims_in_year", "policy_cover", "estimated_loss", "property_loss", "risk_color",
                   "risk_reasons", "insured_name", "policy_no"):
        assert hidden not in seen
    assert "suspicious" not in seen["flags"] and "actual_value" not in seen["vehicle"]
    assert seen["vehicle"]["vin"] == valid_vin() and seen["accident_at"] and seen["place"]
    listed = as_garage.get("/claims").get_json()
    assert listed["total"] == 1 and "loss_ratio" not in listed["items"][0]


@pytest.mark.parametrize("kind, purpose, present, absent", [
    ("salvage_vendor", "salvage", {"vehicle", "place", "region"}, {"accident_at", "insured_name", "loss_ratio"}),
    ("law_firm", "counsel", {"insured_name", "policy_no", "accident_at", "description"},
     {"loss_ratio", "claims_in_year", "estimated_loss", "risk_color"}),
    ("specialist_repairer", "specialist_repair", {"vehicle", "accident_at"}, {"loss_ratio", "claims_in_year"}),
])
def test_other_purposes_see_what_they_need(as_staff, api_as, factory, kind, purpose, present, absent):
    c = make_claim(as_staff)
    org = factory.org(kind)
    as_staff.post(f"/claims/{c['claim_no']}/assignments", json={"organization_id": org.id, "purpose": purpose})
    seen = api_as(factory.user(org)).get(f"/claims/{c['claim_no']}").get_json()
    assert present <= set(seen) and not (absent & set(seen))


@pytest.mark.parametrize("kind, purpose", [("garage", "salvage"), ("salvage_vendor", "repair"),
                                           ("law_firm", "repair"), ("garage", "counsel"),
                                           ("parts_supplier", "repair"), ("garage", "specialist_repair")])
def test_purpose_must_fit_kind(as_staff, factory, kind, purpose):
    c = make_claim(as_staff)
    org = factory.org(kind)
    r = as_staff.post(f"/claims/{c['claim_no']}/assignments", json={"organization_id": org.id, "purpose": purpose})
    assert r.status_code == 422 and "purpose" in r.get_json()["error"]["details"]


def test_suspended_partner_unknown_org_and_bad_purpose_are_422(as_staff, factory):
    c = make_claim(as_staff)
    suspended = factory.org("garage", status="suspended")
    r = as_staff.post(f"/claims/{c['claim_no']}/assignments", json={"organization_id": suspended.id,
                                                                    "purpose": "repair"})
    assert r.status_code == 422 and "organization_id" in r.get_json()["error"]["details"]
    r = as_staff.post(f"/claims/{c['claim_no']}/assignments", json={"organization_id": 99999, "purpose": "repair"})
    assert r.status_code == 422
    r = as_staff.post(f"/claims/{c['claim_no']}/assignments", json={"organization_id": suspended.id,
                                                                    "purpose": "paint"})
    assert r.status_code == 422


def test_double_assignment_is_409(as_staff, factory):
    c = make_claim(as_staff)
    garage = factory.org("garage")
    body = {"organization_id": garage.id, "purpose": "repair"}
    assert as_staff.post(f"/claims/{c['claim_no']}/assignments", json=body).status_code == 201
    assert as_staff.post(f"/claims/{c['claim_no']}/assignments", json=body).status_code == 409


def test_unassign_hides_the_claim_again_and_keeps_the_row(as_staff, api_as, factory):
    c = make_claim(as_staff)
    garage = factory.org("garage")
    as_garage = api_as(factory.user(garage))
    a = as_staff.post(f"/claims/{c['claim_no']}/assignments",
                      json={"organization_id": garage.id, "purpose": "repair"}).get_json()
    assert as_garage.get(f"/claims/{c['claim_no']}").status_code == 200
    r = as_staff.delete(f"/claims/{c['claim_no']}/assignments/{a['id']}")
    assert r.status_code == 200 and r.get_json()["ended_at"] and r.get_json()["active"] is False
    assert as_garage.get(f"/claims/{c['claim_no']}").status_code == 404
    assert as_garage.get("/claims").get_json()["total"] == 0
    rows = as_staff.get(f"/claims/{c['claim_no']}/assignments").get_json()
    assert len(rows) == 1 and rows[0]["ended_at"]
    assert as_staff.delete(f"/claims/{c['claim_no']}/assignments/{a['id']}").status_code == 409
    assert as_staff.delete(f"/claims/{c['claim_no']}/assignments/999").status_code == 404
    assert as_garage.delete(f"/claims/{c['claim_no']}/assignments/{a['id']}").status_code == 403


def test_another_partner_never_sees_it(as_staff, api_as, factory):
    c = make_claim(as_staff)
    g1, g2 = factory.org("garage"), factory.org("garage")
    as_staff.post(f"/claims/{c['claim_no']}/assignments", json={"organization_id": g1.id, "purpose": "repair"})
    other = api_as(factory.user(g2))
    r = other.get(f"/claims/{c['claim_no']}")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"
    assert other.get("/claims").get_json()["total"] == 0


# ---------------------------------------------------------------- lists


def test_list_filters_and_pagination(as_staff, factory):
    make_claim(as_staff, claim_no="C-BLUE")
    make_claim(as_staff, claim_no="C-RED", flags={"fire": True})
    make_claim(as_staff, claim_no="C-YELLOW", region="苏州", flags={"first_scene_reported": False})
    garage = factory.org("garage")
    as_staff.post("/claims/C-RED/assignments", json={"organization_id": garage.id, "purpose": "repair"})

    def nos(query):
        r = as_staff.get("/claims" + query)
        assert r.status_code == 200, r.get_json()
        return sorted(i["claim_no"] for i in r.get_json()["items"])

    assert nos("") == ["C-BLUE", "C-RED", "C-YELLOW"]
    assert nos("?risk_color=red") == ["C-RED"] and nos("?color=blue") == ["C-BLUE"]
    assert nos("?region=苏州") == ["C-YELLOW"]
    assert nos(f"?partner={garage.id}") == ["C-RED"]
    assert nos("?status=closed") == []
    page = as_staff.get("/claims?per_page=2&page=2").get_json()
    assert page["total"] == 3 and page["page"] == 2 and page["per_page"] == 2 and len(page["items"]) == 1
    assert as_staff.get("/claims?risk_color=purple").status_code == 422
    assert as_staff.get("/claims?per_page=500").status_code == 422


def test_list_runs_a_bounded_number_of_queries(as_staff):
    for i in range(3):
        make_claim(as_staff, claim_no=f"Q-{i}")
    with count_queries() as few:
        assert as_staff.get("/claims").status_code == 200
    for i in range(3, 15):
        make_claim(as_staff, claim_no=f"Q-{i}")
    with count_queries() as many:
        assert len(as_staff.get("/claims").get_json()["items"]) == 15
    assert many.count == few.count, many


def test_costs_endpoint_sums_signed_components(app, as_staff, monkeypatch):
    from decimal import Decimal

    from portal.claims import api as claims_api
    from portal.claims.costs import CostComponent

    c = make_claim(as_staff)
    monkeypatch.setattr(claims_api, "claim_costs", lambda claim: [
        CostComponent("repair", "Approved repair", Decimal("12000.50"), 1),
        CostComponent("salvage", "Salvage proceeds", Decimal("2000.25"), -1)])
    body = as_staff.get(f"/claims/{c['claim_no']}/costs").get_json()
    assert body["net_cost"] == "10000.25" and body["components"][1]["sign"] == -1


def test_duplicate_claim_no_in_db_is_refused(as_staff):
    from portal.claims.models import Claim
    from portal.extensions import db

    make_claim(as_staff, claim_no="ONE")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Claim)) == 1
