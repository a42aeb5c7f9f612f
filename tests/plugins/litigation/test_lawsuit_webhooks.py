"""``lawsuit.stage_changed`` reaches the law firm handling the lawsuit, through the API and the
Huey consumer, within 5 s; another firm's receiver hears nothing (docs/operations.md, "Webhooks")."""
from __future__ import annotations

import time

import pytest

from tests.core import test_webhook_events
from tests.core.test_webhook_events import expect_only, register

consumer_and_receivers = test_webhook_events.consumer_and_receivers   # the fixture, shared

pytestmark = pytest.mark.slow


def test_a_stage_change_reaches_the_firm_of_the_lawsuit_only(consumer_and_receivers, api_as, factory, legal,
                                                              new_suit):
    consumer, (mine, theirs) = consumer_and_receivers
    firm, other = factory.org("law_firm"), factory.org("law_firm")
    secret = register(api_as(factory.user(firm, roles=("partner_admin",))), mine, ["lawsuit.stage_changed"])
    register(api_as(factory.user(other, roles=("partner_admin",))), theirs, ["lawsuit.stage_changed"])
    firm_id = firm.id
    suit = new_suit(counsel_organization_id=firm_id)
    since = time.monotonic()
    r = api_as(legal).post(f"/lawsuits/{suit['id']}/transitions", json={"to": "filed"})
    assert r.status_code == 200, r.get_json()
    data = expect_only(consumer, mine, theirs, "lawsuit.stage_changed", secret, firm_id, since)
    assert data["lawsuit_id"] == suit["id"] and data["stage"] == "filed"
