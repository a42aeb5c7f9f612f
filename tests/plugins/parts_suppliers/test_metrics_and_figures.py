"""Supplier scorecard metrics (hand-computed) and the pricing figures."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal import hookimpl
from portal.timeutil import LOCAL_TZ, Period, utcnow

from .helpers import csv_bytes, upload


class QuotedParts:
    def __init__(self, rows):
        self.rows, self.asked = rows, []

    @hookimpl
    def portal_quoted_parts(self, period):
        self.asked.append(period)
        return list(self.rows)


@pytest.fixture
def quoted(app):
    """Quote data from a test plugin only: the real implementers of
    ``portal_quoted_parts`` (the garages plugin) are set aside meanwhile."""
    pm = app.extensions["portal_pm"]
    plugins = []
    real = [(impl.plugin, impl.plugin_name) for impl in pm.hook.portal_quoted_parts.get_hookimpls()]
    for plugin, _ in real:
        pm.unregister(plugin)

    def register(rows):
        plugin = QuotedParts(rows)
        pm.register(plugin, name=f"test_quotes_{len(plugins)}")
        plugins.append(plugin)
        return plugin

    yield register
    for p in plugins:
        pm.unregister(p)
    for plugin, name in real:
        pm.register(plugin, name=name)
    # the audit entities may have been gathered while the plugins were set aside
    app.extensions.pop("portal.audit_entities", None)


@pytest.fixture
def scene(api_as, factory, pricing):
    from plugins.parts_suppliers.models import PriceList
    from portal.extensions import db

    s1 = factory.org("parts_supplier", name="S1", region="上海")
    s2 = factory.org("parts_supplier", name="S2", region="上海")
    u1 = factory.user(s1, roles=("partner_admin",))
    u2 = factory.user(s2, roles=("partner_admin",))
    pl = upload(api_as(u1), csv_bytes([("A", "a", "genuine", "", "", "120", "", ""),
                                       ("B", "b", "genuine", "", "", "90", "", ""),
                                       ("C", "c", "genuine", "", "", "200", "", "")])).get_json()
    api_as(pricing).post(f"/price-lists/{pl['id']}/approve")
    pl2 = upload(api_as(u2), csv_bytes([("Q", "q", "genuine", "", "", "10", "", "")])).get_json()
    api_as(pricing).post(f"/price-lists/{pl2['id']}/approve")
    for part, price in (("A", "50"), ("A", "100"), ("B", "100")):
        api_as(pricing).put(f"/parts/{part}/localized-price", json={"quality": "genuine", "region": "上海",
                                                                     "price": price})
    api_as(pricing).put("/parts/C/localized-price", json={"quality": "genuine", "region": "北京", "price": "1"})
    db.session.execute(sa.update(PriceList).where(PriceList.id == pl["id"])
                       .values(approved_at=datetime(2026, 10, 5, 9, 0, tzinfo=LOCAL_TZ)))
    db.session.commit()
    return s1, s2


def _metric(code):
    from plugins.parts_suppliers.metrics import definitions

    return next(m for m in definitions() if m.code == code)


OCT = Period.of_days(date(2026, 10, 1), date(2026, 10, 31))


def test_price_position(scene):
    s1, s2 = scene
    # A: 120/100 - 1 = 0.20 (the latest localized price wins); B: 90/100 - 1 = -0.10; C has none in 上海
    assert _metric("parts_supplier.price_position").compute(OCT, [s1.id, s2.id]) == {
        s1.id: Decimal("0.0500"), s2.id: None}


def test_freshness_in_days(scene):
    s1, s2 = scene
    assert _metric("parts_supplier.freshness").compute(OCT, [s1.id, s2.id])[s1.id] == Decimal(26)


def test_feedback_against_reference_supplier(scene, factory, api_as):
    from plugins.parts_suppliers.models import PriceFeedback
    from portal.extensions import db

    s1, s2 = scene
    assessor = api_as(factory.user(factory.insurer(), roles=("assessor",)))
    r = assessor.post("/price-feedback", json={"part_no": "C", "quality": "genuine", "region": "上海",
                                               "comment": "too dear", "quote_id": 7})
    assert r.status_code == 201 and r.get_json()["reference_supplier_id"] == s1.id
    assessor.post("/price-feedback", json={"part_no": "C", "quality": "genuine", "region": "上海", "comment": "x"})
    assessor.post("/price-feedback", json={"part_no": "C", "quality": "genuine", "region": "上海", "comment": "y"})
    # A has a localized price: no supplier is blamed
    assert assessor.post("/price-feedback", json={"part_no": "A", "quality": "genuine", "region": "上海",
                                                  "comment": "z"}).get_json()["reference_supplier_id"] is None
    ids = db.session.scalars(sa.select(PriceFeedback.id).order_by(PriceFeedback.id)).all()
    in_oct, out_of_period = datetime(2026, 10, 20, tzinfo=LOCAL_TZ), datetime(2026, 11, 1, 0, 0, tzinfo=LOCAL_TZ)
    db.session.execute(sa.update(PriceFeedback).where(PriceFeedback.id.in_(ids[:2])).values(created_at=in_oct))
    db.session.execute(sa.update(PriceFeedback).where(PriceFeedback.id == ids[2]).values(created_at=out_of_period))
    db.session.commit()
    assert _metric("parts_supplier.price_feedback").compute(OCT, [s1.id, s2.id]) == {s1.id: 2, s2.id: 0}


def test_coverage_needs_quote_data(scene, quoted):
    s1, s2 = scene
    assert _metric("parts_supplier.coverage").compute(OCT, [s1.id, s2.id]) == {s1.id: None, s2.id: None}
    plugin = quoted([(1, "A", "genuine"), (1, "A", "genuine"), (1, "B", "equivalent"), (2, "C", "genuine"),
                     (2, "Z", "genuine")])
    # distinct pairs: (A,g) (B,eq) (C,g) (Z,g); S1 prices A and C in genuine → 2/4
    assert _metric("parts_supplier.coverage").compute(OCT, [s1.id, s2.id]) == {
        s1.id: Decimal("0.5000"), s2.id: Decimal("0.0000")}
    assert plugin.asked == [OCT]   # the hook is asked for the metric's own period


def test_figures_without_and_with_quote_data(scene, quoted, client, web_login, pricing, factory):
    from plugins.parts_suppliers.figures import quote_figures

    web_login(pricing)
    page = client.get("/parts/figures")
    assert page.status_code == 200 and b'data-testid="no-quote-data"' in page.data
    assert quote_figures() is None
    g1, g2 = factory.org("garage", name="G1"), factory.org("garage", name="G2")
    plugin = quoted([(g1.id, "A", "genuine"), (g1.id, "A", "genuine"), (g1.id, "B", "equivalent"),
                     (g2.id, "C", "genuine"), (g2.id, "Z", "genuine")])
    f = quote_figures()
    asked = plugin.asked[0]   # the last 90 days, up to now
    assert asked.end - asked.start == timedelta(days=90) and asked.end <= utcnow()
    assert (f["lines"], f["covered"], f["coverage"]) == (5, 4, Decimal("0.8000"))
    assert f["localized"] == 4  # A, A, B (localized in some grade/region) and C (北京)
    assert [(g["name"], g["custom_rate"]) for g in f["garages"]] == [("G2", Decimal("0.5000")),
                                                                     ("G1", Decimal("0.0000"))]
    page = client.get("/parts/figures")
    assert "80.0%".encode() in page.data and b"G2" in page.data


def test_price_spread(api_as, factory, pricing):
    from plugins.parts_suppliers.figures import price_spread

    for name, price in (("X", "100"), ("Y", "150"), ("Z", "120")):
        org = factory.org("parts_supplier", name=name)
        user = factory.user(org, roles=("partner_admin",))
        pl = upload(api_as(user), csv_bytes([("SP1", "s", "genuine", "", "", price, "", ""),
                                             ("SP2", "t", "genuine", "", "", "10", "", "")])).get_json()
        api_as(pricing).post(f"/price-lists/{pl['id']}/approve")
    spread = price_spread()
    assert [(s["part_no"], s["suppliers"], s["min"], s["max"], s["ratio"]) for s in spread] == [
        ("SP1", 3, Decimal("100.00"), Decimal("150.00"), Decimal("1.5000")),
        ("SP2", 3, Decimal("10.00"), Decimal("10.00"), Decimal("1.0000"))]
