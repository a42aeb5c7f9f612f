"""Cheap change detection on quotes, as a dealer system polls them: ``updated_since`` at its
exact boundary (inclusive, a time without offset is Beijing time), ``sort=updated_at`` both
ways with ties broken by id, a part of a quote (a photo) moving the quote's ``updated_at``,
422 for bad values; ``ETag`` and ``If-None-Match`` → 304 on a quote and on a list page, a
different tag for a different reader, a stale tag after a change, no extra statement."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from tests.querycount import count_queries

from .conftest import add_photo, create, make_claim, part

BEIJING = timezone(timedelta(hours=8))


def _stamp(quote_id, when):
    from plugins.garages.models import Quote
    from portal.extensions import db

    db.session.execute(sa.update(Quote).where(Quote.id == quote_id).values(updated_at=when))
    db.session.commit()


def _ids(api, **query):
    r = api.get("/quotes", query_string=query)
    assert r.status_code == 200, r.get_json()
    return [item["id"] for item in r.get_json()["items"]]


@pytest.fixture
def three(people, garage_api):
    """Three drafts of the garage, changed at 10:00, 10:00 and 11:00 Beijing time on 1 Dec."""
    quotes = [create(garage_api, make_claim(people.garage), [part()]) for _ in range(3)]
    ten = datetime(2026, 12, 1, 10, 0, tzinfo=BEIJING)
    for q, when in zip(quotes, (ten, ten, ten + timedelta(hours=1))):
        _stamp(q["id"], when)
    return [q["id"] for q in quotes]


def test_updated_since_is_inclusive_at_the_exact_boundary(garage_api, three):
    a, b, c = three
    assert _ids(garage_api, updated_since="2026-12-01T11:00:00+08:00") == [c]
    assert _ids(garage_api, updated_since="2026-12-01T03:00:00Z") == [c]            # the same instant in UTC
    assert _ids(garage_api, updated_since="2026-12-01T11:00:00") == [c]             # no offset: Beijing time
    assert _ids(garage_api, updated_since="2026-12-01T11:00:00.000001+08:00") == []  # a microsecond later
    assert sorted(_ids(garage_api, updated_since="2026-12-01T10:00:00+08:00")) == sorted([a, b, c])
    answered = garage_api.get("/quotes", query_string={"updated_since": "2026-12-01T11:00:00"}).get_json()
    assert answered["items"][0]["updated_at"] == "2026-12-01T11:00:00+08:00" and answered["total"] == 1


def test_sort_by_change_both_ways_ties_by_id(garage_api, three):
    a, b, c = three
    assert _ids(garage_api, sort="updated_at") == [a, b, c]
    assert _ids(garage_api, sort="-updated_at") == [c, b, a]
    assert _ids(garage_api) == [c, b, a]    # the garage's default: newest quote first
    assert _ids(garage_api, sort="updated_at", per_page=2) == [a, b]
    assert _ids(garage_api, sort="updated_at", per_page=2, page=2) == [c]


@pytest.mark.parametrize("query, field", [
    ({"updated_since": "yesterday"}, "updated_since"), ({"updated_since": "2026-13-01T00:00"}, "updated_since"),
    ({"sort": "created_at"}, "sort"), ({"sort": "updated_at;drop"}, "sort")])
def test_bad_values_are_422_naming_the_parameter(garage_api, query, field):
    r = garage_api.get("/quotes", query_string=query)
    assert r.status_code == 422 and field in str(r.get_json()["error"]["details"])


def test_a_photo_on_the_quote_is_a_change_of_the_quote(people, garage_api):
    q = create(garage_api, make_claim(people.garage), [part()])
    _stamp(q["id"], datetime(2026, 1, 1, tzinfo=BEIJING))
    before = garage_api.get(f"/quotes/{q['id']}").get_json()["updated_at"]
    add_photo(garage_api, q["id"])
    after = garage_api.get(f"/quotes/{q['id']}").get_json()["updated_at"]
    assert before == "2026-01-01T00:00:00+08:00" and after > before
    assert _ids(garage_api, updated_since=after) == [q["id"]]


def test_etag_and_304_on_a_quote_and_a_list_page(app, people, garage_api, api_as):
    from portal.extensions import db

    q = create(garage_api, make_claim(people.garage, color="yellow"), [part()], submit=True)
    staff, other = api_as(people.assessor2), api_as(people.other_user)
    first = garage_api.get(f"/quotes/{q['id']}")
    tag = first.headers["ETag"]
    assert tag.startswith('"') and first.headers["Cache-Control"] == "private, no-cache"
    db.session.remove()
    with count_queries(db.engine) as plain:
        garage_api.get(f"/quotes/{q['id']}")
    db.session.remove()
    with count_queries(db.engine) as conditional:
        again = garage_api.get(f"/quotes/{q['id']}", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == tag
    assert conditional.count == plain.count     # the tag costs no statement
    assert garage_api.get(f"/quotes/{q['id']}", headers={"If-None-Match": f'"x", {tag}'}).status_code == 304
    assert garage_api.get(f"/quotes/{q['id']}", headers={"If-None-Match": "*"}).status_code == 304
    assert garage_api.get(f"/quotes/{q['id']}", headers={"If-None-Match": '"other"'}).status_code == 200
    staff_view = staff.get(f"/quotes/{q['id']}")
    assert staff_view.headers["ETag"] != tag                         # staff see more: another tag
    assert staff.get(f"/quotes/{q['id']}", headers={"If-None-Match": tag}).status_code == 200
    listed = garage_api.get("/quotes")
    assert garage_api.get("/quotes", headers={"If-None-Match": listed.headers["ETag"]}).status_code == 304
    r = staff.post(f"/quotes/{q['id']}/decisions", json={"action": "approve",
                                                          "version": staff_view.get_json()["version"]})
    assert r.status_code == 200, r.get_json()
    changed = garage_api.get(f"/quotes/{q['id']}", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.get_json()["status"] == "approved"
    assert changed.headers["ETag"] != tag
    assert garage_api.get("/quotes", headers={"If-None-Match": listed.headers["ETag"]}).status_code == 200
    # another garage never gets the quote, with or without a tag
    assert other.get(f"/quotes/{q['id']}", headers={"If-None-Match": tag}).status_code == 404


def test_the_document_declares_the_parameters_and_the_304(app):
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    op = doc["paths"]["/api/v1/quotes"]["get"]
    names = {p["name"] for p in op["parameters"]}
    assert {"updated_since", "sort", "If-None-Match"} <= names
    assert "304" in op["responses"] and "ETag" in op["responses"]["200"]["headers"]
    single = doc["paths"]["/api/v1/quotes/{quote_id}"]["get"]
    assert "304" in single["responses"]
    assert "304" not in doc["paths"]["/api/v1/quotes/{quote_id}/submit"]["post"]["responses"]
