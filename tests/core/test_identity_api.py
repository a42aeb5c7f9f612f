"""The API's conventions (tokens, error envelopes, idempotency, headers) and its identity and
organization endpoints."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD


def test_token_issue_and_me(client, factory, api_as):
    user = factory.user(limit=20000)
    r = client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD})
    assert r.status_code == 201
    body = r.get_json()
    assert set(body) == {"token", "expires_at"} and "+08:00" in body["expires_at"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"}).get_json()
    assert me == {"id": user.id, "email": user.email, "name": user.name, "roles": ["assessor"],
                  "authority_limit": "20000.00", "locale": None,
                  "organization": {"id": user.organization_id, "kind": "insurer", "name": "Insurer"}}


@pytest.mark.parametrize("header", [None, "Bearer nope", "Basic abc", "Bearer "])
def test_missing_or_bad_token_is_401_envelope(client, header):
    r = client.get("/api/v1/me", headers={"Authorization": header} if header else {})
    assert r.status_code == 401
    assert r.get_json()["error"]["code"] == "unauthorized"


def test_expired_and_revoked_tokens_are_refused(client, factory):
    from portal.auth.models import ApiToken
    from portal.extensions import db
    from portal.timeutil import utcnow

    user = factory.user()
    token = factory.token(user)
    db.session.execute(sa.update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_token_is_stored_hashed(factory):
    from portal.auth.models import ApiToken
    from portal.extensions import db

    token = factory.token(factory.user())
    stored = db.session.scalars(sa.select(ApiToken.token_hash)).all()
    assert token not in stored and len(stored[0]) == 64


def test_lockout_after_five_failures_even_with_right_password(client, factory):
    user = factory.user()
    for _ in range(4):
        r = client.post("/api/v1/tokens", json={"email": user.email, "password": "wrong-password"})
        assert r.status_code == 401
    r = client.post("/api/v1/tokens", json={"email": user.email, "password": "wrong-password"})
    assert r.status_code == 429 and r.get_json()["error"]["code"] == "locked"
    r = client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD})
    assert r.status_code == 429 and r.get_json()["error"]["code"] == "locked"


def test_lock_expires_after_fifteen_minutes(client, factory):
    from portal.auth.models import LoginAttempt, User
    from portal.extensions import db
    from portal.timeutil import utcnow

    user = factory.user()
    for _ in range(5):
        client.post("/api/v1/tokens", json={"email": user.email, "password": "wrong-password"})
    past = utcnow() - timedelta(minutes=16)
    db.session.execute(sa.update(User).values(locked_until=past))
    db.session.execute(sa.update(LoginAttempt).values(at=past - timedelta(minutes=1)))
    db.session.commit()
    assert client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD}).status_code == 201


def test_the_wait_grows_and_unknown_emails_answer_the_same(client, factory):
    """Security review H4/L2: after five failures each try waits a delay that doubles, for known
    and unknown e-mails alike (no enumeration); a try inside the delay is not counted."""
    from portal.auth.models import LoginAttempt
    from portal.extensions import db
    from portal.timeutil import utcnow

    user = factory.user()
    answers = {}
    for email in (user.email, "nobody-here@example.com"):
        got = [client.post("/api/v1/tokens", json={"email": email, "password": "wrong-password"}) for _ in range(6)]
        answers[email] = [(r.status_code, r.get_json()["error"]["code"], r.headers.get("Retry-After")) for r in got]
    assert [a[:2] for a in answers[user.email]] == [a[:2] for a in answers["nobody-here@example.com"]] \
        == [(401, "unauthorized")] * 4 + [(429, "locked")] * 2
    assert all(25 <= int(a[4][2]) <= 30 for a in answers.values())
    # 31 s later: the next failure doubles the wait; the right password then works after it
    for row in db.session.scalars(sa.select(LoginAttempt)):
        row.at = row.at - timedelta(seconds=31)
    db.session.commit()
    r = client.post("/api/v1/tokens", json={"email": user.email, "password": "wrong-password"})
    assert r.status_code == 429 and 55 <= int(r.headers["Retry-After"]) <= 60
    db.session.execute(sa.update(LoginAttempt).where(LoginAttempt.email == user.email)
                       .values(at=utcnow() - timedelta(seconds=61)))
    db.session.commit()
    assert client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD}).status_code == 201


def test_unknown_email_answers_like_a_wrong_password(client, factory):
    user = factory.user()
    a = client.post("/api/v1/tokens", json={"email": "nobody@example.com", "password": "x" * 10})
    b = client.post("/api/v1/tokens", json={"email": user.email, "password": "x" * 10})
    assert a.status_code == b.status_code == 401
    assert a.get_json() == b.get_json()


def test_malformed_json_is_400(client, factory):
    r = client.post("/api/v1/tokens", data="{not json", content_type="application/json")
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "bad_request"


def test_missing_fields_are_422_with_field_messages(client):
    r = client.post("/api/v1/tokens", json={"email": "a@example.com"})
    assert r.status_code == 422
    err = r.get_json()["error"]
    assert err["code"] == "invalid" and "password" in err["details"]


def test_organization_create_and_uscc_checksum(factory, api_as):
    admin = factory.admin()
    api = api_as(admin)
    good = factory.uscc()
    r = api.post("/organizations", json={"kind": "garage", "name": "Shanghai Auto Repair", "uscc": good,
                                          "region": "Shanghai"})
    assert r.status_code == 201
    body = r.get_json()
    assert body["grade"] is None and body["status"] == "active" and body["kind"] == "garage"
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    r = api.post("/organizations", json={"kind": "garage", "name": "X", "uscc": bad, "region": "Shanghai"})
    assert r.status_code == 422 and "uscc" in r.get_json()["error"]["details"]
    r = api.post("/organizations", json={"kind": "bank", "name": "X", "uscc": factory.uscc(), "region": "S"})
    assert r.status_code == 422 and "kind" in r.get_json()["error"]["details"]


def test_only_admin_creates_organizations(factory, api_as):
    assessor = factory.user()
    r = api_as(assessor).post("/organizations", json={"kind": "garage", "name": "X", "uscc": factory.uscc(),
                                                      "region": "S"})
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "forbidden"


def test_list_organizations_by_kind_paginated(factory, api_as):
    admin = factory.admin()
    for _ in range(3):
        factory.org("garage")
    factory.org("parts_supplier")
    r = api_as(admin).get("/organizations?kind=garage&per_page=2")
    body = r.get_json()
    assert r.status_code == 200 and body["total"] == 3 and len(body["items"]) == 2 and body["per_page"] == 2
    assert api_as(admin).get("/organizations?per_page=500").status_code == 422
    garage_user = factory.user(factory.org("garage"))
    assert api_as(garage_user).get("/organizations").status_code == 403


def test_patch_organization_status_and_grade_is_audited(factory, api_as):
    from portal.audit.models import AuditEntry
    from portal.extensions import db

    admin = factory.admin()
    garage = factory.org("garage")
    api = api_as(admin)
    assert api.patch(f"/organizations/{garage.id}", json={"status": "suspended"}).status_code == 422
    r = api.patch(f"/organizations/{garage.id}", json={"status": "suspended", "grade": "C", "reason": "audit"})
    assert r.status_code == 200 and r.get_json()["status"] == "suspended" and r.get_json()["grade"] == "C"
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity == "organization",
                                                           AuditEntry.action == "update")).one()
    assert entry.changes["reason"] == "audit" and entry.changes["status"] == ["active", "suspended"]
    assert api.patch("/organizations/99999", json={"status": "active", "reason": "x"}).status_code == 404


def test_suspended_partner_reads_but_changes_nothing(factory, api_as, app):
    admin = factory.admin()
    garage = factory.org("garage")
    boss = factory.user(garage, roles=("partner_admin",))
    partner = api_as(boss)
    api_as(admin).patch(f"/organizations/{garage.id}", json={"status": "suspended", "reason": "fraud check"})
    assert partner.get("/me").status_code == 200
    r = partner.post("/users", json={"email": "n@g.example", "name": "N", "password": "long-enough-1",
                                     "organization_id": garage.id, "roles": ["partner_user"]})
    assert r.status_code == 403 and "suspended" in r.get_json()["error"]["message"]
    from tests.conftest import login

    web = app.test_client()
    login(web, boss)
    assert web.get("/users").status_code == 200
    assert web.post("/users", data={"email": "m@g.example"}).status_code == 403
    api_as(admin).patch(f"/organizations/{garage.id}", json={"status": "active", "reason": "cleared"})
    assert partner.post("/users", json={"email": "n@g.example", "name": "N", "password": "long-enough-1",
                                        "organization_id": garage.id, "roles": ["partner_user"]}).status_code == 201


def test_partner_sees_own_organization_only(factory, api_as):
    garage, other = factory.org("garage"), factory.org("garage")
    api = api_as(factory.user(garage))
    assert api.get(f"/organizations/{garage.id}").status_code == 200
    assert api.get(f"/organizations/{other.id}").status_code == 404


def test_users_endpoint_roles_and_partner_admin_limits(factory, api_as):
    admin = factory.admin()
    garage, other = factory.org("garage"), factory.org("garage")
    r = api_as(admin).post("/users", json={"email": "Boss@Garage.example", "name": "Boss", "password": "long-enough-1",
                                           "organization_id": garage.id, "roles": ["partner_admin"]})
    assert r.status_code == 201
    body = r.get_json()
    assert "password" not in body and "password_hash" not in body and body["email"] == "boss@garage.example"
    from portal.auth.models import User
    from portal.extensions import db

    boss = db.session.get(User, body["id"])
    api = api_as(boss)
    ok = api.post("/users", json={"email": "est@garage.example", "name": "Estimator", "password": "long-enough-2",
                                  "organization_id": garage.id, "roles": ["partner_user"]})
    assert ok.status_code == 201
    other_org = api.post("/users", json={"email": "x@other.example", "name": "X", "password": "long-enough-3",
                                         "organization_id": other.id, "roles": ["partner_user"]})
    assert other_org.status_code == 422 and "organization_id" in other_org.get_json()["error"]["details"]
    insurer_role = api.post("/users", json={"email": "y@garage.example", "name": "Y", "password": "long-enough-4",
                                            "organization_id": garage.id, "roles": ["admin"]})
    assert insurer_role.status_code == 422 and "roles" in insurer_role.get_json()["error"]["details"]
    listed = api.get("/users").get_json()
    assert {u["organization_id"] for u in listed["items"]} == {garage.id}
    other_user = factory.user(other)
    assert api.get(f"/users/{other_user.id}").status_code == 404
    assert api.patch(f"/users/{other_user.id}", json={"active": False}).status_code == 404
    plain = factory.user(garage)
    assert api_as(plain).post("/users", json={"email": "z@garage.example", "name": "Z", "password": "long-enough-5",
                                              "organization_id": garage.id, "roles": ["partner_user"]}).status_code == 403


def test_password_policy(factory, api_as):
    admin = factory.admin()
    org = factory.org("garage")
    for bad in ["short", "password123", "12345678"]:
        r = api_as(admin).post("/users", json={"email": f"p{len(bad)}@x.example", "name": "P", "password": bad,
                                               "organization_id": org.id, "roles": ["partner_user"]})
        assert r.status_code == 422 and "password" in r.get_json()["error"]["details"], bad


def test_authority_limit_change_needs_password_again(factory, api_as):
    admin = factory.admin()
    assessor = factory.user(limit=10000)
    api = api_as(admin)
    r = api.patch(f"/users/{assessor.id}", json={"authority_limit": "30000"})
    assert r.status_code == 422 and "password" in r.get_json()["error"]["details"]
    r = api.patch(f"/users/{assessor.id}", json={"authority_limit": "30000", "password": PASSWORD})
    assert r.status_code == 200 and r.get_json()["authority_limit"] == "30000.00"


def test_money_with_three_places_is_422(factory, api_as):
    admin = factory.admin()
    r = api_as(admin).patch(f"/users/{factory.user().id}", json={"authority_limit": "1.005", "password": PASSWORD})
    assert r.status_code == 422 and "authority_limit" in r.get_json()["error"]["details"]
    r = api_as(admin).patch(f"/users/{factory.user().id}", json={"authority_limit": 12.5, "password": PASSWORD})
    assert r.status_code == 422


def test_unknown_route_is_404_envelope_and_method_405(client, factory, api_as):
    api = api_as(factory.user())
    r = api.get("/nothing-here")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"
    r = api.delete("/me")
    assert r.status_code == 405 and r.get_json()["error"]["code"] == "method_not_allowed"


def test_upload_over_limit_is_413(app, client, factory):
    headers = factory.headers(factory.admin())
    big = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    r = client.post("/api/v1/organizations", data=big, headers=headers, content_type="application/json")
    assert r.status_code == 413 and r.get_json()["error"]["code"] == "too_large"


def test_idempotency_replay_and_mismatch(factory, api_as):
    from portal.auth.models import Organization
    from portal.extensions import db

    api = api_as(factory.admin())
    body = {"kind": "garage", "name": "Idem Garage", "uscc": factory.uscc(), "region": "Shanghai"}
    first = api.post("/organizations", json=body, headers={"Idempotency-Key": "k-1"})
    again = api.post("/organizations", json=body, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organization).where(
        Organization.name == "Idem Garage")) == 1
    other = api.post("/organizations", json=dict(body, name="Other"), headers={"Idempotency-Key": "k-1"})
    assert other.status_code == 422 and other.get_json()["error"]["code"] == "idempotency_mismatch"


def test_openapi_document(client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    doc = r.get_json()
    assert doc["openapi"].startswith("3.")
    for path in ["/api/v1/tokens", "/api/v1/me", "/api/v1/organizations", "/api/v1/users"]:
        assert path in doc["paths"], path


def test_security_headers(client):
    r = client.get("/login")
    csp = r.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "same-origin"


def test_responses_time_has_offset(factory, api_as):
    admin = factory.admin()
    r = api_as(admin).get(f"/organizations/{admin.organization_id}")
    assert r.get_json()["created_at"].endswith("+08:00")


def test_unknown_email_costs_a_password_hash_too(client, factory, monkeypatch):
    """No user enumeration by timing: an unknown e-mail runs one argon2 verification,
    exactly like a wrong password for a real account."""
    from portal.auth import passwords

    calls = []
    real = passwords._hasher

    class Counting:
        def verify(self, h, p):
            calls.append(1)
            return real.verify(h, p)

        def hash(self, p):
            return real.hash(p)

    monkeypatch.setattr(passwords, "_hasher", Counting())
    user = factory.user()
    client.post("/api/v1/tokens", json={"email": "ghost@example.com", "password": "whatever-123"})
    unknown = len(calls)
    client.post("/api/v1/tokens", json={"email": user.email, "password": "whatever-123"})
    assert unknown == 1 and len(calls) == 2


def test_mass_assignment_is_refused(factory, api_as):
    """Fields the caller may not set (status, grade, ids of other organizations) are
    unknown to the input schemas: 422, nothing changed."""
    admin = factory.admin()
    r = api_as(admin).post("/organizations", json={"kind": "garage", "name": "X", "uscc": factory.uscc(),
                                                   "region": "S", "status": "suspended", "grade": "A", "id": 5})
    assert r.status_code == 422
    assert {"status", "grade", "id"} <= set(r.get_json()["error"]["details"])
    garage = factory.org("garage")
    boss = factory.user(garage, roles=("partner_admin",))
    r = api_as(boss).patch(f"/users/{boss.id}", json={"organization_id": factory.org("garage").id})
    assert r.status_code == 422
    r = api_as(boss).patch(f"/users/{boss.id}", json={"authority_limit": "99999", "password": PASSWORD})
    assert r.status_code == 403


@pytest.mark.parametrize("password", ["aaaaaaaa", "Passw0rd!", "newuser@e.com1", "demo-portal-2026", "woaini1314",
                                      "qwertyuiop12"])
def test_guessable_and_public_passwords_are_refused(api_as, factory, password):
    """Security review L7: breached and guessable passwords (an offline list), the e-mail plus a
    digit, and the README's demo password are refused; a long passphrase is taken."""
    admin = api_as(factory.admin())
    org = factory.org("garage")
    body = {"email": "newuser@e.com", "name": "新用户", "organization_id": org.id, "roles": ["partner_user"]}
    r = admin.post("/users", json=dict(body, password=password))
    assert r.status_code == 422 and "password" in r.get_json()["error"]["details"], r.get_json()
    assert admin.post("/users", json=dict(body, password="Lantern-Orchard-57")).status_code == 201
