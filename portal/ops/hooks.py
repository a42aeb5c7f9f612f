"""The operations area's hook implementations: rate limits, webhooks, backups."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..hookspecs import hookimpl
from ..web.nav import NavItem
from . import ratelimit, webhooks  # noqa: F401 - their tables
from .event_catalogue import portal_code_lists, portal_webhook_events  # noqa: F401 - the core's events


@hookimpl
def portal_blueprints(app):
    from . import views

    return [views.bp]


@hookimpl
def portal_nav_items(user):
    if user.is_admin:
        return [NavItem(_l("Webhooks"), "ops_web.endpoints", order=92, group=_l("Administration"))]
    if user.has_role("partner_admin"):
        return [NavItem(_l("Webhooks"), "ops_web.endpoints", order=91)]
    return []


@hookimpl
def portal_api_blueprints(app):
    from ..api import codes
    from . import api

    return [api.blp, codes.blp]


@hookimpl
def portal_events_committing(events):
    from ..extensions import db

    webhooks.record_deliveries(events, db.session)


@hookimpl
def portal_event(name, payload):
    webhooks.send_soon()


@hookimpl
def portal_scheduled_jobs():
    return [("webhooks.deliver", webhooks.deliver_due)]


@hookimpl
def portal_cli_commands():
    from .backup import backup_command, restore_command

    return [backup_command, restore_command]
