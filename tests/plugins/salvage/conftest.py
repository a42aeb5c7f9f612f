"""Salvage test helpers: a claim made with the model, staff, vendors, a lot via the API."""
from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

import pytest

_seq = itertools.count(1)


@pytest.fixture
def make_claim():
    def make(claim_no=None, **kw):
        from portal.claims.models import Claim
        from portal.extensions import db
        from portal.timeutil import utcnow

        n = next(_seq)
        claim = Claim(claim_no=claim_no or f"SV-{n:05d}", policy_no=f"P-{n}", policy_start=date(2026, 1, 1),
                      policy_end=date(2026, 12, 31), insured_name="张三", plate="沪A12345",
                      vin="LSVAU033512345678", model="VW Passat", accident_at=utcnow() - timedelta(days=5),
                      reported_at=utcnow() - timedelta(days=5), region="Shanghai", flags={"total_loss": True}, **kw)
        db.session.add(claim)
        db.session.commit()
        return claim

    return make


@pytest.fixture
def desk(factory):
    """An insurer user working the salvage desk."""
    return factory.user(roles=("supervisor",), limit=200000)


@pytest.fixture
def vendor(factory):
    """``vendor(grade="A", status="active")`` → a user of a new salvage vendor."""
    def make(grade="A", status="active"):
        org = factory.org("salvage_vendor", grade=grade, status=status)
        return factory.user(org, roles=("partner_admin",))

    return make


@pytest.fixture
def open_lot(api_as, desk, make_claim):
    """``open_lot(**overrides)`` → the JSON of a lot opened through the API."""
    def make(**overrides):
        from portal.timeutil import utcnow

        claim = make_claim()
        body = {"claim_no": claim.claim_no, "description": "Total-loss VW Passat", "estimated_value": "50000.00",
                "reserve_price": "30000", "bidding_closes_at": (utcnow() + timedelta(days=2)).isoformat()}
        body.update(overrides)
        r = api_as(desk).post("/salvage-lots", json=body)
        assert r.status_code == 201, r.get_json()
        return r.get_json()

    return make


def expire_bidding(lot_id, seconds=1):
    """Move a lot's closing time into the past (and its bids before it)."""
    import sqlalchemy as sa

    from plugins.salvage.models import SalvageLot
    from portal.extensions import db
    from portal.timeutil import utcnow

    db.session.execute(sa.update(SalvageLot).where(SalvageLot.id == lot_id)
                       .values(bidding_closes_at=utcnow() - timedelta(seconds=seconds)))
    db.session.commit()


PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082")
