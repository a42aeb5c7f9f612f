"""The webhooks pages (docs/operations.md, "Webhooks") under /settings/webhooks: list with delivery counts,
register (secret shown once), rotate, disable, delivery log, replay, access, language."""
from __future__ import annotations

import re
import socket

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD, login
from tests.querycount import count_queries

PUBLIC_HOST = "hooks.partner-example.com"


@pytest.fixture(autouse=True)
def public_dns(monkeypatch):
    """The test host resolves to a public address without a network; others as usual."""
    real = socket.getaddrinfo

    def fake(host, *args, **kwargs):
        if host == PUBLIC_HOST:
            return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("93.184.215.14", 443))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)


@pytest.fixture
def world(factory):
    garage, other = factory.org("garage", name="永达修理厂"), factory.org("garage", name="顺通修理厂")
    return {"garage": garage, "other": other,
            "boss": factory.user(garage, roles=("partner_admin",)),
            "clerk": factory.user(garage, roles=("partner_user",)),
            "intruder": factory.user(other, roles=("partner_admin",))}


def endpoint_for(org, url=f"https://{PUBLIC_HOST}/portal", events=("quote.approved",)):
    from portal.extensions import db
    from portal.ops import webhooks

    endpoint, _secret = webhooks.create_endpoint(organization_id=org.id, url=url, events=list(events), actor=None)
    db.session.commit()
    return endpoint


def deliveries(endpoint, *statuses, **values):
    from portal.extensions import db
    from portal.ops.webhooks import WebhookDelivery

    rows = [WebhookDelivery(endpoint_id=endpoint.id, event="quote.approved", payload={"quote_id": i},
                            status=s, **values) for i, s in enumerate(statuses)]
    db.session.add_all(rows)
    db.session.commit()
    return rows


def audit_actions(action):
    from portal.audit.models import AuditEntry
    from portal.extensions import db

    return db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)).all()


def endpoint_rows():
    from portal.extensions import db
    from portal.ops.webhooks import WebhookEndpoint

    db.session.expire_all()
    return db.session.scalars(sa.select(WebhookEndpoint).order_by(WebhookEndpoint.id)).all()


def shown_secret(html: str) -> str | None:
    found = re.findall(r'value="(whsec_[^"]+)"', html)
    assert len(found) <= 1
    return found[0] if found else None


def test_list_with_counts_by_status_in_chinese(client, web_login, world):
    mine = endpoint_for(world["garage"])
    theirs = endpoint_for(world["other"], url=f"https://{PUBLIC_HOST}/theirs")
    deliveries(mine, "pending", "pending", "delivered", "failed", "failed", "failed")
    deliveries(theirs, "delivered")
    web_login(world["boss"])
    with count_queries() as q:
        r = client.get("/settings/webhooks")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'lang="zh-CN"' in html and "Webhook 推送" in html
    assert mine.url in html and theirs.url not in html and "quote.approved" in html
    counts = re.search(rf'data-testid="counts-{mine.id}">(.*?)</a>', html, re.S).group(1)
    assert "待发送 2" in counts and "已送达 1" in counts and "失败 3" in counts
    assert "正常" in html and "登记接收地址" in html
    endpoint_for(world["garage"], url=f"https://{PUBLIC_HOST}/second")
    with count_queries() as q2:
        client.get("/settings/webhooks")
    assert q2.count == q.count  # one grouped count query, whatever the number of endpoints


def test_admin_sees_every_organization_with_its_name(client, web_login, world, factory):
    endpoint_for(world["garage"])
    endpoint_for(world["other"], url=f"https://{PUBLIC_HOST}/theirs")
    web_login(factory.admin())
    html = client.get("/settings/webhooks").get_data(as_text=True)
    assert "永达修理厂" in html and "顺通修理厂" in html and "/theirs" in html
    assert 'name="organization_id"' in html
    r = client.post("/settings/webhooks", data={"organization_id": world["other"].id, "password": PASSWORD,
                                                "url": f"https://{PUBLIC_HOST}/for-them"})
    assert r.status_code == 200 and shown_secret(r.get_data(as_text=True))
    assert endpoint_rows()[-1].organization_id == world["other"].id


def test_register_shows_the_secret_once_and_stores_the_endpoint(client, web_login, world):
    web_login(world["boss"])
    r = client.post("/settings/webhooks", data={"url": f"https://{PUBLIC_HOST}/portal",
                                                "events": "quote.approved， claim.assigned", "password": PASSWORD})
    html = r.get_data(as_text=True)
    assert r.status_code == 200, html[:2000]
    secret = shown_secret(html)
    assert secret and secret.startswith("whsec_") and html.count(secret) == 1
    assert 'data-testid="webhook-secret"' in html and "X-Portal-Signature: v1=&lt;hex&gt;" in html
    assert "五分钟" in html
    [endpoint] = endpoint_rows()
    assert endpoint.organization_id == world["garage"].id and endpoint.active
    assert endpoint.url == f"https://{PUBLIC_HOST}/portal" and endpoint.events == ["claim.assigned", "quote.approved"]
    assert len(audit_actions("webhook_created")) == 1
    again = client.get("/settings/webhooks").get_data(as_text=True)
    assert secret not in again and "whsec_" not in again and 'data-testid="webhook-secret"' not in again


@pytest.mark.parametrize("url, password, field, message", [
    (f"https://{PUBLIC_HOST}/portal", "not-my-password", "password", "请输入您的密码以确认此项更改。"),
    (f"http://{PUBLIC_HOST}/portal", PASSWORD, "url", "接收地址必须使用 https://。"),
    ("https://10.0.0.5/hook", PASSWORD, "url", "该地址指向内网。"),
    ("https://127.0.0.1/hook", PASSWORD, "url", "该地址指向内网。"),
    ("", PASSWORD, "url", None),
])
def test_form_errors_are_shown_on_the_field_and_nothing_is_written(client, web_login, world, url, password,
                                                                   field, message):
    web_login(world["boss"])
    r = client.post("/settings/webhooks", data={"url": url, "events": "", "password": password})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert re.search(rf'id="{field}"[^>]*is-invalid|is-invalid[^>]*id="{field}"', html), html[:3000]
    assert f'id="{field}-err"' in html
    if message:
        assert message in html
    assert "whsec_" not in html
    assert endpoint_rows() == [] and audit_actions("webhook_created") == []


def test_rotate_needs_the_password_and_shows_the_new_secret_once(client, web_login, world):
    endpoint = endpoint_for(world["garage"])
    web_login(world["boss"])
    bad = client.post(f"/settings/webhooks/{endpoint.id}/rotate", data={"password": "wrong-wrong"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and f'id="rotate-{endpoint.id}-password"' in html and "is-invalid" in html
    assert "whsec_" not in html and audit_actions("webhook_secret_rotated") == []
    first = shown_secret(client.post(f"/settings/webhooks/{endpoint.id}/rotate",
                                     data={"password": PASSWORD}).get_data(as_text=True))
    second = shown_secret(client.post(f"/settings/webhooks/{endpoint.id}/rotate",
                                      data={"password": PASSWORD}).get_data(as_text=True))
    assert first and second and first != second
    assert len(audit_actions("webhook_secret_rotated")) == 2
    back = client.get(f"/settings/webhooks/{endpoint.id}/rotate")  # the language switch's "next"
    assert back.status_code == 302 and back.headers["Location"].endswith("/settings/webhooks")
    assert len(audit_actions("webhook_secret_rotated")) == 2


def test_disable_is_audited_and_shown(client, web_login, world):
    endpoint = endpoint_for(world["garage"])
    web_login(world["boss"])
    r = client.post(f"/settings/webhooks/{endpoint.id}/disable")
    assert r.status_code == 302 and r.headers["Location"].endswith("/settings/webhooks")
    [row] = endpoint_rows()
    assert row.active is False
    [entry] = audit_actions("webhook_disabled")
    assert entry.entity_id == str(world["garage"].id) and entry.changes == {"endpoint_id": endpoint.id}
    html = client.get("/settings/webhooks").get_data(as_text=True)
    assert "已停用" in html and f"/settings/webhooks/{endpoint.id}/disable" not in html
    assert "接收地址已停用" in html  # the flash message


def test_delivery_log_newest_first_paginated_and_replay(client, web_login, world):
    from portal.extensions import db
    from portal.ops.webhooks import WebhookDelivery

    endpoint = endpoint_for(world["garage"])
    old = deliveries(endpoint, *(["delivered"] * 28))
    failed = deliveries(endpoint, "failed", attempts=8, last_status_code=500, last_error="HTTP 500")[0]
    deliveries(endpoint, "pending", attempts=1, last_error="timed out")
    web_login(world["boss"])
    r = client.get(f"/settings/webhooks/{endpoint.id}/deliveries")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "推送记录" in html
    ids = [int(i) for i in re.findall(r'id="delivery-(\d+)"', html)]
    assert len(ids) == 25 and ids == sorted(ids, reverse=True) and ids[1] == failed.id
    assert "HTTP 500" in html and "timed out" in html and "1 / 2" in html
    page2 = client.get(f"/settings/webhooks/{endpoint.id}/deliveries?page=2").get_data(as_text=True)
    assert [int(i) for i in re.findall(r'id="delivery-(\d+)"', page2)] == [d.id for d in old[:5]][::-1]

    r = client.post(f"/settings/webhooks/deliveries/{failed.id}/replay")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/settings/webhooks/{endpoint.id}/deliveries")
    db.session.expire_all()
    copy = db.session.scalars(sa.select(WebhookDelivery).where(WebhookDelivery.replay_of_id == failed.id)).one()
    assert copy.status == "pending" and copy.event == failed.event and copy.payload == failed.payload
    assert copy.endpoint_id == endpoint.id and len(audit_actions("webhook_replayed")) == 1
    html = client.get(f"/settings/webhooks/{endpoint.id}/deliveries").get_data(as_text=True)
    assert f"重新推送自 {failed.id}" in html


def test_another_organizations_endpoint_and_deliveries_are_404(client, web_login, world):
    from portal.extensions import db
    from portal.ops.webhooks import WebhookDelivery

    endpoint = endpoint_for(world["garage"])
    [delivery] = deliveries(endpoint, "failed")
    web_login(world["intruder"])
    for method, url, data in [("get", f"/settings/webhooks/{endpoint.id}/deliveries", None),
                              ("get", f"/settings/webhooks/{endpoint.id}/rotate", None),
                              ("post", f"/settings/webhooks/{endpoint.id}/rotate", {"password": PASSWORD}),
                              ("post", f"/settings/webhooks/{endpoint.id}/disable", None),
                              ("post", f"/settings/webhooks/deliveries/{delivery.id}/replay", None)]:
        existing = getattr(client, method)(url, data=data)
        missing = getattr(client, method)(url.replace(f"/{endpoint.id}/", "/999999/")
                                          .replace(f"/{delivery.id}/replay", "/999999/replay"), data=data)
        assert existing.status_code == 404 == missing.status_code, url
        assert "whsec_" not in existing.get_data(as_text=True)
    assert endpoint.url not in client.get("/settings/webhooks").get_data(as_text=True)
    [row] = endpoint_rows()
    assert row.active
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookDelivery)) == 1
    assert audit_actions("webhook_secret_rotated") == [] and audit_actions("webhook_disabled") == []


def test_plain_users_get_403_and_no_menu_item(app, client, web_login, world, factory):
    endpoint = endpoint_for(world["garage"])
    assert client.get("/settings/webhooks").status_code == 302  # not logged in: the login page
    web_login(world["clerk"])
    assert "/settings/webhooks" not in client.get("/").get_data(as_text=True)
    for method, url in [("get", "/settings/webhooks"), ("post", "/settings/webhooks"),
                        ("get", f"/settings/webhooks/{endpoint.id}/deliveries"),
                        ("post", f"/settings/webhooks/{endpoint.id}/disable")]:
        assert getattr(client, method)(url).status_code == 403, url
    assessor = app.test_client()
    login(assessor, factory.user(roles=("assessor",)))
    assert assessor.get("/settings/webhooks").status_code == 403
    boss = app.test_client()
    login(boss, world["boss"])
    assert 'href="/settings/webhooks"' in boss.get("/").get_data(as_text=True)
    assert endpoint_rows()[0].active


def test_english_on_request(client, web_login, world):
    endpoint = endpoint_for(world["garage"])
    deliveries(endpoint, "pending")
    web_login(world["boss"])
    client.post("/lang/en", data={})
    html = client.get("/settings/webhooks").get_data(as_text=True)
    assert 'lang="en"' in html and "Register an endpoint" in html and "Waiting to send 1" in html
    assert "登记接收地址" not in html
    r = client.post("/settings/webhooks", data={"url": f"http://{PUBLIC_HOST}/x", "password": PASSWORD})
    assert "Webhook endpoints must use https://." in r.get_data(as_text=True)
    log = client.get(f"/settings/webhooks/{endpoint.id}/deliveries").get_data(as_text=True)
    assert "Delivery log" in log and "Replay" in log


def test_posts_need_the_csrf_token(app, client, web_login, world):
    endpoint = endpoint_for(world["garage"])
    web_login(world["boss"])
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        r = client.post("/settings/webhooks", data={"url": f"https://{PUBLIC_HOST}/x", "password": PASSWORD})
        assert r.status_code == 400
        assert client.post(f"/settings/webhooks/{endpoint.id}/disable").status_code == 400
        html = client.get("/settings/webhooks").get_data(as_text=True)
        assert html.count('name="csrf_token"') >= 4   # the form, rotate, disable, the language switch
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert len(endpoint_rows()) == 1 and endpoint_rows()[0].active
