"""Never a 500 for bad input (security review M8): numbers of absurd size or precision, JSON
nested without end, lone surrogates and NUL characters, each answered 400 or 422 with the field."""
from __future__ import annotations

import pytest

from .conftest import create, make_claim, part

HUGE = ["111111111111111111111111111.123", "1E+999999999", "1e-999999999", "9" * 60, "-0.0000000000000000000000001"]


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize("field", ["unit_price", "quantity"])
def test_absurd_numbers_in_a_quote_line(people, garage_api, field, value):
    claim = make_claim(people.garage, color="yellow")
    r = garage_api.post(f"/claims/{claim.claim_no}/quotes", json={"lines": [part(**{field: value})]})
    assert r.status_code == 422 and field in str(r.get_json()["error"]["details"]), r.get_json()


@pytest.mark.parametrize("value", HUGE)
def test_absurd_numbers_in_a_decision_and_a_query(people, garage_api, api_as, value):
    claim = make_claim(people.garage, color="yellow")
    q = create(garage_api, claim, [part()], submit=True)
    staff = api_as(people.assessor)
    r = staff.post(f"/quotes/{q['id']}/decisions", json={"action": "approve", "version": q["version"], "lines": [
        {"id": q["lines"][0]["id"], "approved_quantity": value, "reason": "QUANTITY_HIGH"}]})
    assert r.status_code == 422, r.get_json()
    r = staff.get(f"/calendar/review-deadline?submitted_at=2026-12-01T10:00:00&amount={value}")
    assert r.status_code == 422, r.get_json()


def test_bodies_nested_without_end_or_with_huge_integers_are_400(people, garage_api):
    claim = make_claim(people.garage, color="yellow")
    url = f"/api/v1/claims/{claim.claim_no}/quotes"
    for body in ("[" * 100000 + "]" * 100000, '{"lines": ' + "[" * 50 + "]" * 50 + "}",
                 '{"lines": [{"kind": "part", "quantity": 1' + "0" * 5000 + "}]}"):
        r = garage_api.client.post(url, data=body, content_type="application/json", headers=garage_api.headers)
        assert r.status_code == 400 and r.get_json()["error"]["code"] == "bad_request"


@pytest.mark.parametrize("text", ["\ud800", "前保险杠\x00"])
def test_unkeepable_text_names_the_field(people, garage_api, text):
    claim = make_claim(people.garage, color="yellow")
    r = garage_api.post(f"/claims/{claim.claim_no}/quotes", json={"lines": [part(name=text)]})
    assert r.status_code == 422 and "lines.0.name" in r.get_json()["error"]["details"], r.get_json()
