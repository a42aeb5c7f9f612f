"""The audit API: read-only trail, oldest first; append-only on PostgreSQL."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.conftest import database_kind
from tests.core.test_claims_api import claim_body


def _claim(api_as, factory):
    staff = factory.user()
    c = api_as(staff).post("/claims", json=claim_body()).get_json()
    return staff, c


def test_trail_oldest_first_with_actor_and_changes(api_as, factory):
    staff, c = _claim(api_as, factory)
    garage = factory.org("garage")
    api_as(staff).post(f"/claims/{c['claim_no']}/assignments", json={"organization_id": garage.id, "purpose": "repair"})
    api_as(staff).patch(f"/claims/{c['claim_no']}", json={"estimated_loss": "9000"})
    sup = factory.user(roles=("supervisor",))
    r = api_as(sup).get(f"/audit?entity=claim&entity_id={c['id']}")
    assert r.status_code == 200
    items = r.get_json()["items"]
    assert [i["action"] for i in items] == ["create", "assign", "update"]
    assert all(set(i) == {"at", "actor_id", "action", "changes"} for i in items)
    assert all(i["actor_id"] == staff.id and i["at"].endswith("+08:00") for i in items)
    assert items[1]["changes"]["purpose"] == "repair" and items[1]["changes"]["organization_id"] == garage.id
    assert items[2]["changes"]["estimated_loss"] == ["3800.00", "9000.00"]
    assert items[2]["changes"]["risk_color"] == ["blue", "yellow"]
    # a claim may also be named by its number
    by_no = api_as(sup).get(f"/audit?entity=claim&entity_id={c['claim_no']}").get_json()["items"]
    assert by_no == items


def test_entity_must_be_known_and_roles_are_checked(api_as, factory):
    admin = factory.admin()
    assert api_as(admin).get("/audit?entity=unicorn&entity_id=1").status_code == 422
    assert api_as(admin).get("/audit?entity=claim").status_code == 422
    assert api_as(admin).get("/audit?entity=organization&entity_id=1").status_code == 200
    for user in (factory.user(roles=("assessor",)), factory.user(roles=("pricing",)),
                 factory.user(factory.org("garage"))):
        r = api_as(user).get("/audit?entity=claim&entity_id=1")
        assert r.status_code == 403 and r.get_json()["error"]["code"] == "forbidden"
    assert api_as().get("/audit?entity=claim&entity_id=1").status_code == 401


def test_no_api_route_can_change_the_trail(app):
    """Only GET is routed under /api/v1/audit."""
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1/audit")]
    assert rules and all(r.methods - {"GET", "HEAD", "OPTIONS"} == set() for r in rules)


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writing_methods_are_refused(api_as, factory, method):
    admin = factory.admin()
    r = getattr(api_as(admin), method)("/audit?entity=claim&entity_id=1")
    assert r.status_code == 405


@pytest.mark.skipif(database_kind() != "postgres", reason="the append-only trigger exists on PostgreSQL")
def test_postgres_trigger_refuses_update_and_delete(api_as, factory):
    from portal.extensions import db

    _claim(api_as, factory)
    count = "SELECT count(*) FROM audit_entries"
    with db.engine.connect() as conn:
        before = conn.execute(sa.text(count)).scalar()
    assert before >= 1
    for statement in ("UPDATE audit_entries SET action = 'forged'", "DELETE FROM audit_entries"):
        with db.engine.connect() as conn:
            with pytest.raises(sa.exc.DBAPIError, match="append-only"):
                conn.execute(sa.text(statement))
            conn.rollback()
    with db.engine.connect() as conn:
        assert conn.execute(sa.text(count)).scalar() == before
        assert conn.execute(sa.text("SELECT count(*) FROM audit_entries WHERE action = 'forged'")).scalar() == 0


def _audited_entities() -> set[str]:
    """Every entity name written as a literal to ``record_audit`` or a ``StateMachine``,
    plus the names areas keep in an ``ENTITY`` constant, across the core and plugins."""
    import ast

    from tests.conftest import ROOT

    names = set()
    for path in [*(ROOT / "portal").rglob("*.py"), *(ROOT / "plugins").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in (
                    "record_audit", "StateMachine") and node.args and isinstance(node.args[0], ast.Constant):
                names.add(node.args[0].value)
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "ENTITY" for t in node.targets) \
                    and isinstance(node.value, ast.Constant):
                names.add(node.value.value)
    return names


def test_every_audited_entity_is_registered_by_its_area(app):
    from portal.audit.services import audit_entities

    written = _audited_entities()
    assert {"quote", "claim", "complaint", "price_feedback", "metric_dispute", "salvage_lot"} <= written
    assert written - audit_entities(app) == set()


def test_an_unregistered_entity_is_refused_when_written(app, factory):
    from portal.audit.services import record_audit

    with pytest.raises(ValueError, match="unicorn"):
        record_audit("unicorn", 1, "create")


@pytest.mark.parametrize("entity", ["complaint", "price_feedback", "metric_dispute", "recovery_target",
                                    "major_case", "calendar"])
def test_every_registered_entity_is_readable(api_as, factory, entity):
    """Complaints, price feedback and metric disputes are audited: their trail answers
    200 (it answered 422 while the core kept a closed list)."""
    r = api_as(factory.admin()).get(f"/audit?entity={entity}&entity_id=1")
    assert r.status_code == 200 and r.get_json() == {"items": []}
