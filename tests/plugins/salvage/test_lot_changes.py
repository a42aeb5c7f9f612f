"""Vendors poll salvage lots (portal/api/changes.py): ``updated_since`` is inclusive, ``sort``
both ways; ETag and 304. Bids are sealed: a competitor's bid changes nothing another vendor
sees — not the lot's ``updated_at``, not its ETag — while a staff photo is a change of the lot."""
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


def test_polling_lots_and_a_competitors_bid_stays_invisible(api_as, desk, vendor, open_lot):
    one, two = open_lot(), open_lot()
    _age(one["id"])
    _age(two["id"])
    bidder, rival = api_as(vendor()), api_as(vendor())
    assert _ids(bidder, "updated_since=2026-12-01T09:00:00&sort=updated_at") == [one["id"], two["id"]]
    assert _ids(bidder, "updated_since=2026-12-01T09:00:00.000001") == []
    assert _ids(bidder, "sort=-updated_at") == [two["id"], one["id"]]   # a tie: by id, descending
    listed = rival.get("/salvage-lots")
    tag, single = listed.headers["ETag"], rival.get(f"/salvage-lots/{one['id']}").headers["ETag"]
    assert rival.get("/salvage-lots", headers={"If-None-Match": tag}).status_code == 304
    assert bidder.post(f"/salvage-lots/{one['id']}/bids", json={"amount": "31000"}).status_code == 201
    # the rival learns nothing: no change since, the same answers
    assert _ids(rival, "updated_since=2026-12-01T09:00:00.000001") == []
    assert rival.get("/salvage-lots", headers={"If-None-Match": tag}).status_code == 304
    assert rival.get(f"/salvage-lots/{one['id']}", headers={"If-None-Match": single}).status_code == 304
    # the bidder sees its own best bid; staff see the count
    assert bidder.get(f"/salvage-lots/{one['id']}").get_json()["my_best_bid"] == "31000.00"
    assert api_as(desk).get(f"/salvage-lots/{one['id']}").get_json()["bid_count"] == 1
    assert bidder.get("/salvage-lots?updated_since=tomorrow").status_code == 422
