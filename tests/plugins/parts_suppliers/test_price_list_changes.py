"""Suppliers poll their price lists (portal/api/changes.py): an approval or superseding is a
change seen with ``updated_since``; ``sort=updated_at`` both ways; ETag and 304 on the list."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from portal.timeutil import LOCAL_TZ

from .helpers import csv_bytes, upload

T = datetime(2026, 12, 1, 9, 0, 0, tzinfo=LOCAL_TZ)
ROWS = [("A", "a", "genuine", "", "", "100.00", "", "")]


def _age(list_id):
    from plugins.parts_suppliers.models import PriceList
    from portal.extensions import db

    db.session.execute(sa.update(PriceList).where(PriceList.id == list_id).values(updated_at=T))
    db.session.commit()


def _ids(api, query):
    r = api.get("/price-lists?" + query)
    assert r.status_code == 200, r.get_json()
    return [p["id"] for p in r.get_json()["items"]]


def test_approval_and_superseding_are_changes_a_supplier_polls(api_as, supplier, pricing):
    org, user = supplier
    api, staff = api_as(user), api_as(pricing)
    first = upload(api, csv_bytes(ROWS)).get_json()
    assert staff.post(f"/price-lists/{first['id']}/approve").status_code == 200
    second = upload(api, csv_bytes([("A", "a", "genuine", "", "", "120.00", "", "")])).get_json()
    _age(first["id"])
    _age(second["id"])
    assert _ids(api, "updated_since=2026-12-01T09:00:00&sort=updated_at") == [first["id"], second["id"]]
    assert _ids(api, "updated_since=2026-12-01T09:00:00.000001") == []
    listed = api.get("/price-lists")
    tag = listed.headers["ETag"]
    assert listed.get_json()["items"][0]["updated_at"] == "2026-12-01T09:00:00+08:00"
    assert api.get("/price-lists", headers={"If-None-Match": tag}).status_code == 304
    # approving the second supersedes the first: both changed, newest change first
    assert staff.post(f"/price-lists/{second['id']}/approve").status_code == 200
    assert sorted(_ids(api, "updated_since=2026-12-01T09:00:01")) == sorted([first["id"], second["id"]])
    assert api.get("/price-lists", headers={"If-None-Match": tag}).status_code == 200
    items = api.get("/price-lists?sort=-updated_at").get_json()["items"]
    keys = [(p["updated_at"], p["id"]) for p in items]
    assert keys == sorted(keys, reverse=True) and len(keys) == 2
    assert api.get("/price-lists?sort=version").status_code == 422
