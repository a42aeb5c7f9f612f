"""Salvage vendor scorecard metrics, aggregated in SQL.

Each metric takes a :class:`Period` (aware ``period.start`` included, ``period.end``
excluded; the engine passes a local month, Asia/Shanghai).
- ``salvage.net_recovery_ratio`` 净回收率: Σ net recovery / Σ estimate over the lots the
  vendor settled in the period (by ``settled_at``).
- ``salvage.pickup_on_time`` 按时提货率: share of lots picked up in the period by their
  ``pickup_due_at``.
- ``salvage.proceeds_on_time`` 按时入账率: share of lots settled in the period whose proceeds
  were booked by ``proceeds_due_on`` (N working days after the pickup, config).
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from portal.plugin import Bracket, MetricDefinition, Period, db

from .models import SalvageLot

FOUR = Decimal("0.0001")


def _ratio(num, den) -> Decimal | None:
    if not den:
        return None
    return (Decimal(num) / Decimal(den)).quantize(FOUR, rounding=ROUND_HALF_UP)


def net_recovery_ratio(period: Period, org_ids: list[int]) -> dict[int, Decimal | None]:
    rows = db.session.execute(
        sa.select(SalvageLot.winner_id, sa.func.sum(SalvageLot.net_recovery), sa.func.sum(SalvageLot.estimated_value))
        .where(SalvageLot.status == "settled", SalvageLot.winner_id.in_(org_ids),
               SalvageLot.settled_at >= period.start, SalvageLot.settled_at < period.end)
        .group_by(SalvageLot.winner_id)).all()
    found = {org: _ratio(net, est) for org, net, est in rows}
    return {org: found.get(org) for org in org_ids}


def _share(condition, when_column, period: Period, org_ids, extra=()):
    on_time = sa.func.sum(sa.case((condition, 1), else_=0))
    rows = db.session.execute(
        sa.select(SalvageLot.winner_id, on_time, sa.func.count())
        .where(SalvageLot.winner_id.in_(org_ids), when_column >= period.start, when_column < period.end, *extra)
        .group_by(SalvageLot.winner_id)).all()
    found = {org: _ratio(ok or 0, n) for org, ok, n in rows}
    return {org: found.get(org) for org in org_ids}


def pickup_on_time(period: Period, org_ids: list[int]) -> dict[int, Decimal | None]:
    return _share(SalvageLot.picked_up_at <= SalvageLot.pickup_due_at, SalvageLot.picked_up_at,
                  period, org_ids, (SalvageLot.picked_up_at.is_not(None),))


def proceeds_on_time(period: Period, org_ids: list[int]) -> dict[int, Decimal | None]:
    return _share(SalvageLot.proceeds_booked_on <= SalvageLot.proceeds_due_on, SalvageLot.settled_at,
                  period, org_ids, (SalvageLot.status == "settled",))


def _b(lower, upper, points):
    return Bracket(Decimal(lower) if lower is not None else None, Decimal(upper) if upper is not None else None,
                   Decimal(points))


METRICS = [
    MetricDefinition(
        "salvage.net_recovery_ratio", "salvage_vendor", "Net recovery against estimate", net_recovery_ratio,
        [_b("1.00", None, 100), _b("0.90", "1.00", 85), _b("0.80", "0.90", 70), _b("0.60", "0.80", 40),
         _b(None, "0.60", 0)], Decimal(40), unit="ratio", higher_is_better=True,
        description="Σ net recovery / Σ estimated value of the lots settled in the period."),
    MetricDefinition(
        "salvage.pickup_on_time", "salvage_vendor", "Pickup on time", pickup_on_time,
        [_b("0.95", None, 100), _b("0.85", "0.95", 80), _b("0.70", "0.85", 60), _b(None, "0.70", 0)],
        Decimal(30), unit="ratio", higher_is_better=True,
        description="Share of lots picked up in the period by their pickup deadline (2 working days)."),
    MetricDefinition(
        "salvage.proceeds_on_time", "salvage_vendor", "Proceeds booked on time", proceeds_on_time,
        [_b("0.95", None, 100), _b("0.85", "0.95", 80), _b("0.70", "0.85", 60), _b(None, "0.70", 0)],
        Decimal(30), unit="ratio", higher_is_better=True,
        description="Share of lots settled in the period whose proceeds were booked within the working days set."),
]
