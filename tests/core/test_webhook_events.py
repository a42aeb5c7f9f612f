"""Webhook events (the partner contract, "Webhooks"; docs/operations.md): the catalogue, unknown names
refused, the envelope and its stable event id, signatures during a secret rotation, the retry
schedule, and — through the real services, API and Huey consumer — each event reaching the
organization it concerns, and only that one, within 5 s."""
from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD, login
from tests.core.test_ops import Receiver, receiver  # noqa: F401 - the fixture
from tests.plugins.garages.conftest import catalog, create, make_claim, part, people  # noqa: F401 - fixtures

DONE_WHEN = ["quote.submitted", "quote.returned", "quote.approved", "price_list.approved", "salvage_lot.awarded",
             "lawsuit.stage_changed"]


def test_the_catalogue_lists_every_event_with_its_payload_schema(app, api_as, factory):
    from portal.ops.event_catalogue import catalogue

    api = api_as(factory.user(factory.org("garage"), roles=("partner_admin",)))
    r = api.get("/webhooks/events")
    assert r.status_code == 200
    events = {e["name"]: e for e in r.get_json()}
    assert set(DONE_WHEN) <= set(events) and "salvage_lot.lost" in events and "quote.held" in events
    assert [e["name"] for e in r.get_json()] == [e["name"] for e in catalogue(app)]
    for e in events.values():
        assert e["description"] and e["payload_schema"]["type"] == "object"
        assert "organization_ids" in e["payload_schema"]["properties"]
    assert "amount" not in events["salvage_lot.lost"]["payload_schema"]["properties"]
    from portal.plugins import hook

    declared = [e["name"] for batch in hook(app).portal_webhook_events() for e in batch]
    assert sorted(declared) == sorted(events)                  # each name declared once, by its area
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    answer = spec["paths"]["/api/v1/webhooks/events"]["get"]["responses"]["200"]
    assert "schema" in answer["content"]["application/json"]


def test_an_unknown_event_name_is_422_naming_its_position(app, api_as, factory, receiver, client):
    garage = factory.org("garage")
    boss = factory.user(garage, roles=("partner_admin",))
    hook = receiver()
    api = api_as(boss)
    r = api.post("/webhooks", json={"url": hook.url, "events": ["quote.approved", "quote.approvd"],
                                    "password": PASSWORD})
    assert r.status_code == 422 and list(r.get_json()["error"]["details"]) == ["events.1"], r.get_json()
    ok = api.post("/webhooks", json={"url": hook.url, "events": ["quote.approved"], "password": PASSWORD})
    assert ok.status_code == 201
    login(client, boss)
    page = client.post("/settings/webhooks", data={"url": hook.url, "events": "quote.approved, salvage.awarded",
                                                   "password": PASSWORD})
    assert page.status_code == 422 and "未知的事件名称" in page.get_data(as_text=True)


def _endpoint(org, hook, events):
    from portal.extensions import db
    from portal.ops import webhooks

    endpoint, secret = webhooks.create_endpoint(organization_id=org.id, url=hook.url, events=events, actor=None)
    db.session.commit()
    return endpoint, secret


def test_rotation_signs_with_both_secrets_during_the_overlap_and_the_new_one_after(app, factory, receiver):
    from portal.events import emit
    from portal.extensions import db
    from portal.ops import webhooks
    from portal.timeutil import utcnow

    garage = factory.org("garage")
    hook = receiver()
    endpoint, old = _endpoint(garage, hook, ["quote.approved"])
    new = webhooks.rotate_secret(endpoint, None)
    db.session.commit()
    until = endpoint.previous_secret_until
    overlap = app.config["WEBHOOKS_SECRET_OVERLAP_HOURS"]
    assert abs((until - utcnow()) - timedelta(hours=overlap)) < timedelta(minutes=1)
    assert endpoint.signing_secrets(until - timedelta(seconds=1)) == [new, old]
    assert endpoint.signing_secrets(until) == [new]                       # the boundary: the old one is gone

    emit("quote.approved", {"organization_ids": [garage.id], "quote_id": 1})
    db.session.commit()
    webhooks.deliver_due()
    headers, body = hook.requests[-1]
    parts = headers["X-Portal-Signature"].split(",")
    assert len(parts) == 2 and all(p.startswith("v1=") for p in parts)
    for secret in (new, old):
        assert webhooks.verify(secret, headers["X-Portal-Timestamp"], body, headers["X-Portal-Signature"])

    db.session.get(webhooks.WebhookEndpoint, endpoint.id).previous_secret_until = utcnow()   # the overlap ended
    emit("quote.approved", {"organization_ids": [garage.id], "quote_id": 2})
    db.session.commit()
    webhooks.deliver_due()
    headers, body = hook.requests[-1]
    assert headers["X-Portal-Signature"].count("v1=") == 1
    assert webhooks.verify(new, headers["X-Portal-Timestamp"], body, headers["X-Portal-Signature"])
    assert not webhooks.verify(old, headers["X-Portal-Timestamp"], body, headers["X-Portal-Signature"])


def test_retries_back_off_for_at_least_a_day_and_keep_the_event_id(app, factory, receiver):
    from portal.events import emit
    from portal.extensions import db
    from portal.ops import webhooks
    from portal.timeutil import utcnow

    garage = factory.org("garage")
    attempts = app.config["WEBHOOKS_MAX_ATTEMPTS"]
    hook = receiver(*[500] * attempts)
    _endpoint(garage, hook, ["quote.approved"])
    emit("quote.approved", {"organization_ids": [garage.id], "quote_id": 1})
    db.session.commit()
    def state():
        db.session.expire_all()
        row = db.session.scalars(sa.select(webhooks.WebhookDelivery)).one()
        values = (row.attempts, row.status, row.next_attempt_at, row.event_id)
        db.session.rollback()   # end this read (SQLite: the worker's session writes next)
        return values

    start = now = utcnow()
    for n in range(1, attempts + 1):
        webhooks.deliver_due(now=now)
        tries, status, next_at, event_id = state()
        assert tries == n
        if n < attempts:
            assert status == "pending"
            webhooks.deliver_due(now=next_at - timedelta(seconds=1))   # not due a second early
            assert state()[0] == n
            now = next_at
    assert status == "failed" and now - start >= timedelta(hours=24)
    ids = {json.loads(body)["id"] for _, body in hook.requests}
    deliveries = {headers["X-Portal-Delivery"] for headers, _ in hook.requests}
    assert len(hook.requests) == attempts and ids == {event_id} and len(deliveries) == 1


@pytest.fixture
def consumer_and_receivers(start_consumer):
    hooks = [Receiver([]), Receiver([])]
    try:
        consumer = start_consumer("sqlite", WEBHOOKS_ALLOW_HTTP=True, WEBHOOKS_ALLOW_PRIVATE=True,
                                  OUTBOUND_ALLOWED_PORTS=[h.server.server_port for h in hooks])
        yield consumer, hooks
    finally:
        for h in hooks:
            h.close()


def register(api, hook, events):
    """An endpoint through the API; its secret, returned once."""
    r = api.post("/webhooks", json={"url": hook.url, "events": events, "password": PASSWORD})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["secret"]


def expect_only(consumer, mine, theirs, name, secret, organization_id, since):
    """``name`` reached ``mine`` within 5 s of ``since``, signed with ``secret``, addressed to
    ``organization_id``; ``theirs`` heard nothing. Returns the event's ``data``."""
    from portal.extensions import db
    from portal.ops.webhooks import verify

    db.session.remove()          # hold no lock on the database while the consumer works
    headers, body = _received(consumer, mine, 1, since)
    envelope = json.loads(body)
    assert headers["X-Portal-Event"] == name and envelope["type"] == name and envelope["id"].startswith("evt_")
    assert verify(secret, headers["X-Portal-Timestamp"], body, headers["X-Portal-Signature"])
    assert envelope["data"]["organization_ids"] == [organization_id]
    time.sleep(0.5)
    assert theirs.requests == []
    return envelope["data"]


def _received(consumer, hook, count, since):
    consumer.wait_for(lambda: len(hook.requests) >= count, what="the webhook delivery")
    assert time.monotonic() - since < 5, "delivered later than 5 s after the change"
    headers, body = hook.requests[count - 1]
    return headers, body


@pytest.mark.slow
def test_quote_events_reach_their_garage_only_through_the_worker_within_five_seconds(
        consumer_and_receivers, api_as, people, catalog):
    from portal.extensions import db
    from portal.ops.webhooks import verify

    consumer, (mine, theirs) = consumer_and_receivers
    events = ["quote.submitted", "quote.returned", "quote.approved"]
    secrets_ = {}
    for org, user, hook in ((people.garage, people.garage_user, mine), (people.other_garage, people.other_user, theirs)):
        admin = api_as(user)
        user.roles = ["partner_admin"]
        db.session.commit()
        r = admin.post("/webhooks", json={"url": hook.url, "events": events, "password": PASSWORD})
        assert r.status_code == 201, r.get_json()
        secrets_[org.id] = r.get_json()["secret"]
    garage_api, assessor = api_as(people.garage_user), api_as(people.assessor)
    garage_id, other_id = people.garage.id, people.other_garage.id
    claims = [make_claim(people.garage, color="yellow"), make_claim(people.garage, color="yellow")]
    claims = [type("ClaimRef", (), {"claim_no": c.claim_no})() for c in claims]

    def expect(count, name, quote_id, since):
        db.session.remove()
        headers, body = _received(consumer, mine, count, since)
        assert headers["X-Portal-Event"] == name
        assert verify(secrets_[garage_id], headers["X-Portal-Timestamp"], body, headers["X-Portal-Signature"])
        assert not verify(secrets_[other_id], headers["X-Portal-Timestamp"], body,
                          headers["X-Portal-Signature"])
        envelope = json.loads(body)
        assert set(envelope) == {"id", "type", "created_at", "data"} and envelope["type"] == name
        assert envelope["id"].startswith("evt_") and envelope["created_at"].endswith("+08:00")
        assert envelope["data"]["quote_id"] == quote_id and envelope["data"]["organization_ids"] == [garage_id]

    since = time.monotonic()
    q = create(garage_api, claims[0], [part(price="1000")], submit=True)
    expect(1, "quote.submitted", q["id"], since)
    since = time.monotonic()
    r = assessor.post(f"/quotes/{q['id']}/decisions", json={"action": "return", "version": q["version"],
                                                              "comment": "请补充拆检照片"})
    assert r.status_code == 200, r.get_json()
    expect(2, "quote.returned", q["id"], since)
    q2 = create(garage_api, claims[1], [part(price="1200")], submit=True)
    expect(3, "quote.submitted", q2["id"], since)
    since = time.monotonic()
    r = assessor.post(f"/quotes/{q2['id']}/decisions", json={"action": "approve", "version": q2["version"]})
    assert r.status_code == 200, r.get_json()
    expect(4, "quote.approved", q2["id"], since)
    time.sleep(0.5)
    assert theirs.requests == []                     # the other garage's receiver heard nothing


def test_a_held_quote_event_carries_no_reason_and_reaches_only_its_garage(api_as, people, catalog, receiver):
    from portal.extensions import db
    from portal.ops import webhooks

    hook = receiver()
    for org in (people.garage, people.other_garage):
        _endpoint(org, hook, ["quote.held", "quote.resumed"])
    q = create(api_as(people.garage_user), make_claim(people.garage, color="yellow"), [part(price="3000")],
               submit=True)
    r = api_as(people.assessor).post(f"/quotes/{q['id']}/decisions", json={
        "action": "hold", "version": q["version"], "reason": "PRICE_VERIFICATION", "comment": "核实配件进货价"})
    assert r.status_code == 200, r.get_json()
    rows = db.session.scalars(sa.select(webhooks.WebhookDelivery)).all()
    assert [(r.event, r.payload["organization_ids"]) for r in rows] == [("quote.held", [people.garage.id])]
    assert "PRICE_VERIFICATION" not in str(rows[0].payload) and "核实配件进货价" not in str(rows[0].payload)
