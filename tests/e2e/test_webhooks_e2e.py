"""Signed webhooks in a real browser: a partner admin registers an endpoint, copies the
secret shown once, reads the delivery log and replays a delivery (nothing is sent: the
delivery job does not run here)."""
from __future__ import annotations

import re
import socket

import pytest

from tests.e2e.conftest import DEMO_PASSWORD, login, screenshot

pytestmark = pytest.mark.e2e

HOST = "hooks.yongda-garage.example.com"


@pytest.fixture
def public_dns(monkeypatch):
    """The endpoint's host resolves to a public address, without a network."""
    real = socket.getaddrinfo

    def fake(host, *args, **kwargs):
        if host == HOST:
            return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("93.184.215.14", 443))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)


def _queue_event(live_server, email: str) -> None:
    """An event for the partner's organization, queued as the portal_event hook would."""
    import sqlalchemy as sa

    from portal.auth.models import User
    from portal.extensions import db
    from portal.ops import webhooks

    with live_server.app.app_context():
        org_id = db.session.scalar(sa.select(User.organization_id).where(User.email == email))
        db.session.remove()  # end this read (SQLite: a transaction holds the write lock)
        assert webhooks.enqueue("quote.approved", {"organization_id": org_id, "quote_id": 1}) == 1


def test_register_endpoint_see_secret_once_and_replay(live_server, page, public_dns):
    email = "garage1@demo.example"
    login(page, live_server, email)
    page.locator("nav").get_by_text("Webhook 推送").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/settings/webhooks") and page.locator("h1").inner_text().startswith("Webhook 推送")

    page.fill("input[name=url]", f"http://{HOST}/portal-events")
    page.fill("input[name=events]", "quote.approved, quote.returned")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("main form[action$='/settings/webhooks'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#url.is-invalid").count() == 1 and "https://" in page.locator("#url-err").inner_text()
    assert page.locator("[data-testid=webhook-secret]").count() == 0

    page.fill("input[name=url]", f"https://{HOST}/portal-events")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("main form[action$='/settings/webhooks'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    box = page.locator("[data-testid=webhook-secret]")
    assert box.is_visible() and "X-Portal-Signature: v1=<hex>" in box.inner_text()
    secret = page.locator("#webhook-secret").input_value()
    assert secret.startswith("whsec_")
    assert page.locator("table tbody tr").filter(has_text=HOST).count() == 1
    screenshot(page, "webhooks-secret-zh")

    page.goto(live_server.url + "/settings/webhooks")
    assert page.locator("[data-testid=webhook-secret]").count() == 0 and secret not in page.content()
    row = page.locator("table tbody tr").filter(has_text=HOST)
    row.locator("summary").click()
    row.locator("input[name=password]").fill(DEMO_PASSWORD)
    row.get_by_role("button", name="生成新密钥").click()
    page.wait_for_load_state("networkidle")
    rotated = page.locator("#webhook-secret").input_value()
    assert rotated.startswith("whsec_") and rotated != secret

    _queue_event(live_server, email)
    page.reload()
    page.locator("table tbody tr").filter(has_text=HOST).get_by_role("link", name="推送记录").click()
    page.wait_for_url(re.compile(r"/settings/webhooks/\d+/deliveries$"))
    rows = page.locator("table tbody tr[id^=delivery-]")
    assert rows.count() == 1 and "待发送" in rows.first.inner_text()
    rows.first.get_by_role("button", name="重新推送").click()
    page.wait_for_load_state("networkidle")
    assert rows.count() == 2 and "重新推送自" in rows.first.inner_text()
    assert page.locator(".alert-success").is_visible()
    screenshot(page, "webhooks-deliveries-zh")
