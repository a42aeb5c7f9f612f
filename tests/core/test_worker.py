"""The background worker through the real path: a Huey consumer process (``huey_consumer
portal.worker_main.huey``) on the embedded SQLite queue, and on Redis where one answers. A
staff user assigns a claim to a garage through the API; the garage's webhook receiver gets the
signed delivery from the consumer, without any job being run by hand."""
from __future__ import annotations

import json
import time

import pytest

from tests.conftest import PASSWORD
from tests.core.test_claims_api import claim_body
from tests.core.test_ops import Receiver

pytestmark = pytest.mark.slow


@pytest.fixture(params=["sqlite", "redis"])
def worker_setup(request, start_consumer):
    """The test app and a consumer process sharing the database and one queue, and a webhook
    receiver the consumer may reach."""
    hook = Receiver([])
    try:
        consumer = start_consumer(request.param, WEBHOOKS_ALLOW_HTTP=True, WEBHOOKS_ALLOW_PRIVATE=True,
                                  OUTBOUND_ALLOWED_PORTS=[hook.server.server_port])
        yield hook, consumer
    finally:
        hook.close()


def test_a_change_reaches_the_partner_through_the_worker(worker_setup, api_as, factory):
    from portal.extensions import db
    from portal.ops.webhooks import WebhookDelivery, verify

    hook, consumer = worker_setup
    garage = factory.org("garage")
    partner = api_as(factory.user(garage, roles=("partner_admin",)))
    created = partner.post("/webhooks", json={"url": hook.url, "password": PASSWORD})
    assert created.status_code == 201, created.get_json()
    secret = created.get_json()["secret"]
    staff = api_as(factory.user(roles=("assessor",), limit=20000))
    claim = staff.post("/claims", json=claim_body(claim_no="WRK-1")).get_json()
    r = staff.post(f"/claims/{claim['claim_no']}/assignments", json={"organization_id": garage.id,
                                                                       "purpose": "repair"})
    assert r.status_code == 201
    db.session.remove()          # hold no lock on the database while the consumer works
    consumer.wait_for(lambda: bool(hook.requests), what="the webhook delivery")
    headers, body = hook.requests[0]
    assert headers["X-Portal-Event"] == "claim.assigned"
    signature = headers["X-Portal-Signature"]
    assert verify(secret, headers["X-Portal-Timestamp"], body, signature)
    assert json.loads(body)["data"]["claim_no"] == "WRK-1"
    delivery = db.session.get(WebhookDelivery, int(headers["X-Portal-Delivery"]))
    for _ in range(50):          # the consumer's commit follows the POST by a moment
        if delivery.status == "delivered":
            break
        time.sleep(0.1)
        db.session.expire_all()
    assert delivery.status == "delivered" and delivery.attempts == 1


def test_a_queue_outage_never_fails_the_action(app, api_as, factory, monkeypatch):
    """Redis down: the assignment still commits; the periodic jobs deliver later."""
    from portal.worker import build

    app.config.update(WORKER_MODE="redis", WORKER_REDIS_URL="redis://127.0.0.1:1/0")
    saved = app.extensions["huey"], app.extensions["portal_tasks"]
    app.extensions["huey"] = build(app)
    try:
        from portal.ops import webhooks

        garage = factory.org("garage")
        monkeypatch.setattr(webhooks, "check_url", lambda url: url)
        partner = api_as(factory.user(garage, roles=("partner_admin",)))
        assert partner.post("/webhooks", json={"url": "https://hooks.example.com/x",
                                               "password": PASSWORD}).status_code == 201
        staff = api_as(factory.user(roles=("assessor",), limit=20000))
        claim = staff.post("/claims", json=claim_body(claim_no="WRK-2")).get_json()
        r = staff.post(f"/claims/{claim['claim_no']}/assignments", json={"organization_id": garage.id,
                                                                           "purpose": "repair"})
        assert r.status_code == 201
        from portal.extensions import db
        from portal.ops.webhooks import WebhookDelivery
        import sqlalchemy as sa

        pending = db.session.scalars(sa.select(WebhookDelivery.status).where(
            WebhookDelivery.event == "claim.assigned")).all()
        assert "pending" in pending
    finally:
        app.config.update(WORKER_MODE="memory", WORKER_REDIS_URL=None)
        app.extensions["huey"], app.extensions["portal_tasks"] = saved
