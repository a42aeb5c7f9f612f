"""The repair-quotes API: creating, submitting, reading, bad input and isolation."""
from __future__ import annotations

from decimal import Decimal

import pytest

from .conftest import add_photo, create, line, make_claim, part

QUOTE_FIELDS = {"id", "claim_no", "garage_id", "supplement_to", "status", "version", "total_submitted",
                "total_approved", "submitted_at", "due_at", "findings", "lines", "decisions"}
LINE_FIELDS = {"id", "kind", "part_no", "name", "quality", "quantity", "unit_price", "amount", "approved_quantity",
               "approved_unit_price", "approved_amount", "reason"}


def test_create_draft_has_the_contract_fields_and_exact_amounts(people, garage_api):
    claim = make_claim(people.garage, color="yellow")
    body = create(garage_api, claim, [part(price="333.33", qty="3"), line("labor", "拆装前保险杠", "1.5", "99.99"),
                                      line("material", "机油", "0.33", "10.05")])
    assert QUOTE_FIELDS <= set(body) and body["status"] == "draft" and body["version"] == 1
    assert LINE_FIELDS <= set(body["lines"][0])
    amounts = [ln["amount"] for ln in body["lines"]]
    assert amounts == ["999.99", "149.99", "3.32"]   # 149.985 and 3.3165 round half-up
    assert body["total_submitted"] == "1153.30"
    assert body["claim_no"] == claim.claim_no and body["garage_id"] == people.garage.id
    assert body["submitted_at"] is None and body["due_at"] is None and body["total_approved"] is None


def test_submit_sets_deadline_with_offset_and_goes_to_the_assessor(people, garage_api, api_as):
    claim = make_claim(people.garage, color="yellow")
    q = create(garage_api, claim, [part()])
    add_photo(garage_api, q["id"])
    r = garage_api.post(f"/quotes/{q['id']}/submit", json={})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["status"] == "submitted" and body["version"] == 2 and body["desk"] == "assessor"
    assert body["submitted_at"].endswith("+08:00") and body["due_at"].endswith("17:00:00+08:00")
    staff = api_as(people.assessor).get(f"/quotes/{q['id']}").get_json()
    assert staff["id"] == q["id"] and staff["status"] == "submitted"


def test_submit_true_on_create(people, garage_api):
    claim = make_claim(people.garage, color="yellow")
    body = create(garage_api, claim, [part()], submit=True)
    assert body["status"] == "submitted" and body["due_at"]


@pytest.mark.parametrize("lines, key", [
    ([], "lines"),
    ([part(qty="0")], "lines.0.quantity"),
    ([part(qty="-1")], "lines.0.quantity"),
    ([part(price="12.345")], "lines.0.unit_price"),
    ([part(price=12.5)], "lines.0.unit_price"),
    ([part(qty="abc")], "lines.0.quantity"),
    ([part(part_no=None)], "lines.0.part_no"),
    ([part(quality=None)], "lines.0.quality"),
    ([{"kind": "wheel", "name": "x", "quantity": "1", "unit_price": "1"}], "lines.0.kind"),
    ([part(qty=True)], "lines.0.quantity"),
])
def test_bad_lines_are_422_with_field_messages(people, garage_api, lines, key):
    claim = make_claim(people.garage)
    r = garage_api.post(f"/claims/{claim.claim_no}/quotes", json={"lines": lines})
    assert r.status_code == 422, r.get_json()
    err = r.get_json()["error"]
    assert err["code"] == "invalid" and key in err["details"], err


def test_wrong_types_and_malformed_json(people, garage_api):
    claim = make_claim(people.garage)
    r = garage_api.post(f"/claims/{claim.claim_no}/quotes", json={"lines": "lots"})
    assert r.status_code == 422 and "lines" in r.get_json()["error"]["details"]
    r = garage_api.post(f"/claims/{claim.claim_no}/quotes", json={"lines": [part()], "submit": "maybe"})
    assert r.status_code == 422
    r = garage_api.client.post(f"/api/v1/claims/{claim.claim_no}/quotes", data="{nope",
                               headers={**garage_api.headers, "Content-Type": "application/json"})
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "bad_request"


def test_tenant_isolation(people, garage_api, api_as):
    claim = make_claim(people.garage, color="yellow")
    q = create(garage_api, claim, [part()], submit=True)
    for user in (people.other_user, people.supplier_user, people.specialist_user):
        api = api_as(user)
        assert api.get(f"/quotes/{q['id']}").status_code == 404
        assert api.post(f"/quotes/{q['id']}/submit", json={}).status_code == 404
        assert api.post(f"/quotes/{q['id']}/precheck").status_code == 404
        assert api.get("/quotes").get_json()["total"] == 0
    # an unassigned garage, a supplier, a specialist without a specialist assignment: 404 on create
    for user in (people.other_user, people.supplier_user, people.specialist_user):
        r = api_as(user).post(f"/claims/{claim.claim_no}/quotes", json={"lines": [part()]})
        assert r.status_code == 404, user
    assert garage_api.post("/claims/NO-SUCH/quotes", json={"lines": [part()]}).status_code == 404
    # a garage cannot decide
    assert garage_api.post(f"/quotes/{q['id']}/decisions", json={"action": "approve", "version": 2}).status_code == 403


def test_ended_assignment_hides_the_claim(people, garage_api):
    from portal.claims.models import Assignment
    from portal.extensions import db
    from portal.timeutil import utcnow

    claim = make_claim(people.garage)
    for a in db.session.query(Assignment).all():
        a.ended_at = utcnow()
    db.session.commit()
    assert garage_api.post(f"/claims/{claim.claim_no}/quotes", json={"lines": [part()]}).status_code == 404


def test_list_filters_and_overdue(people, garage_api, api_as):
    from portal.extensions import db
    from portal.timeutil import utcnow
    from datetime import timedelta
    from plugins.garages.models import Quote

    claim = make_claim(people.garage, color="yellow")
    q1 = create(garage_api, claim, [part()], submit=True)
    create(garage_api, make_claim(people.garage, color="yellow"), [part()])
    db.session.get(Quote, q1["id"]).due_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    staff = api_as(people.assessor)
    assert staff.get("/quotes?status=submitted").get_json()["total"] == 1
    over = staff.get("/quotes?overdue=true").get_json()
    assert [i["id"] for i in over["items"]] == [q1["id"]] and over["items"][0]["overdue"] is True
    mine = garage_api.get("/quotes").get_json()
    assert mine["total"] == 2 and set(mine) == {"items", "page", "per_page", "total"}
    assert staff.get("/quotes?status=bogus").status_code == 422


def test_list_totals_come_from_the_kept_counts(people, garage_api, api_as, factory):
    """``total`` is exact on every page: from the trigger-kept counts (garage/status filters),
    from a count of rows (other filters) or from a short last page."""
    from portal.extensions import db
    from plugins.garages.models import Quote, QuoteCount

    claims = [make_claim(people.garage, color="yellow") for _ in range(5)]   # one chain per garage and claim
    claim = claims[0]
    ids = [create(garage_api, c, [part()], submit=i < 3)["id"] for i, c in enumerate(claims)]
    staff = api_as(people.assessor)
    for path, total in [("/quotes?per_page=2", 5), ("/quotes?status=submitted&per_page=2", 3),
                        ("/quotes?status=draft&per_page=1", 2), ("/quotes?status=approved", 0)]:
        for page in (1, 2, 3, 9):
            body = garage_api.get(f"{path}{'&' if '?' in path else '?'}page={page}").get_json()
            assert body["total"] == total, (path, page, body)
            assert staff.get(f"{path}&page={page}" if "?" in path else f"{path}?page={page}").get_json()["total"] == total
    for _ in range(2):   # two other garages' drafts on the claim
        db.session.add(Quote(claim_id=claim.id, garage_id=factory.org("garage").id, status="draft"))
    db.session.commit()
    r = staff.get(f"/quotes?per_page=2&claim_no={claim.claim_no}&page=2").get_json()   # counted as rows
    assert r["total"] == 3 and len(r["items"]) == 1
    staff.post(f"/quotes/{ids[0]}/decisions", json={"action": "approve", "version": 2})
    assert staff.get("/quotes?status=submitted&per_page=1").get_json()["total"] == 2
    assert staff.get("/quotes?status=approved&per_page=1").get_json()["total"] == 1
    # another garage's quotes are in the staff's totals, never in this garage's
    other = factory.org("garage", name="别家修理厂")
    db.session.add(Quote(claim_id=claim.id, garage_id=other.id, status="submitted"))
    db.session.commit()
    assert staff.get("/quotes?status=submitted&per_page=1").get_json()["total"] == 3
    assert garage_api.get("/quotes?status=submitted&per_page=1").get_json()["total"] == 2
    assert staff.get(f"/quotes?status=submitted&garage_id={other.id}&per_page=1").get_json()["total"] == 1
    # the counts equal the rows, also after a delete
    db.session.delete(db.session.get(Quote, ids[4]))
    db.session.commit()
    rows = dict(((g, s), n) for g, s, n in db.session.execute(
        db.select(Quote.garage_id, Quote.status, db.func.count()).group_by(Quote.garage_id, Quote.status)))
    assert {(c.garage_id, c.status): c.n for c in db.session.scalars(db.select(QuoteCount)) if c.n} == rows


def test_replace_lines_while_draft_and_not_after_submit(people, garage_api):
    claim = make_claim(people.garage, color="yellow")
    q = create(garage_api, claim, [part(), part(part_no="5G0821105", name="翼子板", price="1500")])
    keep = q["lines"][0]["id"]
    r = garage_api.post(f"/quotes/{q['id']}/lines", json={"version": 1, "lines": [
        {**part(price="700"), "id": keep}, line("paint", "前保险杠喷漆", "2", "100")]})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["version"] == 2 and [ln["id"] for ln in body["lines"]][0] == keep
    assert body["total_submitted"] == "900.00" and len(body["lines"]) == 2
    stale = garage_api.post(f"/quotes/{q['id']}/lines", json={"version": 1, "lines": [part()]})
    assert stale.status_code == 409 and stale.get_json()["error"]["code"] == "stale_version"
    add_photo(garage_api, q["id"])
    assert garage_api.post(f"/quotes/{q['id']}/submit", json={}).status_code == 200
    r = garage_api.post(f"/quotes/{q['id']}/lines", json={"lines": [part()]})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "invalid_state"


def test_supplement_links_to_the_first_quote(people, garage_api, api_as):
    claim = make_claim(people.garage, color="yellow")
    q = create(garage_api, claim, [part()], submit=True)
    r = garage_api.post(f"/claims/{claim.claim_no}/quotes", json={"lines": [part()], "supplement_to": q["id"]})
    assert r.status_code == 422 and "supplement_to" in r.get_json()["error"]["details"]   # not approved yet
    api_as(people.assessor).post(f"/quotes/{q['id']}/decisions", json={"action": "approve", "version": 2})
    s1 = create(garage_api, claim, [line("labor", "拆检变速箱", "2", "100")], supplement_to=q["id"], submit=True)
    assert s1["supplement_to"] == q["id"]
    api_as(people.assessor).post(f"/quotes/{s1['id']}/decisions", json={"action": "approve", "version": s1["version"]})
    s2 = create(garage_api, claim, [line("labor", "再拆检", "1", "100")], supplement_to=s1["id"])
    assert s2["supplement_to"] == q["id"]   # always the first quote


def test_specialist_repairer_quotes_through_the_same_flow(people, garage_api, api_as):
    from .conftest import assign

    claim = make_claim(people.garage, color="yellow")
    q = create(garage_api, claim, [part(part_no="GLS-1", name="前挡风玻璃", price="2000")], submit=True)
    routed = [ln for ln in q["lines"] if ln["routed_to_specialist"]]
    assert len(routed) == 1
    assign(claim, people.specialist, "specialist_repair")
    spec = api_as(people.specialist_user)
    s = create(spec, claim, [line("repair", "前挡风玻璃修补", "1", "300", source_line_id=routed[0]["id"])],
               submit=True)
    assert s["purpose"] == "specialist_repair" and s["status"] == "submitted"
    assert s["lines"][0]["source_line_id"] == routed[0]["id"]
    assert garage_api.get(f"/quotes/{s['id']}").status_code == 404


def test_openapi_documents_the_quote_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for p in ("/api/v1/claims/{claim_no}/quotes", "/api/v1/quotes/{quote_id}/submit", "/api/v1/quotes/{quote_id}",
              "/api/v1/quotes/{quote_id}/decisions", "/api/v1/quotes", "/api/v1/quotes/{quote_id}/precheck",
              "/api/v1/quotes/{quote_id}/photos", "/api/v1/quotes/{quote_id}/photos/{photo_id}"):
        assert p in paths, p
