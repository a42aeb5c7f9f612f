"""Scorecard metrics of garages, each one SQL aggregation grouped by garage.

Each takes a :class:`Period` (aware ``period.start`` included, ``period.end`` excluded;
the engine passes a local month, Asia/Shanghai)."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from portal.plugin import Assignment, Bracket, MetricDefinition, Money, Period, db, hook

from .models import Finding, Quote, QuoteLine

D = Decimal


def _ratio(num, den) -> Decimal | None:
    if not den:
        return None
    return (D(num) / D(den)).quantize(D("0.0001"))


def reduction_rate(period: Period, org_ids):
    """核减率 = 1 − approved / submitted, over quotes approved in the period."""
    rows = db.session.execute(
        sa.select(Quote.garage_id, sa.type_coerce(sa.func.sum(Quote.total_submitted), Money()),
                  sa.type_coerce(sa.func.sum(Quote.total_approved), Money()))
        .where(Quote.status == "approved", Quote.decided_at >= period.start, Quote.decided_at < period.end,
               Quote.garage_id.in_(org_ids)).group_by(Quote.garage_id)).all()
    out = {org: None for org in org_ids}
    for org, submitted, approved in rows:
        if submitted:
            out[org] = (D(1) - D(approved or 0) / D(submitted)).quantize(D("0.0001"))
    return out


def _submitted_in(period: Period, org_ids):
    return (Quote.first_submitted_at >= period.start, Quote.first_submitted_at < period.end,
            Quote.garage_id.in_(org_ids))


def supplement_rate(period: Period, org_ids):
    """追加定损率: supplements / all quotes first submitted in the period."""
    rows = db.session.execute(
        sa.select(Quote.garage_id, sa.func.count(),
                  sa.func.sum(sa.case((Quote.supplement_to.is_not(None), 1), else_=0)))
        .where(*_submitted_in(period, org_ids)).group_by(Quote.garage_id)).all()
    out = {org: None for org in org_ids}
    for org, total, supplements in rows:
        out[org] = _ratio(supplements or 0, total)
    return out


def return_rate(period: Period, org_ids):
    """回退率: quotes returned at least once / quotes first submitted in the period."""
    rows = db.session.execute(
        sa.select(Quote.garage_id, sa.func.count(),
                  sa.func.sum(sa.case((Quote.return_count > 0, 1), else_=0)))
        .where(*_submitted_in(period, org_ids)).group_by(Quote.garage_id)).all()
    out = {org: None for org in org_ids}
    for org, total, returned in rows:
        out[org] = _ratio(returned or 0, total)
    return out


def custom_part_rate(period: Period, org_ids):
    """配件自定义率: part lines with a PART_NOT_IN_CATALOG finding / part lines."""
    flagged = sa.exists().where(Finding.line_id == QuoteLine.id, Finding.code == "PART_NOT_IN_CATALOG")
    rows = db.session.execute(
        sa.select(Quote.garage_id, sa.func.count(QuoteLine.id), sa.func.sum(sa.case((flagged, 1), else_=0)))
        .join(QuoteLine, QuoteLine.quote_id == Quote.id)
        .where(QuoteLine.kind == "part", *_submitted_in(period, org_ids)).group_by(Quote.garage_id)).all()
    out = {org: None for org in org_ids}
    for org, lines, custom in rows:
        out[org] = _ratio(custom or 0, lines)
    return out


def duplicate_part_findings(period: Period, org_ids):
    """重复索赔: DUPLICATE_PART_HISTORY findings on quotes first submitted in the period."""
    rows = db.session.execute(
        sa.select(Quote.garage_id, sa.func.count(Finding.id)).join(Finding, Finding.quote_id == Quote.id)
        .where(Finding.code == "DUPLICATE_PART_HISTORY", *_submitted_in(period, org_ids))
        .group_by(Quote.garage_id)).all()
    out = {org: D(0) for org in org_ids}
    for org, count in rows:
        out[org] = D(count)
    return out


def reinspection_failures(period: Period, org_ids):
    """复勘不合格: re-inspections of the garage's quotes, done in the period, that found work paid
    for and not done (over-paid) or suspected fraud."""
    from .reinspection import failures

    found = failures(period.start, period.end, org_ids)
    return {org: D(found.get(org, 0)) for org in org_ids}


def _days_between(later, earlier):
    if db.engine.dialect.name == "postgresql":
        return sa.extract("epoch", later - earlier) / 86400.0
    return sa.func.julianday(later) - sa.func.julianday(earlier)


def first_quote_days(period: Period, org_ids):
    """Average days from the repair assignment to the garage's first quote on the claim,
    over first quotes submitted in the period."""
    first = (sa.select(Quote.garage_id.label("garage_id"), Quote.claim_id.label("claim_id"),
                       sa.func.min(Quote.first_submitted_at).label("first_at"))
             .where(Quote.first_submitted_at.is_not(None), Quote.garage_id.in_(org_ids))
             .group_by(Quote.garage_id, Quote.claim_id).subquery())
    assigned = (sa.select(Assignment.organization_id.label("org_id"), Assignment.claim_id.label("claim_id"),
                          sa.func.min(Assignment.created_at).label("assigned_at"))
                .where(Assignment.purpose.in_(("repair", "specialist_repair")))
                .group_by(Assignment.organization_id, Assignment.claim_id).subquery())
    rows = db.session.execute(
        sa.select(first.c.garage_id, sa.func.avg(_days_between(first.c.first_at, assigned.c.assigned_at)))
        .join(assigned, sa.and_(assigned.c.org_id == first.c.garage_id, assigned.c.claim_id == first.c.claim_id))
        .where(first.c.first_at >= period.start, first.c.first_at < period.end).group_by(first.c.garage_id)).all()
    out = {org: None for org in org_ids}
    for org, avg in rows:
        if avg is not None:
            out[org] = D(str(avg)).quantize(D("0.01"))
    return out


def complaints(period: Period, org_ids):
    """Complaints (投诉) registered against the garage in the period, from whichever area
    keeps the complaints register (``portal_partner_complaints``: the litigation plugin);
    no value when no area keeps one."""
    pm_hook = hook()
    if not pm_hook.portal_partner_complaints.get_hookimpls():
        return {org: None for org in org_ids}
    counts: dict[int, int] = {}
    for answer in pm_hook.portal_partner_complaints(period=period):
        for org, n in (answer or {}).items():
            counts[org] = counts.get(org, 0) + int(n)
    return {org: D(counts.get(org, 0)) for org in org_ids}


def approved_quotes(period: Period, org_ids):
    """Volume of the reduction rate: quotes approved in the period."""
    return dict(db.session.execute(
        sa.select(Quote.garage_id, sa.func.count())
        .where(Quote.status == "approved", Quote.decided_at >= period.start, Quote.decided_at < period.end,
               Quote.garage_id.in_(org_ids)).group_by(Quote.garage_id)).all())


def submitted_quotes(period: Period, org_ids):
    """Volume of the supplement and return rates: quotes first submitted in the period."""
    return dict(db.session.execute(sa.select(Quote.garage_id, sa.func.count())
                                   .where(*_submitted_in(period, org_ids)).group_by(Quote.garage_id)).all())


def B(lower, upper, points):
    return Bracket(D(lower) if lower is not None else None, D(upper) if upper is not None else None, D(points))


def definitions() -> list[MetricDefinition]:
    return [
        MetricDefinition("garage.reduction_rate", "garage", "Reduction rate (核减率)", reduction_rate,
                         [B(None, "0.05", 100), B("0.05", "0.10", 80), B("0.10", "0.20", 60), B("0.20", None, 20)],
                         D(25), unit="ratio", description="1 − approved / submitted over approved quotes",
                         volume=approved_quotes),
        MetricDefinition("garage.supplement_rate", "garage", "Supplement rate", supplement_rate,
                         [B(None, "0.10", 100), B("0.10", "0.20", 70), B("0.20", "0.35", 40), B("0.35", None, 0)],
                         D(15), unit="ratio", volume=submitted_quotes),
        MetricDefinition("garage.return_rate", "garage", "Return rate (回退率)", return_rate,
                         [B(None, "0.10", 100), B("0.10", "0.25", 70), B("0.25", "0.40", 40), B("0.40", None, 0)],
                         D(15), unit="ratio", volume=submitted_quotes),
        MetricDefinition("garage.custom_part_rate", "garage", "Custom-part rate (配件自定义率)", custom_part_rate,
                         [B(None, "0.05", 100), B("0.05", "0.15", 70), B("0.15", "0.30", 40), B("0.30", None, 0)],
                         D(15), unit="ratio"),
        MetricDefinition("garage.duplicate_part_findings", "garage", "Duplicate-part findings",
                         duplicate_part_findings,
                         [B(None, "1", 100), B("1", "3", 60), B("3", None, 0)], D(10), unit="count"),
        MetricDefinition("garage.first_quote_days", "garage", "Days from assignment to first quote",
                         first_quote_days,
                         [B(None, "1", 100), B("1", "2", 80), B("2", "4", 50), B("4", None, 0)], D(10), unit="days"),
        MetricDefinition("garage.complaints", "garage", "Complaints against the garage", complaints,
                         [B(None, "1", 100), B("1", "3", 50), B("3", None, 0)], D(5), unit="count"),
        MetricDefinition("garage.reinspection_failures", "garage", "Failed re-inspections (复勘不合格)",
                         reinspection_failures, [B(None, "1", 100), B("1", "2", 40), B("2", None, 0)], D(5),
                         unit="count", description="re-inspections that found work paid for and not done"),
    ]
