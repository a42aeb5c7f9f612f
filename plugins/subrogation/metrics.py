"""Law-firm scorecard metric contributed by subrogation.

``law_firm.recovery_rate`` (追偿回收率): over the cases a firm handles that were opened on
or before the period's last day, Σ receipts dated on or before that day ÷ Σ amount
sought. One SQL statement for all firms; ``None`` for a firm with no case.
"""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from portal.plugin import ZERO, Bracket, MetricDefinition, Money, Period, db

from .models import Receipt, RecoveryCase


def recovery_rate(period: Period, org_ids: list[int]) -> dict[int, Decimal | None]:
    if not org_ids:
        return {}
    received = (sa.select(sa.type_coerce(sa.func.coalesce(sa.func.sum(Receipt.amount), 0), Money()))
                .where(Receipt.recovery_id == RecoveryCase.id, Receipt.received_on <= period.last_day)
                .correlate(RecoveryCase).scalar_subquery())
    rows = db.session.execute(
        sa.select(RecoveryCase.handler_organization_id,
                  sa.type_coerce(sa.func.sum(RecoveryCase.amount_sought), Money()),
                  sa.type_coerce(sa.func.sum(received), Money()))
        .where(RecoveryCase.handler_organization_id.in_(org_ids), RecoveryCase.opened_on <= period.last_day)
        .group_by(RecoveryCase.handler_organization_id)).all()
    out: dict[int, Decimal | None] = {org_id: None for org_id in org_ids}
    for org_id, sought, got in rows:
        out[org_id] = ((got or ZERO) / sought).quantize(Decimal("0.0001")) if sought else None
    return out


def recovery_rate_drilldown(org_id: int, period: Period) -> list[dict]:
    cases = db.session.scalars(sa.select(RecoveryCase).where(RecoveryCase.handler_organization_id == org_id,
                                                             RecoveryCase.opened_on <= period.last_day)).all()
    return [{"recovery_id": c.id, "claim_no": c.claim_no, "sought": f"{c.amount_sought:.2f}",
             "recovered": f"{c.recovered:.2f}", "url": f"/subrogation/cases/{c.id}"} for c in cases]


def metric_definitions() -> list[MetricDefinition]:
    D = Decimal
    return [MetricDefinition(
        code="law_firm.recovery_rate", org_kind="law_firm", label="Recovery rate on assigned cases",
        compute=recovery_rate, weight=D(40), unit="ratio", higher_is_better=True,
        brackets=[Bracket(D("0.80"), None, D(100)), Bracket(D("0.60"), D("0.80"), D(85)),
                  Bracket(D("0.40"), D("0.60"), D(70)), Bracket(D("0.20"), D("0.40"), D(50)),
                  Bracket(None, D("0.20"), D(20))],
        description="Σ receipts ÷ Σ amount sought on the cases the firm handles (追偿回收率).",
        drilldown=recovery_rate_drilldown)]
