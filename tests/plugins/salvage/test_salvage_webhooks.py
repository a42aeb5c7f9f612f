"""Salvage webhook events (docs/operations.md, "Webhooks"): the winner gets
``salvage_lot.awarded`` with its amount; every other bidder gets ``salvage_lot.lost``, which
names no amount and no winner; a vendor that did not bid gets neither."""
from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from tests.core import test_ops, test_webhook_events
from tests.core.test_webhook_events import expect_only, register

from .test_salvage_api import _award

# the shared fixtures (parameters of the tests below)
consumer_and_receivers = test_webhook_events.consumer_and_receivers
receiver = test_ops.receiver


def test_the_winner_is_told_its_amount_and_the_losers_nothing_of_the_bids(api_as, desk, vendor, open_lot, receiver):
    from portal.extensions import db
    from portal.ops import webhooks

    winner, loser, idle = vendor(), vendor(), vendor()
    hook = receiver()
    endpoints = {}
    for org_user in (winner, loser, idle):
        endpoint, _ = webhooks.create_endpoint(organization_id=org_user.organization_id, url=hook.url,
                                               events=["salvage_lot.awarded", "salvage_lot.lost"], actor=None)
        endpoints[endpoint.id] = org_user
    db.session.commit()
    lot = open_lot()
    assert api_as(winner).post(f"/salvage-lots/{lot['id']}/bids", json={"amount": "41234.00"}).status_code == 201
    assert api_as(loser).post(f"/salvage-lots/{lot['id']}/bids", json={"amount": "39876.00"}).status_code == 201
    _award(api_as, desk, lot["id"])
    rows = db.session.scalars(sa.select(webhooks.WebhookDelivery).order_by(webhooks.WebhookDelivery.id)).all()
    got = {endpoints[r.endpoint_id].id: (r.event, r.payload) for r in rows}
    assert set(got) == {winner.id, loser.id}                       # the vendor that did not bid: nothing
    event, data = got[winner.id]
    assert event == "salvage_lot.awarded" and data["amount"] == "41234.00"
    assert data["organization_ids"] == [winner.organization_id]
    event, data = got[loser.id]
    assert event == "salvage_lot.lost" and data["organization_ids"] == [loser.organization_id]
    assert "41234" not in str(data) and "39876" not in str(data) and "winner_id" not in data


@pytest.mark.slow
def test_the_award_reaches_the_winner_through_the_worker(consumer_and_receivers, api_as, desk, vendor, open_lot):
    consumer, (mine, theirs) = consumer_and_receivers
    winner, bystander = vendor(), vendor()
    secret = register(api_as(winner), mine, ["salvage_lot.awarded"])
    register(api_as(bystander), theirs, ["salvage_lot.awarded", "salvage_lot.lost"])
    winner_org = winner.organization_id
    lot = open_lot()
    assert api_as(winner).post(f"/salvage-lots/{lot['id']}/bids", json={"amount": "41234.00"}).status_code == 201
    since = time.monotonic()
    _award(api_as, desk, lot["id"])
    data = expect_only(consumer, mine, theirs, "salvage_lot.awarded", secret, winner_org, since)
    assert data["lot_id"] == lot["id"] and data["amount"] == "41234.00"


def test_an_opened_lot_reaches_the_vendors_that_may_bid(vendor, open_lot, receiver):
    from portal.extensions import db
    from portal.ops import webhooks

    eligible, barred = vendor(), vendor(grade="D")
    hook = receiver()
    for user in (eligible, barred):
        webhooks.create_endpoint(organization_id=user.organization_id, url=hook.url, events=["salvage.opened"],
                                 actor=None)
    db.session.commit()
    open_lot()
    rows = db.session.scalars(sa.select(webhooks.WebhookDelivery)).all()
    owners = {db.session.get(webhooks.WebhookEndpoint, r.endpoint_id).organization_id for r in rows}
    assert owners == {eligible.organization_id}
