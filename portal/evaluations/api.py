"""Evaluations API: compute a period, read scorecards, staff ranking, rules, disputes."""
from __future__ import annotations

import sqlalchemy as sa
from flask import request

from ..api import ApiBlueprint
from ..api.access import api_user, authenticated, org_kinds, roles
from ..api.pagination import paginate
from ..auth.models import PARTNER_KINDS
from ..errors import NotFound
from ..extensions import db
from . import services
from .engine import compute_scorecards, parse_period
from .models import EvaluationRules, Scorecard
from .rules import rules_in_force
from .schemas import (DisputeAnswer, DisputeCreate, DisputePage, DisputeQuery, DisputeSchema, EvaluationRequest,
                      EvaluationSummary, RankingItem, RankingPage, RankingQuery, RulesPublish, RulesSchema,
                      ScorecardSchema)

blp = ApiBlueprint("evaluations_api", __name__, description="Graded partner evaluations (考核): scorecards, "
                                                            "ranking, rules and disputes")


@blp.route("/evaluations", methods=["POST"])
@blp.arguments(EvaluationRequest)
@blp.response(201, EvaluationSummary)
@blp.alt_response(200, schema=EvaluationSummary, description="The period was computed before: replaced.")
@roles("supervisor", "admin")
def run_evaluation(data):
    """Compute every active partner's scorecard for a closed period (again: replaces it).
    A month not yet over is answered as a preview (``preview: true``, 200): nothing is
    stored, no grade changes, nothing is sent."""
    summary = compute_scorecards(data["period"], actor=api_user())
    db.session.commit()
    return EvaluationSummary().dump(summary), 200 if summary["replaced"] or summary["preview"] else 201


@blp.route("/organizations/<int:org_id>/scorecards", methods=["GET"])
@blp.response(200, ScorecardSchema(many=True))
@authenticated
def organization_scorecards(org_id):
    """An organization's scorecards, newest first (a partner: its own organization only)."""
    org = services.visible_organization(org_id, api_user())
    return services.scorecards_of(org.id)


@blp.route("/scorecards", methods=["GET"])
@blp.arguments(RankingQuery, location="query")
@blp.response(200, RankingPage)
@roles("staff")
def ranking(args):
    """Staff ranking of a period's scorecards (default: the latest period), by kind and region."""
    period = args.get("period") or services.latest_period()
    if period is None:
        return {"items": [], "page": 1, "per_page": 50, "total": 0}
    parse_period(period)
    stmt = services.ranking_stmt(period, args.get("kind"), args.get("region"), args.get("sort") or "total")
    return paginate(stmt, RankingItem())


@blp.route("/evaluation-rules", methods=["GET"])
@blp.response(200, RulesSchema)
@roles("staff")
def current_rules():
    """The rules in force (before the first computation: the registered metrics' defaults,
    as version 1 will be published)."""
    return rules_in_force()


@blp.route("/evaluation-rules/<int:version>", methods=["GET"])
@blp.response(200, RulesSchema)
@authenticated
def rules_version(version):
    """One published rules version (partners may read the rules their scorecards name)."""
    row = db.session.scalar(sa.select(EvaluationRules).where(EvaluationRules.version == version))
    if row is None:
        raise NotFound()
    return row


@blp.route("/evaluation-rules", methods=["POST"])
@blp.arguments(RulesPublish)
@blp.response(201, RulesSchema)
@roles("admin")
def publish_rules(data):
    """Publish a new rules version: weights of a kind add up to 100, brackets ordered."""
    row = services.publish_rules_version(data["config"], api_user(), data.get("note"))
    db.session.commit()
    return row


@blp.route("/organizations/<int:org_id>/scorecards/<period>/disputes", methods=["POST"])
@blp.arguments(DisputeCreate)
@blp.response(201, DisputeSchema)
@org_kinds(*PARTNER_KINDS)
def open_dispute(data, org_id, period):
    """A partner disputes one metric (``code``) of its own scorecard, with a comment."""
    user = api_user()
    metric = services.metric_of(services.visible_organization(org_id, user).id, period, data["code"])
    dispute = services.open_dispute(metric, user, data["comment"])
    db.session.commit()
    return dispute


@blp.route("/evaluation-disputes", methods=["GET"])
@blp.arguments(DisputeQuery, location="query")
@blp.response(200, DisputePage)
@authenticated
def list_disputes(args):
    """Disputes: staff see every partner's, a partner its own."""
    return paginate(services.disputes_stmt(api_user(), args.get("status")), DisputeSchema())


@blp.route("/evaluation-disputes/<int:dispute_id>/answer", methods=["POST"])
@blp.arguments(DisputeAnswer)
@blp.response(200, DisputeSchema)
@roles("supervisor", "admin")
def answer_dispute(data, dispute_id):
    dispute = services.visible_dispute(dispute_id, api_user())
    services.answer_dispute(dispute, api_user(), data["answer"], data["version"])
    db.session.commit()
    return dispute
