"""A lot as one viewer may see it (staff / bidder / winner), in bounded queries."""
from __future__ import annotations

import sqlalchemy as sa
from flask import url_for

from portal.plugin import db, utcnow

from . import services
from .facts import FACT_FIELDS
from .models import SalvageBid, SalvageLot


def own_best_bids(lot_ids: list[int], org_id: int) -> dict[int, object]:
    """``{lot_id: best amount}`` of one vendor's bids in the lots' current rounds: one query."""
    if not lot_ids:
        return {}
    rows = db.session.execute(
        sa.select(SalvageBid.lot_id, sa.func.max(SalvageBid.amount))
        .join(SalvageLot, SalvageLot.id == SalvageBid.lot_id)
        .where(SalvageBid.lot_id.in_(lot_ids), SalvageBid.vendor_id == org_id, SalvageBid.round == SalvageLot.round)
        .group_by(SalvageBid.lot_id)).all()
    return dict(rows)


def lot_dict(lot: SalvageLot, user, *, best=None, bids=None, photos=None, now=None) -> dict:
    now = now or utcnow()
    staff = services.is_staff(user)
    winner = services.is_winner(lot, user)
    full = staff or winner
    data = {
        "id": lot.id, "claim_no": lot.claim.claim_no, "description": lot.description, "source": lot.source,
        "location": lot.location, "estimated_value": lot.estimated_value,
        **{name: getattr(lot, name) for name in FACT_FIELDS},
        "reserve_price": lot.reserve_price if staff else None,
        "bidding_opens_at": lot.bidding_opens_at, "bidding_closes_at": lot.bidding_closes_at,
        "round": lot.round, "status": lot.status, "version": lot.version,
        "bid_count": lot.bid_count if staff else None,
        "my_best_bid": None if staff else best,
        "winner_id": lot.winner_id if full else None,
        "amount": lot.amount if full else None,
        "awarded_at": lot.awarded_at if full else None,
        "pickup_due_at": lot.pickup_due_at if full else None,
        "pickup_overdue": bool(full and lot.status == "awarded" and lot.pickup_due_at and lot.pickup_due_at < now),
        "picked_up_at": lot.picked_up_at if full else None,
        "disposal": lot.disposal if full else None,
        "disposed_at": lot.disposed_at if full else None,
        "proceeds_due_on": lot.proceeds_due_on if full else None,
        "proceeds_amount": lot.proceeds_amount if full else None,
        "booked_on": lot.proceeds_booked_on if full else None,
        "costs": lot.proceeds_costs if full else None,
        "net_recovery": lot.net_recovery if full else None,
        "below_estimate": lot.below_estimate if full else None,
        "created_at": lot.created_at,
        "updated_at": lot.updated_at,
    }
    if bids is not None:
        data["bids"] = bids
    if photos is not None:
        data["photos"] = [{"id": p.id, "kind": p.kind, "content_type": p.content_type, "size": p.size,
                           "created_at": p.created_at,
                           "url": url_for("salvage_api.get_photo", lot_id=lot.id, photo_id=p.id)} for p in photos]
    return data


def lot_detail(lot: SalvageLot, user) -> dict:
    bids = services.visible_bids(lot, user)
    best = None
    if not services.is_staff(user):
        current = [b.amount for b in bids if b.round == lot.round]
        best = max(current) if current else None
    return lot_dict(lot, user, best=best, bids=bids, photos=services.lot_photos(lot, user))


def lot_list(lots: list[SalvageLot], user) -> list[dict]:
    now = utcnow()
    best = {} if services.is_staff(user) else own_best_bids([lot.id for lot in lots], user.organization_id)
    return [lot_dict(lot, user, best=best.get(lot.id), now=now) for lot in lots]
