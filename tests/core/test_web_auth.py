"""Web login, sessions and the admin pages."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from tests.conftest import PASSWORD, login


def test_login_page_is_chinese_by_default_and_english_on_request(client):
    html = client.get("/login").get_data(as_text=True)
    assert "登录" in html and 'lang="zh-CN"' in html
    client.post("/lang/en")
    html = client.get("/login").get_data(as_text=True)
    assert "Log in" in html and 'lang="en"' in html


def test_login_renews_session_and_logout_kills_the_old_cookie(app, factory):
    user = factory.user()
    client = app.test_client()
    client.get("/login")
    before = client.get_cookie("portal_session")
    assert login(client, user).status_code == 302
    after = client.get_cookie("portal_session")
    assert after is not None and (before is None or before.value != after.value)
    assert client.get("/").status_code == 200
    stolen = after.value
    client.post("/logout")
    assert client.get("/").status_code == 302
    replay = app.test_client()
    replay.set_cookie("portal_session", stolen)
    r = replay.get("/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_password_change_ends_every_session(app, factory):
    user = factory.user()
    a, b = app.test_client(), app.test_client()
    login(a, user)
    login(b, user)
    r = a.post("/account", data={"current_password": PASSWORD, "new_password": "a-brand-new-secret"})
    assert r.status_code == 302
    assert b.get("/").status_code == 302           # the other browser is logged out too
    assert login(a, user, "a-brand-new-secret").status_code == 302


def test_password_change_with_wrong_current_password_shows_field_error(app, factory, web_login):
    user = factory.user()
    client = web_login(user)
    r = client.post("/account", data={"current_password": "nope-nope", "new_password": "another-good-one"})
    assert r.status_code == 422 and "is-invalid" in r.get_data(as_text=True)


def test_disabled_account_session_dies(app, factory, api_as):
    admin = factory.admin()
    user = factory.user()
    client = app.test_client()
    login(client, user)
    assert client.get("/").status_code == 200
    api_as(admin).patch(f"/users/{user.id}", json={"active": False})
    assert client.get("/").status_code == 302


def test_idle_timeout(app, factory):
    from portal.auth.models import UserSession
    from portal.extensions import db
    from portal.timeutil import utcnow

    user = factory.user()
    client = app.test_client()
    login(client, user)
    db.session.execute(sa.update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=31)))
    db.session.commit()
    assert client.get("/").status_code == 302


def test_absolute_timeout(app, factory):
    from portal.auth.models import UserSession
    from portal.extensions import db
    from portal.timeutil import utcnow

    user = factory.user()
    client = app.test_client()
    login(client, user)
    db.session.execute(sa.update(UserSession).values(created_at=utcnow() - timedelta(hours=13)))
    db.session.commit()
    assert client.get("/").status_code == 302


def test_next_cannot_redirect_off_site(app, factory):
    user = factory.user()
    for target, expected in [("/users", "/users"), ("https://evil.example/", "/"), ("//evil.example", "/"),
                             ("/\\evil.example", "/"), ("javascript:alert(1)", "/"),
                             ("%2Fmy%2Fclaims%0ASet-Cookie:%20x=1", "/"), ("/x%0D%0ASet-Cookie:%20a=b", "/"),
                             ("/x%00y", "/")]:   # review L4: control characters never reach a header
        client = app.test_client()
        r = client.post(f"/login?next={target}", data={"email": user.email, "password": PASSWORD})
        assert r.status_code == 302 and r.headers["Location"] == expected, target
    client = app.test_client()
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    r = client.post("/lang/en", data={"next": "/x\r\nSet-Cookie: a=b"})
    assert r.status_code == 302 and r.headers["Location"] == "/"


def test_web_lockout_after_five_failures(app, factory):
    user = factory.user()
    client = app.test_client()
    for _ in range(4):
        assert client.post("/login", data={"email": user.email, "password": "bad-password"}).status_code == 401
    r = client.post("/login", data={"email": user.email, "password": "bad-password"})
    assert r.status_code == 429
    r = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert r.status_code == 429 and "请等待" in r.get_data(as_text=True) and int(r.headers["Retry-After"]) <= 30


def test_login_form_errors_for_empty_fields(client):
    r = client.post("/login", data={"email": "", "password": ""})
    assert r.status_code == 422 and r.get_data(as_text=True).count("invalid-feedback") >= 2


def test_csrf_is_enforced_when_enabled(app, factory):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        user = factory.user()
        r = app.test_client().post("/login", data={"email": user.email, "password": PASSWORD})
        assert r.status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_admin_organizations_page_and_partner_forbidden(app, factory, web_login):
    admin = factory.admin()
    garage = factory.org("garage", name="顺通修理厂")
    client = web_login(admin)
    html = client.get("/admin/organizations").get_data(as_text=True)
    assert "顺通修理厂" in html
    r = client.post("/admin/organizations", data={"kind": "garage", "name": "Bad", "uscc": "123", "region": "上海"})
    assert r.status_code == 422 and "is-invalid" in r.get_data(as_text=True)
    r = client.post(f"/admin/organizations/{garage.id}", data={"status": "suspended", "grade": "C", "reason": "复查"})
    assert r.status_code == 302
    partner = web_login.__self__ if False else None
    pclient = app.test_client()
    login(pclient, factory.user(factory.org("garage")))
    assert pclient.get("/admin/organizations").status_code == 403


def test_partner_admin_manages_only_own_users(app, factory):
    garage, other = factory.org("garage"), factory.org("garage")
    boss = factory.user(garage, roles=("partner_admin",))
    mine, theirs = factory.user(garage), factory.user(other)
    client = app.test_client()
    login(client, boss)
    html = client.get("/users").get_data(as_text=True)
    assert mine.email in html and theirs.email not in html
    assert client.post(f"/users/{theirs.id}/active").status_code == 404
    assert client.post(f"/users/{mine.id}/active").status_code == 302
    from portal.auth.models import User
    from portal.extensions import db

    db.session.expire_all()
    assert db.session.get(User, mine.id).active is False and db.session.get(User, theirs.id).active is True
    r = client.post("/users", data={"email": "new@garage.example", "name": "New", "password": "long-enough-9",
                                    "organization_id": other.id, "roles": ["partner_user"]})
    assert r.status_code == 422          # another organization is not a valid choice
    r = client.post("/users", data={"email": "new@garage.example", "name": "New", "password": "short7",
                                    "organization_id": garage.id, "roles": ["partner_user"]})
    html = r.get_data(as_text=True)      # the policy's message, in the page's language; roles named in words
    assert r.status_code == 422 and "至少 8 个字符。" in html and "At least 8" not in html and "机构用户" in html
    r = client.post("/users", data={"email": "new@garage.example", "name": "New", "password": "long-enough-9",
                                    "organization_id": garage.id, "roles": ["partner_user"]})
    assert r.status_code == 302


def test_error_pages_are_html_outside_the_api(client, factory, web_login):
    r = client.get("/no-such-page")
    assert r.status_code == 404 and "text/html" in r.content_type


def test_unknown_host_refused_in_production_config(app):
    app.config["TRUSTED_HOSTS"] = ["portal.example.com"]
    try:
        c = app.test_client()
        assert c.get("/login", headers={"Host": "evil.example"}).status_code == 400
        assert c.get("/login", headers={"Host": "portal.example.com"}).status_code == 200
    finally:
        app.config["TRUSTED_HOSTS"] = None


def test_secure_cookie_over_https(app, factory):
    user = factory.user()
    r = app.test_client().post("/login", data={"email": user.email, "password": PASSWORD},
                               base_url="https://localhost")
    cookie = r.headers.get("Set-Cookie")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert r.headers.get("Strict-Transport-Security")


def test_organizations_and_users_export_to_xlsx(app, factory, web_login):
    import io

    from openpyxl import load_workbook

    admin = factory.admin()
    factory.org("garage", name="=HYPERLINK(\"http://evil\")")
    client = web_login(admin)
    for url in ("/admin/organizations?export=xlsx", "/users?export=xlsx"):
        r = client.get(url)
        assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
        ws = load_workbook(io.BytesIO(r.data)).active
        assert ws["A1"].value in ("名称", "姓名", "Name")
        cells = [c for row in ws.iter_rows() for c in row if c.value]
        assert all(c.data_type != "f" for c in cells)              # no formula injection: text is text
        if "organizations" in url:   # … kept as written, with no apostrophe in front (review L9)
            assert "=HYPERLINK(\"http://evil\")" in [c.value for c in cells]
