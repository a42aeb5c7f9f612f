"""Change detection in the core (portal/api/changes.py): a partner polls its own assignments with
``updated_since`` and ``sort``; ETags and 304s on core answers; bad values are 422s."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from portal.timeutil import LOCAL_TZ
from tests.querycount import count_queries

from .test_claims_api import make_claim

T = datetime(2026, 12, 1, 9, 0, 0, tzinfo=LOCAL_TZ)


@pytest.fixture
def world(factory, api_as):
    class World:
        pass

    w = World()
    w.staff = api_as(factory.user(roles=("assessor",), limit=20000))
    w.garage = factory.org("garage")
    w.garage_api = api_as(factory.user(w.garage, roles=("partner_user",)))
    w.other = factory.org("garage")
    w.other_api = api_as(factory.user(w.other, roles=("partner_user",)))
    return w


def _assign(w, claim_no, org, when):
    from portal.claims.models import Assignment
    from portal.extensions import db

    r = w.staff.post(f"/claims/{claim_no}/assignments", json={"organization_id": org.id, "purpose": "repair"})
    assert r.status_code == 201, r.get_json()
    db.session.execute(sa.update(Assignment).where(Assignment.id == r.get_json()["id"]).values(created_at=when))
    db.session.commit()
    return r.get_json()["id"]


def _ids(api, query=""):
    r = api.get("/assignments?" + query)
    assert r.status_code == 200, r.get_json()
    return [item["id"] for item in r.get_json()["items"]]


def test_a_partner_reads_its_own_assignments_only(world):
    w = world
    a = _assign(w, make_claim(w.staff, claim_no="RDAA2026310000000201")["claim_no"], w.garage, T)
    b = _assign(w, make_claim(w.staff, claim_no="RDAA2026310000000202")["claim_no"], w.other, T)
    assert _ids(w.garage_api) == [a] and _ids(w.other_api) == [b]
    assert _ids(w.staff) == [b, a]   # staff: all, newest first
    item = w.garage_api.get("/assignments").get_json()["items"][0]
    assert item["claim_no"] == "RDAA2026310000000201" and item["active"] is True
    assert item["updated_at"] == "2026-12-01T09:00:00+08:00" and "assigned_by_id" not in item
    assert "assigned_by_id" in w.staff.get("/assignments").get_json()["items"][0]
    # a partner cannot widen its view with the staff's filter
    assert _ids(w.garage_api, f"organization_id={w.other.id}") == [a]
    assert _ids(w.staff, f"organization_id={w.other.id}") == [b]


def test_ending_an_assignment_is_a_change_the_partner_sees(world):
    w = world
    claim_no = make_claim(w.staff, claim_no="RDAA2026310000000203")["claim_no"]
    a = _assign(w, claim_no, w.garage, T)
    since = (T + timedelta(hours=1)).isoformat().replace("+", "%2B")
    assert _ids(w.garage_api, f"updated_since={since}") == []
    assert w.staff.delete(f"/claims/{claim_no}/assignments/{a}").status_code == 200
    assert _ids(w.garage_api, f"updated_since={since}") == [a]
    assert _ids(w.garage_api, "active=true") == [] and _ids(w.garage_api, "active=false") == [a]


def test_updated_since_boundary_and_sort_with_ties(world):
    w = world
    a = _assign(w, make_claim(w.staff, claim_no="RDAA2026310000000204")["claim_no"], w.garage, T)
    b = _assign(w, make_claim(w.staff, claim_no="RDAA2026310000000205")["claim_no"], w.garage, T)
    c = _assign(w, make_claim(w.staff, claim_no="RDAA2026310000000206")["claim_no"], w.garage, T - timedelta(days=1))
    assert sorted(_ids(w.garage_api, "updated_since=2026-12-01T09:00:00")) == [a, b]   # Beijing time, inclusive
    assert _ids(w.garage_api, "updated_since=2026-12-01T09:00:00.000001") == []
    assert _ids(w.garage_api, "updated_since=2026-12-01T01:00:00Z&sort=updated_at") == [a, b]
    assert _ids(w.garage_api, "sort=updated_at") == [c, a, b]
    assert _ids(w.garage_api, "sort=-updated_at") == [b, a, c]


@pytest.mark.parametrize("query,field", [("updated_since=soon", "updated_since"), ("sort=updated", "sort"),
                                         ("updated_since=2026-02-30T00:00:00", "updated_since")])
def test_bad_values_are_422(world, query, field):
    r = world.garage_api.get("/assignments?" + query)
    assert r.status_code == 422 and field in r.get_json()["error"]["details"], r.get_json()


def test_etag_on_a_core_list_and_a_single_claim(world):
    from portal.extensions import db

    w = world
    claim_no = make_claim(w.staff, claim_no="RDAA2026310000000207")["claim_no"]
    _assign(w, claim_no, w.garage, T)
    for api, path in ((w.garage_api, "/assignments"), (w.garage_api, f"/claims/{claim_no}"), (w.staff, "/claims")):
        first = api.get(path)
        tag = first.headers["ETag"]
        with count_queries(db.engine) as full:
            assert api.get(path).status_code == 200
        with count_queries(db.engine) as conditional:
            again = api.get(path, headers={"If-None-Match": tag})
        assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == tag
        assert conditional.count == full.count
    # the partner's view of the claim is not the staff's: different tags
    assert w.garage_api.get(f"/claims/{claim_no}").headers["ETag"] != w.staff.get(f"/claims/{claim_no}").headers["ETag"]
    # another organization's claim: 404, no tag
    assert w.other_api.get(f"/claims/{claim_no}", headers={"If-None-Match": "*"}).status_code == 404
    # a change makes the tag stale
    tag = w.staff.get(f"/claims/{claim_no}").headers["ETag"]
    assert w.staff.patch(f"/claims/{claim_no}", json={"place": "上海市徐汇区"}).status_code == 200
    assert w.staff.get(f"/claims/{claim_no}", headers={"If-None-Match": tag}).status_code == 200


def test_claims_poll_with_updated_since_and_sort(world):
    from portal.claims.models import Claim
    from portal.extensions import db

    w = world
    a = make_claim(w.staff, claim_no="RDAA2026310000000208")["id"]
    b = make_claim(w.staff, claim_no="RDAA2026310000000209")["id"]
    for claim_id, when in ((a, T), (b, T - timedelta(minutes=1))):
        db.session.execute(sa.update(Claim).where(Claim.id == claim_id).values(updated_at=when))
    db.session.commit()
    ids = lambda q: [c["id"] for c in w.staff.get("/claims?" + q).get_json()["items"]]  # noqa: E731
    assert ids("sort=updated_at") == [b, a] and ids("sort=-updated_at") == [a, b] and ids("") == [b, a]
    assert ids("updated_since=2026-12-01T09:00:00") == [a]
    assert w.staff.get("/claims?sort=claim_no").status_code == 422
