"""Cookies and transport in production (security review M4), and no secret kept for an
idempotent replay (M7)."""
from __future__ import annotations

import socket

import sqlalchemy as sa

from tests.conftest import PASSWORD, base_config


def test_production_cookie_is_secure_whatever_the_proxy_says_and_hsts_follows_the_public_url(tmp_path):
    from portal import create_app

    cfg = base_config(f"sqlite:///{tmp_path / 'prod.sqlite3'}", tmp_path, ENV_NAME="production",
                      TRUSTED_HOSTS=["claims-portal.example.com"], PUBLIC_URL="https://claims-portal.example.com",
                      TESTING=False)
    app = create_app(cfg)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    from portal.extensions import db

    with app.app_context():
        db.create_all()
    client = app.test_client()
    # plain http from the proxy, no X-Forwarded-Proto: still a Secure cookie, and HSTS
    r = client.get("/login", headers={"Host": "claims-portal.example.com"})
    assert r.status_code == 200
    cookies = r.headers.getlist("Set-Cookie")
    assert cookies and all("Secure" in c for c in cookies), cookies
    assert r.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert client.get("/login", headers={"Host": "evil.example.com"}).status_code == 400


def test_a_replay_never_holds_the_webhook_secret(app, factory, api_as, monkeypatch):
    from portal.api.models import IdempotencyKey
    from portal.extensions import db

    def getaddrinfo(host, port, *a, **kw):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    api = api_as(factory.user(factory.org("garage"), roles=("partner_admin",)))
    body = {"url": "https://hooks.example.com/idem", "events": [], "password": PASSWORD}
    first = api.post("/webhooks", json=body, headers={"Idempotency-Key": "wh-create-1"})
    assert first.status_code == 201 and first.get_json()["secret"].startswith("whsec_")
    secret = first.get_json()["secret"]
    stored = db.session.scalars(sa.select(IdempotencyKey.response_body)).all()
    assert stored and all(secret.encode() not in (b or b"") for b in stored)
    again = api.post("/webhooks", json=body, headers={"Idempotency-Key": "wh-create-1"})
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["secret"] is None and again.get_json()["withheld_on_replay"] == ["secret"]
    assert again.get_json()["id"] == first.get_json()["id"]   # nothing created twice
    rotated = api.post(f"/webhooks/{first.get_json()['id']}/rotate-secret", json={"password": PASSWORD},
                       headers={"Idempotency-Key": "wh-rotate-1"})
    new_secret = rotated.get_json()["secret"]
    assert all(new_secret.encode() not in (b or b"") for b in
               db.session.scalars(sa.select(IdempotencyKey.response_body)).all())


def test_one_token_is_revoked_and_the_others_live_on(app, factory):
    """Security review L9: a single API token can be revoked, at once."""
    user = factory.user(factory.org("garage"), roles=("partner_admin",))
    client = app.test_client()

    def token():
        r = client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD})
        assert r.status_code == 201
        return r.get_json()

    h1 = {"Authorization": f"Bearer {token()['token']}"}
    first = client.get("/api/v1/tokens", headers=h1).get_json()["items"][-1]   # the newest: this one
    h2 = {"Authorization": f"Bearer {token()['token']}"}
    listed = client.get("/api/v1/tokens", headers=h1).get_json()["items"]
    assert len(listed) == 2 and listed[0]["id"] == first["id"] and "token" not in listed[0]
    other = factory.user(factory.org("garage"), roles=("partner_admin",))
    assert client.delete(f"/api/v1/tokens/{first['id']}", headers=factory.headers(other)).status_code == 404
    assert client.delete(f"/api/v1/tokens/{first['id']}", headers=h2).status_code == 204
    assert client.get("/api/v1/me", headers=h1).status_code == 401
    assert client.get("/api/v1/me", headers=h2).status_code == 200


def test_a_page_beyond_any_list_is_a_plain_422(api_as, factory):
    """Security review L5: never the database's words in an answer."""
    r = api_as(factory.admin()).get("/organizations?page=1180591620717411303424")
    assert r.status_code == 422 and "page" in r.get_json()["error"]["details"]
    assert "INTEGER" not in r.get_data(as_text=True) and "Python" not in r.get_data(as_text=True)


def test_dates_outside_a_plausible_range_are_refused(api_as, factory):
    """Security review L9: 0001-01-01 and 9999-12-31 are mistakes or probes, never facts."""
    admin = api_as(factory.admin())
    for day in ("0001-01-01", "9999-12-31"):
        r = admin.get(f"/calendar/days?from={day}&to=2026-12-31")
        assert r.status_code == 422 and "from" in r.get_json()["error"]["details"], r.get_json()
    assert admin.get("/calendar/days?from=2026-12-01&to=2026-12-31").status_code == 200
