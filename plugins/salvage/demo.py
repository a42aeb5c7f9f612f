"""Salvage demo data: an open lot, a closed lot with bids from salvage1 and salvage2,
an awarded lot awaiting pickup and a settled lot, on the demo claims (idempotent)."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from portal.plugin import Assignment, Claim, db, local_date, utcnow

from . import services
from .models import SalvageLot

# a 1×1 PNG for the demo pickup photo
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082")

LOTS = [
    ("open", "全损车辆 大众帕萨特 2019款（水淹）/ Total-loss VW Passat 2019 (flood)", "total_loss", "85000", "60000"),
    ("closed", "全损车辆 丰田凯美瑞 2020款（火烧）/ Total-loss Toyota Camry 2020 (fire)", "total_loss", "42000", "30000"),
    ("awarded", "更换下的铝合金轮毂 4只、前大灯总成 / Replaced alloy wheels ×4, headlamp assembly", "parts", "6800", "4500"),
    ("settled", "全损车辆 本田雅阁 2018款（碰撞）/ Total-loss Honda Accord 2018 (collision)", "total_loss", "38000", "26000"),
]


def _claims(demo) -> list[Claim]:
    claims = list((demo.claims or {}).values())
    claims.sort(key=lambda c: (not c.flag("total_loss"), c.id))
    if not claims:
        assigned = sa.select(Assignment.claim_id).where(Assignment.purpose == "salvage")
        claims = list(db.session.scalars(sa.select(Claim).where(Claim.id.in_(assigned)).order_by(Claim.id)))
    return claims


def load(demo) -> list[str]:
    claims = _claims(demo)
    if not claims:
        return ["salvage lots: none (no demo claims to hang them on)"]
    staff = demo.users.get("supervisor") or demo.users.get("admin")
    v1, v2 = demo.users.get("salvage1"), demo.users.get("salvage2")
    added = 0
    now = utcnow()
    for i, (target, description, source, estimate, reserve) in enumerate(LOTS):
        if db.session.scalar(sa.select(SalvageLot.id).where(SalvageLot.description == description)):
            continue
        claim = claims[i % len(claims)]
        lot = services.create_lot(actor=staff, claim_no=claim.claim_no, description=description,
                                  estimated_value=Decimal(estimate), reserve_price=Decimal(reserve),
                                  bidding_closes_at=now + timedelta(days=3), source=source,
                                  location="上海市嘉定区 安亭损余物资停车场 / Anting salvage yard, Jiading, Shanghai",
                                  now=now - timedelta(hours=2))
        added += 1
        if target == "open":
            continue
        base = Decimal(reserve)
        services.place_bid(lot, v1, base + Decimal("2500"), now=now - timedelta(minutes=90))
        services.place_bid(lot, v2, base + Decimal("1800"), now=now - timedelta(minutes=80))
        services.place_bid(lot, v2, base + Decimal("3200"), now=now - timedelta(minutes=70))
        services.close_lot(lot, staff, now=now - timedelta(minutes=60))
        if target == "closed":
            continue
        services.award_lot(lot, staff, now=now - timedelta(minutes=50))
        if target == "awarded":
            continue
        winner = v1 if lot.winner_id == v1.organization_id else v2
        services.add_photo(lot, winner, PNG, "pickup.png")
        services.record_pickup(lot, winner, now - timedelta(minutes=40), now=now)
        services.record_disposal(lot, winner, "dismantled", now - timedelta(minutes=30), now=now)
        services.book_proceeds(lot, winner, lot.amount, local_date(now), Decimal("1200"), now=now)
    return [f"salvage lots: {len(LOTS)} ({added} new)"]
