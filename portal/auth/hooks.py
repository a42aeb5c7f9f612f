"""Accounts' hook implementations: routes, navigation, permissions."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..hookspecs import hookimpl
from ..web.nav import NavItem, Widget


@hookimpl
def portal_blueprints(app):
    from . import api_keys_views, views

    return [views.bp, api_keys_views.bp]


@hookimpl
def portal_api_blueprints(app):
    from . import api, api_keys_api

    return [api.blp, api_keys_api.blp]


@hookimpl
def portal_nav_items(user):
    items = []
    if user.is_admin:
        items.append(NavItem(_l("Organizations"), "auth.organizations", order=90, group=_l("Administration")))
        items.append(NavItem(_l("Users"), "auth.users", order=91, group=_l("Administration")))
        items.append(NavItem(_l("API keys"), "api_keys_web.keys", order=93, group=_l("Administration")))
    elif user.has_role("partner_admin"):
        items.append(NavItem(_l("Our users"), "auth.users", order=90))
        items.append(NavItem(_l("API keys"), "api_keys_web.keys", order=92))
    return items


@hookimpl
def portal_permissions():
    return {
        "organizations.manage": {"admin"},
        "users.manage": {"admin", "partner_admin"},
    }


@hookimpl
def portal_dashboard_widgets(user):
    import sqlalchemy as sa

    from ..extensions import db
    from .models import Organization

    if not user.is_admin:
        return []
    rows = db.session.execute(sa.select(Organization.kind, sa.func.count()).where(Organization.kind != "insurer")
                              .group_by(Organization.kind).order_by(Organization.kind)).all()
    return [Widget(_l("Partners by kind"), value=sum(c for _, c in rows), kind="bar",
                   data=[(k, c) for k, c in rows], url="/admin/organizations", order=90)]


@hookimpl
def portal_audit_entities():
    return ["organization", "user", "api_key"]
