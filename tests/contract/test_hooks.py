"""Each of the core's generic hooks, exercised through a test plugin."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from flask.cli import ScriptInfo

from tests.conftest import PROJECT_PLUGINS, Factory, base_config, fresh_database_url
from tests.contract import hooktest_plugin


@pytest.fixture(scope="module")
def hook_app(tmp_path_factory):
    from portal import create_app
    from portal.extensions import db

    tmp = tmp_path_factory.mktemp("hooks")
    plugins = dict(PROJECT_PLUGINS, hooktest="tests.contract.hooktest_plugin")
    app = create_app(base_config(fresh_database_url(tmp, "hooks"), tmp, PLUGINS=plugins))
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def ctx(hook_app):
    from portal.extensions import db

    with hook_app.app_context():
        yield hook_app
        db.session.remove()
        with db.engine.begin() as conn:
            for t in reversed(db.metadata.sorted_tables):
                if conn.dialect.name == "postgresql":
                    conn.exec_driver_sql(f'TRUNCATE "{t.name}" RESTART IDENTITY CASCADE')
                else:
                    conn.exec_driver_sql(f'DELETE FROM "{t.name}"')


def run_cli(app, *args):
    return CliRunner().invoke(app.cli, list(args), obj=ScriptInfo(create_app=lambda: app))


def test_portal_blueprints_and_portal_api_blueprints(ctx):
    client = ctx.test_client()
    assert client.get("/hooktest").status_code == 200
    f = Factory(ctx)
    assert client.get("/api/v1/hooktest/admins-only", headers=f.headers(f.admin())).status_code == 200
    r = client.get("/api/v1/hooktest/admins-only", headers=f.headers(f.user()))
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "forbidden"


def test_portal_translation_dirs_merge_with_the_core_catalog(ctx):
    client = ctx.test_client()
    assert client.get("/hooktest").get_data(as_text=True) == "钩子测试小部件"
    with client.session_transaction() as s:
        s["lang"] = "en"
    assert client.get("/hooktest").get_data(as_text=True) == "Hook test widget"


def test_portal_migration_dirs_feed_alembic_version_locations(ctx):
    from portal.app import version_locations

    assert any(p.endswith("hooktest_migrations") for p in version_locations(ctx))


def test_portal_cli_commands(ctx):
    result = run_cli(ctx, "hooktest-cmd")
    assert result.exit_code == 0 and "hooktest command ran" in result.output


def test_portal_nav_items_and_portal_dashboard_widgets(ctx):
    f = Factory(ctx)
    assessor, garage_user = f.user(), f.user(f.org("garage"))
    client = ctx.test_client()
    client.post("/login", data={"email": assessor.email, "password": "Correct-Horse-42"})
    html = client.get("/").get_data(as_text=True)
    assert "Hooktest nav" in html and ">7<" in html          # nav item with its badge
    assert "钩子测试小部件" in html and ">42<" in html          # a stat widget, translated
    assert "<svg" in html and "Hooktest chart" in html       # a bar chart rendered by the core
    client2 = ctx.test_client()
    client2.post("/login", data={"email": garage_user.email, "password": "Correct-Horse-42"})
    assert "Hooktest nav" not in client2.get("/").get_data(as_text=True)


def test_portal_permissions(ctx):
    from portal.auth.permissions import has_permission

    f = Factory(ctx)
    assert has_permission(f.user(roles=("assessor",)), "hooktest.do")
    assert not has_permission(f.user(roles=("pricing",)), "hooktest.do")
    assert has_permission(f.admin(), "organizations.manage")
    with pytest.raises(KeyError):
        has_permission(f.admin(), "no.such.permission")


def test_portal_event_after_commit_only_and_never_failing(ctx):
    from portal.events import emit
    from portal.extensions import db

    hooktest_plugin.EVENTS.clear()
    f = Factory(ctx)
    org = f.org("garage")
    emit("hooktest.rolled_back", {"id": 1})
    db.session.rollback()
    assert hooktest_plugin.EVENTS == []
    emit("hooktest.committed", {"id": org.id})
    assert hooktest_plugin.EVENTS == []          # not before the commit
    org.name = "renamed"
    db.session.commit()
    assert hooktest_plugin.EVENTS == [("hooktest.committed", {"id": org.id})]
    emit("hooktest.bad", {"explode": True})
    org.name = "renamed again"
    db.session.commit()                           # a failing receiver never fails the action
    from portal.auth.models import Organization

    assert db.session.get(Organization, org.id).name == "renamed again"


def test_portal_events_committing_writes_with_the_action_or_not_at_all(ctx):
    """The receiver's rows commit with the action; a rollback drops them; a failing receiver
    loses only its own rows (a savepoint), the action still commits."""
    import sqlalchemy as sa

    from portal.audit.models import AuditEntry
    from portal.auth.models import Organization
    from portal.events import emit
    from portal.extensions import db

    def derived(org_id):
        return db.session.scalars(sa.select(AuditEntry.action).where(
            AuditEntry.entity == "organization", AuditEntry.entity_id == str(org_id),
            AuditEntry.action.like("derived:%"))).all()

    org = Factory(ctx).org("garage")
    emit("hooktest.dropped", {"id": org.id})
    db.session.rollback()
    emit("hooktest.kept", {"id": org.id})
    org.name = "renamed"
    db.session.commit()
    assert derived(org.id) == ["derived:hooktest.kept"]
    emit("hooktest.failing", {"id": org.id, "explode_inside": True})
    org.name = "renamed again"
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Organization, org.id).name == "renamed again"
    assert derived(org.id) == ["derived:hooktest.kept"]


def test_portal_organization_storage_counts_against_the_quota(ctx):
    """A plugin's files count: the quota refuses the byte beyond it, and the account page shows it."""
    from portal.errors import TooLarge
    from portal.uploads import check_quota, organization_usage

    f = Factory(ctx)
    org = f.org("garage")
    hooktest_plugin.STORAGE[org.id] = 1000
    ctx.config["ORGANIZATION_STORAGE_QUOTA_BYTES"] = 1500
    try:
        assert organization_usage(org.id) >= 1000
        used = organization_usage(org.id)
        check_quota(org.id, 1500 - used)               # exactly full: allowed
        with pytest.raises(TooLarge):
            check_quota(org.id, 1500 - used + 1)
        check_quota(f.insurer().id, 10 ** 12)          # the insurer's staff are not capped
    finally:
        hooktest_plugin.STORAGE.clear()
        ctx.config["ORGANIZATION_STORAGE_QUOTA_BYTES"] = 5 * 1024 ** 3


def test_portal_notification_kinds(ctx):
    from portal.plugins import flatten, hook

    kinds = {}
    for table in flatten(hook(ctx).portal_notification_kinds()):
        kinds.update(table)
    assert kinds["hooktest.kind"] == "Hook test notification"


def test_portal_scheduled_jobs_run_by_the_cli(ctx):
    hooktest_plugin.JOB_RUNS.clear()
    result = run_cli(ctx, "run-jobs")
    assert result.exit_code == 0, result.output
    assert "hooktest.job: did one thing" in result.output
    assert "hooktest.broken: FAILED job failure" in result.output    # reported, the rest go on
    assert hooktest_plugin.JOB_RUNS == [1]
    run_cli(ctx, "run-jobs", "--only", "hooktest.job")
    assert hooktest_plugin.JOB_RUNS == [1, 1]


def test_portal_demo_data_called_by_the_demo_command(ctx):
    result = run_cli(ctx, "demo")
    assert result.exit_code == 0, result.output
    assert "hooktest demo saw 9 organizations" in result.output
    again = run_cli(ctx, "demo")
    assert "organizations: 9 (0 new)" in again.output and "users: 16 (0 new)" in again.output
    from portal.auth.models import User
    from portal.extensions import db

    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 16


def test_portal_event_waits_for_the_outer_commit_not_a_savepoint(ctx):
    from portal.events import emit
    from portal.extensions import db

    hooktest_plugin.EVENTS.clear()
    org = Factory(ctx).org("garage")
    org.name = "in outer transaction"
    with db.session.begin_nested():
        emit("hooktest.nested", {"id": org.id})
        org.region = "Beijing"
    assert hooktest_plugin.EVENTS == []       # the savepoint's release is not the commit
    db.session.commit()
    assert hooktest_plugin.EVENTS == [("hooktest.nested", {"id": org.id})]


def test_portal_addhookspecs_publishes_a_plugins_own_hook(ctx):
    from portal.plugins import hook

    assert hook(ctx).portal_hooktest_ping(value=21) == [42]


def test_an_implementation_of_an_unpublished_hook_stops_the_start_unless_optional(tmp_path):
    from pluggy import PluginValidationError

    from portal import create_app
    from portal.plugins import get_pm

    plugins = {"orphan": "tests.contract.hooktest_plugin:ORPHAN"}
    with pytest.raises(PluginValidationError, match="portal_nobody_publishes"):
        create_app(base_config(fresh_database_url(tmp_path, "orphan"), tmp_path, PLUGINS=plugins))
    plugins = {"orphan": "tests.contract.hooktest_plugin:OPTIONAL_ORPHAN"}
    app = create_app(base_config(fresh_database_url(tmp_path, "orphan2"), tmp_path, PLUGINS=plugins))
    assert "orphan" in [name for name, _ in get_pm(app).list_name_plugin()]


def test_plugins_published_hooks_leave_with_their_publisher(tmp_path):
    """Litigation implements garages' ``portal_partner_complaints`` (optional); without
    garages the portal starts, and the hook has no specification (nobody calls it)."""
    from portal import create_app
    from portal.plugins import hook

    plugins = {name: path for name, path in PROJECT_PLUGINS.items() if name != "garages"}
    app = create_app(base_config(fresh_database_url(tmp_path, "nogarages"), tmp_path, PLUGINS=plugins))
    assert hook(app).portal_partner_complaints.spec is None          # implemented, never published
    assert getattr(hook(app), "portal_quote_checks", None) is None
    if "parts_suppliers" in plugins:
        assert hook(app).portal_quoted_parts.spec is not None


def test_portal_audit_entities_make_a_plugins_trail_readable(ctx):
    from portal.audit.services import record_audit
    from portal.extensions import db

    f = Factory(ctx)
    admin = f.admin()
    record_audit("hooktest_thing", 7, "made", {"n": 1}, actor=admin)
    db.session.commit()
    r = ctx.test_client().get("/api/v1/audit?entity=hooktest_thing&entity_id=7", headers=f.headers(admin))
    assert r.status_code == 200 and [i["action"] for i in r.get_json()["items"]] == ["made"]
    assert ctx.test_client().get("/api/v1/audit?entity=nothing_registered&entity_id=7",
                                 headers=f.headers(admin)).status_code == 422


def test_portal_config_defaults_under_what_the_deployment_set(tmp_path):
    from portal import create_app
    from portal.plugin import setting

    plugins = {"hooktest": "tests.contract.hooktest_plugin"}
    app = create_app(base_config(fresh_database_url(tmp_path, "settings"), tmp_path, PLUGINS=plugins,
                                 HOOKTEST_LIMIT=9))
    with app.app_context():
        assert setting("HOOKTEST_GREETING") == "你好" and app.config["HOOKTEST_GREETING"] == "你好"
        assert setting("HOOKTEST_LIMIT") == 9                       # the deployment's value wins
        app.config.pop("HOOKTEST_GREETING")
        assert setting("HOOKTEST_GREETING") == "你好"                # the default stays known


def test_a_setting_outside_the_plugins_prefix_stops_the_start(tmp_path):
    from portal import create_app

    with pytest.raises(RuntimeError, match="'LIMIT' is not named after its plugin"):
        create_app(base_config(fresh_database_url(tmp_path, "badsettings"), tmp_path,
                               PLUGINS={"bad": "tests.contract.hooktest_plugin:BAD_SETTINGS"}))


def test_every_plugins_settings_carry_its_name():
    import importlib

    for name in PROJECT_PLUGINS:
        defaults = importlib.import_module(f"plugins.{name}.config").DEFAULTS
        assert defaults and all(key.startswith(f"{name.upper()}_") for key in defaults), name


def test_portal_assignment_purposes_let_staff_assign_for_a_plugins_purpose(ctx):
    """A purpose registered by a plugin: staff assign a claim for it to an organization of a
    fitting kind (and of no other), and that partner sees the claim through the view the
    purpose names."""
    from tests.core.test_claims_api import claim_body

    f = Factory(ctx)
    client = ctx.test_client()
    staff = f.headers(f.user())
    claim = client.post("/api/v1/claims", json=claim_body(), headers=staff).get_json()
    firm, garage = f.org("law_firm"), f.org("garage")
    url = f"/api/v1/claims/{claim['claim_no']}/assignments"
    r = client.post(url, json={"organization_id": garage.id, "purpose": "hooktest_survey"}, headers=staff)
    assert r.status_code == 422
    r = client.post(url, json={"organization_id": firm.id, "purpose": "hooktest_survey"}, headers=staff)
    assert r.status_code == 201, r.get_json()
    seen = client.get(f"/api/v1/claims/{claim['claim_no']}", headers=f.headers(f.user(firm))).get_json()
    assert "insured_name" in seen and "estimated_loss" not in seen           # the counsel view
    assert client.post(url, json={"organization_id": firm.id, "purpose": "no_such_purpose"},
                       headers=staff).status_code == 422


def test_a_purpose_registered_twice_stops_the_start(tmp_path):
    from portal import create_app
    from portal.claims.purposes import purposes

    plugins = dict(PROJECT_PLUGINS, twice="tests.contract.hooktest_plugin:TWICE_REPAIR")
    app = create_app(base_config(fresh_database_url(tmp_path, "twice"), tmp_path, PLUGINS=plugins))
    with app.app_context(), pytest.raises(RuntimeError, match="'repair' is registered twice"):
        purposes()
