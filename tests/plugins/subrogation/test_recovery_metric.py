"""``law_firm.recovery_rate`` and its drill-down, given the period as one ``Period``."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from portal.timeutil import Period


def test_recovery_rate_counts_up_to_the_periods_last_day(api_as, legal, firm, factory, open_case):
    from plugins.subrogation import metrics
    from plugins.subrogation.models import Receipt, RecoveryCase
    from portal.extensions import db

    idle = factory.org("law_firm")
    api = api_as(legal)
    case = open_case(handler_organization_id=firm.id)        # 8000 sought
    later = open_case(handler_organization_id=firm.id)       # opened after March: not counted
    for amount, on in (("2000", "2025-03-31"), ("1000", "2025-03-01"), ("4000", "2025-04-01")):
        r = api.post(f"/recoveries/{case['id']}/receipts", json={"amount": amount, "received_on": on,
                                                                 "method": "bank_transfer"})
        assert r.status_code == 201, r.get_json()
    db.session.execute(sa.update(RecoveryCase).where(RecoveryCase.id == case["id"])
                       .values(opened_on=date(2025, 2, 10)))
    db.session.execute(sa.update(RecoveryCase).where(RecoveryCase.id == later["id"])
                       .values(opened_on=date(2025, 4, 1)))
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Receipt)) == 3

    march = Period.month("2025-03")
    # receipts on 03-01 and 03-31 (the last day, included), not the one on 04-01: 3000 / 8000
    assert metrics.recovery_rate(march, [firm.id, idle.id]) == {firm.id: Decimal("0.3750"), idle.id: None}
    # April takes the case opened on its first day and the receipt of that day: 7000 / 16000
    assert metrics.recovery_rate(Period.month("2025-04"), [firm.id])[firm.id] == Decimal("0.4375")
    # before the case was opened: no case, no value
    assert metrics.recovery_rate(Period.month("2025-01"), [firm.id]) == {firm.id: None}

    assert [row["recovery_id"] for row in metrics.recovery_rate_drilldown(firm.id, march)] == [case["id"]]
    assert sorted(row["recovery_id"] for row in metrics.recovery_rate_drilldown(firm.id, Period.month("2025-04"))) \
        == sorted([case["id"], later["id"]])
