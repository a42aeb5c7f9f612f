"""Hook implementations of the salvage plugin (损余物资)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from portal.plugin import hookimpl, term

HERE = Path(__file__).resolve().parent

try:  # the claims area defines it; until then, the same attributes here
    from portal.plugin import CostComponent
except ImportError:  # pragma: no cover - depends on the core's version
    @dataclass
    class CostComponent:
        code: str
        label: str
        amount: Decimal
        sign: int = 1


@hookimpl
def portal_assignment_purposes():
    from portal.plugin import AssignmentPurpose

    return [AssignmentPurpose("salvage", ("salvage_vendor",), _l("Salvage"), "salvage")]


@hookimpl
def portal_config_defaults():
    from .config import DEFAULTS

    return DEFAULTS


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
def portal_nav_items(user):
    from portal.plugin import NavItem

    from . import services

    if services.is_staff(user):
        from portal.plugin import db

        overdue = db.session.scalar(sa.select(sa.func.count()).select_from(
            services.overdue_pickups_stmt().subquery())) or 0
        return [NavItem(_l("Salvage"), "salvage.lots", order=40, badge=overdue or None)]
    if user.org_kind == "salvage_vendor":
        return [NavItem(_l("Salvage auctions"), "salvage.market", order=20)]
    return []


@hookimpl
def portal_dashboard_widgets(user):
    from flask import url_for

    from portal.plugin import db
    from portal.plugin import local_now, month_start
    from portal.plugin import Widget

    from . import services
    from .models import SalvageLot

    if services.is_staff(user):
        today = local_now().date()
        start, end = month_start(today), month_start(today, 1)
        rows = services.recovery_by_month(start, end)
        net = sum((r.net for r in rows), Decimal("0.00"))
        est = sum((r.estimate for r in rows), Decimal("0.00"))
        ratio = f"{(net / est * 100):.1f}%" if est else None
        overdue = db.session.scalar(sa.select(sa.func.count()).select_from(
            services.overdue_pickups_stmt().subquery())) or 0
        return [
            Widget(_l("Salvage net recovery vs estimate (this month)"), value=ratio,
                   subtitle=_l("¥%(net)s of ¥%(est)s estimated", net=f"{net:,.2f}", est=f"{est:,.2f}"),
                   url=url_for("salvage.lots", status="settled"), tone="success", order=40),
            Widget(_l("Overdue salvage pickups"), value=overdue, url=url_for("salvage.lots", queue="overdue_pickups"),
                   tone="danger" if overdue else "secondary", order=41),
        ]
    if user.org_kind == "salvage_vendor":
        org_id = user.organization_id
        open_lots = (db.session.scalar(sa.select(sa.func.count()).select_from(SalvageLot).where(
            SalvageLot.status == "open")) or 0) if services.vendor_is_eligible(user.organization) else 0
        to_pick = db.session.scalar(sa.select(sa.func.count()).select_from(SalvageLot).where(
            SalvageLot.winner_id == org_id, SalvageLot.status.in_(("awarded", "picked_up", "disposed")))) or 0
        return [
            Widget(_l("Salvage lots open for bids"), value=open_lots, url=url_for("salvage.market"), order=20),
            Widget(_l("Won lots needing your action"), value=to_pick, url=url_for("salvage.market", tab="won"),
                   tone="warning" if to_pick else "secondary", order=21),
        ]
    return []


@hookimpl
def portal_claim_partner_work(claim, user):
    from flask import url_for

    from portal.plugin import db
    from portal.plugin import ClaimSection

    from . import services
    from .models import SalvageLot

    lots = db.session.scalars(services.visible_lots_stmt(user).where(SalvageLot.claim_id == claim.id)
                              .order_by(SalvageLot.id)).all()
    if not lots and not services.is_staff(user):
        return []
    staff = services.is_staff(user)
    rows = []
    for lot in lots:
        full = staff or services.is_winner(lot, user)
        rows.append({"lot": f"#{lot.id}", "description": lot.description, "status": term("salvage_lot.status", lot.status),
                     "estimated_value": lot.estimated_value, "amount": lot.amount if full else None,
                     "net_recovery": lot.net_recovery if full else None,
                     "url": url_for("salvage.lot", lot_id=lot.id)})
    url = url_for("salvage.new_lot", claim_no=claim.claim_no) if staff else None
    return [ClaimSection(_l("Salvage"), rows=rows, url=url, order=60, empty=_l("No salvage lot on this claim."),
                         columns=[("lot", _l("Lot")), ("description", lazy_pgettext("salvage_lot", "Description")),
                                  ("status", _l("Status")),
                                  ("estimated_value", _l("Estimated value")), ("amount", _l("Winning bid")),
                                  ("net_recovery", _l("Net recovery"))])]


@hookimpl
def portal_organization_storage(organization_id):
    """Pickup photos the organization's people uploaded."""
    from portal.plugin import db

    from .models import SalvagePhoto

    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(SalvagePhoto.size), 0))
                             .where(SalvagePhoto.organization_id == organization_id)) or 0


@hookimpl
def portal_claim_exposures(claim_ids):
    """The salvage lots' estimated residual value (残值) per claim, for the major-case register."""
    import sqlalchemy as sa

    from .models import SalvageLot

    stmt = (sa.select(SalvageLot.claim_id, sa.literal("salvage"), sa.func.sum(SalvageLot.estimated_value))
            .where(SalvageLot.claim_id.is_not(None)).group_by(SalvageLot.claim_id))
    return stmt if claim_ids is None else stmt.where(SalvageLot.claim_id.in_(claim_ids))


@hookimpl
def portal_claim_costs(claim):
    from portal.plugin import db

    from .models import SalvageLot

    total = db.session.scalar(sa.select(sa.func.sum(SalvageLot.net_recovery)).where(
        SalvageLot.claim_id == claim.id, SalvageLot.status == "settled"))
    if total is None:
        return []
    return [CostComponent("salvage_proceeds", _l("Salvage proceeds (net)"), total, -1)]


@hookimpl
def portal_evaluation_metrics():
    from .metrics import METRICS

    return list(METRICS)


@hookimpl
def portal_scheduled_jobs():
    from . import services

    return [("salvage.close_due_lots", services.close_due_lots),
            ("salvage.flag_overdue_pickups", services.flag_overdue_pickups)]


@hookimpl
def portal_audit_entities():
    return ["salvage_lot"]


@hookimpl
def portal_notification_kinds():
    return {"salvage.opened": _l("Salvage lot open for bids"), "salvage_lot.awarded": _l("Salvage lot awarded"),
            "salvage.pickup_overdue": _l("Salvage pickup overdue"), "salvage.no_sale": _l("Salvage lot without sale")}


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
    from .facts import FACT_FIELDS
    from .models import DISPOSALS, PHOTO_KINDS, SOURCES, STATUSES
    from .services import LOT_FLOW

    actions = sorted({a for _, a in LOT_FLOW.table} | {"create", "photo", "pickup_overdue"})
    return {"salvage_lot.status": STATUSES, "salvage_lot.source": SOURCES, "salvage_lot.disposal": DISPOSALS,
            "salvage_lot.photo_kind": PHOTO_KINDS, "audit.action": actions, "claim.purpose": ["salvage"],
            "audit.field": FACT_FIELDS}


@hookimpl
def portal_webhook_events():
    from portal.plugin import webhook_event as ev

    lot = dict(lot_id="int", description="str", status="str", bidding_closes_at="time", created_by_id="int?")
    return [
        ev("salvage.opened", "A salvage lot opened for bids.", **lot, claim_no="str"),
        ev("salvage.closed", "Bidding on a salvage lot closed.", **lot),
        ev("salvage_lot.awarded", "Your vendor won the salvage lot (its amount and pickup deadline).", **lot,
           winner_id="int", amount="money", pickup_due_at="time"),
        ev("salvage_lot.lost", "Another vendor won a salvage lot you bid on (no amounts).", **lot),
        ev("salvage.picked_up", "The won lot was picked up.", **lot, winner_id="int", late="bool"),
        ev("salvage.pickup_overdue", "The pickup of a won lot is overdue.", **lot, winner_id="int"),
    ]
