"""The caller's principal (portal/auth/principal.py): a bearer token resolves to a small
immutable value in one statement; a worker keeps it for the next GET, and any change of
the token, the user or the organization — by the API, by another worker, by plain SQL —
is honoured on the very next request."""
from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD
from tests.querycount import count_queries


def _statements(counter) -> list[str]:
    return [" ".join(s.split()) for s in counter.statements]


def _elsewhere(statement) -> None:
    """A change written outside this request's session, as another worker or an SQL
    console would write it (the test's own session is let go on both sides: requests of a
    test share it, and it must not hold a snapshot from before the change)."""
    from portal.extensions import db

    db.session.remove()
    with db.engine.begin() as conn:
        conn.execute(statement)
    db.session.remove()


def test_a_token_resolves_to_a_frozen_principal_in_one_statement(factory):
    from portal.auth.principal import Principal
    from portal.auth.services import user_for_token
    from portal.extensions import db

    garage = factory.org("garage", grade="B")
    user = factory.user(garage)
    token = factory.token(user)
    user_id, user_email, garage_id = user.id, user.email, garage.id
    db.session.remove()
    with count_queries(db.engine) as counter:
        found = user_for_token(token)
    assert counter.count == 1, counter
    assert isinstance(found, Principal)
    assert (found.id, found.email, found.organization_id, found.org_kind, found.organization.grade) == \
        (user_id, user_email, garage_id, "garage", "B")
    assert found.roles == ("partner_user",) and not found.is_insurer and not found.organization_suspended
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.roles = ("admin",)
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.organization.status = "active"
    assert not db.session.identity_map, "authentication put ORM objects into the session"
    from portal.auth.models import User

    _elsewhere(sa.update(User).where(User.id == user_id).values(active=False))
    assert user_for_token(token) is None
    assert user_for_token("") is None and user_for_token("x" * 201) is None


@pytest.fixture
def rate_limited(app, monkeypatch):
    """The API rate limit as deployed (the suite turns it off: tests/conftest.py), counted in
    the database: one upsert per call (portal/ops/ratelimit.py)."""
    monkeypatch.setitem(app.config, "API_RATE_LIMIT_PER_MINUTE", 600)


def _counter_statement(statements) -> list[str]:
    return [s for s in statements if "api_call_counts" in s]


def test_a_kept_principal_costs_no_statement_of_its_own(factory, api_as, rate_limited):
    from portal.extensions import db

    staff = api_as(factory.user(roles=("assessor",)))
    assert staff.get("/me").status_code == 200        # read afresh, then kept
    with count_queries(db.engine) as counter:
        again = staff.get("/me")
    assert again.status_code == 200 and again.headers["RateLimit-Remaining"] == "598"
    statements = _statements(counter)
    # no token statement: only the confirmation of the kept principal's marks — and, since
    # API calls are rate limited, the one statement that counts the call (one upsert)
    counted = _counter_statement(statements)
    assert len(counted) == 1 and counted[0].upper().startswith("INSERT"), counter
    statements.remove(counted[0])
    assert len(statements) == 1 and "api_tokens" not in statements[0] and "change_marks" in statements[0], counter


@pytest.mark.parametrize("change", ["revoked", "expired_elsewhere", "user_disabled"])
def test_a_kept_principal_is_refused_at_once_after_a_change_elsewhere(factory, api_as, change):
    from portal.auth.models import ApiToken, User
    from portal.timeutil import utcnow

    user = factory.user(roles=("assessor",))
    user_id = user.id
    staff = api_as(user)
    assert staff.get("/me").status_code == 200 and staff.get("/me").status_code == 200
    if change == "revoked":
        _elsewhere(sa.update(ApiToken).where(ApiToken.user_id == user_id).values(revoked_at=utcnow()))
    elif change == "expired_elsewhere":
        _elsewhere(sa.update(ApiToken).where(ApiToken.user_id == user_id).values(expires_at=utcnow()))
    else:
        _elsewhere(sa.update(User).where(User.id == user_id).values(active=False))
    answer = staff.get("/me")
    assert answer.status_code == 401, answer.get_json()
    assert staff.get("/claims").status_code == 401


def test_a_kept_principal_revoked_gets_401_not_the_views_error(factory, api_as):
    """The view ran on the kept principal and failed (404): the confirmation still comes
    first, so a revoked token learns nothing from what it may no longer see."""
    from portal.auth.models import ApiToken
    from portal.timeutil import utcnow

    user = factory.user(roles=("assessor",))
    user_id = user.id
    staff = api_as(user)
    assert staff.get("/me").status_code == 200 and staff.get("/claims/NOPE").status_code == 404
    _elsewhere(sa.update(ApiToken).where(ApiToken.user_id == user_id).values(revoked_at=utcnow()))
    assert staff.get("/claims/NOPE").status_code == 401


def test_a_revoked_token_gets_no_kept_page(people_for_queue, api_as, rate_limited):
    """The review queue's kept page (one statement) still refuses a token revoked by the
    caller's own other session."""
    from portal.auth.models import ApiToken
    from portal.extensions import db
    from portal.timeutil import utcnow

    staff, token_id = people_for_queue
    assert staff.get("/quotes").status_code == 200
    with count_queries(db.engine) as counter:
        assert staff.get("/quotes").status_code == 200
    # the kept page, confirmed in its marks' statement, and the rate limit's one counting statement
    assert len(counter.statements) == 2 and len(_counter_statement(counter.statements)) == 1, counter
    _elsewhere(sa.update(ApiToken).where(ApiToken.id == token_id).values(revoked_at=utcnow()))
    assert staff.get("/quotes").status_code == 401


@pytest.fixture
def people_for_queue(factory, api_as):
    from portal.auth.models import ApiToken
    from portal.extensions import db

    assessor = factory.user(roles=("assessor",))
    staff = api_as(assessor)
    token_id = db.session.scalar(sa.select(sa.func.max(ApiToken.id)).where(ApiToken.user_id == assessor.id))
    return staff, token_id


def test_roles_taken_or_given_count_on_the_next_request(factory, api_as):
    admin = api_as(factory.user(roles=("admin",), unlimited=True))
    user = factory.user(roles=("assessor",))
    user_id = user.id
    staff = api_as(user)
    audit = "/audit?entity=claim&entity_id=1"
    assert staff.get(audit).status_code == 403 and staff.get(audit).status_code == 403   # kept as an assessor
    assert admin.patch(f"/users/{user_id}", json={"roles": ["supervisor"]}).status_code == 200
    assert staff.get(audit).status_code in (200, 404)       # a supervisor now: no 403 from the kept assessor
    assert staff.get("/me").get_json()["roles"] == ["supervisor"]
    assert admin.patch(f"/users/{user_id}", json={"roles": ["assessor"]}).status_code == 200
    assert staff.get(audit).status_code == 403              # and taken away again at once


def test_a_changed_caller_is_answered_as_it_is_now(factory, api_as):
    """A GET that ran on a kept principal which changed meanwhile (authority, grade) runs
    again as the caller now is: the answer never shows the old principal."""
    from portal.auth.models import Organization, User

    garage = factory.org("garage", grade="A")
    garage_id = garage.id
    partner = api_as(factory.user(garage))
    staff_user = factory.user(roles=("assessor",), limit=Decimal("5000"))
    staff_id = staff_user.id
    staff = api_as(staff_user)
    assert staff.get("/me").get_json()["authority_limit"] == "5000.00"
    assert staff.get("/me").get_json()["authority_limit"] == "5000.00"     # kept
    _elsewhere(sa.update(User).where(User.id == staff_id).values(authority_limit=Decimal("8000")))
    assert staff.get("/me").get_json()["authority_limit"] == "8000.00"
    assert partner.get(f"/organizations/{garage_id}").get_json()["grade"] == "A"
    _elsewhere(sa.update(Organization).where(Organization.id == garage_id).values(grade="C"))
    assert partner.get(f"/organizations/{garage_id}").get_json()["grade"] == "C"


def test_a_suspended_organization_reads_but_changes_nothing_at_once(factory, api_as):
    from portal.auth.models import Organization

    garage = factory.org("garage")
    garage_id = garage.id
    partner = api_as(factory.user(garage, roles=("partner_admin",)))
    assert partner.get("/me").status_code == 200 and partner.get("/users").status_code == 200
    _elsewhere(sa.update(Organization).where(Organization.id == garage_id).values(status="suspended"))
    assert partner.get("/users").status_code == 200
    created = partner.post("/users", json={"email": "new@example.com", "name": "New", "password": PASSWORD,
                                           "organization_id": garage_id, "roles": ["partner_user"]})
    assert created.status_code == 403, created.get_json()
