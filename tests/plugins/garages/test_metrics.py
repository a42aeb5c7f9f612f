"""Garage metrics for evaluations, on a small data set with hand-computed values."""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from .conftest import create, make_claim, part


def test_garage_metrics(people, garage_api, api_as, catalog):
    from portal.extensions import db
    from portal.timeutil import LOCAL_TZ, Period
    from plugins.garages import metrics

    staff = api_as(people.assessor2)
    # quote 1: 2 parts (one custom), 1000 + 1000 submitted, approved 1500 (25% reduced)
    c1 = make_claim(people.garage, color="yellow", assigned_days_ago=2)
    q1 = create(garage_api, c1, [part(price="800", qty="1"), part(part_no="XX-1", name="饰条", price="1200")],
                submit=True)
    staff.post(f"/quotes/{q1['id']}/decisions", json={"action": "approve", "version": q1["version"], "lines": [
        {"id": q1["lines"][1]["id"], "approved_unit_price": "700", "reason": "PRICE_HIGH"}]})
    # quote 2 (supplement of q1): returned once, then approved in full: 500
    # (another part than q1's: the same part again on the claim is a duplicate: DUPLICATE_PART_HISTORY)
    q2 = create(garage_api, c1, [part(part_no="5G0821105", name="翼子板", price="500")], supplement_to=q1["id"],
                submit=True)
    r = staff.post(f"/quotes/{q2['id']}/decisions", json={"action": "return", "version": q2["version"], "comment": "x"})
    garage_api.post(f"/quotes/{q2['id']}/submit", json={})
    v = garage_api.get(f"/quotes/{q2['id']}").get_json()["version"]
    staff.post(f"/quotes/{q2['id']}/decisions", json={"action": "approve", "version": v})
    db.session.expire_all()

    today = datetime.now(LOCAL_TZ).date()
    start, end = today - timedelta(days=1), today
    period = Period.of_days(start, end)
    ids = [people.garage.id, people.other_garage.id]
    assert metrics.reduction_rate(period, ids) == {people.garage.id: Decimal("0.2000"),   # 1 − 2000/2500
                                                       people.other_garage.id: None}
    assert metrics.supplement_rate(period, ids)[people.garage.id] == Decimal("0.5000")
    assert metrics.return_rate(period, ids)[people.garage.id] == Decimal("0.5000")
    assert metrics.custom_part_rate(period, ids)[people.garage.id] == Decimal("0.3333")    # 1 of 3 part lines
    assert metrics.duplicate_part_findings(period, ids)[people.garage.id] == Decimal(0)
    days = metrics.first_quote_days(period, ids)[people.garage.id]
    assert Decimal("1.99") <= days <= Decimal("2.01")
    # complaints come from portal_partner_complaints (whichever area keeps the register), added up
    from portal import hookimpl
    from portal.plugins import get_pm

    class Register:
        def __init__(self, counts):
            self.counts, self.asked = counts, []

        @hookimpl
        def portal_partner_complaints(self, period):
            self.asked.append(period)
            return self.counts

    pm = get_pm()
    real = [(impl.plugin, impl.plugin_name) for impl in pm.hook.portal_partner_complaints.get_hookimpls()]
    for plugin, _name in real:
        pm.unregister(plugin)
    try:
        assert metrics.complaints(period, ids) == {people.garage.id: None, people.other_garage.id: None}
        one, two = Register({people.garage.id: 2}), Register({people.garage.id: 1, 999999: 4})
        pm.register(one)
        pm.register(two)
        assert metrics.complaints(period, ids) == {people.garage.id: 3, people.other_garage.id: 0}
        assert one.asked == [period] and two.asked == [period]   # the metric's own Period, passed on
        lo, hi = one.asked[0].start, one.asked[0].end
        assert lo.date() == start and hi.date() == end + timedelta(days=1) and lo.tzinfo is not None
    finally:
        for extra in (p for p in pm.get_plugins() if isinstance(p, Register)):
            pm.unregister(extra)
        for plugin, name in real:
            pm.register(plugin, name)
    # another period: nothing
    earlier = Period.of_days(start - timedelta(days=30), start - timedelta(days=20))
    assert metrics.reduction_rate(earlier, ids)[people.garage.id] is None
    defs = metrics.definitions()
    assert sum(d.weight for d in defs) == 100 and {d.org_kind for d in defs} == {"garage"}
