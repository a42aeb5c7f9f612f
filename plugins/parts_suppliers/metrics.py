"""Scorecard metrics of parts suppliers, aggregated in SQL.

``compute(period, org_ids)`` takes a :class:`Period` (aware ``period.start`` included,
``period.end`` excluded; the engine passes a local month, Asia/Shanghai).
"""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.plugin import Bracket, MetricDefinition, Organization, Period, db, flatten, hook, to_local

from .models import LocalizedPrice, PriceFeedback, PriceList, PriceListItem

D = Decimal
RATIO = D("0.0001")


def quoted_parts(period: Period) -> list[tuple] | None:
    """``[(garage_id, part_no, quality)]`` quoted in ``period``, from ``portal_quoted_parts``;
    ``None`` if no plugin answers (no quote data)."""
    impls = hook().portal_quoted_parts.get_hookimpls()
    if not impls:
        return None
    return [tuple(r) for r in flatten(hook().portal_quoted_parts(period=period))]


def price_position(period: Period, org_ids: list[int]) -> dict[int, Decimal | None]:
    """Average of (supplier price / localized price − 1) over the supplier's current
    lines that have a localized price in the supplier's region (负数 = cheaper)."""
    i, pl, org, lp = PriceListItem, PriceList, Organization, LocalizedPrice
    latest = (sa.select(sa.func.max(lp.id).label("id")).group_by(lp.part_no, lp.quality, lp.region).subquery())
    ratio = sa.cast(i.unit_price, sa.Numeric(20, 6)) / sa.cast(lp.price, sa.Numeric(20, 6)) - 1
    rows = db.session.execute(
        sa.select(pl.supplier_id, sa.func.avg(ratio), sa.func.count())
        .select_from(i).join(pl, pl.id == i.price_list_id).join(org, org.id == pl.supplier_id)
        .join(lp, sa.and_(lp.part_no == i.part_no, lp.quality == i.quality, lp.region == org.region))
        .join(latest, latest.c.id == lp.id)
        .where(i.is_current.is_(True), pl.supplier_id.in_(org_ids))
        .group_by(pl.supplier_id)).all()
    out: dict[int, Decimal | None] = {oid: None for oid in org_ids}
    for supplier_id, avg, n in rows:
        if n:
            out[supplier_id] = D(str(avg)).quantize(RATIO)
    return out


def coverage(period: Period, org_ids: list[int]) -> dict[int, Decimal | None]:
    """Share of the distinct (part, grade) pairs quoted in the period that the supplier's
    current list prices."""
    quoted = quoted_parts(period)
    if not quoted:
        return {oid: None for oid in org_ids}
    pairs = {(str(p).strip().upper(), q) for _, p, q in quoted if p}
    part_nos = sorted({p for p, _ in pairs})
    covered: dict[int, set] = {oid: set() for oid in org_ids}
    i, pl = PriceListItem, PriceList
    for k in range(0, len(part_nos), 900):
        for supplier_id, part_no, quality in db.session.execute(
                sa.select(pl.supplier_id, i.part_no, i.quality).join(pl, pl.id == i.price_list_id)
                .where(i.is_current.is_(True), pl.supplier_id.in_(org_ids), i.part_no.in_(part_nos[k:k + 900]))):
            if (part_no, quality) in pairs:
                covered[supplier_id].add((part_no, quality))
    return {oid: (D(len(covered[oid])) / D(len(pairs))).quantize(RATIO) for oid in org_ids}


def freshness(period: Period, org_ids: list[int]) -> dict[int, Decimal | None]:
    """Days from the approval of the supplier's current list (a local date) to the period's
    last day."""
    rows = db.session.execute(
        sa.select(PriceList.supplier_id, sa.func.max(PriceList.approved_at))
        .where(PriceList.status == "current", PriceList.supplier_id.in_(org_ids))
        .group_by(PriceList.supplier_id)).all()
    out: dict[int, Decimal | None] = {oid: None for oid in org_ids}
    for supplier_id, approved_at in rows:
        if approved_at is not None:
            out[supplier_id] = D(max((period.last_day - to_local(approved_at).date()).days, 0))
    return out


def feedback_against(period: Period, org_ids: list[int]) -> dict[int, Decimal | None]:
    """Price feedback received in the period on parts where the supplier was the
    reference supplier (snapshotted when the feedback was sent)."""
    rows = db.session.execute(
        sa.select(PriceFeedback.reference_supplier_id, sa.func.count())
        .where(PriceFeedback.reference_supplier_id.in_(org_ids), PriceFeedback.created_at >= period.start,
               PriceFeedback.created_at < period.end)
        .group_by(PriceFeedback.reference_supplier_id)).all()
    out: dict[int, Decimal | None] = {oid: D(0) for oid in org_ids}
    for supplier_id, n in rows:
        out[supplier_id] = D(n)
    return out


def definitions() -> list[MetricDefinition]:
    return [
        MetricDefinition(
            "parts_supplier.price_position", "parts_supplier", _l("Price position against reference"),
            price_position,
            [Bracket(None, D("-0.02"), D(100)), Bracket(D("-0.02"), D("0.0001"), D(85)),
             Bracket(D("0.0001"), D("0.05"), D(60)), Bracket(D("0.05"), None, D(0))],
            D(40), unit="ratio", higher_is_better=False,
            description="avg(price / localized price - 1) over current lines with a localized price"),
        MetricDefinition(
            "parts_supplier.coverage", "parts_supplier", _l("Coverage of the parts quoted"), coverage,
            [Bracket(D("0.8"), None, D(100)), Bracket(D("0.5"), D("0.8"), D(75)),
             Bracket(D("0.2"), D("0.5"), D(50)), Bracket(None, D("0.2"), D(20))],
            D(25), unit="ratio", higher_is_better=True),
        MetricDefinition(
            "parts_supplier.freshness", "parts_supplier", _l("Price list freshness"), freshness,
            [Bracket(None, D(31), D(100)), Bracket(D(31), D(91), D(75)), Bracket(D(91), D(181), D(40)),
             Bracket(D(181), None, D(0))],
            D(20), unit="days", higher_is_better=False),
        MetricDefinition(
            "parts_supplier.price_feedback", "parts_supplier", _l("Price feedback against them"),
            feedback_against,
            [Bracket(None, D(1), D(100)), Bracket(D(1), D(3), D(70)), Bracket(D(3), D(6), D(40)),
             Bracket(D(6), None, D(0))],
            D(15), unit="count", higher_is_better=False),
    ]
