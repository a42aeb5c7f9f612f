"""Hook implementations of the core's payments area (直赔结算): routes, audit, notifications."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..hookspecs import hookimpl
from . import models  # noqa: F401 - the tables belong to the core's metadata


@hookimpl
def portal_blueprints(app):
    from . import views

    return [views.bp]


@hookimpl
def portal_nav_items(user):
    from ..web.nav import NavItem
    from .services import PARTNER_KINDS_INVOICING

    if user.is_insurer or user.organization.kind in PARTNER_KINDS_INVOICING:
        return [NavItem(_l("Invoices & payments"), "payments.clock", order=60)]
    return []


@hookimpl
def portal_api_blueprints(app):
    from . import api

    return [api.blp]


@hookimpl
def portal_audit_entities():
    return ["invoice", "payment"]


@hookimpl
def portal_notification_kinds():
    return {"invoice.paid": _l("Your invoice was paid")}


@hookimpl
def portal_event(name, payload):
    from ..notifications.services import notify

    if name == "invoice.paid":
        notify(kind=name, organization_id=payload["organization_id"],
               title=f"发票已付款 Invoice paid: {payload['number']} ({payload['amount']})",
               body=f"付款参考 Reference {payload['reference']}, 起息日 value date {payload['value_date']}.",
               url=f"/api/v1/invoices/{payload['invoice_id']}")
