"""Hook implementations of the subrogation plugin (追偿)."""
from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l

from portal.plugin import hookimpl

HERE = Path(__file__).resolve().parent


@hookimpl(optionalhook=True)   # published by litigation, which may be absent
def portal_recovery_cases(ids=None, handler_organization_id=None):
    """The recovery cases litigation asks for, as references (id, claim, handler, page)."""
    import sqlalchemy as sa
    from flask import has_request_context, url_for

    from portal.plugin import db

    from .models import RecoveryCase

    stmt = sa.select(RecoveryCase.id, RecoveryCase.claim_id, RecoveryCase.handler_organization_id)
    if ids is not None:
        stmt = stmt.where(RecoveryCase.id.in_(list(ids)))
    if handler_organization_id is not None:
        stmt = stmt.where(RecoveryCase.handler_organization_id == handler_organization_id)
    return [{"id": rid, "claim_id": claim_id, "handler_organization_id": handler,
             "url": url_for("subrogation.case", recovery_id=rid) if has_request_context()
             else f"/subrogation/cases/{rid}"}
            for rid, claim_id, handler in db.session.execute(stmt.order_by(RecoveryCase.id))]


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
def portal_permissions():
    return {"subrogation.work": {"legal", "admin"}}


@hookimpl
def portal_nav_items(user):
    from portal.plugin import NavItem

    if user.is_insurer or user.org_kind == "law_firm":
        from .views import flagged_count

        items = [NavItem(_l("Recoveries"), "subrogation.cases", order=60, badge=flagged_count(user) or None,
                         group=_l("Legal") if user.is_insurer else None)]
        if user.is_insurer:
            items.append(NavItem(_l("Recovery ledger"), "subrogation.ledger", order=61, group=_l("Legal")))
        return items
    return []


@hookimpl
def portal_dashboard_widgets(user):
    from .views import dashboard_widgets

    return dashboard_widgets(user)


@hookimpl
def portal_claim_partner_work(claim, user):
    from .views import claim_section

    return claim_section(claim, user)


@hookimpl
def portal_claim_exposures(claim_ids):
    """The amount sought by the claim's recovery cases (追偿金额), for the major-case register."""
    import sqlalchemy as sa

    from .models import RecoveryCase

    stmt = (sa.select(RecoveryCase.claim_id, sa.literal("recovery"), sa.func.sum(RecoveryCase.amount_sought))
            .where(RecoveryCase.claim_id.is_not(None)).group_by(RecoveryCase.claim_id))
    return stmt if claim_ids is None else stmt.where(RecoveryCase.claim_id.in_(claim_ids))


@hookimpl
def portal_claim_costs(claim):
    import sqlalchemy as sa

    from portal.plugin import CostComponent
    from portal.plugin import db
    from portal.plugin import Money

    from .models import Receipt, RecoveryCase

    total = db.session.scalar(sa.select(sa.type_coerce(sa.func.sum(Receipt.amount), Money())).join(RecoveryCase)
                              .where(RecoveryCase.claim_id == claim.id))
    if not total:
        return []
    return [CostComponent("subrogation_receipts", str(_l("Subrogation receipts")), total, -1)]


@hookimpl
def portal_evaluation_metrics():
    from .metrics import metric_definitions

    return metric_definitions()


@hookimpl
def portal_audit_entities():
    return ["recovery", "recovery_target"]


@hookimpl
def portal_notification_kinds():
    return {"recovery.assigned": _l("Recovery case assigned"),
            "recovery.receipt": _l("Recovery receipt booked"),
            "recovery.limitation_near": _l("Limitation deadline near")}


@hookimpl
def portal_event(name, payload):
    from .notices import on_event

    on_event(name, payload)


@hookimpl
def portal_scheduled_jobs():
    from .services import flag_limitations

    return [("subrogation.flag_limitations", flag_limitations)]


@hookimpl
def portal_recover_from_partner(claim, organization, amount, basis, actor):
    """A recovery against a partner paid for work a re-inspection found not done."""
    from .from_partners import open_from_partner

    return f"recovery:{open_from_partner(claim, organization, amount, basis, actor).id}"


@hookimpl(trylast=True)  # after the core's demo claims (and, for litigation, after subrogation's cases)
def portal_demo_data(demo):
    from .demo import load_demo

    return load_demo(demo)


@hookimpl
def portal_terms():
    from .models import CLOSED_AS, RECEIPT_METHODS, STATUSES
    from .services import RECOVERY_FLOW

    actions = sorted({a for _, a in RECOVERY_FLOW.table} | {
        "assigned", "handler_assigned", "lawsuit_filed", "opened", "receipt_recorded", "receipt_reversed", "target_set",
        "document_added", "document_hidden"})
    return {"recovery.status": STATUSES, "recovery.closed_as": CLOSED_AS, "recovery.receipt_method": RECEIPT_METHODS,
            "audit.action": actions, "audit.field": ("document_id",)}


@hookimpl
def portal_webhook_events():
    from portal.plugin import webhook_event as ev

    case = dict(recovery_id="int", claim_no="str", handler_user_id="int?", handler_organization_id="int?",
                counterparty="str", limitation_deadline="str")
    return [
        ev("recovery.opened", "A recovery case handled by your firm was opened.", **case),
        ev("recovery.handler_assigned", "A recovery case was assigned to your firm.", **case),
        ev("recovery.moved", "The recovery case changed status.", **case, status="str", closed_as="str?"),
        ev("recovery.receipt_recorded", "A receipt was recorded on the recovery case.", **case, amount="money"),
        ev("recovery.receipt_reversed", "A receipt on the recovery case was reversed (a counter-entry).", **case,
           receipt_id="int", amount="money"),
        ev("recovery.limitation_near", "The limitation deadline of the case is near.", **case, days_left="int"),
    ]
