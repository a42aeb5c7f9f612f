"""The operations area's hook implementations: rate limits, webhooks, backups."""
from __future__ import annotations

from ..hookspecs import hookimpl
from . import ratelimit, webhooks  # noqa: F401 - their tables


@hookimpl
def portal_api_blueprints(app):
    from . import api

    return [api.blp]


@hookimpl
def portal_event(name, payload):
    webhooks.enqueue(name, payload)


@hookimpl
def portal_scheduled_jobs():
    return [("webhooks.deliver", webhooks.deliver_due)]


@hookimpl
def portal_cli_commands():
    from .backup import backup_command, restore_command

    return [backup_command, restore_command]
