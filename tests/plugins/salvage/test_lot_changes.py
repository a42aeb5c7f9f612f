"""Vendors poll salvage lots (portal/api/changes.py): a bid bumps its lot's ``updated_at``
(portal/db/touch.py), ``updated_since`` is inclusive, ``sort`` both ways; ETag and 304."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from portal.timeutil import LOCAL_TZ

T = datetime(2026, 12, 1, 9, 0, 0, tzinfo=LOCAL_TZ)


def _age(lot_id):
    from plugins.salvage.models import SalvageLot
    from portal.extensions import db

    db.session.execute(sa.update(SalvageLot).where(SalvageLot.id == lot_id).values(updated_at=T))
    db.session.commit()


def _ids(api, query):
    r = api.get("/salvage-lots?" + query)
    assert r.status_code == 200, r.get_json()
    return [lot["id"] for lot in r.get_json()["items"]]


def test_a_bid_bumps_its_lot_for_pollers(api_as, desk, vendor, open_lot):
    one, two = open_lot(), open_lot()
    _age(one["id"])
    _age(two["id"])
    bidder = api_as(vendor())
    assert _ids(bidder, "updated_since=2026-12-01T09:00:00&sort=updated_at") == [one["id"], two["id"]]
    assert _ids(bidder, "updated_since=2026-12-01T09:00:00.000001") == []
    assert _ids(bidder, "sort=-updated_at") == [two["id"], one["id"]]   # a tie: by id, descending
    listed = bidder.get("/salvage-lots")
    tag = listed.headers["ETag"]
    assert bidder.get("/salvage-lots", headers={"If-None-Match": tag}).status_code == 304
    assert bidder.post(f"/salvage-lots/{one['id']}/bids", json={"amount": "31000"}).status_code == 201
    assert _ids(bidder, "updated_since=2026-12-01T09:00:01") == [one["id"]]
    assert _ids(bidder, "sort=-updated_at") == [one["id"], two["id"]]
    assert bidder.get("/salvage-lots", headers={"If-None-Match": tag}).status_code == 200
    assert bidder.get("/salvage-lots?updated_since=tomorrow").status_code == 422
