"""Hook implementations of the parts_suppliers plugin."""
from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.plugin import NavItem, Widget, db, hookimpl

HERE = Path(__file__).resolve().parent


@hookimpl
def portal_config_defaults():
    from .config import DEFAULTS

    return DEFAULTS


@hookimpl
def portal_addhookspecs():
    """The hooks parts suppliers call and others implement: the quoted parts."""
    from . import hookspecs

    return hookspecs


@hookimpl
def portal_blueprints(app):
    from . import views

    return [views.bp]


@hookimpl
def portal_api_blueprints(app):
    from . import api

    return [api.blp]


@hookimpl
def portal_migration_dirs():
    return [str(HERE / "migrations" / "versions")]


@hookimpl
def portal_translation_dirs():
    return [str(HERE / "translations")]


@hookimpl
def portal_cli_commands():
    from .cli import import_prices_command

    return [import_prices_command]


@hookimpl
def portal_organization_storage(organization_id):
    """Price files kept for the background import until it has run."""
    from .models import PriceImport

    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(PriceImport.size), 0)).where(
        PriceImport.supplier_id == organization_id, PriceImport.status.in_(("queued", "parsing", "writing")))) or 0


@hookimpl
def portal_parts_catalog():
    from .catalog import PriceCatalog

    return PriceCatalog()


@hookimpl
def portal_permissions():
    return {"prices.approve": {"pricing"}, "prices.upload": {"partner_admin", "partner_user"},
            "prices.feedback": {"assessor", "supervisor"}}


def _pending_count() -> int:
    from .models import PriceList

    return db.session.scalar(sa.select(sa.func.count()).select_from(PriceList).where(PriceList.status == "pending"))


def _open_feedback() -> int:
    from .models import PriceFeedback

    return db.session.scalar(sa.select(sa.func.count()).select_from(PriceFeedback)
                             .where(PriceFeedback.status == "open"))


@hookimpl
def portal_nav_items(user):
    if user.org_kind == "parts_supplier":
        return [NavItem(_l("Price lists"), "parts_suppliers.price_lists", order=20),
                NavItem(_l("Upload a price list"), "parts_suppliers.upload", order=21),
                NavItem(_l("My prices"), "parts_suppliers.my_prices", order=22)]
    if not user.is_insurer:
        return []
    group = _l("Parts prices")
    items = []
    if user.has_role("pricing"):
        pending = _pending_count()
        items.append(NavItem(_l("Price lists"), "parts_suppliers.price_lists", order=40, badge=pending or None))
        for label, endpoint, order in ((_l("Localized prices"), "parts_suppliers.localized_prices", 41),
                                       (_l("Labour rates"), "parts_suppliers.labor_rates", 42),
                                       (_l("Regional standards"), "parts_suppliers.standards", 43),
                                       (_l("Price feedback"), "parts_suppliers.feedback_queue", 44),
                                       (_l("Pricing figures"), "parts_suppliers.figures", 45)):
            items.append(NavItem(label, endpoint, order=order, group=group))
    elif user.has_role("assessor", "supervisor", "admin"):
        items.append(NavItem(_l("Price lists"), "parts_suppliers.price_lists", order=46, group=group))
        if user.has_role("assessor", "supervisor"):
            items.append(NavItem(_l("Price feedback"), "parts_suppliers.feedback_queue", order=47, group=group))
    return items


@hookimpl
def portal_dashboard_widgets(user):
    from flask import url_for

    from .models import PriceList

    if user.org_kind == "parts_supplier":
        current = db.session.scalar(sa.select(PriceList).where(PriceList.supplier_id == user.organization_id,
                                                               PriceList.status == "current"))
        pending = db.session.scalar(sa.select(sa.func.count()).select_from(PriceList).where(
            PriceList.supplier_id == user.organization_id, PriceList.status == "pending"))
        return [Widget(_l("Current price list"), value=f"v{current.list_version}" if current else "—",
                       subtitle=(_l("%(rows)s lines", rows=current.rows) if current else _l("No approved list yet")),
                       url=url_for("parts_suppliers.price_lists"), order=20),
                Widget(_l("Versions pending approval"), value=pending, url=url_for("parts_suppliers.price_lists",
                                                                                  status="pending"),
                       tone="warning" if pending else "secondary", order=21)]
    if user.is_insurer and user.has_role("pricing"):
        return [Widget(_l("Price lists to approve"), value=_pending_count(),
                       url=url_for("parts_suppliers.price_lists", status="pending"), tone="warning", order=30),
                Widget(_l("Open price feedback"), value=_open_feedback(),
                       url=url_for("parts_suppliers.feedback_queue", status="open"), tone="info", order=31)]
    return []


@hookimpl
def portal_evaluation_metrics():
    from .metrics import definitions

    return definitions()


@hookimpl
def portal_audit_entities():
    return ["price_list", "price_feedback", "localized_price", "regional_standard"]


@hookimpl
def portal_notification_kinds():
    return {"price_list.uploaded": _l("Price list uploaded"),
            "price_list.approved": _l("Price list approved"),
            "price_list.rejected": _l("Price list rejected"),
            "price_list.withdrawn": _l("Price list withdrawn"),
            "price_feedback.created": _l("Price feedback received"),
            "price_feedback.answered": _l("Price feedback answered")}


@hookimpl
def portal_event(name, payload):
    from .notices import on_event

    on_event(name, payload)


@hookimpl
def portal_demo_data(demo):
    from .demo import load

    return load(demo)


@hookimpl
def portal_terms():
    from .models import FAMILIES, IMPORT_STATUSES, LIST_STATUSES, QUALITIES
    from .services import FEEDBACK_FLOW, PRICE_LIST_FLOW

    actions = sorted({a for _, a in PRICE_LIST_FLOW.table} | {a for _, a in FEEDBACK_FLOW.table}
                     | {"create", "import_queued", "labor_rate", "set", "upload"})
    return {"price_list.status": LIST_STATUSES, "price_feedback.status": sorted(FEEDBACK_FLOW.states),
            "price_import.status": IMPORT_STATUSES, "part.quality": QUALITIES, "part.family": FAMILIES,
            "audit.action": actions}


@hookimpl
def portal_webhook_events():
    from portal.plugin import webhook_event as ev

    price_list = dict(price_list_id="int", supplier_id="int", list_version="str")
    return [
        ev("price_list.uploaded", "Your price list was uploaded and awaits approval.", **price_list, rows="int"),
        ev("price_list.approved", "Your price list was approved and is now current.", **price_list),
        ev("price_list.superseded", "Your previous current price list was replaced by a newer approved one.",
           **price_list, by_price_list_id="int"),
        ev("price_list.rejected", "Your price list was rejected, with a note.", **price_list, note="str"),
        ev("price_list.withdrawn", "Your pending price list was withdrawn; the current version stays.", **price_list),
    ]
