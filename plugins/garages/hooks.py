"""Hook implementations of the garages plugin (the entry point names this module)."""
from __future__ import annotations

from pathlib import Path

import click
from flask_babel import lazy_gettext as _l

from portal.plugin import hookimpl

HERE = Path(__file__).resolve().parent


@hookimpl
def portal_assignment_purposes():
    from portal.plugin import AssignmentPurpose

    return [AssignmentPurpose("repair", ("garage",), _l("Repair"), "repair"),
            AssignmentPurpose("specialist_repair", ("specialist_repairer",), _l("Specialist repair"), "repair")]


@hookimpl
def portal_config_defaults():
    from .config import DEFAULTS

    return DEFAULTS


@hookimpl
def portal_blueprints(app):
    from . import figures_views, queue_views, reinspection_views, views  # noqa: F401 - queue_views: routes on views.bp

    return [views.bp, reinspection_views.bp, figures_views.bp]


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
    from flask.cli import with_appcontext

    @click.command("sample-quotes")
    @click.option("--date", "day", required=False, help="YYYY-MM-DD (default: yesterday, Asia/Shanghai)")
    @click.option("--seed", required=False, help="seed of the draw (default: the day's own, recorded)")
    @with_appcontext
    def sample_quotes_command(day, seed):
        """Draw the day's approved quotes for re-inspection (稽查抽样)."""
        from datetime import date as date_cls

        from portal.plugin import db

        from . import services

        target = date_cls.fromisoformat(day) if day else services.yesterday_local()
        drawn = services.sample_quotes(target, seed)
        db.session.commit()
        click.echo(f"{target}: {len(drawn)} quote(s) drawn for re-inspection"
                   + (f" (seed {drawn[0].seed})" if drawn else ""))
        for s in drawn:
            click.echo(f"  quote {s.quote_id}: {s.reason} (share {s.share}, draw {s.draw})")

    return [sample_quotes_command]


@hookimpl
def portal_scheduled_jobs():
    def sample_yesterday():
        from portal.plugin import db

        from . import services

        drawn = services.sample_quotes(services.yesterday_local())
        db.session.commit()
        return f"{len(drawn)} quote(s) drawn for re-inspection"

    return [("garages.sample_quotes", sample_yesterday)]


@hookimpl
def portal_addhookspecs():
    """The hooks garages calls and others implement: quote checks, partner complaints."""
    from . import hookspecs

    return hookspecs


@hookimpl
def portal_quote_checks(quote):
    """The eleven built-in checks, through the same hook as any third-party check."""
    from .checks import builtin_findings

    return builtin_findings(quote)


@hookimpl
def portal_permissions():
    return {
        "quotes.review": {"assessor", "supervisor", "admin"},
        "quotes.write": {"partner_admin", "partner_user"},
        "quotes.sample": {"supervisor", "admin"},
    }


@hookimpl
def portal_nav_items(user):
    from portal.plugin import NavItem

    from . import dashboards

    if user.is_insurer and user.has_role("assessor", "supervisor", "admin"):
        items = [NavItem(_l("Review queue"), "garages.queue", order=20, badge=dashboards.open_review_count(user) or None)]
        if user.has_role("supervisor", "admin"):
            items.append(NavItem(_l("Audit sampling"), "garages.samples", order=21))
            items.append(NavItem(_l("Assessor figures"), "garages_figures.page", order=22))
        return items
    if user.org_kind in ("garage", "specialist_repairer"):
        return [NavItem(_l("Quotes"), "garages.my_quotes", order=20,
                        badge=dashboards.garage_action_count(user) or None)]
    return []


@hookimpl
def portal_dashboard_widgets(user):
    from . import dashboards

    return dashboards.widgets_for(user)


@hookimpl
def portal_claim_partner_work(claim, user):
    from . import dashboards

    return dashboards.claim_sections(claim, user)


@hookimpl
def portal_organization_storage(organization_id):
    """Photos the organization's people uploaded (the garage's own; staff are not charged)."""
    import sqlalchemy as sa

    from portal.plugin import User
    from portal.plugin import db

    from .models import Photo

    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Photo.size), 0))
                             .join(User, User.id == Photo.uploaded_by_id)
                             .where(User.organization_id == organization_id)) or 0


@hookimpl
def portal_claim_exposures(claim_ids):
    """The claim's repair total (docs/review-controls.md) for the major-case register."""
    from .controls import repair_totals

    return repair_totals(claim_ids)


@hookimpl
def portal_claim_costs(claim):
    from . import dashboards

    return dashboards.claim_costs(claim)


@hookimpl(optionalhook=True)   # published by parts suppliers, which may be absent
def portal_quoted_parts(period):
    """配件报价明细: ``(garage_id, part_no, quality)`` of every part line of the quotes
    submitted in ``period`` (``[start, end)``; the latest submission counts), in one query."""
    import sqlalchemy as sa

    from portal.plugin import db

    from .models import Quote, QuoteLine

    return [tuple(r) for r in db.session.execute(
        sa.select(Quote.garage_id, QuoteLine.part_no, QuoteLine.quality)
        .join(QuoteLine, QuoteLine.quote_id == Quote.id)
        .where(QuoteLine.kind == "part", Quote.status != "draft", Quote.submitted_at.is_not(None),
               Quote.submitted_at >= period.start, Quote.submitted_at < period.end)
        .order_by(Quote.id, QuoteLine.position, QuoteLine.id))]


@hookimpl
def portal_evaluation_metrics():
    from . import metrics

    return metrics.definitions()


@hookimpl
def portal_audit_entities():
    return ["quote"]


@hookimpl
def portal_notification_kinds():
    return {
        "quote.submitted": _l("Quote submitted"),
        "quote.approved": _l("Quote approved"),
        "quote.returned": _l("Quote returned"),
        "quote.rejected": _l("Quote rejected"),
        "quote.escalated": _l("Quote escalated"),
        "quote.awaiting_second_approval": _l("Quote awaiting second approval"),
        "quote.held": _l("Quote held for further checks"),
        "quote.resumed": _l("Quote review resumed"),
    }


@hookimpl
def portal_event(name, payload):
    from .notices import on_event

    on_event(name, payload)


@hookimpl(trylast=True)   # after the core's demo claims exist
def portal_demo_data(demo):
    from . import demo as demo_data

    return demo_data.load(demo)


@hookimpl
def portal_code_lists():
    from portal.plugin import term

    from .checks import CODES
    from .rules import rules

    in_force = rules()
    return {"reduction-reasons": [(code, _l(code)) for code in in_force["reduction_reasons"]],
            "hold-reasons": [(code, _l(code)) for code in in_force["hold_reasons"]],
            "finding-codes": [(code, lambda code=code: term("finding.code", code)) for code in CODES]}


@hookimpl
def portal_terms():
    from .checks import CODES
    from .models import DESKS, LINE_KINDS, PHOTO_KINDS, QUALITIES, SEVERITIES, STATUSES
    from .workflow import QUOTE_FLOW

    actions = sorted({a for _, a in QUOTE_FLOW.table} | {
        "add_photo", "adjust_lines", "answer_line", "assign", "audit_sampled", "create", "delete_photo",
        "edit_lines", "reassign", "reinspection", "reinspection_opened", "reinspection_recovery"})
    return {"quote.status": STATUSES, "quote.line_kind": LINE_KINDS, "part.quality": QUALITIES,
            "quote.photo_kind": PHOTO_KINDS, "finding.severity": SEVERITIES, "finding.code": CODES,
            "quote.desk": sorted(set(DESKS.values())), "audit.action": actions,
            "claim.purpose": ["repair", "specialist_repair"]}


@hookimpl
def portal_webhook_events():
    from portal.plugin import webhook_event as ev

    quote = dict(quote_id="int", claim_no="str", garage_id="int", status="str", desk="str?",
                 total_submitted="money", total_approved="money?")
    decision = dict(quote, decided_by="int", rule="str?", comment="str?")
    return [
        ev("quote.created", "A quote was started for a claim assigned to your garage.", **quote),
        ev("quote.submitted", "Your garage submitted (or resubmitted) a quote.", **quote, resubmitted="bool"),
        ev("quote.fast_tracked", "A quote went to the fast-track desk.", **quote),
        ev("quote.returned", "The assessor returned the quote for changes, with a comment.", **decision),
        ev("quote.approved", "The quote was approved (automatically or by the assessor).", **decision,
           automatic="bool"),
        ev("quote.awaiting_second_approval", "The quote awaits a second approval.", **decision),
        ev("quote.rejected", "The quote was rejected, with a comment.", **decision),
        ev("quote.escalated", "The quote was escalated to a senior assessor.", **decision),
        ev("quote.withdrawn", "Your garage withdrew the quote.", **quote),
        ev("quote.held", "Review of the quote is on hold (the reason stays internal).", **quote),
        ev("quote.resumed", "Review of the quote resumed.", **quote),
    ]


@hookimpl
def portal_payable_items(organization_id, kind, item_id, claim_no):
    from .payables import payable_quotes

    return payable_quotes(organization_id, kind, item_id, claim_no)


@hookimpl
def portal_report_card_facts(organization_ids):
    from .report_card_facts import report_card_facts

    return report_card_facts(organization_ids)
