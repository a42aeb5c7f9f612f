"""System credentials (portal/auth/api_keys.py): a partner admin makes a key for its
organization's system; the key is shown once, kept as a hash, held to its scopes, its
address allow-list and its expiry, revoked at once, never locked out by failed person
logins, and named in the audit trail of what it did."""
from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD, Api
from tests.plugins.garages.conftest import make_claim, part


def _elsewhere(statement) -> None:
    """A change written outside the request's session (another worker, an SQL console)."""
    from portal.extensions import db

    db.session.remove()
    with db.engine.begin() as conn:
        conn.execute(statement)
    db.session.remove()


@pytest.fixture
def garage(factory):
    return factory.org("garage")


@pytest.fixture
def garage_admin(factory, garage):
    return factory.user(garage, roles=("partner_admin",))


def make_key(api_as, admin, **body) -> dict:
    body = {"name": "DMS", "scopes": ["read"], **body}
    answer = api_as(admin).post("/api-keys", json=body)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def with_key(client, key: str, **environ) -> Api:
    api = Api(client, {"Authorization": f"Bearer {key}"})
    if environ:
        original = api._call

        def call(method, path, **kw):
            return original(method, path, environ_base=environ, **kw)

        api._call = call
    return api


def test_the_key_is_shown_once_and_only_its_hash_is_kept(api_as, garage_admin, client):
    from portal.auth.api_keys import ApiKey
    from portal.extensions import db

    body = make_key(api_as, garage_admin, scopes=["read", "quotes:write"])
    key = body["key"]
    assert key.startswith("pk_live_") and len(key) > 40 and body["prefix"] == key[:14]
    assert {"id", "key", "name", "scopes", "allowed_ips", "expires_at", "created_at", "last_used_at",
            "prefix"} <= set(body)
    assert body["scopes"] == ["quotes:write", "read"] and body["last_used_at"] is None
    listed = api_as(garage_admin).get("/api-keys").get_json()["items"]
    assert [k["id"] for k in listed] == [body["id"]] and "key" not in listed[0]
    with db.engine.connect() as conn:
        rows = conn.execute(sa.select(ApiKey.__table__)).all()
        dump = repr([tuple(r) for r in rows])
    assert key not in dump and key[14:] not in dump
    assert rows[0].key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert with_key(client, key).get("/me").status_code == 200


def test_who_may_make_keys(api_as, factory, garage):
    user = factory.user(garage)                       # a partner user, not its admin
    assert api_as(user).post("/api-keys", json={"name": "x", "scopes": ["read"]}).status_code == 403
    assessor = factory.user(roles=("assessor",))
    assert api_as(assessor).post("/api-keys", json={"name": "x", "scopes": ["read"]}).status_code == 403
    admin = factory.admin()
    insurer_key = make_key(api_as, admin, scopes=["read", "payments:write"])
    assert insurer_key["organization_id"] == admin.organization_id
    partner_admin = factory.user(garage, roles=("partner_admin",))
    refused = api_as(partner_admin).post("/api-keys", json={"name": "x", "scopes": ["payments:write"]})
    assert refused.status_code == 422 and "scopes" in refused.get_json()["error"]["details"]


@pytest.mark.parametrize("body, field", [
    ({"scopes": []}, "scopes"), ({"scopes": ["everything"]}, "scopes"), ({"name": ""}, "name"),
    ({"allowed_ips": ["10.0.0.300/8"]}, "allowed_ips"), ({"allowed_ips": ["not an address"]}, "allowed_ips"),
    ({"expires_at": "2020-01-01T00:00:00+08:00"}, "expires_at"), ({"expires_at": "soon"}, "expires_at"),
])
def test_bad_key_requests_are_422(api_as, garage_admin, body, field):
    answer = api_as(garage_admin).post("/api-keys", json={"name": "DMS", "scopes": ["read"], **body})
    assert answer.status_code == 422, answer.get_json()
    details = answer.get_json()["error"]["details"]   # dotted paths: "scopes.0" for the first scope
    assert any(key == field or key.startswith(field + ".") for key in details), details


def test_a_read_key_cannot_write_and_a_quotes_key_writes_quotes_only(api_as, factory, garage, garage_admin,
                                                                     client):
    claim = make_claim(garage, color="yellow")
    reader = with_key(client, make_key(api_as, garage_admin, scopes=["read"])["key"])
    assert reader.get("/quotes").status_code == 200
    refused = reader.post(f"/claims/{claim.claim_no}/quotes", json={"lines": [part()]})
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    writer = with_key(client, make_key(api_as, garage_admin, scopes=["quotes:write"])["key"])
    created = writer.post(f"/claims/{claim.claim_no}/quotes", json={"lines": [part()]})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["garage_id"] == garage.id
    upload = writer.post("/price-lists", data={}, content_type="multipart/form-data")
    assert upload.status_code == 403 and upload.get_json()["error"]["code"] == "forbidden"
    assert writer.get("/quotes").status_code == 403          # no `read` scope
    # a key never manages keys, whatever its scopes
    assert writer.post("/api-keys", json={"name": "x", "scopes": ["read"]}).status_code == 403


def test_a_key_does_no_more_than_its_maker_may(api_as, factory, garage, garage_admin, client):
    """A garage's key with every scope still cannot touch what a garage may not (salvage lots)."""
    key = with_key(client, make_key(api_as, garage_admin, scopes=["read", "salvage:write", "legal:write"])["key"])
    assert key.post("/salvage-lots", json={}).status_code == 403


KEYLESS_WRITES = {
    # people's own business: their tokens, password, users, organizations and keys
    "POST /api/v1/me/password", "DELETE /api/v1/tokens/<int:token_id>", "POST /api/v1/users",
    "PATCH /api/v1/users/<int:user_id>", "POST /api/v1/organizations", "PATCH /api/v1/organizations/<int:org_id>",
    "POST /api/v1/api-keys", "DELETE /api/v1/api-keys/<int:key_id>",
    # the insurer's staff work: claims, assignments, calendar, evaluations, major cases
    "POST /api/v1/claims", "PATCH /api/v1/claims/<claim_no>", "POST /api/v1/claims/<claim_no>/assignments",
    "DELETE /api/v1/claims/<claim_no>/assignments/<int:assignment_id>", "POST /api/v1/claims/<claim_no>/transitions",
    "PUT /api/v1/calendar/days/<day>", "DELETE /api/v1/calendar/days/<day>", "POST /api/v1/evaluation-rules",
    "POST /api/v1/evaluations", "POST /api/v1/evaluation-disputes/<int:dispute_id>/answer",
    "POST /api/v1/organizations/<int:org_id>/scorecards/<period>/disputes",
    "POST /api/v1/major-cases/<int:case_id>/milestones", "POST /api/v1/major-cases/<int:case_id>/responsible",
    "POST /api/v1/major-cases/<int:case_id>/transitions",
}


def test_write_endpoints_without_a_declared_scope_are_refused_to_keys(app):
    """Deny by default: the writes no key may call (they declare no scope), listed so that a
    new write endpoint is a conscious choice: give it a scope (its blueprint's
    ``write_scope`` or ``@write_scope``) or add it here."""
    from portal.api.access import access_rule, declared_scope
    from portal.api.setup import route_view

    unscoped = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        for method in rule.methods - {"GET", "HEAD", "OPTIONS"}:
            view = route_view(app, rule.endpoint, method)
            if view is None or access_rule(view) == "public":
                continue
            if declared_scope(view, app.blueprints.get(rule.endpoint.split(".")[0])) is None:
                unscoped.add(f"{method} {rule.rule}")
    assert unscoped == KEYLESS_WRITES


def test_an_unscoped_write_is_refused_to_a_key_with_every_scope(api_as, factory, client):
    from portal.auth.api_keys import INSURER_SCOPES

    key = with_key(client, make_key(api_as, factory.admin(), scopes=list(INSURER_SCOPES))["key"])
    answer = key.post("/organizations", json={"kind": "garage", "name": "X", "uscc": "x", "region": "Shanghai"})
    assert answer.status_code == 403 and answer.get_json()["error"]["code"] == "forbidden"


def test_revocation_is_immediate_even_for_a_kept_principal(api_as, factory, garage, garage_admin, client):
    body = make_key(api_as, garage_admin)
    key = with_key(client, body["key"])
    assert key.get("/me").status_code == 200 and key.get("/me").status_code == 200   # kept by the worker
    assert api_as(garage_admin).delete(f"/api-keys/{body['id']}").status_code == 204
    answer = key.get("/me")
    assert answer.status_code == 401 and answer.get_json()["error"]["code"] == "unauthorized"
    assert key.get("/quotes").status_code == 401


def test_revocation_elsewhere_is_honoured_by_a_kept_principal(api_as, garage_admin, client):
    from portal.auth.api_keys import ApiKey
    from portal.timeutil import utcnow

    body = make_key(api_as, garage_admin)
    key = with_key(client, body["key"])
    assert key.get("/me").status_code == 200 and key.get("/me").status_code == 200
    _elsewhere(sa.update(ApiKey).where(ApiKey.id == body["id"]).values(revoked_at=utcnow()))
    assert key.get("/me").status_code == 401


def test_another_organizations_key_is_404(api_as, factory, garage_admin):
    other_admin = factory.user(factory.org("garage"), roles=("partner_admin",))
    theirs = make_key(api_as, other_admin)
    assert api_as(garage_admin).delete(f"/api-keys/{theirs['id']}").status_code == 404
    assert api_as(garage_admin).delete("/api-keys/999999").status_code == 404
    assert theirs["id"] not in [k["id"] for k in api_as(garage_admin).get("/api-keys").get_json()["items"]]
    admin = factory.admin()                                    # the insurer's admin sees and revokes any
    assert theirs["id"] in [k["id"] for k in api_as(admin).get("/api-keys").get_json()["items"]]
    assert api_as(admin).delete(f"/api-keys/{theirs['id']}").status_code == 204


@pytest.mark.parametrize("address, allowed", [
    ("203.0.113.0", True), ("203.0.113.255", True), ("203.0.112.255", False), ("203.0.114.0", False),
    ("198.51.100.7", True), ("198.51.100.8", False), ("2001:db8::1", True), ("2001:db9::1", False),
])
def test_the_address_allow_list_at_its_edges(api_as, garage_admin, client, address, allowed):
    body = make_key(api_as, garage_admin, allowed_ips=["203.0.113.0/24", "198.51.100.7", "2001:db8::/32"])
    assert body["allowed_ips"] == ["203.0.113.0/24", "198.51.100.7/32", "2001:db8::/32"]
    answer = with_key(client, body["key"], REMOTE_ADDR=address).get("/me")
    assert answer.status_code == (200 if allowed else 401), answer.get_json()


def test_the_allow_list_sees_the_client_behind_the_proxy(app, api_as, garage_admin):
    """Behind the configured proxy (PROXY_FIX_X_FOR) the key is checked against the real client."""
    from portal import create_app

    body = make_key(api_as, garage_admin, allowed_ips=["203.0.113.0/24"])
    proxied = create_app({**app.config, "PROXY_FIX_X_FOR": 1})
    with proxied.test_client() as client:
        def me(forwarded):
            return client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['key']}",
                                                     "X-Forwarded-For": forwarded},
                              environ_base={"REMOTE_ADDR": "10.0.0.2"})
        assert me("203.0.113.9").status_code == 200
        assert me("198.51.100.1").status_code == 401


def test_a_key_expires_at_the_exact_second(api_as, garage_admin, client, monkeypatch):
    from portal.auth import services
    from portal.timeutil import utcnow

    expires = (utcnow() + timedelta(days=1)).replace(microsecond=0)
    body = make_key(api_as, garage_admin, expires_at=expires.isoformat())
    key = with_key(client, body["key"])
    monkeypatch.setattr(services, "utcnow", lambda: expires - timedelta(microseconds=1))
    assert key.get("/me").status_code == 200 and key.get("/me").status_code == 200    # kept
    monkeypatch.setattr(services, "utcnow", lambda: expires)
    answer = key.get("/me")
    assert answer.status_code == 401 and answer.get_json()["error"]["code"] == "unauthorized"


def test_a_locked_person_account_does_not_stop_the_key(api_as, garage_admin, client):
    key = with_key(client, make_key(api_as, garage_admin)["key"])
    for _ in range(8):
        client.post("/api/v1/tokens", json={"email": garage_admin.email, "password": "wrong password!"})
    locked = client.post("/api/v1/tokens", json={"email": garage_admin.email, "password": PASSWORD})
    assert locked.status_code == 429 and locked.get_json()["error"]["code"] == "locked"
    assert int(locked.headers["Retry-After"]) > 0
    assert key.get("/me").status_code == 200 and key.get("/quotes").status_code == 200


def test_the_audit_trail_names_the_key(api_as, factory, garage, garage_admin, client):
    from portal.audit.models import AuditEntry
    from portal.extensions import db

    claim = make_claim(garage, color="yellow")
    body = make_key(api_as, garage_admin, name="Our DMS", scopes=["read", "quotes:write"])
    created = with_key(client, body["key"]).post(f"/claims/{claim.claim_no}/quotes", json={"lines": [part()]})
    assert created.status_code == 201
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity == "quote")
                               .order_by(AuditEntry.id.desc())).first()
    assert entry.api_key_id == body["id"] and entry.actor_id == garage_admin.id
    made = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity == "api_key")).one()
    assert made.action == "create" and made.api_key_id is None and made.changes["name"] == "Our DMS"
    assert api_as(garage_admin).delete(f"/api-keys/{body['id']}").status_code == 204
    revoked = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity == "api_key",
                                                             AuditEntry.action == "revoke")).one()
    assert revoked.actor_id == garage_admin.id


def test_last_used_is_written_at_most_once_a_minute(api_as, garage_admin, client, monkeypatch):
    from portal.auth.api_keys import ApiKey
    from portal.extensions import db
    from portal.timeutil import utcnow
    from tests.querycount import count_queries

    body = make_key(api_as, garage_admin)
    key = with_key(client, body["key"])
    assert key.get("/me").status_code == 200
    first = db.session.get(ApiKey, body["id"]).last_used_at
    assert first is not None
    db.session.remove()
    for _ in range(3):
        with count_queries(db.engine) as counter:
            assert key.get("/me").status_code == 200
        assert not [s for s in counter.statements if s.lstrip().upper().startswith("UPDATE")], counter
    later = utcnow() + timedelta(seconds=61)
    monkeypatch.setattr("portal.auth.services.utcnow", lambda: later)
    monkeypatch.setattr("portal.timeutil.utcnow", lambda: later)
    assert key.get("/me").status_code == 200
    db.session.remove()
    assert db.session.get(ApiKey, body["id"]).last_used_at == later


def test_a_webhook_registered_with_a_key_needs_no_password(api_as, garage_admin, client, app, monkeypatch):
    """The key, scoped ``webhooks``, is the credential (API review #5); a person still confirms
    with a password."""
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_HTTP", True)
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE", True)
    monkeypatch.setitem(app.config, "OUTBOUND_ALLOWED_PORTS", [8080])
    url = "http://127.0.0.1:8080/hook"
    key = with_key(client, make_key(api_as, garage_admin, scopes=["webhooks"])["key"])
    answer = key.post("/webhooks", json={"url": url, "events": []})
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["secret"]
    reader = with_key(client, make_key(api_as, garage_admin, scopes=["read"])["key"])
    assert reader.post("/webhooks", json={"url": url}).status_code == 403
    person = api_as(garage_admin).post("/webhooks", json={"url": url})
    assert person.status_code == 422 and "password" in person.get_json()["error"]["details"]


def test_a_key_resolves_to_its_principal_in_one_statement(api_as, garage, garage_admin):
    from portal.auth.services import user_for_token
    from portal.extensions import db
    from tests.querycount import count_queries

    body = make_key(api_as, garage_admin, scopes=["read", "quotes:write"], name="DMS")
    admin_id, garage_id = garage_admin.id, garage.id
    db.session.remove()
    with count_queries(db.engine) as counter:
        found = user_for_token(body["key"])
    assert counter.count == 1, counter
    assert (found.id, found.organization_id, found.roles) == (admin_id, garage_id, ("partner_admin",))
    assert (found.api_key.id, found.api_key.name, found.api_key.scopes) == (body["id"], "DMS", ("quotes:write", "read"))
    assert user_for_token(body["key"] + "x") is None and user_for_token("pk_live_") is None


def test_a_view_may_declare_its_own_scope_over_its_blueprints():
    from portal.api.access import authenticated, declared_scope, write_scope
    from portal.api.blueprint import ApiBlueprint

    blp = ApiBlueprint("invoices_example", __name__, write_scope="quotes:write")

    @authenticated
    @write_scope("payments:write")
    def record_payment():
        pass

    @authenticated
    def submit_invoice():
        pass

    assert declared_scope(record_payment, blp) == "payments:write"
    assert declared_scope(submit_invoice, blp) == "quotes:write"
    assert declared_scope(submit_invoice, ApiBlueprint("bare", __name__)) is None


def test_an_idempotent_replay_never_holds_the_key(api_as, garage_admin):
    from portal.api.models import IdempotencyKey
    from portal.extensions import db

    admin = api_as(garage_admin)
    headers = {"Idempotency-Key": "make-dms-key"}
    first = admin.post("/api-keys", json={"name": "DMS", "scopes": ["read"]}, headers=headers)
    replay = admin.post("/api-keys", json={"name": "DMS", "scopes": ["read"]}, headers=headers)
    assert first.status_code == replay.status_code == 201
    key = first.get_json()["key"]
    assert replay.get_json()["id"] == first.get_json()["id"] and replay.get_json()["key"] is None
    assert replay.get_json()["withheld_on_replay"] == ["key"]
    stored = repr([tuple(r) for r in db.session.execute(db.select(IdempotencyKey.__table__)).all()])
    assert key not in stored and key[14:] not in stored


def test_an_invoice_needs_the_invoices_scope(api_as, factory, client, garage, garage_admin):
    """A partner's billing system sends invoices with an ``invoices:write`` key; a key that
    may write quotes (or only read) is refused, and an insurer key holding the scope is still
    refused: the organization's kind decides who invoices."""
    from tests.core.test_invoices_api import approved_quote, invoice_data, send_invoice

    quote = approved_quote(garage, "500.00")
    data = invoice_data("500.00", [("quote", quote.id)])
    for scopes in (["read"], ["read", "quotes:write"]):
        key = make_key(api_as, garage_admin, scopes=scopes)["key"]
        refused = send_invoice(client, {"Authorization": f"Bearer {key}"}, data)
        assert refused.status_code == 403, refused.get_json()
    key = make_key(api_as, garage_admin, scopes=["invoices:write"])["key"]
    sent = send_invoice(client, {"Authorization": f"Bearer {key}"}, data)
    assert sent.status_code == 201, sent.get_json()
    insurer_key = make_key(api_as, factory.admin(), scopes=["invoices:write"])["key"]
    other = send_invoice(client, {"Authorization": f"Bearer {insurer_key}"},
                         invoice_data("500.00", [("quote", approved_quote(garage, "500.00").id)]))
    assert other.status_code == 403, other.get_json()
