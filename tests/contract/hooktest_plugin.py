"""A plugin implementing the core's generic hooks, for tests/contract/test_hooks.py."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Blueprint
from flask_babel import gettext as _

from portal import hookimpl, hookspec
from portal.api import ApiBlueprint
from portal.api.access import roles
from portal.web.nav import NavItem, Widget

HERE = Path(__file__).parent
EVENTS: list = []
JOB_RUNS: list = []

web = Blueprint("hooktest", __name__)
api = ApiBlueprint("hooktest_api", __name__, url_prefix="/hooktest")


@web.route("/hooktest")
def page():
    return _("Hook test widget")


@api.route("/admins-only", methods=["GET"])
@api.response(200)
@roles("admin")
def admins_only():
    return {"ok": True}


@hookimpl
def portal_blueprints(app):
    return [web]


@hookimpl
def portal_api_blueprints(app):
    return [api]


@hookimpl
def portal_migration_dirs():
    return [str(HERE / "hooktest_migrations")]


@hookimpl
def portal_translation_dirs():
    return [str(HERE / "hooktest_translations")]


@click.command("hooktest-cmd")
def command():
    click.echo("hooktest command ran")


@hookimpl
def portal_cli_commands():
    return [command]


@hookimpl
def portal_nav_items(user):
    return [NavItem("Hooktest nav", "hooktest.page", order=5, badge=7)] if user.is_insurer else []


@hookimpl
def portal_dashboard_widgets(user):
    return [Widget(_("Hook test widget"), value=42, kind="stat"),
            Widget("Hooktest chart", kind="bar", data=[("A", 3), ("B", 5)])]


@hookimpl
def portal_permissions():
    return {"hooktest.do": {"assessor"}}


@hookimpl
def portal_event(name, payload):
    if payload.get("explode"):
        raise RuntimeError("receiver failure")
    EVENTS.append((name, payload))


STORAGE = {}


@hookimpl
def portal_organization_storage(organization_id):
    return STORAGE.get(organization_id, 0)


@hookimpl
def portal_events_committing(events):
    """Writes a derived row in the action's transaction; ``explode_inside`` fails after writing."""
    from portal.audit.services import record_audit

    for name, payload in events:
        if name.startswith("hooktest."):
            record_audit("organization", payload.get("id", 0), f"derived:{name}", {}, actor=None)
            if payload.get("explode_inside"):
                raise RuntimeError("receiver failure inside the transaction")


@hookimpl
def portal_notification_kinds():
    return {"hooktest.kind": "Hook test notification"}


def job():
    JOB_RUNS.append(1)
    return "did one thing"


def broken_job():
    raise RuntimeError("job failure")


@hookimpl
def portal_scheduled_jobs():
    return [("hooktest.job", job), ("hooktest.broken", broken_job)]


@hookimpl
def portal_demo_data(demo):
    return [f"hooktest demo saw {len(demo.orgs)} organizations"]


class PublishedHooks:
    """A hook this plugin publishes for others (``portal_addhookspecs``)."""

    @hookspec
    def portal_hooktest_ping(self, value):
        """Answer a ping."""


@hookimpl
def portal_addhookspecs():
    return PublishedHooks


@hookimpl
def portal_hooktest_ping(value):
    return value * 2


@hookimpl
def portal_audit_entities():
    return ["hooktest_thing"]


class Orphan:
    """Implements a hook nobody publishes: the start must fail."""

    @hookimpl
    def portal_nobody_publishes(self):
        return 1


class OptionalOrphan:
    """The same, marked optional: the start goes on and nothing calls it."""

    @hookimpl(optionalhook=True)
    def portal_nobody_publishes(self):
        return 1


ORPHAN, OPTIONAL_ORPHAN = Orphan(), OptionalOrphan()


@hookimpl
def portal_config_defaults():
    return {"HOOKTEST_GREETING": "你好", "HOOKTEST_LIMIT": 5}


class BadSettings:
    """Declares a setting outside its prefix: the start must fail."""

    @hookimpl
    def portal_config_defaults(self):
        return {"LIMIT": 1}


BAD_SETTINGS = BadSettings()


@hookimpl
def portal_assignment_purposes():
    from portal.plugin import AssignmentPurpose

    return [AssignmentPurpose("hooktest_survey", ("law_firm",), "Hook test survey", "counsel")]


class TwiceRepair:
    """Registers a purpose another area already serves: the start must fail."""

    @hookimpl
    def portal_assignment_purposes(self):
        from portal.plugin import AssignmentPurpose

        return [AssignmentPurpose("repair", ("garage",), "Repair again", "repair")]


TWICE_REPAIR = TwiceRepair()
