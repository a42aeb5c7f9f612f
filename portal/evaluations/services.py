"""Reading scorecards (partner and staff views), benchmarks against peers, "what moves
my grade", drill-downs, disputes (考核申诉) and publishing rules from the admin pages."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from ..audit.services import record_audit
from ..auth.models import Organization
from ..errors import Forbidden, Invalid, NotFound
from ..events import emit
from ..extensions import db
from ..statemachine import StateMachine, T
from ..timeutil import Period, utcnow
from .models import GRADE_ORDER, MetricDispute, Scorecard, ScorecardMetric
from .rules import ensure_rules, get_rules, latest_rules_row, publish_rules, registered_metrics

HUNDRED = Decimal(100)
STAFF_EVALUATORS = ("supervisor", "admin")

DISPUTE_FLOW = StateMachine("metric_dispute", MetricDispute, [
    T("open", "answer", "answered", *STAFF_EVALUATORS),
])


# --------------------------------------------------------------------------- access


def visible_organization(org_id: int, user) -> Organization:
    """Staff see any partner; a partner only its own organization (others: 404)."""
    org = db.session.get(Organization, org_id)
    if org is None or (not user.is_insurer and org.id != user.organization_id):
        raise NotFound()
    return org


def scorecards_of(org_id: int) -> list[Scorecard]:
    """An organization's scorecards, newest period first (metrics loaded in one query)."""
    return list(db.session.scalars(sa.select(Scorecard).where(Scorecard.organization_id == org_id)
                                   .order_by(Scorecard.period.desc())))


def scorecard_for(org_id: int, period: str | None) -> Scorecard | None:
    stmt = sa.select(Scorecard).where(Scorecard.organization_id == org_id)
    stmt = stmt.where(Scorecard.period == period) if period else stmt.order_by(Scorecard.period.desc()).limit(1)
    return db.session.scalar(stmt)


def onboarding_graded(orgs) -> set[int]:
    """Ids of those ``orgs`` whose grade comes from onboarding: graded, no scorecard yet."""
    graded = [o.id for o in orgs if o.grade]
    if not graded:
        return set()
    scored = set(db.session.scalars(sa.select(Scorecard.organization_id).distinct()
                                    .where(Scorecard.organization_id.in_(graded))))
    return set(graded) - scored


def latest_period() -> str | None:
    return db.session.scalar(sa.select(sa.func.max(Scorecard.period)))


def periods() -> list[str]:
    return list(db.session.scalars(sa.select(Scorecard.period).distinct().order_by(Scorecard.period.desc())))


# --------------------------------------------------------------------------- staff ranking


def ranking_stmt(period: str, kind: str | None = None, region: str | None = None, sort: str = "total"):
    stmt = sa.select(Scorecard).join(Scorecard.organization).where(Scorecard.period == period)
    if kind:
        stmt = stmt.where(Scorecard.org_kind == kind)
    if region:
        stmt = stmt.where(Scorecard.region == region)
    order = {
        "total": (Scorecard.total.desc(), Organization.name),
        "-total": (Scorecard.total.asc(), Organization.name),
        "name": (Organization.name,),
        "grade": (Scorecard.grade, Scorecard.total.desc()),
        "region": (Scorecard.region, Scorecard.total.desc()),
        "change": ((Scorecard.total - sa.func.coalesce(Scorecard.previous_total, Scorecard.total)).desc(),),
    }.get(sort, (Scorecard.total.desc(), Organization.name))
    return stmt.order_by(*order, Scorecard.id)


def grade_distribution(period: str, kind: str | None = None, region: str | None = None) -> dict[str, int]:
    stmt = sa.select(Scorecard.grade, sa.func.count()).where(Scorecard.period == period).group_by(Scorecard.grade)
    if kind:
        stmt = stmt.where(Scorecard.org_kind == kind)
    if region:
        stmt = stmt.where(Scorecard.region == region)
    counts = dict(db.session.execute(stmt).all())
    return {g: counts.get(g, 0) for g in GRADE_ORDER}


def movers(period: str, kind: str | None = None, region: str | None = None, limit: int = 10) -> list[Scorecard]:
    """Biggest moves against the previous period: grade steps first, then total."""
    change = sa.func.abs(Scorecard.total - Scorecard.previous_total)
    stmt = sa.select(Scorecard).where(Scorecard.period == period, Scorecard.previous_total.is_not(None),
                                      sa.or_(Scorecard.total != Scorecard.previous_total,
                                             Scorecard.grade != Scorecard.previous_grade))
    if kind:
        stmt = stmt.where(Scorecard.org_kind == kind)
    if region:
        stmt = stmt.where(Scorecard.region == region)
    grade_moved = sa.case((Scorecard.grade != Scorecard.previous_grade, 1), else_=0)
    return list(db.session.scalars(stmt.order_by(grade_moved.desc(), change.desc(), Scorecard.id).limit(limit)))


def filter_options() -> tuple[list[str], list[str]]:
    kinds = list(db.session.scalars(sa.select(Scorecard.org_kind).distinct().order_by(Scorecard.org_kind)))
    regions = list(db.session.scalars(sa.select(Scorecard.region).distinct().order_by(Scorecard.region)))
    return kinds, regions


# --------------------------------------------------------------------------- partner view


@dataclass
class Benchmark:
    peers: int
    median: Decimal | None
    top_quartile: Decimal | None


def _quantile(sorted_values: list[Decimal], q: Decimal) -> Decimal | None:
    """Linear interpolation between closest ranks (as spreadsheets' PERCENTILE.INC)."""
    if not sorted_values:
        return None
    pos = (len(sorted_values) - 1) * q
    lo = int(pos)
    frac = pos - lo
    if lo + 1 >= len(sorted_values):
        return sorted_values[lo]
    return sorted_values[lo] + (sorted_values[lo + 1] - sorted_values[lo]) * frac


def peer_benchmarks(card: Scorecard) -> dict[str, Benchmark]:
    """Each metric's regional peer median and top quartile: same kind, region and period
    (the partner included), read from the metric rows in one query. The top quartile is
    the 75th percentile where higher is better, else the 25th."""
    rows = db.session.execute(
        sa.select(ScorecardMetric.code, ScorecardMetric.value, ScorecardMetric.higher_is_better)
        .join(Scorecard).where(Scorecard.period == card.period, Scorecard.org_kind == card.org_kind,
                               Scorecard.region == card.region, ScorecardMetric.value.is_not(None))).all()
    values: dict[str, list[Decimal]] = {}
    better_high: dict[str, bool] = {}
    for code, value, hib in rows:
        values.setdefault(code, []).append(Decimal(value))
        better_high[code] = hib
    out = {}
    least = int(current_app.config.get("BENCHMARK_MIN_PEERS", 5))
    for code, vals in values.items():
        vals.sort()
        if len(vals) < least:   # a median of two or three gives a competitor's figure away (review M5)
            out[code] = Benchmark(len(vals), None, None)
            continue
        q = Decimal("0.75") if better_high[code] else Decimal("0.25")
        out[code] = Benchmark(len(vals), _quantile(vals, Decimal("0.5")), _quantile(vals, q))
    return out


@dataclass
class GradeMover:
    metric: ScorecardMetric
    points_lost: Decimal
    target_op: str | None       # "≥" or "<": with target_value, the value that reaches the next bracket
    target_value: Decimal | None
    target_points: Decimal | None
    gain: Decimal | None        # weighted points gained on reaching it

    @property
    def target(self) -> str | None:
        return None if self.target_op is None else f"{self.target_op} {_fmt(self.target_value)}"


def _fmt(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f")


def what_moves_my_grade(card: Scorecard) -> list[GradeMover]:
    """For each metric: the weighted points it cost, and the value that would reach the
    next better bracket under the rules the scorecard was computed with; costliest first."""
    rules = get_rules(card.rules_version)
    out = []
    for m in card.metrics:
        rule = rules.metric(card.org_kind, m.code)
        op = target_value = target_points = gain = None
        if rule is not None and m.value is not None:
            better = [b for b in rule.brackets if b.points > m.points]
            if better:
                def distance(b):
                    if b.lower is not None and m.value < b.lower:
                        return b.lower - m.value
                    if b.upper is not None and m.value >= b.upper:
                        return m.value - b.upper
                    return Decimal(0)
                best = min(better, key=lambda b: (distance(b), -b.points))
                if best.lower is not None and m.value < best.lower:
                    op, target_value = "≥", best.lower
                elif best.upper is not None:
                    op, target_value = "<", best.upper
                target_points = best.points
                gain = (best.points - m.points) * m.weight / HUNDRED
        out.append(GradeMover(m, m.points_lost, op, target_value, target_points, gain))
    out.sort(key=lambda g: (-g.points_lost, g.metric.code))
    return out


def metric_definition(code: str):
    return next((d for d in registered_metrics() if d.code == code), None)


def drilldown_rows(metric: ScorecardMetric) -> list[dict] | None:
    """The records behind a metric (``MetricDefinition.drilldown``), or ``None`` when the
    plugin offers no drill-down."""
    defn = metric_definition(metric.code)
    if defn is None or defn.drilldown is None:
        return None
    card = metric.scorecard
    period = Period.of_days(card.period_start, card.period_end)
    return list(defn.drilldown(card.organization_id, period) or [])


def visible_metric(metric_id: int, user) -> ScorecardMetric:
    metric = db.session.get(ScorecardMetric, metric_id)
    if metric is None:
        raise NotFound()
    visible_organization(metric.scorecard.organization_id, user)
    return metric


def metric_of(org_id: int, period: str, code: str) -> ScorecardMetric:
    metric = db.session.scalar(sa.select(ScorecardMetric).join(Scorecard).where(
        Scorecard.organization_id == org_id, Scorecard.period == period, ScorecardMetric.code == code))
    if metric is None:
        raise NotFound("No such metric on this scorecard.")
    return metric


# --------------------------------------------------------------------------- disputes


def open_dispute(metric: ScorecardMetric, user, comment: str) -> MetricDispute:
    """A partner disputes one metric of its own scorecard, with a comment."""
    if user.is_insurer:
        raise Forbidden("Only the partner may dispute its scorecard.")
    card = metric.scorecard
    if card.organization_id != user.organization_id:
        raise NotFound()
    comment = (comment or "").strip()
    if not comment:
        raise Invalid.field("comment", "Say what is wrong with this metric.")
    if len(comment) > 4000:
        raise Invalid.field("comment", "At most 4000 characters.")
    dispute = MetricDispute(scorecard_metric_id=metric.id, organization_id=card.organization_id, period=card.period,
                            metric_code=metric.code, user_id=user.id, comment=comment, status="open")
    db.session.add(dispute)
    db.session.flush()
    record_audit("metric_dispute", dispute.id, "open", {"status": [None, "open"], "metric": metric.code,
                                                        "period": card.period}, actor=user)
    emit("evaluation.dispute_opened", {"dispute_id": dispute.id, "organization_id": card.organization_id,
                                       "period": card.period, "metric": metric.code})
    return dispute


def answer_dispute(dispute: MetricDispute, user, answer: str, version: int | None = None) -> MetricDispute:
    answer = (answer or "").strip()
    if not answer:
        raise Invalid.field("answer", "Write the answer to the partner.")
    if len(answer) > 4000:
        raise Invalid.field("answer", "At most 4000 characters.")
    DISPUTE_FLOW.apply(dispute, "answer", user, expected_version=version,
                   values={"answer": answer, "answered_by_id": user.id, "answered_at": utcnow()})
    emit("evaluation.dispute_answered", {"dispute_id": dispute.id, "organization_id": dispute.organization_id,
                                         "period": dispute.period, "metric": dispute.metric_code})
    return dispute


def visible_dispute(dispute_id: int, user) -> MetricDispute:
    dispute = db.session.get(MetricDispute, dispute_id)
    if dispute is None or (not user.is_insurer and dispute.organization_id != user.organization_id):
        raise NotFound()
    return dispute


def disputes_stmt(user, status: str | None = None):
    stmt = sa.select(MetricDispute).order_by(MetricDispute.status.desc(), MetricDispute.id.desc())
    if not user.is_insurer:
        stmt = stmt.where(MetricDispute.organization_id == user.organization_id)
    if status:
        stmt = stmt.where(MetricDispute.status == status)
    return stmt


def dispute_counts(user) -> dict[str, int]:
    stmt = sa.select(MetricDispute.status, sa.func.count()).group_by(MetricDispute.status)
    if not user.is_insurer:
        stmt = stmt.where(MetricDispute.organization_id == user.organization_id)
    counts = dict(db.session.execute(stmt).all())
    return {"open": counts.get("open", 0), "answered": counts.get("answered", 0)}


# --------------------------------------------------------------------------- rules


def publish_rules_version(config: dict, actor, note: str | None = None):
    """An admin publishes new rules; each kind must list exactly the registered metrics."""
    if not actor.is_admin:
        raise Forbidden()
    registered: dict[str, set] = {}
    for d in registered_metrics():
        registered.setdefault(d.org_kind, set()).add(d.code)
    kinds = config.get("kinds") if isinstance(config, dict) else None
    if isinstance(kinds, dict):
        errors = {}
        for kind in set(registered) | set(kinds):
            given = set(kinds.get(kind) or {}) if isinstance(kinds.get(kind), dict) else set()
            if given != registered.get(kind, set()):
                missing = sorted(registered.get(kind, set()) - given)
                extra = sorted(given - registered.get(kind, set()))
                errors[f"kinds.{kind}"] = [f"List exactly the registered metrics (missing: {', '.join(missing) or '-'};"
                                           f" unknown: {', '.join(extra) or '-'})."]
        if errors:
            raise Invalid(errors)
    if latest_rules_row() is None:      # the defaults were in force until now: history says so
        ensure_rules(actor=actor)
    return publish_rules(config, actor=actor, note=note)
