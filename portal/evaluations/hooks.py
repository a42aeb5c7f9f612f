"""Hook implementations of the core's evaluations area (考核): routes, CLI, navigation,
dashboard widgets, notifications of grade changes and disputes."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import lazy_gettext as _l

from ..hookspecs import hookimpl
from ..web.nav import NavItem, Widget
from . import models  # noqa: F401 - the tables belong to the core's metadata


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
    return [str(Path(__file__).parent / "translations")]


@click.command("evaluate")
@click.option("--period", required=True, help="The month to evaluate, YYYY-MM.")
@with_appcontext
def evaluate_command(period):
    """Compute every active partner's scorecard for a period (replaces it if computed)."""
    from ..errors import PortalError
    from ..extensions import db
    from .engine import compute_scorecards

    try:
        summary = compute_scorecards(period)
        db.session.commit()
    except PortalError as exc:
        db.session.rollback()
        raise click.ClickException(f"{exc.message} {exc.details or ''}".strip()) from None
    grades = " ".join(f"{g}={n}" for g, n in summary["grades"].items())
    click.echo(f"{summary['period']}: {summary['scorecards']} scorecards ({grades}), rules v{summary['rules_version']}"
               f"{', replaced ' + str(summary['replaced']) if summary['replaced'] else ''}"
               f", grade changes {summary['grade_changes']}")
    if summary["unscored_kinds"]:
        click.echo("not scored (their metrics' weights are not valid rules; publish rules for them): "
                   + ", ".join(summary["unscored_kinds"]), err=True)


@hookimpl
def portal_cli_commands():
    return [evaluate_command]


@hookimpl
def portal_nav_items(user):
    if user.is_insurer:
        items = [NavItem(_l("Scorecards"), "evaluations.ranking", order=70, group=_l("Evaluations")),
                 NavItem(_l("Disputes"), "evaluations.disputes", order=71, group=_l("Evaluations")),
                 NavItem(_l("Scorecard rules"), "evaluations.rules", order=72, group=_l("Evaluations"))]
        return items
    return [NavItem(_l("My scorecard"), "evaluations.mine", order=70)]


@hookimpl
def portal_dashboard_widgets(user):
    from flask import url_for

    from . import services

    if user.is_insurer:
        period = services.latest_period()
        if period is None:
            return []
        dist = services.grade_distribution(period)
        return [Widget(_l("Grade distribution"), value=sum(dist.values()), kind="bar",
                       data=list(dist.items()), url=url_for("evaluations.ranking", period=period),
                       subtitle=period, order=60)]
    card = services.scorecard_for(user.organization_id, None)
    if card is None:
        return [Widget(_l("My grade"), value=user.organization.grade, url=url_for("evaluations.mine"),
                       subtitle=_l("No scorecard yet"), order=10)]
    tone = {"A": "success", "B": "primary", "C": "warning", "D": "danger"}.get(card.grade, "primary")
    return [Widget(_l("My grade"), value=f"{card.grade} · {card.total:.2f}", url=url_for("evaluations.mine"),
                   subtitle=card.period, tone=tone, order=10)]


@hookimpl
def portal_audit_entities():
    return ["evaluation", "evaluation_rules", "metric_dispute"]


@hookimpl
def portal_notification_kinds():
    return {"evaluation.grade_changed": _l("Your grade changed"),
            "evaluation.dispute_opened": _l("A scorecard dispute was opened"),
            "evaluation.dispute_answered": _l("Your scorecard dispute was answered")}


@hookimpl
def portal_permissions():
    return {"evaluations.run": {"supervisor", "admin"}, "evaluations.rules": {"admin"},
            "evaluations.answer_disputes": {"supervisor", "admin"}}


@hookimpl
def portal_event(name, payload):
    from ..notifications.services import notify

    if name == "evaluation.grade_changed":
        old = payload.get("old_grade") or "—"
        notify(kind=name, organization_id=payload["organization_id"],
               title=f"考核等级变更 Grade changed: {old} → {payload['new_grade']} ({payload['period']})",
               body=f"{payload['period']} 考核得分 score {payload['total']}; 等级 grade {old} → {payload['new_grade']}.",
               url=f"/evaluations/organizations/{payload['organization_id']}?period={payload['period']}")
    elif name == "evaluation.dispute_opened":
        notify(kind=name, roles=("supervisor",),
               title=f"考核申诉 Scorecard dispute: {payload['metric']} ({payload['period']})",
               url=f"/evaluations/disputes?status=open")
    elif name == "evaluation.dispute_answered":
        notify(kind=name, organization_id=payload["organization_id"],
               title=f"考核申诉已答复 Dispute answered: {payload['metric']} ({payload['period']})",
               url=f"/evaluations/disputes")
