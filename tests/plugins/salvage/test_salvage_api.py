"""The salvage API: sealed bids, award rules, winner-only steps, eligibility, proceeds."""
from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from .conftest import PNG, expire_bidding


def _award(api_as, desk, lot_id):
    assert api_as(desk).post(f"/salvage-lots/{lot_id}/close").status_code == 200
    r = api_as(desk).post(f"/salvage-lots/{lot_id}/award")
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def _upload(api_as, user, lot_id, data=PNG, name="pickup.png"):
    return api_as(user).post(f"/salvage-lots/{lot_id}/photos", data={"file": (io.BytesIO(data), name)},
                             content_type="multipart/form-data")


def test_create_lot_contract(api_as, desk, make_claim):
    claim = make_claim()
    r = api_as(desk).post("/salvage-lots", json={
        "claim_no": claim.claim_no, "description": "Flooded Passat", "estimated_value": "50000.00",
        "reserve_price": 30000, "bidding_closes_at": "2099-01-05T17:00:00"})
    assert r.status_code == 201
    body = r.get_json()
    assert body["status"] == "open" and body["claim_no"] == claim.claim_no and isinstance(body["id"], int)
    assert body["estimated_value"] == "50000.00" and body["reserve_price"] == "30000.00"
    assert body["bidding_closes_at"] == "2099-01-05T17:00:00+08:00"


def test_create_lot_validation_and_roles(api_as, desk, vendor, make_claim):
    claim = make_claim()
    bad = api_as(desk).post("/salvage-lots", json={
        "claim_no": "NOPE", "description": "x", "estimated_value": "1.234", "reserve_price": "-1",
        "bidding_closes_at": "2000-01-01T00:00:00"})
    assert bad.status_code == 422
    assert {"estimated_value", "reserve_price"} <= set(bad.get_json()["error"]["details"])
    past = api_as(desk).post("/salvage-lots", json={
        "claim_no": "NOPE", "description": "x", "estimated_value": "100", "reserve_price": "10",
        "bidding_closes_at": "2000-01-01T00:00:00"})
    assert past.status_code == 422 and {"claim_no", "bidding_closes_at"} <= set(past.get_json()["error"]["details"])
    r = api_as(vendor()).post("/salvage-lots", json={
        "claim_no": claim.claim_no, "description": "x", "estimated_value": "100", "reserve_price": "10",
        "bidding_closes_at": "2099-01-01T00:00:00"})
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "forbidden"


def test_bids_are_sealed_before_the_close(api_as, desk, vendor, open_lot):
    lot = open_lot()
    a, b = vendor(), vendor()
    assert api_as(a).post(f"/salvage-lots/{lot['id']}/bids", json={"amount": "31000"}).status_code == 201
    assert api_as(b).post(f"/salvage-lots/{lot['id']}/bids", json={"amount": "35000"}).status_code == 201
    seen = api_as(a).get(f"/salvage-lots/{lot['id']}").get_json()
    assert [x["amount"] for x in seen["bids"]] == ["31000.00"]
    assert seen["my_best_bid"] == "31000.00" and seen["bid_count"] is None and seen["reserve_price"] is None
    assert [x["amount"] for x in api_as(a).get(f"/salvage-lots/{lot['id']}/bids").get_json()["items"]] == ["31000.00"]
    listed = api_as(a).get("/salvage-lots").get_json()["items"]
    assert [x["id"] for x in listed] == [lot["id"]] and listed[0]["bid_count"] is None
    # staff: the count, not the amounts, until the close
    staff_view = api_as(desk).get(f"/salvage-lots/{lot['id']}").get_json()
    assert staff_view["bid_count"] == 2 and staff_view["bids"] == []
    api_as(desk).post(f"/salvage-lots/{lot['id']}/close")
    after = api_as(desk).get(f"/salvage-lots/{lot['id']}/bids").get_json()["items"]
    assert [x["amount"] for x in after] == ["35000.00", "31000.00"]
    # a vendor still sees only its own after the close
    assert [x["amount"] for x in api_as(a).get(f"/salvage-lots/{lot['id']}/bids").get_json()["items"]] == ["31000.00"]


def test_raising_counts_the_best_bid_and_a_lower_rebid_is_refused(api_as, vendor, open_lot):
    lot = open_lot()
    a = vendor()
    assert api_as(a).post(f"/salvage-lots/{lot['id']}/bids", json={"amount": "31000"}).status_code == 201
    r = api_as(a).post(f"/salvage-lots/{lot['id']}/bids", json={"amount": "30000"})
    assert r.status_code == 422 and "amount" in r.get_json()["error"]["details"]
    assert api_as(a).post(f"/salvage-lots/{lot['id']}/bids", json={"amount": "33000"}).status_code == 201
    assert api_as(a).get(f"/salvage-lots/{lot['id']}").get_json()["my_best_bid"] == "33000.00"


def test_highest_bid_at_or_above_reserve_wins_with_pickup_in_two_working_days(api_as, desk, vendor, open_lot, app):
    from portal.calendar.deadline import working_days_ahead
    from portal.timeutil import utcnow

    lot = open_lot(reserve_price="30000")
    a, b, c = vendor(), vendor(), vendor()
    api_as(a).post(f"/salvage-lots/{lot['id']}/bids", json={"amount": "30000"})
    api_as(b).post(f"/salvage-lots/{lot['id']}/bids", json={"amount": "36000.50"})
    api_as(c).post(f"/salvage-lots/{lot['id']}/bids", json={"amount": "29999.99"})
    before = utcnow()
    body = _award(api_as, desk, lot["id"])
    assert body["status"] == "awarded" and body["winner_id"] == b.organization_id and body["amount"] == "36000.50"
    assert body["pickup_due_at"] == working_days_ahead(before, 2).isoformat()
    assert body["pickup_due_at"].endswith("T17:00:00+08:00")


def test_tie_goes_to_the_earlier_bid(api_as, desk, vendor, open_lot):
    from plugins.salvage.models import SalvageBid
    from portal.extensions import db
    from portal.timeutil import utcnow

    lot = open_lot()
    early, late = vendor(), vendor()
    # the later vendor's row is inserted first, but its bid time is later
    api_as(late).post(f"/salvage-lots/{lot['id']}/bids", json={"amount": "40000"})
    api_as(early).post(f"/salvage-lots/{lot['id']}/bids", json={"amount": "40000"})
    t = utcnow()
    db.session.execute(sa.update(SalvageBid).where(SalvageBid.vendor_id == late.organization_id)
                       .values(created_at=t - timedelta(minutes=1)))
    db.session.execute(sa.update(SalvageBid).where(SalvageBid.vendor_id == early.organization_id)
                       .values(created_at=t - timedelta(minutes=5)))
    db.session.commit()
    assert _award(api_as, desk, lot["id"])["winner_id"] == early.organization_id


def test_tie_at_the_same_time_goes_to_the_first_recorded_bid(api_as, desk, vendor, open_lot):
    from plugins.salvage.models import SalvageBid
    from portal.extensions import db
    from portal.timeutil import utcnow

    lot = open_lot()
    first, second = vendor(), vendor()
    api_as(first).post(f"/salvage-lots/{lot['id']}/bids", json={"amount": "40000"})
    api_as(second).post(f"/salvage-lots/{lot['id']}/bids", json={"amount": "40000"})
    db.session.execute(sa.update(SalvageBid).values(created_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    assert _award(api_as, desk, lot["id"])["winner_id"] == first.organization_id


def test_no_bid_at_reserve_is_no_sale_and_reopen_starts_a_new_round(api_as, desk, vendor, open_lot):
    lot = open_lot(reserve_price="30000")
    a = vendor()
    api_as(a).post(f"/salvage-lots/{lot['id']}/bids", json={"amount": "29999.99"})
    body = _award(api_as, desk, lot["id"])
    assert body["status"] == "no_sale" and body["winner_id"] is None
    r = api_as(desk).post(f"/salvage-lots/{lot['id']}/reopen",
                          json={"bidding_closes_at": "2099-01-01T10:00:00", "reserve_price": "25000"})
    assert r.status_code == 200 and r.get_json()["status"] == "open" and r.get_json()["round"] == 2
    # the old bid no longer counts: no bid in round 2 → no sale again
    assert _award(api_as, desk, lot["id"])["status"] == "no_sale"


def test_award_before_close_is_409_invalid_state(api_as, desk, vendor, open_lot):
    lot = open_lot()
    api_as(vendor()).post(f"/salvage-lots/{lot['id']}/bids", json={"amount": "40000"})
    r = api_as(desk).post(f"/salvage-lots/{lot['id']}/award")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "invalid_state"
    r = api_as(desk).post(f"/salvage-lots/{lot['id']}/pickup", json={})
    assert r.status_code == 403


def test_bid_after_close_is_409(api_as, desk, vendor, open_lot):
    lot = open_lot()
    api_as(desk).post(f"/salvage-lots/{lot['id']}/close")
    r = api_as(vendor()).post(f"/salvage-lots/{lot['id']}/bids", json={"amount": "40000"})
    # a vendor who never bid cannot see a closed lot any more
    assert r.status_code == 404
    bidder = vendor()
    lot2 = open_lot()
    api_as(bidder).post(f"/salvage-lots/{lot2['id']}/bids", json={"amount": "40000"})
    api_as(desk).post(f"/salvage-lots/{lot2['id']}/close")
    r = api_as(bidder).post(f"/salvage-lots/{lot2['id']}/bids", json={"amount": "45000"})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "invalid_state"


def test_d_graded_suspended_and_non_vendors_get_403(api_as, vendor, factory, open_lot):
    lot = open_lot()
    for user in (vendor(grade="D"), factory.user(factory.org("garage")), factory.user()):
        r = api_as(user).post(f"/salvage-lots/{lot['id']}/bids", json={"amount": "40000"})
        assert r.status_code == 403 and r.get_json()["error"]["code"] == "forbidden"
    # a suspended vendor: the core already refuses its credentials (401); the bid rule
    # itself refuses it too (403), e.g. for a token issued before the suspension
    suspended = vendor(status="suspended")
    assert api_as(suspended).post(f"/salvage-lots/{lot['id']}/bids", json={"amount": "40000"}).status_code in (401, 403)
    from plugins.salvage import services
    from portal.errors import Forbidden

    assert services.vendor_is_eligible(suspended.organization) is False
    try:
        services.require_eligible_vendor(suspended)
    except Forbidden:
        pass
    else:
        raise AssertionError("a suspended vendor may not bid")
    # a D-graded vendor is not shown open lots either
    assert api_as(vendor(grade="D")).get("/salvage-lots").get_json()["total"] == 0


def test_barred_grades_are_configurable(app, api_as, vendor, open_lot):
    lot = open_lot()
    app.config["SALVAGE_BARRED_GRADES"] = ("C", "D")
    try:
        r = api_as(vendor(grade="C")).post(f"/salvage-lots/{lot['id']}/bids", json={"amount": "40000"})
        assert r.status_code == 403
    finally:
        app.config.pop("SALVAGE_BARRED_GRADES")
    assert api_as(vendor(grade="C")).post(f"/salvage-lots/{lot['id']}/bids", json={"amount": "40000"}).status_code == 201


def test_money_is_exact_and_bad_amounts_are_422(api_as, vendor, open_lot):
    lot = open_lot()
    a = vendor()
    for amount in (40000.5, "1.001", "-5", "abc", 0):
        r = api_as(a).post(f"/salvage-lots/{lot['id']}/bids", json={"amount": amount})
        assert r.status_code == 422, amount


def test_only_the_winner_records_pickup_and_proceeds(api_as, desk, vendor, open_lot):
    lot = open_lot(estimated_value="50000", reserve_price="30000")
    winner, loser, stranger = vendor(), vendor(), vendor()
    api_as(winner).post(f"/salvage-lots/{lot['id']}/bids", json={"amount": "42000"})
    api_as(loser).post(f"/salvage-lots/{lot['id']}/bids", json={"amount": "41000"})
    _award(api_as, desk, lot["id"])
    lot_id = lot["id"]
    # others: 404 (the loser sees the lot, but not the award, and may not act)
    for other in (loser, stranger):
        assert api_as(other).post(f"/salvage-lots/{lot_id}/pickup", json={}).status_code == 404
        assert _upload(api_as, other, lot_id).status_code == 404
    loser_view = api_as(loser).get(f"/salvage-lots/{lot_id}").get_json()
    assert loser_view["winner_id"] is None and loser_view["amount"] is None
    assert api_as(stranger).get(f"/salvage-lots/{lot_id}").status_code == 404
    # the pickup needs a photo first
    r = api_as(winner).post(f"/salvage-lots/{lot_id}/pickup", json={})
    assert r.status_code == 422 and "photo" in r.get_json()["error"]["details"]
    assert _upload(api_as, winner, lot_id, b"GIF89a not allowed", "x.png").status_code == 422
    # a PNG's signature on something no image reader can open is refused too (the core's uploads)
    broken = _upload(api_as, winner, lot_id, PNG[:16] + b"\x00" * 64, "broken.png")
    assert broken.status_code == 422 and "cannot be read" in str(broken.get_json()["error"]["details"]["file"])
    up = _upload(api_as, winner, lot_id)
    # the photo is served as the quotes' are: never sniffed, never cached by a proxy
    assert api_as(desk).get(up.get_json()["url"]).headers["X-Content-Type-Options"] == "nosniff"
    assert up.status_code == 201 and up.get_json()["content_type"] == "image/png"
    photo_url = up.get_json()["url"]
    assert api_as(winner).get(photo_url).status_code == 200
    assert api_as(desk).get(photo_url).data == PNG
    assert api_as(loser).get(photo_url).status_code == 404
    r = api_as(winner).post(f"/salvage-lots/{lot_id}/pickup", json={})
    assert r.status_code == 200 and r.get_json()["status"] == "picked_up"
    # proceeds before disposal: wrong state
    r = api_as(winner).post(f"/salvage-lots/{lot_id}/proceeds", json={"amount": "42000", "booked_on": "2026-01-01"})
    assert r.status_code == 409
    assert api_as(loser).post(f"/salvage-lots/{lot_id}/disposal", json={"kind": "sold"}).status_code == 404
    r = api_as(winner).post(f"/salvage-lots/{lot_id}/disposal", json={"kind": "dismantled"})
    assert r.status_code == 200 and r.get_json()["disposal"] == "dismantled"
    from portal.timeutil import local_now

    today = local_now().date().isoformat()
    assert api_as(loser).post(f"/salvage-lots/{lot_id}/proceeds",
                              json={"amount": "42000", "booked_on": today}).status_code == 404
    r = api_as(winner).post(f"/salvage-lots/{lot_id}/proceeds",
                            json={"amount": "42000.00", "booked_on": today, "costs": "1500.25"})
    assert r.status_code == 200
    body = r.get_json()
    assert body["status"] == "settled" and body["net_recovery"] == "40499.75" and body["below_estimate"] is False


def _settle(api_as, desk, vendor, open_lot, estimate, bid, amount, costs, by_staff=False):
    from portal.timeutil import local_now

    lot = open_lot(estimated_value=estimate, reserve_price="1")
    v = vendor()
    api_as(v).post(f"/salvage-lots/{lot['id']}/bids", json={"amount": bid})
    _award(api_as, desk, lot["id"])
    _upload(api_as, v, lot["id"])
    api_as(v).post(f"/salvage-lots/{lot['id']}/pickup", json={})
    api_as(v).post(f"/salvage-lots/{lot['id']}/disposal", json={"kind": "sold"})
    actor = desk if by_staff else v
    return api_as(actor).post(f"/salvage-lots/{lot['id']}/proceeds", json={
        "amount": amount, "booked_on": local_now().date().isoformat(), "costs": costs})


def test_net_recovery_and_the_below_estimate_flag_at_the_boundary(api_as, desk, vendor, open_lot):
    # 80% of 10000.00 is 8000.00: exactly 8000 is not below; 7999.99 is
    at = _settle(api_as, desk, vendor, open_lot, "10000", "9000", "9000", "1000").get_json()
    assert at["net_recovery"] == "8000.00" and at["below_estimate"] is False
    under = _settle(api_as, desk, vendor, open_lot, "10000", "9000", "9000", "1000.01", by_staff=True).get_json()
    assert under["status"] == "settled" and under["net_recovery"] == "7999.99" and under["below_estimate"] is True


def test_proceeds_validation(api_as, desk, vendor, open_lot):
    r = _settle(api_as, desk, vendor, open_lot, "10000", "9000", "9000", "-1")
    assert r.status_code == 422 and "costs" in r.get_json()["error"]["details"]


def test_close_on_read_closes_a_due_lot_without_anyone_calling_close(api_as, desk, vendor, open_lot):
    from portal.audit.models import AuditEntry
    from portal.extensions import db

    lot = open_lot()
    v = vendor()
    api_as(v).post(f"/salvage-lots/{lot['id']}/bids", json={"amount": "40000"})
    expire_bidding(lot["id"])
    r = api_as(v).post(f"/salvage-lots/{lot['id']}/bids", json={"amount": "45000"})
    assert r.status_code == 409
    assert api_as(desk).get(f"/salvage-lots/{lot['id']}").get_json()["status"] == "closed"
    row = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity == "salvage_lot",
                                                         AuditEntry.action == "close")).one()
    assert row.actor_id is None and row.changes["by"] == "schedule"
    assert _award_only(api_as, desk, lot["id"])["winner_id"] == v.organization_id


def _award_only(api_as, desk, lot_id):
    r = api_as(desk).post(f"/salvage-lots/{lot_id}/award")
    assert r.status_code == 200
    return r.get_json()


def test_scheduled_jobs_close_due_lots_and_flag_overdue_pickups_once(app, api_as, desk, vendor, open_lot):
    from plugins.salvage.models import SalvageLot
    from portal.audit.models import AuditEntry
    from portal.extensions import db
    from portal.plugins import flatten, hook
    from portal.timeutil import utcnow

    jobs = dict(flatten(hook().portal_scheduled_jobs()))
    lot = open_lot()
    v = vendor()
    api_as(v).post(f"/salvage-lots/{lot['id']}/bids", json={"amount": "40000"})
    expire_bidding(lot["id"])
    assert jobs["salvage.close_due_lots"]() == "closed 1 lot(s)"
    assert db.session.get(SalvageLot, lot["id"]).status == "closed"
    _award_only(api_as, desk, lot["id"])
    db.session.execute(sa.update(SalvageLot).values(pickup_due_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    assert jobs["salvage.flag_overdue_pickups"]() == "flagged 1 overdue pickup(s)"
    assert jobs["salvage.flag_overdue_pickups"]() == "flagged 0 overdue pickup(s)"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "pickup_overdue")) == 1
    q = api_as(desk).get("/salvage-lots?queue=overdue_pickups").get_json()
    assert [x["id"] for x in q["items"]] == [lot["id"]] and q["items"][0]["pickup_overdue"] is True


def test_events_notify_vendors_on_opening_and_the_winner_on_award(api_as, desk, vendor, open_lot):
    from portal.extensions import db
    from portal.notifications.models import Notification

    eligible, barred = vendor(), vendor(grade="D")
    lot = open_lot()
    kinds = lambda u: db.session.scalars(sa.select(Notification.kind).where(Notification.user_id == u.id)).all()  # noqa: E731
    assert kinds(eligible) == ["salvage.opened"] and kinds(barred) == []
    api_as(eligible).post(f"/salvage-lots/{lot['id']}/bids", json={"amount": "40000"})
    _award(api_as, desk, lot["id"])
    assert kinds(eligible) == ["salvage.opened", "salvage_lot.awarded"]


def test_every_move_is_audited(api_as, desk, vendor, open_lot):
    lot = open_lot()
    v = vendor()
    api_as(v).post(f"/salvage-lots/{lot['id']}/bids", json={"amount": "40000"})
    _award(api_as, desk, lot["id"])
    admin = desk
    admin_roles = api_as(admin).get(f"/audit?entity=salvage_lot&entity_id={lot['id']}")
    if admin_roles.status_code == 200:
        actions = [x["action"] for x in admin_roles.get_json()["items"]]
        assert actions == ["create", "close", "award"]
    else:  # the audit API is not there yet: read the table
        from portal.audit.models import AuditEntry
        from portal.extensions import db

        actions = db.session.scalars(sa.select(AuditEntry.action).where(
            AuditEntry.entity == "salvage_lot", AuditEntry.entity_id == str(lot["id"])).order_by(AuditEntry.id)).all()
        assert actions == ["create", "close", "award"]


def test_stale_version_on_close_is_409(api_as, desk, open_lot):
    lot = open_lot()
    r = api_as(desk).post(f"/salvage-lots/{lot['id']}/close", json={"version": lot["version"] + 5})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "stale_version"


def test_vendor_list_is_scoped_and_bounded_in_queries(api_as, desk, vendor, open_lot):
    from tests.querycount import count_queries

    a, b = vendor(), vendor()
    lots = [open_lot() for _ in range(3)]
    for lot in lots:
        api_as(a).post(f"/salvage-lots/{lot['id']}/bids", json={"amount": "40000"})
    api_as(desk).post(f"/salvage-lots/{lots[0]['id']}/close")
    client_a, client_b = api_as(a), api_as(b)
    with count_queries() as few:
        client_a.get("/salvage-lots")
    for _ in range(5):
        lot = open_lot()
        client_a.post(f"/salvage-lots/{lot['id']}/bids", json={"amount": "40000"})
    with count_queries() as more:
        body = client_a.get("/salvage-lots").get_json()
    assert body["total"] == 8 and more.count == few.count
    # b never bid: sees the 7 open lots, not the closed one
    ids = {x["id"] for x in client_b.get("/salvage-lots").get_json()["items"]}
    assert lots[0]["id"] not in ids and len(ids) == 7
    assert client_b.get(f"/salvage-lots/{lots[0]['id']}").status_code == 404
    assert client_b.get(f"/salvage-lots/{lots[0]['id']}/bids").status_code == 404
