"""Vendor scorecard metrics, against hand-computed values."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from portal.timeutil import LOCAL_TZ, Period


def _lot(claim, winner, *, estimate, net=None, status="settled", settled=None, picked=None, due=None,
         booked=None, proceeds_due=None):
    from plugins.salvage.models import SalvageLot
    from portal.extensions import db

    lot = SalvageLot(claim_id=claim.id, description="x", estimated_value=Decimal(estimate), reserve_price=Decimal(1),
                     bidding_closes_at=datetime(2026, 3, 1, tzinfo=LOCAL_TZ), status=status, winner_id=winner.id,
                     net_recovery=Decimal(net) if net is not None else None, settled_at=settled, picked_up_at=picked,
                     pickup_due_at=due, proceeds_booked_on=booked, proceeds_due_on=proceeds_due)
    db.session.add(lot)
    db.session.commit()
    return lot


def test_salvage_vendor_metrics(factory, make_claim):
    from plugins.salvage.metrics import METRICS, net_recovery_ratio, pickup_on_time, proceeds_on_time

    claim = make_claim()
    a, b, idle = (factory.org("salvage_vendor") for _ in range(3))
    t = lambda d, h=12: datetime(2026, 3, d, h, tzinfo=LOCAL_TZ)  # noqa: E731
    # vendor a, March: net 9000/10000 and 7000/10000 → 16000/20000 = 0.8
    _lot(claim, a, estimate="10000", net="9000", settled=t(10), picked=t(2), due=t(3, 17),
         booked=date(2026, 3, 10), proceeds_due=date(2026, 3, 9))       # pickup on time, proceeds late
    _lot(claim, a, estimate="10000", net="7000", settled=t(20), picked=t(5), due=t(4, 17),
         booked=date(2026, 3, 12), proceeds_due=date(2026, 3, 12))      # pickup late, proceeds on time
    # vendor a: settled in April (outside) and picked up in February (outside)
    _lot(claim, a, estimate="10000", net="1", settled=datetime(2026, 4, 1, 0, 0, tzinfo=LOCAL_TZ),
         picked=datetime(2026, 2, 28, 23, 59, tzinfo=LOCAL_TZ), due=t(1), booked=date(2026, 4, 1),
         proceeds_due=date(2026, 3, 1))
    # vendor b: one lot picked up on time, not settled yet
    _lot(claim, b, estimate="5000", status="picked_up", picked=t(7), due=t(8, 17))
    march = Period.of_days(date(2026, 3, 1), date(2026, 3, 31))  # the month the engine passes
    ids = [a.id, b.id, idle.id]
    assert net_recovery_ratio(march, ids) == {a.id: Decimal("0.8000"), b.id: None, idle.id: None}
    assert pickup_on_time(march, ids) == {a.id: Decimal("0.5000"), b.id: Decimal("1.0000"), idle.id: None}
    assert proceeds_on_time(march, ids) == {a.id: Decimal("0.5000"), b.id: None, idle.id: None}
    assert {m.org_kind for m in METRICS} == {"salvage_vendor"} and sum(m.weight for m in METRICS) == 100
