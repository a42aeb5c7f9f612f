"""Seed 002's facts on a claim (docs/review-controls.md) through the API and the pages: who reported it,
the vehicle's use, domestic or imported, a rare model; the red reasons and the never-blue
uses they drive, in Chinese and English words."""
from __future__ import annotations

import pytest

from tests.core.test_claims_api import claim_body, valid_vin


@pytest.fixture
def staff(factory):
    return factory.user(roles=("assessor",), limit=20000)


def test_api_takes_and_returns_the_new_facts(api_as, staff):
    r = api_as(staff).post("/claims", json=claim_body(vehicle={"use": "private", "origin": "imported",
                                                               "rare_model": True}, reported_by="insured"))
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["vehicle"]["use"] == "private" and body["vehicle"]["origin"] == "imported"
    assert body["vehicle"]["rare_model"] is True and body["reported_by"] == "insured"
    assert body["risk_color"] == "blue"   # a 2022 car: imported and rare, but not old


@pytest.mark.parametrize("over, reason", [
    ({"reported_by": "other", "flags": {"driver_is_insured": False}}, "DRIVER_NOT_INSURED_REPORTED_BY_OTHER"),
    ({"policy_cover": "1000000.00"}, "HIGH_SUM_INSURED"),
    ({"vehicle": {"first_registration": "2015-06-11", "origin": "imported"}}, "OLD_OR_IMPORTED_MODEL"),
    ({"vehicle": {"use": "special"}}, "SPECIAL_VEHICLE"),
])
def test_each_new_red_reason_through_the_api(api_as, staff, over, reason):
    r = api_as(staff).post("/claims", json=claim_body(**over))
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["risk_color"] == "red" and r.get_json()["risk_reasons"] == [reason]


@pytest.mark.parametrize("over", [
    {"reported_by": "other", "flags": {"driver_is_insured": True}},
    {"reported_by": "driver", "flags": {"driver_is_insured": False}},
    {"policy_cover": "999999.99"},
    {"vehicle": {"first_registration": "2015-06-12", "origin": "imported"}},
    {"vehicle": {"first_registration": "2015-06-11", "origin": "domestic"}},
])
def test_just_below_each_new_rule_is_not_red(api_as, staff, over):
    r = api_as(staff).post("/claims", json=claim_body(**over))
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["risk_reasons"] == []


@pytest.mark.parametrize("use, color", [("taxi", "yellow"), ("motorcycle", "yellow"), ("agricultural", "yellow"),
                                        ("commercial", "blue"), (None, "yellow")])
def test_never_blue_uses_through_the_api(api_as, staff, use, color):
    r = api_as(staff).post("/claims", json=claim_body(vehicle={"use": use}))
    assert r.status_code == 201 and r.get_json()["risk_color"] == color


def test_patch_of_the_use_recomputes_and_audits(api_as, staff, factory):
    c = api_as(staff).post("/claims", json=claim_body()).get_json()
    assert c["risk_color"] == "blue"
    r = api_as(staff).patch(f"/claims/{c['claim_no']}", json={"vehicle": {"use": "taxi"}})
    assert r.status_code == 200 and r.get_json()["risk_color"] == "yellow"
    sup = factory.user(roles=("supervisor",))
    trail = api_as(sup).get(f"/audit?entity=claim&entity_id={c['id']}").get_json()["items"]
    assert trail[-1]["changes"]["vehicle_use"] == ["private", "taxi"]
    assert trail[-1]["changes"]["risk_color"] == ["blue", "yellow"]


@pytest.mark.parametrize("over, field", [
    ({"vehicle": {"use": "tractor"}}, ("vehicle", "use")),
    ({"vehicle": {"origin": "martian"}}, ("vehicle", "origin")),
    ({"reported_by": "neighbour"}, ("reported_by",)),
    ({"vehicle": {"rare_model": "maybe"}}, ("vehicle", "rare_model")),
    ({"vehicle": {"first_registration": "0001-01-01"}}, ("vehicle", "first_registration")),
    ({"policy_start": "9999-12-31"}, ("policy_start",)),
])
def test_bad_values_are_422_naming_the_field(api_as, staff, over, field):
    r = api_as(staff).post("/claims", json=claim_body(**over))
    assert r.status_code == 422
    details = r.get_json()["error"]["details"]
    assert details[".".join(field)]   # one shape of details: dotted field paths


def test_partners_never_see_the_new_facts(api_as, staff, factory):
    garage = factory.org("garage")
    c = api_as(staff).post("/claims", json=claim_body(reported_by="other")).get_json()
    api_as(staff).post(f"/claims/{c['claim_no']}/assignments", json={"organization_id": garage.id,
                                                                       "purpose": "repair"})
    seen = api_as(factory.user(garage)).get(f"/claims/{c['claim_no']}").get_json()
    assert "reported_by" not in seen and "origin" not in seen["vehicle"]


def _form(**over):
    data = {"claim_no": "S-1", "policy_no": "P1", "policy_start": "2025-01-01", "policy_end": "2025-12-31",
            "insured_name": "李四", "plate": "沪B·12345", "vin": valid_vin(), "model": "奔驰 G500",
            "first_registration": "2014-03-01", "accident_at": "2025-06-11T10:10",
            "reported_at": "2025-06-11T10:40", "region": "上海", "loss_ratio": "10", "claims_in_year": "1",
            "estimated_loss": "3000", "property_loss": "0", "flag_single_party": "y",
            "flag_first_scene_reported": "y", "vehicle_use": "private", "origin": "imported",
            "reported_by": "other"}
    data.update(over)
    return data


def test_form_takes_the_facts_and_detail_shows_them_in_chinese(client, web_login, staff):
    web_login(staff)
    form = client.get("/claims/new").get_data(as_text=True)
    assert "使用性质" in form and "报案人" in form and "出租车" in form and "稀有车型" in form
    r = client.post("/claims/new", data=_form())
    assert r.status_code == 302, r.get_data(as_text=True)
    html = client.get("/claims/S-1").get_data(as_text=True)
    assert "10 年及以上的老旧进口车型或稀有车型" in html          # the red reason in words
    assert "驾驶人非被保险人，且非本人报案" in html                 # driver_is_insured unticked, reported by other
    assert "家庭自用" in html and "进口" in html and "他人" in html


def test_form_refuses_a_forged_use_and_keeps_what_was_typed(client, web_login, staff):
    web_login(staff)
    r = client.post("/claims/new", data=_form(vehicle_use="tractor"))
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "奔驰 G500" in html   # typed values stay on the form


def test_yellow_taxi_shows_why_not_blue_in_both_languages(client, api_as, web_login, staff):
    from flask import g

    api_as(staff).post("/claims", json=claim_body(vehicle={"use": "taxi"}))
    g.pop("api_user", None)
    web_login(staff)
    zh = client.get("/claims/RDAA2026310000000123").get_data(as_text=True)
    assert "非出租车、摩托车、农用车" in zh and "出租车" in zh
    client.post("/lang/en", data={})
    from flask_babel import refresh

    refresh()
    en = client.get("/claims/RDAA2026310000000123").get_data(as_text=True)
    assert "Not a taxi, motorcycle or agricultural vehicle" in en and "Taxi" in en
