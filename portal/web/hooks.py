"""The core's own hook implementations for the web shell and the CLI."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..hookspecs import hookimpl
from .nav import NavItem


@hookimpl
def portal_blueprints(app):
    from . import views

    return [views.bp]


@hookimpl
def portal_nav_items(user):
    return [NavItem(_l("Dashboard"), "web.dashboard", order=0)]


@hookimpl
def portal_cli_commands():
    from ..cli import CORE_COMMANDS

    return CORE_COMMANDS
