"""Law-firm scorecard metrics contributed by litigation, each one SQL
statement for all firms of the period (a :class:`Period`: aware ``start`` included,
``end`` excluded; dates compared with its ``first_day`` and ``last_day``):

- ``law_firm.mediation_rate`` (调解结案率): of the firm's lawsuits closed in the period,
  the share closed as ``mediated`` or ``settled``;
- ``law_firm.cost_per_case`` (案均诉讼费用): legal costs incurred in the period on the
  firm's lawsuits ÷ the number of those lawsuits that had a cost in the period;
- ``law_firm.hearings_on_time`` (庭审结果及时录入率): of the firm's hearings held in the
  period whose recording deadline has passed, the share whose result was recorded by
  the deadline (hearing + N days, default 2).
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from portal.plugin import Bracket, MetricDefinition, Money, Period, db, quantize, utcnow

from .models import Hearing, Lawsuit, LegalCost

D = Decimal
FOUR = D("0.0001")


def mediation_rate(period: Period, org_ids: list[int]) -> dict[int, Decimal | None]:
    rows = db.session.execute(
        sa.select(Lawsuit.counsel_organization_id, sa.func.count(),
                  sa.func.count(sa.case((Lawsuit.outcome.in_(("mediated", "settled")), 1))))
        .where(Lawsuit.counsel_organization_id.in_(org_ids), Lawsuit.stage == "closed",
               Lawsuit.closed_at >= period.start, Lawsuit.closed_at < period.end)
        .group_by(Lawsuit.counsel_organization_id)).all()
    out: dict[int, Decimal | None] = {o: None for o in org_ids}
    for org_id, closed, mediated in rows:
        out[org_id] = (D(mediated) / D(closed)).quantize(FOUR) if closed else None
    return out


def cost_per_case(period: Period, org_ids: list[int]) -> dict[int, Decimal | None]:
    rows = db.session.execute(
        sa.select(Lawsuit.counsel_organization_id, sa.type_coerce(sa.func.sum(LegalCost.amount), Money()),
                  sa.func.count(sa.distinct(LegalCost.lawsuit_id)))
        .join(Lawsuit, Lawsuit.id == LegalCost.lawsuit_id)
        .where(Lawsuit.counsel_organization_id.in_(org_ids), LegalCost.status == "approved",
               LegalCost.incurred_on >= period.first_day,   # a local date
               LegalCost.incurred_on <= period.last_day)
        .group_by(Lawsuit.counsel_organization_id)).all()
    out: dict[int, Decimal | None] = {o: None for o in org_ids}
    for org_id, total, cases in rows:
        out[org_id] = quantize(total / cases) if cases else None
    return out


def hearings_on_time(period: Period, org_ids: list[int], now: datetime | None = None):
    now = now or utcnow()
    on_time = sa.and_(Hearing.result_recorded_at.is_not(None), Hearing.result_recorded_at <= Hearing.result_due_at)
    rows = db.session.execute(
        sa.select(Lawsuit.counsel_organization_id, sa.func.count(), sa.func.count(sa.case((on_time, 1))))
        .join(Lawsuit, Lawsuit.id == Hearing.lawsuit_id)
        .where(Lawsuit.counsel_organization_id.in_(org_ids), Hearing.scheduled_at >= period.start,
               Hearing.scheduled_at < period.end,
               sa.or_(Hearing.result_due_at <= now, Hearing.result_recorded_at.is_not(None)))
        .group_by(Lawsuit.counsel_organization_id)).all()
    out: dict[int, Decimal | None] = {o: None for o in org_ids}
    for org_id, due, ok in rows:
        out[org_id] = (D(ok) / D(due)).quantize(FOUR) if due else None
    return out


def metric_definitions() -> list[MetricDefinition]:
    return [
        MetricDefinition(
            code="law_firm.mediation_rate", org_kind="law_firm", label="Mediation rate", compute=mediation_rate,
            weight=D(20), unit="ratio", higher_is_better=True,
            brackets=[Bracket(D("0.50"), None, D(100)), Bracket(D("0.30"), D("0.50"), D(80)),
                      Bracket(D("0.10"), D("0.30"), D(60)), Bracket(None, D("0.10"), D(40))],
            description="Lawsuits closed as mediated or settled ÷ lawsuits closed (调解结案率)."),
        MetricDefinition(
            code="law_firm.cost_per_case", org_kind="law_firm", label="Legal cost per case", compute=cost_per_case,
            weight=D(20), unit="money", higher_is_better=False,
            brackets=[Bracket(None, D("5000"), D(100)), Bracket(D("5000"), D("10000"), D(80)),
                      Bracket(D("10000"), D("20000"), D(60)), Bracket(D("20000"), None, D(30))],
            description="Legal costs in the period ÷ lawsuits with a cost (案均诉讼费用)."),
        MetricDefinition(
            code="law_firm.hearings_on_time", org_kind="law_firm", label="Hearings recorded on time",
            compute=hearings_on_time, weight=D(20), unit="ratio", higher_is_better=True,
            brackets=[Bracket(D("0.95"), None, D(100)), Bracket(D("0.85"), D("0.95"), D(80)),
                      Bracket(D("0.70"), D("0.85"), D(60)), Bracket(None, D("0.70"), D(20))],
            description="Hearing results recorded within the set days of the hearing (庭审结果及时录入率)."),
    ]
