"""Hook implementations of the core's calendar area: API, admin page, warnings."""
from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l

from ..hookspecs import hookimpl
from ..web.nav import NavItem, Widget
from . import models  # noqa: F401  (tables known to the metadata)


@hookimpl
def portal_blueprints(app):
    from . import views

    return [views.bp]


@hookimpl
def portal_api_blueprints(app):
    from . import api

    return [api.blp]


@hookimpl
def portal_translation_dirs():
    return [str(Path(__file__).resolve().parent / "translations")]


@hookimpl
def portal_nav_items(user):
    if user.is_admin:
        return [NavItem(_l("Working calendar"), "calendar.month", order=92, group=_l("Administration"))]
    return []


@hookimpl
def portal_dashboard_widgets(user):
    if not user.is_admin:
        return []
    from .services import years_without_official_data

    missing = years_without_official_data()
    if not missing:
        return []
    years = ", ".join(str(y) for y in missing)
    return [Widget(_l("No official holiday schedule for %(years)s", years=years), value="⚠",
                   subtitle=_l("Deadlines use Monday–Friday plus your overrides; enter the official "
                               "holidays and make-up days."), url="/admin/calendar", tone="warning", order=5)]


@hookimpl
def portal_audit_entities():
    return ["calendar"]
