"""Change detection on quotes (portal/api/changes.py, plugins/garages/touch.py): ``updated_since``
at its exact boundary, Beijing time without an offset, a child row bumping its quote, ``sort``
both ways with ties, 422 for bad values, ETags and 304s per caller, and no extra query."""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from portal.timeutil import LOCAL_TZ
from tests.querycount import count_queries

from .conftest import add_photo, create, make_claim, part

T = datetime(2026, 12, 1, 9, 30, 15, 250000, tzinfo=LOCAL_TZ)


def _set_updated(quote_id, when):
    from plugins.garages.models import Quote
    from portal.extensions import db

    db.session.execute(sa.update(Quote).where(Quote.id == quote_id).values(updated_at=when))
    db.session.commit()


def _ids(api, query):
    r = api.get("/quotes?" + query)
    assert r.status_code == 200, r.get_json()
    return [item["id"] for item in r.get_json()["items"]]


def _quotes(people, garage_api, n):
    return [create(garage_api, make_claim(people.garage), [part()]) for _ in range(n)]


def test_updated_since_includes_the_boundary_and_excludes_a_microsecond_later(people, garage_api):
    a, b = _quotes(people, garage_api, 2)
    _set_updated(a["id"], T)
    _set_updated(b["id"], T + timedelta(seconds=1))
    at = T.isoformat().replace("+", "%2B")
    assert sorted(_ids(garage_api, f"updated_since={at}")) == sorted([a["id"], b["id"]])
    later = (T + timedelta(microseconds=1)).isoformat().replace("+", "%2B")
    assert _ids(garage_api, f"updated_since={later}") == [b["id"]]
    # a time without an offset is Beijing time; the same instant in UTC reads the same
    assert sorted(_ids(garage_api, "updated_since=2026-12-01T09:30:15.250000")) == sorted([a["id"], b["id"]])
    assert _ids(garage_api, "updated_since=2026-12-01T09:30:15.250001") == [b["id"]]
    assert sorted(_ids(garage_api, "updated_since=2026-12-01T01:30:15.250000Z")) == sorted([a["id"], b["id"]])
    item = garage_api.get("/quotes?sort=updated_at").get_json()["items"][0]
    assert item["updated_at"] == "2026-12-01T09:30:15.250000+08:00"


def test_a_child_row_bumps_its_quote(people, garage_api, api_as):
    (q,) = _quotes(people, garage_api, 1)
    _set_updated(q["id"], T)
    assert garage_api.get(f"/quotes/{q['id']}").get_json()["updated_at"].startswith("2026-12-01T09:30:15")
    add_photo(garage_api, q["id"])   # a photo is a row of its own
    after_photo = garage_api.get(f"/quotes/{q['id']}").get_json()["updated_at"]
    assert after_photo > "2026-12-02"
    _set_updated(q["id"], T)
    r = garage_api.post(f"/quotes/{q['id']}/lines", json={"lines": [part(), part(part_no="5G0821105", price="1500.00")],
                                                          "version": q["version"]})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["updated_at"] > "2026-12-02"
    now = datetime.now(LOCAL_TZ) - timedelta(minutes=1)
    assert q["id"] in _ids(garage_api, "updated_since=" + now.strftime("%Y-%m-%dT%H:%M:%S"))


def test_sort_both_ways_breaks_ties_by_id(people, garage_api):
    a, b, c = _quotes(people, garage_api, 3)
    _set_updated(a["id"], T)
    _set_updated(b["id"], T)
    _set_updated(c["id"], T - timedelta(hours=1))
    assert _ids(garage_api, "sort=updated_at") == [c["id"], a["id"], b["id"]]
    assert _ids(garage_api, "sort=-updated_at") == [b["id"], a["id"], c["id"]]
    # paged, the order holds across pages
    assert _ids(garage_api, "sort=updated_at&per_page=2&page=2") == [b["id"]]


def test_bad_values_are_422_with_the_parameter_named(garage_api, api_as, people):
    for query, field in (("updated_since=yesterday", "updated_since"), ("updated_since=2026-13-01T00:00:00", "updated_since"),
                         ("updated_since=0001-01-01T00:00:00", "updated_since"), ("sort=id", "sort"),
                         ("sort=updated_at%00", "sort")):
        for api in (garage_api, api_as(people.assessor)):
            r = api.get("/quotes?" + query)
            assert r.status_code == 422, (query, r.status_code)
            assert field in r.get_json()["error"]["details"], r.get_json()


def test_etag_and_304_for_a_quote_and_a_list(people, garage_api, api_as):
    (q,) = _quotes(people, garage_api, 1)
    for path in (f"/quotes/{q['id']}", "/quotes", "/quotes?sort=-updated_at"):
        first = garage_api.get(path)
        tag = first.headers["ETag"]
        assert first.status_code == 200 and tag.startswith('"')
        assert first.headers["Cache-Control"] == "private, no-cache"
        again = garage_api.get(path, headers={"If-None-Match": tag})
        assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == tag
        assert garage_api.get(path, headers={"If-None-Match": f'"other", W/{tag}'}).status_code == 304
        assert garage_api.get(path, headers={"If-None-Match": "*"}).status_code == 304
        assert garage_api.get(path, headers={"If-None-Match": '"other"'}).status_code == 200


def test_etag_differs_per_caller_and_goes_stale_on_a_change(people, garage_api, api_as):
    (q,) = _quotes(people, garage_api, 1)
    path = f"/quotes/{q['id']}"
    garage_tag = garage_api.get(path).headers["ETag"]
    staff = api_as(people.assessor)
    staff_first = staff.get(path)
    assert staff_first.status_code == 200 and staff_first.headers["ETag"] != garage_tag
    # the garage's tag does not answer the staff's view with a 304
    assert staff.get(path, headers={"If-None-Match": garage_tag}).status_code == 200
    add_photo(garage_api, q["id"])
    changed = garage_api.get(path, headers={"If-None-Match": garage_tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != garage_tag
    # another garage neither sees it nor learns a tag
    other = api_as(people.other_user).get(path, headers={"If-None-Match": "*"})
    assert other.status_code == 404 and "ETag" not in other.headers


def test_a_304_reads_no_more_than_the_200(app, people, garage_api):
    from portal.extensions import db

    (q,) = _quotes(people, garage_api, 1)
    path = f"/quotes/{q['id']}"
    tag = garage_api.get(path).headers["ETag"]
    with count_queries(db.engine) as full:
        assert garage_api.get(path).status_code == 200
    with count_queries(db.engine) as conditional:
        assert garage_api.get(path, headers={"If-None-Match": tag}).status_code == 304
    assert conditional.count == full.count, (full, conditional)
