"""``price_list.approved`` reaches the supplier whose list it is, through the API and the Huey
consumer, within 5 s; another supplier's receiver hears nothing (docs/operations.md, "Webhooks")."""
from __future__ import annotations

import time

import pytest

from tests.core import test_webhook_events
from tests.core.test_webhook_events import expect_only, register

from .helpers import csv_bytes, good_rows, upload

consumer_and_receivers = test_webhook_events.consumer_and_receivers   # the fixture, shared

pytestmark = pytest.mark.slow


def test_an_approval_reaches_the_supplier_only(consumer_and_receivers, api_as, factory, supplier, pricing):
    consumer, (mine, theirs) = consumer_and_receivers
    org, user = supplier
    other = factory.org("parts_supplier")
    secret = register(api_as(user), mine, ["price_list.approved"])
    register(api_as(factory.user(other, roles=("partner_admin",))), theirs, ["price_list.approved"])
    org_id = org.id
    pl = upload(api_as(user), csv_bytes(good_rows(2))).get_json()
    since = time.monotonic()
    r = api_as(pricing).post(f"/price-lists/{pl['id']}/approve")
    assert r.status_code == 200, r.get_json()
    data = expect_only(consumer, mine, theirs, "price_list.approved", secret, org_id, since)
    assert data["price_list_id"] == pl["id"] and data["supplier_id"] == org_id
