"""Evaluation pages: a partner's scorecard (trend, peers, drill-down, what moves my
grade, disputes) and the staff's ranking, movers, disputes queue and rules."""
from __future__ import annotations

import json

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..errors import Invalid, PortalError
from ..exports import xlsx_response
from ..extensions import db
from . import services
from .engine import compute_scorecards, parse_period
from .models import EvaluationRules, MetricDispute, Scorecard
from .rules import rules_from_row, rules_in_force

bp = Blueprint("evaluations", __name__, url_prefix="/evaluations")

KIND_LABELS = {"garage": "garage", "parts_supplier": "parts_supplier", "salvage_vendor": "salvage_vendor",
               "law_firm": "law_firm", "specialist_repairer": "specialist_repairer"}


def _staff():
    if not current_user.is_insurer:
        abort(404)


def _may_run():
    return current_user.is_insurer and current_user.has_role("supervisor", "admin")


def _org_or_404(org_id):
    try:
        return services.visible_organization(org_id, current_user)
    except PortalError:
        abort(404)


# --------------------------------------------------------------------------- partner view


@bp.route("/mine")
@login_required
def mine():
    if current_user.is_insurer:
        return redirect(url_for("evaluations.ranking"))
    return redirect(url_for("evaluations.scorecard", org_id=current_user.organization_id))


@bp.route("/organizations/<int:org_id>")
@login_required
def scorecard(org_id):
    org = _org_or_404(org_id)
    cards = services.scorecards_of(org.id)
    period = request.args.get("period")
    card = next((c for c in cards if c.period == period), None) if period else (cards[0] if cards else None)
    if period and card is None:
        abort(404)
    benchmarks = services.peer_benchmarks(card) if card else {}
    movers = services.what_moves_my_grade(card) if card else []
    disputes = []
    if card:
        disputes = db.session.scalars(sa.select(MetricDispute).where(
            MetricDispute.organization_id == org.id, MetricDispute.period == card.period)
            .order_by(MetricDispute.id.desc())).all()
    trend = [(c.period, c.total) for c in reversed(cards)][-12:]
    bounds = None
    if card:
        from .rules import get_rules

        bounds = {g: format(b.normalize(), "f") for g, b in get_rules(card.rules_version).grade_bounds}
    return render_template("evaluations/scorecard.html", org=org, card=card, cards=cards, trend=trend,
                           benchmarks=benchmarks, movers=movers, disputes=disputes, bounds=bounds,
                           may_dispute=not current_user.is_insurer,
                           onboarding=not cards and bool(org.grade))


@bp.route("/organizations/<int:org_id>/scorecards.xlsx")
@login_required
def scorecard_export(org_id):
    org = _org_or_404(org_id)
    rows = []
    for c in services.scorecards_of(org.id):
        for m in c.metrics:
            rows.append((c.period, c.total, c.grade, c.rules_version, m.code, m.label, m.value, m.points, m.weight,
                         m.weighted_points))
    columns = [(_("Scorecard period"), "text"), (_("Total score"), "number"), (_("Grade"), "text"), (_("Rules version"), "number"),
               (_("Metric code"), "text"), (_("Metric"), "text"), (_("Value"), "number"), (_("Points"), "number"),
               (_("Weight"), "number"), (_("Weighted points"), "number")]
    return xlsx_response(f"scorecards-{org.id}.xlsx", columns, rows, title=_("Scorecards"))


@bp.route("/metrics/<int:metric_id>")
@login_required
def drilldown(metric_id):
    try:
        metric = services.visible_metric(metric_id, current_user)
    except PortalError:
        abort(404)
    rows = services.drilldown_rows(metric)
    if request.args.get("format") == "xlsx" and rows is not None:
        return xlsx_response(f"{metric.code}-{metric.scorecard.period}.xlsx",
                             [(_("Record"), "text"), (_("Value"), "text"), (_("Link"), "text")],
                             [(r.get("label"), r.get("value"), r.get("url")) for r in rows])
    return render_template("evaluations/drilldown.html", metric=metric, card=metric.scorecard, rows=rows)


@bp.route("/metrics/<int:metric_id>/disputes", methods=["POST"])
@login_required
def open_dispute(metric_id):
    try:
        metric = services.visible_metric(metric_id, current_user)
    except PortalError:
        abort(404)
    card = metric.scorecard
    try:
        services.open_dispute(metric, current_user, request.form.get("comment", ""))
        db.session.commit()
        flash(_("Your dispute was sent; staff will answer it."), "success")
    except Invalid as exc:
        db.session.rollback()
        flash("; ".join(m for msgs in exc.details.values() for m in msgs), "danger")
    except PortalError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    return redirect(url_for("evaluations.scorecard", org_id=card.organization_id, period=card.period))


# --------------------------------------------------------------------------- staff view


def _ranking_args():
    period = request.args.get("period") or services.latest_period()
    kind = request.args.get("kind") or None
    region = request.args.get("region") or None
    sort = request.args.get("sort") or "total"
    return period, kind, region, sort


@bp.route("/ranking", methods=["GET", "POST"])
@login_required
def ranking():
    _staff()
    if request.method == "POST":
        if not _may_run():
            abort(403)
        try:
            summary = compute_scorecards(request.form.get("period", ""), actor=current_user)
            db.session.commit()
        except Invalid as exc:
            db.session.rollback()
            flash("; ".join(m for msgs in exc.details.values() for m in msgs), "danger")
            return redirect(url_for("evaluations.ranking"))
        if summary["preview"]:
            flash(_("Preview only: %(period)s is not over. %(n)s partners would be scored (A %(a)s, B %(b)s, "
                    "C %(c)s, D %(d)s); nothing was stored, no grade changed and nothing was sent.",
                    period=summary["period"], n=summary["scorecards"], a=summary["grades"]["A"],
                    b=summary["grades"]["B"], c=summary["grades"]["C"], d=summary["grades"]["D"]), "warning")
            return redirect(url_for("evaluations.ranking"))
        flash(_("%(n)s scorecards computed for %(period)s (rules version %(v)s).", n=summary["scorecards"],
                period=summary["period"], v=summary["rules_version"]), "success")
        if summary["insufficient_activity"]:
            flash(_("%(n)s partners had not enough activity: no score, their grade is kept.",
                    n=summary["insufficient_activity"]), "info")
        return redirect(url_for("evaluations.ranking", period=summary["period"]))
    period, kind, region, sort = _ranking_args()
    if period:
        try:
            parse_period(period)
        except Invalid:
            abort(404)
    cards = db.session.scalars(services.ranking_stmt(period, kind, region, sort)).all() if period else []
    if request.args.get("format") == "xlsx":
        columns = [(_("Rank"), "number"), (_("Partner"), "text"), (_("Kind"), "text"), (_("Region"), "text"),
                   (_("Scorecard period"), "text"), (_("Total score"), "number"), (_("Grade"), "text"),
                   (_("Previous grade"), "text"), (_("Previous total"), "number"), (_("Rules version"), "number")]
        rows = [(i, c.organization.name, _(c.org_kind), c.region, c.period, c.total, c.grade, c.previous_grade,
                 c.previous_total, c.rules_version) for i, c in enumerate(cards, 1)]
        return xlsx_response(f"ranking-{period or 'none'}.xlsx", columns, rows, title=_("Ranking"))
    kinds, regions = services.filter_options()
    dist = services.grade_distribution(period, kind, region) if period else {}
    kind_counts = dict(db.session.execute(sa.select(Scorecard.org_kind, sa.func.count()).where(
        Scorecard.period == period).group_by(Scorecard.org_kind)).all()) if period else {}
    return render_template("evaluations/ranking.html", cards=cards, period=period, kind=kind, region=region,
                           sort=sort, kinds=kinds, regions=regions, periods=services.periods(), dist=dist,
                           kind_counts=kind_counts, movers=services.movers(period, kind, region) if period else [],
                           may_run=_may_run(), counts=services.dispute_counts(current_user))


@bp.route("/disputes", methods=["GET", "POST"])
@login_required
def disputes():
    status = request.args.get("status") or None
    if status not in (None, "open", "answered"):
        abort(404)
    if request.method == "POST":
        _staff()
        if not current_user.has_role("supervisor", "admin"):
            abort(403)
        try:
            dispute = services.visible_dispute(int(request.form.get("dispute_id", 0)), current_user)
            services.answer_dispute(dispute, current_user, request.form.get("answer", ""),
                                    int(request.form.get("version", 0)))
            db.session.commit()
            flash(_("Answer sent to the partner."), "success")
        except Invalid as exc:
            db.session.rollback()
            flash("; ".join(m for msgs in exc.details.values() for m in msgs), "danger")
        except (PortalError, ValueError) as exc:
            db.session.rollback()
            flash(getattr(exc, "message", _("The dispute changed; reload and try again.")), "danger")
        return redirect(url_for("evaluations.disputes", status=status))
    rows = db.session.scalars(services.disputes_stmt(current_user, status).limit(500)).all()
    if request.args.get("format") == "xlsx":
        columns = [(_("Dispute"), "number"), (_("Partner"), "text"), (_("Scorecard period"), "text"), (_("Metric"), "text"),
                   (_("Comment"), "text"), (_("Status"), "text"), (_("Answer"), "text"), (_("Opened"), "datetime"),
                   (_("Answered"), "datetime")]
        data = [(d.id, d.organization.name, d.period, d.metric_code, d.comment, _(d.status), d.answer, d.created_at,
                 d.answered_at) for d in rows]
        return xlsx_response("scorecard-disputes.xlsx", columns, data, title=_("Disputes"))
    return render_template("evaluations/disputes.html", disputes=rows, status=status,
                           counts=services.dispute_counts(current_user),
                           may_answer=current_user.is_insurer and current_user.has_role("supervisor", "admin"))


# --------------------------------------------------------------------------- rules


@bp.route("/rules", methods=["GET", "POST"])
@login_required
def rules():
    _staff()
    errors: dict = {}
    text = None
    if request.method == "POST":
        if not current_user.is_admin:
            abort(403)
        text = request.form.get("config", "")
        try:
            config = json.loads(text)
        except ValueError as exc:
            errors = {"config": [_("Not valid JSON: %(msg)s", msg=str(exc))]}
        else:
            try:
                row = services.publish_rules_version(config, current_user, request.form.get("note"))
                db.session.commit()
                flash(_("Rules version %(v)s published; it applies to the next computation.", v=row.version),
                      "success")
                return redirect(url_for("evaluations.rules"))
            except Invalid as exc:
                db.session.rollback()
                errors = exc.details
    row = rules_in_force()
    version = request.args.get("version", type=int)
    shown = row
    if version:
        shown = db.session.scalar(sa.select(EvaluationRules).where(EvaluationRules.version == version)) or abort(404)
    history = db.session.scalars(sa.select(EvaluationRules).order_by(EvaluationRules.version.desc())).all()
    return render_template("evaluations/rules.html", row=shown, current=row, rules=rules_from_row(shown),
                           history=history, errors=errors,
                           text=text if text is not None else json.dumps(row.config, ensure_ascii=False, indent=2)), \
        422 if errors else 200
