"""Invoices' and payments' webhook events: in the catalogue, and through the real worker to the
partner whose invoice it is (and to no other partner)."""
from __future__ import annotations

import json
import time

import pytest

from tests.core import test_webhook_events
from tests.core.test_invoices_api import approved_quote, invoice_data, send_invoice
from tests.core.test_payments_api import pay
from tests.core.test_webhook_events import _endpoint

consumer_and_receivers = test_webhook_events.consumer_and_receivers   # the fixture, shared

PAYMENT_EVENTS = ["invoice.submitted", "payment.recorded", "payment.reversed", "invoice.paid"]


def test_the_catalogue_has_the_payment_events(api_as, factory):
    api = api_as(factory.user(factory.org("garage"), roles=("partner_admin",)))
    events = {e["name"]: e for e in api.get("/webhooks/events").get_json()}
    for name in PAYMENT_EVENTS:
        props = events[name]["payload_schema"]["properties"]
        assert {"invoice_id", "amount", "organization_ids"} <= set(props)


@pytest.mark.slow
def test_each_step_reaches_its_partner_only_through_the_worker(consumer_and_receivers, client, factory):
    from portal.extensions import db

    consumer, (mine, theirs) = consumer_and_receivers
    garage, other = factory.org("garage"), factory.org("garage")
    _endpoint(garage, mine, PAYMENT_EVENTS)
    _endpoint(other, theirs, PAYMENT_EVENTS)
    h = factory.headers(factory.user(garage))
    admin = factory.headers(factory.admin())
    quote = approved_quote(garage, "500.00")
    garage_id = garage.id
    inv = send_invoice(client, h, invoice_data("500.00", [("quote", quote.id)])).json
    assert pay(client, admin, inv["id"], "500.00", "PAY-W").status_code == 201
    assert pay(client, admin, inv["id"], "-100.00", "PAY-W").status_code == 201
    db.session.remove()          # hold no lock on the database while the consumer works
    consumer.wait_for(lambda: len(mine.requests) >= 4, what="the four deliveries")
    names = [json.loads(body)["type"] for _headers, body in mine.requests]
    assert names == ["invoice.submitted", "payment.recorded", "invoice.paid", "payment.reversed"]
    for _headers, body in mine.requests:
        data = json.loads(body)["data"]
        assert data["organization_ids"] == [garage_id] and data["invoice_id"] == inv["id"]
    time.sleep(0.5)
    assert theirs.requests == []
