"""The scorecard engine (考核计算): every active partner's scorecard for one period.

For each organization kind, each metric's ``compute(period, org_ids)`` runs ONCE for
all partners of that kind (set-based, in SQL), ``period`` being the month as one
:class:`~portal.timeutil.Period`; brackets turn values into points; the total is
Σ points × weight / 100, rounded half-up to two places; the grade comes from the rules'
bounds. Recomputing a period replaces its scorecards in one transaction.

The grade's effects are read by the plugins from ``Organization.grade`` (fast track for
garages graded A/B, bidding closed to D vendors, a larger audit-sampling share for C/D);
the engine only keeps that column on the latest period's grade.
"""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from flask import current_app

from ..audit.services import record_audit
from ..auth.models import Organization
from ..errors import Invalid
from ..events import emit
from ..extensions import db
from ..timeutil import Period, local_now, month_start, utcnow
from .metrics import bracket_points
from .models import GRADE_ORDER, MetricDispute, Scorecard, ScorecardMetric
from .rules import ensure_rules, registered_metrics

PERIOD_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
TWO = Decimal("0.01")
HUNDRED = Decimal(100)


def parse_period(period) -> Period:
    """``"YYYY-MM"`` → that local month as a :class:`Period`; anything else → 422."""
    m = PERIOD_RE.match(str(period or "").strip()) if isinstance(period, str) else None
    if not m or not 2000 <= int(m.group(1)) <= 2999:
        raise Invalid.field("period", "Give a month as YYYY-MM, e.g. 2026-03.")
    return Period.month(m.group(0))


def previous_period(period: str) -> str:
    return month_start(parse_period(period).first_day, -1).strftime("%Y-%m")


def round_total(value: Decimal) -> Decimal:
    return value.quantize(TWO, rounding=ROUND_HALF_UP)


def score_metric(rule, value: Decimal | None) -> tuple[Decimal, Decimal]:
    """(points, weighted points) of one metric value under one rule."""
    points = bracket_points(value, list(rule.brackets), rule.missing_points)
    return points, points * rule.weight / HUNDRED


def min_volumes():
    """``code → minimum records`` from ``EVALUATION_MIN_VOLUME`` ("*": every other metric)."""
    config = dict(current_app.config.get("EVALUATION_MIN_VOLUME") or {})
    default = int(config.pop("*", 0) or 0)
    return lambda code: int(config.get(code, default) or 0)


def _renormalised_total(rows: list[dict]) -> Decimal:
    """Σ points × weight over the metrics that count, their weights scaled back to 100; a
    metric with too few records weighs nothing. Sets each row's weight and weighted points."""
    weights = sum((r["weight"] for r in rows if r["counted"]), Decimal(0))
    total = Decimal(0)
    for r in rows:
        r["weight"] = (r["weight"] * HUNDRED / weights).quantize(TWO, rounding=ROUND_HALF_UP) \
            if r["counted"] and weights else Decimal(0)
        r["weighted_points"] = r["points"] * r["weight"] / HUNDRED
        total += r["weighted_points"]
    return round_total(total)


def period_closed(span: Period) -> bool:
    """A month is closed once its last local day is over (review D-6: no grade from a
    month still running)."""
    return span.last_day < local_now().date()


def banded_grade(rules, total: Decimal, current: str | None, margin: Decimal) -> str:
    """The grade of ``total``, with hysteresis: the current grade stays while the total is
    within ``margin`` points of its band, so one odd month does not flip a grade."""
    grade = rules.grade(total)
    if current not in GRADE_ORDER or grade == current:
        return grade
    best, worst = rules.grade(total + margin), rules.grade(total - margin)
    if GRADE_ORDER.index(best) <= GRADE_ORDER.index(current) <= GRADE_ORDER.index(worst):
        return current
    return grade


def compute_scorecards(period: str, actor=None) -> dict:
    """Compute (or recompute) every active partner's scorecard for ``period``.

    Returns ``{period, scorecards, grades: {A, B, C, D}, rules_version, replaced, preview,
    insufficient_activity}``. A month not yet over is only a *preview*: nothing is stored,
    no grade changes and nothing is sent. A metric with fewer records than
    ``EVALUATION_MIN_VOLUME`` does not count (the other weights are renormalised); a partner
    none of whose counting metrics has a value (no activity) gets no scorecard and keeps
    its grade. The caller commits; grade
    changes emit ``evaluation.grade_changed``."""
    span = parse_period(period)
    preview = not period_closed(span)
    definitions = registered_metrics()
    rules = ensure_rules(definitions, actor=actor)
    by_code = {d.code: d for d in definitions}

    orgs = db.session.scalars(sa.select(Organization).where(
        Organization.kind != "insurer", Organization.status == "active").order_by(Organization.id)).all()
    by_kind: dict[str, list[Organization]] = {}
    for org in orgs:
        if rules.for_kind(org.kind):
            by_kind.setdefault(org.kind, []).append(org)

    prev = previous_period(period)
    previous = {sid: (g, t) for sid, g, t in db.session.execute(
        sa.select(Scorecard.organization_id, Scorecard.grade, Scorecard.total).where(Scorecard.period == prev))}

    margin = Decimal(str(current_app.config.get("GRADE_MARGIN", "0")))
    now = utcnow()
    cards: list[dict] = []
    lines: list[list[dict]] = []
    idle: list[int] = []
    least = min_volumes()
    for kind, members in by_kind.items():
        ids = [o.id for o in members]
        values, volumes = {}, {}
        for rule in rules.for_kind(kind):
            values[rule.code] = by_code[rule.code].compute(span, ids) or {}
            counter = by_code[rule.code].volume
            volumes[rule.code] = (counter(span, ids) or {}) if counter else None
        for org in members:
            rows = []
            for rule in rules.for_kind(kind):
                value = values[rule.code].get(org.id)
                value = None if value is None else Decimal(value)
                volume = None if volumes[rule.code] is None else int(volumes[rule.code].get(org.id) or 0)
                counted = volume is None or volume >= least(rule.code)
                points = score_metric(rule, value)[0]
                rows.append({"code": rule.code, "label": rule.label[:200], "unit": rule.unit,
                             "higher_is_better": rule.higher_is_better, "value": value, "points": points,
                             "weight": rule.weight, "weighted_points": Decimal(0), "volume": volume,
                             "counted": counted})
            total = _renormalised_total(rows)
            active = any(r["counted"] and r["value"] is not None for r in rows)
            if not active:      # no activity: no score (never 100/A), the grade stays
                idle.append(org.id)
                continue
            prev_grade, prev_total = previous.get(org.id, (None, None))
            cards.append({"organization_id": org.id, "period": period, "period_start": span.first_day,
                          "period_end": span.last_day, "org_kind": kind, "region": org.region,
                          "total": total, "grade": banded_grade(rules, total, org.grade, margin),
                          "rules_version": rules.version, "computed_at": now,
                          "previous_grade": prev_grade, "previous_total": prev_total})
            lines.append(rows)

    if preview:
        return _summary(period, cards, rules.version, 0, 0, idle, orgs, definitions, rules, preview=True)
    replaced = _delete_period(period)
    if cards:
        # Core executemany (one statement, every row): the ids are read back in one query.
        db.session.execute(Scorecard.__table__.insert(), cards)
        ids = dict(db.session.execute(sa.select(Scorecard.organization_id, Scorecard.id)
                                      .where(Scorecard.period == period)).all())
        metric_rows = [dict(row, scorecard_id=ids[c["organization_id"]]) for c, rows in zip(cards, lines)
                       for row in rows]
        if metric_rows:
            db.session.execute(ScorecardMetric.__table__.insert(), metric_rows)
    _reattach_disputes(period)
    changed = _apply_grades(period, cards, actor)
    summary = _summary(period, cards, rules.version, replaced, changed, idle, orgs, definitions, rules)
    record_audit("evaluation", period, "computed", {k: v for k, v in summary.items() if k != "grade_changes"},
                 actor=actor)
    return summary


def _summary(period, cards, version, replaced, changed, idle, orgs, definitions, rules, preview=False) -> dict:
    grades = {g: 0 for g in GRADE_ORDER}
    for c in cards:
        grades[c["grade"]] += 1
    registered_kinds = {d.org_kind for d in definitions}
    unscored = sorted({o.kind for o in orgs if o.kind in registered_kinds and not rules.for_kind(o.kind)})
    return {"period": period, "scorecards": len(cards), "grades": grades, "rules_version": version,
            "replaced": replaced, "grade_changes": changed, "unscored_kinds": unscored, "preview": preview,
            "insufficient_activity": len(idle)}


def _delete_period(period: str) -> int:
    period_ids = sa.select(Scorecard.id).where(Scorecard.period == period).scalar_subquery()
    metric_ids = sa.select(ScorecardMetric.id).where(ScorecardMetric.scorecard_id.in_(period_ids))
    db.session.execute(sa.update(MetricDispute).where(MetricDispute.scorecard_metric_id.in_(metric_ids))
                       .values(scorecard_metric_id=None).execution_options(synchronize_session=False))
    db.session.execute(sa.delete(ScorecardMetric).where(ScorecardMetric.scorecard_id.in_(period_ids))
                       .execution_options(synchronize_session=False))
    result = db.session.execute(sa.delete(Scorecard).where(Scorecard.period == period)
                                .execution_options(synchronize_session=False))
    db.session.expire_all()
    return result.rowcount or 0


def _reattach_disputes(period: str) -> None:
    """Disputes of a recomputed period point at the new metric row of the same code."""
    new_id = (sa.select(ScorecardMetric.id).join(Scorecard)
              .where(Scorecard.period == period, Scorecard.organization_id == MetricDispute.organization_id,
                     ScorecardMetric.code == MetricDispute.metric_code)
              .limit(1).scalar_subquery())
    db.session.execute(sa.update(MetricDispute).where(MetricDispute.period == period,
                                                      MetricDispute.scorecard_metric_id.is_(None))
                       .values(scorecard_metric_id=new_id).execution_options(synchronize_session=False))


def _apply_grades(period: str, cards: list[dict], actor) -> int:
    """Organization.grade follows the grade of its latest scorecard period."""
    if not cards:
        return 0
    latest = dict(db.session.execute(sa.select(Scorecard.organization_id, sa.func.max(Scorecard.period))
                                     .group_by(Scorecard.organization_id)).all())
    orgs = {o.id: o for o in db.session.scalars(sa.select(Organization).where(
        Organization.id.in_([c["organization_id"] for c in cards])))}
    changed = 0
    for c in cards:
        org = orgs[c["organization_id"]]
        if latest.get(org.id) != period or org.grade == c["grade"]:
            continue
        old = org.grade
        org.grade = c["grade"]
        org.version = (org.version or 1) + 1
        record_audit("organization", org.id, "grade_changed",
                     {"grade": [old, c["grade"]], "period": period, "total": c["total"],
                      "rules_version": c["rules_version"]}, actor=actor)
        emit("evaluation.grade_changed", {"organization_id": org.id, "period": period, "old_grade": old,
                                          "new_grade": c["grade"], "total": f"{c['total']:.2f}"})
        changed += 1
    return changed
