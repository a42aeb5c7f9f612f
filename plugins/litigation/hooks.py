"""Hook implementations of the litigation plugin (诉讼). It works with or without the
subrogation plugin (see the package docstring)."""
from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l

from portal.plugin import hookimpl

HERE = Path(__file__).resolve().parent


@hookimpl
def portal_addhookspecs():
    """The hooks litigation calls and others implement: the recovery cases."""
    from . import hookspecs

    return hookspecs


@hookimpl
def portal_assignment_purposes():
    from portal.plugin import AssignmentPurpose

    return [AssignmentPurpose("counsel", ("law_firm",), _l("Counsel"), "counsel")]


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
    return {"litigation.work": {"legal", "admin"}}


@hookimpl
def portal_nav_items(user):
    from portal.plugin import NavItem

    if user.is_insurer:
        from .views import open_complaints_count

        return [NavItem(_l("Lawsuits"), "litigation.lawsuits", order=62, group=_l("Legal")),
                NavItem(_l("Complaints and disputes"), "litigation.complaints", order=63, group=_l("Legal"),
                        badge=open_complaints_count() or None),
                NavItem(_l("Litigation figures"), "litigation.figures", order=64, group=_l("Legal"))]
    if user.org_kind == "law_firm":
        return [NavItem(_l("Lawsuits"), "litigation.lawsuits", order=62)]
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
    """The amount in dispute of the claim's lawsuits (诉讼标的), for the major-case register."""
    import sqlalchemy as sa

    from .models import Lawsuit

    stmt = (sa.select(Lawsuit.claim_id, sa.literal("lawsuit"), sa.func.sum(Lawsuit.amount_in_dispute))
            .where(Lawsuit.claim_id.is_not(None)).group_by(Lawsuit.claim_id))
    return stmt if claim_ids is None else stmt.where(Lawsuit.claim_id.in_(claim_ids))


@hookimpl
def portal_claim_costs(claim):
    import sqlalchemy as sa

    from portal.plugin import CostComponent
    from portal.plugin import db
    from portal.plugin import Money

    from .models import Lawsuit, LegalCost

    total = db.session.scalar(sa.select(sa.type_coerce(sa.func.sum(LegalCost.amount), Money())).join(Lawsuit)
                              .where(Lawsuit.claim_id == claim.id, LegalCost.status == "approved"))
    if not total:
        return []
    return [CostComponent("legal_costs", str(_l("Legal costs")), total, 1)]


@hookimpl
def portal_evaluation_metrics():
    from .metrics import metric_definitions

    return metric_definitions()


@hookimpl
def portal_audit_entities():
    return ["lawsuit", "complaint"]


@hookimpl
def portal_notification_kinds():
    return {"lawsuit.assigned": _l("Lawsuit assigned"), "lawsuit.hearing_near": _l("Hearing near"),
            "complaint.assigned": _l("Complaint assigned")}


@hookimpl
def portal_event(name, payload):
    from .notices import on_event

    on_event(name, payload)


@hookimpl
def portal_scheduled_jobs():
    from .services import send_hearing_reminders

    return [("litigation.hearing_reminders", send_hearing_reminders)]


@hookimpl(optionalhook=True)   # published by garages, which may be absent
def portal_partner_complaints(period):
    """Substantiated (有责) 投诉 against partner organizations, registered in ``period``
    (``[start, end)``), in one query; unfounded or withdrawn ones do not count."""
    import sqlalchemy as sa

    from portal.plugin import db

    from .models import Complaint

    return dict(db.session.execute(
        sa.select(Complaint.against_organization_id, sa.func.count())
        .where(Complaint.against_organization_id.is_not(None), Complaint.verdict == "substantiated",
               Complaint.created_at >= period.start,
               Complaint.created_at < period.end)
        .group_by(Complaint.against_organization_id)).all())


@hookimpl(wrapper=True)  # runs after every other plugin's demo data: the claims and the recovery cases exist
def portal_demo_data(demo):
    results = yield
    from .demo import load_demo

    return list(results) + [load_demo(demo)]


@hookimpl
def portal_terms():
    from .models import COMPLAINT_KINDS, COMPLAINT_STATUSES, COST_KINDS, OUTCOMES, ROLES, STAGES
    from .services import COMPLAINT_FLOW, LAWSUIT_FLOW

    actions = sorted({a for _, a in LAWSUIT_FLOW.table} | {a for _, a in COMPLAINT_FLOW.table} | {
        "assigned", "cost_recorded", "hearing_result", "hearing_scheduled", "major_set", "registered"})
    return {"lawsuit.stage": STAGES, "lawsuit.role": ROLES, "lawsuit.outcome": OUTCOMES, "lawsuit.cost_kind": COST_KINDS,
            "complaint.kind": COMPLAINT_KINDS, "complaint.status": COMPLAINT_STATUSES, "audit.action": actions,
            "lawsuit.cost_status": ("pending", "approved", "rejected"), "claim.purpose": ["counsel"]}


@hookimpl
def portal_webhook_events():
    from portal.plugin import webhook_event as ev

    suit = dict(lawsuit_id="int", recovery_id="int?", claim_no="str", court="str?", case_no="str?", stage="str",
                counsel_user_id="int?", counsel_organization_id="int?")
    return [
        ev("lawsuit.registered", "A lawsuit handled by your firm was registered.", **suit),
        ev("lawsuit.filed", "The lawsuit was filed.", **suit),
        ev("lawsuit.stage_changed", "The lawsuit moved to another stage.", **suit, outcome="str?"),
        ev("lawsuit.hearing_scheduled", "A hearing of the lawsuit was scheduled.", **suit, hearing_id="int"),
        ev("lawsuit.hearing_near", "A hearing of the lawsuit is near.", **suit, hearing_id="int"),
    ]


@hookimpl
def portal_payable_items(organization_id, kind, item_id, claim_no):
    from .payables import payable_legal_costs

    return payable_legal_costs(organization_id, kind, item_id, claim_no)


@hookimpl
def portal_report_card_facts(organization_ids):
    from .report_card_facts import report_card_facts

    return report_card_facts(organization_ids)
