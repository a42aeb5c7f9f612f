"""Fixtures of the garages tests: claims built with the model, a fake parts catalog."""
from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from portal.catalog import PartInfo, ReferencePrice
from portal.timeutil import LOCAL_TZ

_seq = itertools.count(1)
VIN = "LSVAU2180N2183294"


def make_claim(garage=None, *, purpose="repair", color="blue", flags=None, vin=VIN, actual_value="200000",
               policy_no=None, policy_cover=None, region="Shanghai", assigned_days_ago=1):
    from portal.claims.models import Assignment, Claim
    from portal.extensions import db

    n = next(_seq)
    now = datetime.now(LOCAL_TZ)
    claim = Claim(claim_no=f"CLM-T{n:05d}", policy_no=policy_no or f"POL-{n:05d}", policy_start=date(2025, 1, 1),
                  policy_end=date(2027, 1, 1), insured_name="张三", plate="沪A12345", vin=vin, model="Passat",
                  actual_value=Decimal(actual_value) if actual_value else None, accident_at=now - timedelta(days=2),
                  reported_at=now - timedelta(days=2), region=region, flags=flags or {}, risk_color=color,
                  risk_reasons=[])
    if policy_cover is not None and hasattr(Claim, "policy_cover"):
        claim.policy_cover = Decimal(policy_cover)
    db.session.add(claim)
    db.session.flush()
    if garage is not None:
        db.session.add(Assignment(claim_id=claim.id, organization_id=garage.id, purpose=purpose,
                                  created_at=datetime.now(LOCAL_TZ) - timedelta(days=assigned_days_ago)))
    db.session.commit()
    return claim


def assign(claim, org, purpose="repair"):
    from portal.claims.models import Assignment
    from portal.extensions import db

    db.session.add(Assignment(claim_id=claim.id, organization_id=org.id, purpose=purpose))
    db.session.commit()


def part(part_no="1K0807221", name="前保险杠皮", price="800.00", qty="1", quality="genuine", **kw):
    return {"kind": "part", "part_no": part_no, "name": name, "quality": quality, "quantity": qty,
            "unit_price": price, **kw}


def line(kind, name, qty, price, **kw):
    return {"kind": kind, "name": name, "quantity": qty, "unit_price": price, **kw}


class FakeCatalog:
    """A parts catalog with fixed data; every method runs one trivial query (as a real,
    set-based catalog would) and records that it was called."""

    def __init__(self):
        self.prices = {("1K0807221", "genuine"): Decimal("800.00"), ("5G0821105", "genuine"): Decimal("1500.00"),
                       ("REPAIRME", "genuine"): Decimal("600.00")}
        self.known = {"1K0807221", "5G0821105", "REPAIRME", "GLASS01", "ASSY01"}
        self.info = {"GLASS01": PartInfo("GLASS01", "前挡风玻璃", family="glass"),
                     "ASSY01": PartInfo("ASSY01", "前大灯总成", components=("ASSY01-LENS", "ASSY01-HOUSING"))}
        self.rate = Decimal("120.00")
        self.towing = Decimal("500.00")
        self.calls = []

    def _q(self, name):
        import sqlalchemy as sa

        from portal.extensions import db

        self.calls.append(name)
        db.session.execute(sa.text("SELECT 1"))

    def reference_prices(self, items, region):
        self._q("reference_prices")
        return {(p, q): ReferencePrice(p, q, self.prices[(p, q)], "supplier", None)
                for p, q in items if (p, q) in self.prices}

    def known_part_nos(self, part_nos):
        self._q("known_part_nos")
        return {p for p in part_nos if p in self.known}

    def part_info(self, part_nos):
        self._q("part_info")
        return {p: self.info[p] for p in part_nos if p in self.info}

    def labor_rate(self, garage_id, region):
        self._q("labor_rate")
        return self.rate

    def towing_fee(self, region):
        self._q("towing_fee")
        return self.towing


class FakeCatalogPlugin:
    def __init__(self, catalog):
        self.catalog = catalog

    from portal import hookimpl as _hookimpl

    @_hookimpl
    def portal_parts_catalog(self):
        return self.catalog


@pytest.fixture
def catalog(app):
    from portal.plugins import get_pm

    cat = FakeCatalog()
    plugin = FakeCatalogPlugin(cat)
    pm = get_pm(app)
    pm.register(plugin, name="fake-catalog")
    try:
        yield cat
    finally:
        pm.unregister(name="fake-catalog")


@pytest.fixture
def people(factory):
    """A grade-A garage and its user, another garage, a supplier, assessors and supervisors."""
    class People:
        pass

    p = People()
    p.garage = factory.org("garage", name="永达修理厂", grade="A")
    p.garage_user = factory.user(p.garage, roles=("partner_user",))
    p.other_garage = factory.org("garage", name="顺通修理厂", grade="C")
    p.other_user = factory.user(p.other_garage, roles=("partner_user",))
    p.supplier = factory.org("parts_supplier")
    p.supplier_user = factory.user(p.supplier, roles=("partner_user",))
    p.specialist = factory.org("specialist_repairer", grade="B")
    p.specialist_user = factory.user(p.specialist, roles=("partner_user",))
    p.assessor = factory.user(roles=("assessor",), limit=20000)
    p.assessor2 = factory.user(roles=("assessor",), limit=100000)
    p.supervisor = factory.user(roles=("supervisor",), limit=200000)
    p.supervisor2 = factory.user(roles=("supervisor",), limit=2000000)
    return p


@pytest.fixture
def garage_api(api_as, people):
    return api_as(people.garage_user)


@pytest.fixture
def no_photo_minimum(app):
    """For a test of a quote created and submitted in one request (``submit: true``), which can
    carry no photo yet: the minimum of damage photos set to 0, explicitly (the shipped rule is 1)."""
    before = app.config.get("GARAGES_RULES")
    app.config["GARAGES_RULES"] = {**(before or {}), "min_damage_photos": 0}
    try:
        yield
    finally:
        if before is None:
            app.config.pop("GARAGES_RULES", None)
        else:
            app.config["GARAGES_RULES"] = before


_photo_seq = itertools.count(1000)


def add_photo(api, quote_id, kind="damage", data=None, name="damage.jpg", line_id=None):
    """A photo of its own (a generated scene, never twice the same picture) uploaded through the API."""
    import io

    from tests.images import photo_bytes

    form = {"file": (io.BytesIO(data if data is not None else photo_bytes(next(_photo_seq))), name), "kind": kind}
    if line_id is not None:
        form["line_id"] = str(line_id)
    r = api.client.post(f"/api/v1/quotes/{quote_id}/photos", data=form, headers=api.headers,
                        content_type="multipart/form-data")
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def create(api, claim, lines, submit=False, **kw):
    """A quote through the API; ``submit=True``: created, given its damage photo (the minimum a
    submission needs, ``min_damage_photos``), then submitted."""
    r = api.post(f"/claims/{claim.claim_no}/quotes", json={"lines": lines, "submit": False, **kw})
    assert r.status_code == 201, r.get_json()
    if not submit:
        return r.get_json()
    add_photo(api, r.get_json()["id"])
    r = api.post(f"/quotes/{r.get_json()['id']}/submit", json={})
    assert r.status_code == 200, r.get_json()
    return r.get_json()
