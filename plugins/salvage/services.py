"""Salvage rules (损余物资处置): opening a lot, sealed bids, close, award, pickup,
disposal and proceeds. The API and the web forms both call these; they never commit
(except the close-on-read and scheduled jobs, which are facts of their own)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import sqlalchemy as sa

from portal.plugin import (T, ZERO, Forbidden, Invalid, InvalidState, Message, NotFound, Organization, StaleVersion,
                          StateMachine, db, emit, format_money, get_visible_claim, local_date, quantize, record_audit,
                          store_upload, upload_path, utcnow, working_days_ahead)

from .config import barred_grades, below_estimate_ratio, setting
from .facts import checked_facts
from .models import DISPOSALS, PHOTO_KINDS, SOURCES, SalvageBid, SalvageLot, SalvagePhoto
from .notices import eligible_vendor_ids

ENTITY = "salvage_lot"

# The lot's life, as a table (who may act is decided by the service functions below).
LOT_FLOW = StateMachine(ENTITY, SalvageLot, [
    T("open", "close", "closed"),            # staff early, or the clock (close-on-read / job)
    T("closed", "award", "awarded"),          # highest bid at or above reserve
    T("closed", "no_sale", "no_sale"),        # no bid at or above reserve: back to staff
    T("no_sale", "reopen", "open"),           # staff open a new bidding round
    T("awarded", "pickup", "picked_up"),      # the winner, with a photo
    T("picked_up", "dispose", "disposed"),    # sold or dismantled
    T("disposed", "book_proceeds", "settled"),  # amount, date, costs booked (入账)
])

SYSTEM = SimpleNamespace(id=None, organization_id=None, roles=())  # the clock acting
PICKUP_TOLERANCE = timedelta(minutes=5)  # a device clock a little ahead is not "the future"

# --------------------------------------------------------------------------- who may


def is_staff(user) -> bool:
    return bool(user is not None and user.is_insurer)


def vendor_is_eligible(org: Organization) -> bool:
    """Eligible to bid: a salvage vendor, active, and not graded in the barred grades (D)."""
    return (org.kind == "salvage_vendor" and org.status == "active"
            and (org.grade or "") not in barred_grades())


def require_eligible_vendor(user) -> Organization:
    org = user.organization
    if not vendor_is_eligible(org):
        raise Forbidden("Only active salvage vendors not barred by their grade may bid.")
    return org


def is_winner(lot: SalvageLot, user) -> bool:
    return lot.winner_id is not None and user is not None and user.organization_id == lot.winner_id


def _require_winner(lot: SalvageLot, user) -> None:
    """Only the winner: staff are told their role may not, anyone else sees nothing."""
    if is_winner(lot, user):
        return
    if is_staff(user):
        raise Forbidden("Only the winning vendor records this.")
    raise NotFound()


def _require_winner_or_staff(lot: SalvageLot, user) -> None:
    if not (is_staff(user) or is_winner(lot, user)):
        raise NotFound()


def _require_staff(user) -> None:
    if not is_staff(user):
        raise Forbidden()


# --------------------------------------------------------------------------- visibility


def visible_lots_stmt(user):
    """``select(SalvageLot)`` limited to what ``user`` may see: staff all; a vendor the
    open lots it is eligible for, the lots it bid on and the lots it won."""
    stmt = sa.select(SalvageLot)
    if is_staff(user):
        return stmt
    if user.org_kind != "salvage_vendor":
        return stmt.where(sa.false())
    org_id = user.organization_id
    bid_on = sa.select(SalvageBid.lot_id).where(SalvageBid.vendor_id == org_id)
    conditions = [SalvageLot.winner_id == org_id, SalvageLot.id.in_(bid_on)]
    if vendor_is_eligible(user.organization):
        conditions.append(SalvageLot.status == "open")
    return stmt.where(sa.or_(*conditions))


def find_lot(lot_id: int) -> SalvageLot:
    lot = db.session.get(SalvageLot, lot_id)
    if lot is None:
        raise NotFound()
    return lot


def get_visible_lot(lot_id: int, user) -> SalvageLot:
    """The lot, closed first if its bidding time has passed; another vendor's lot → 404."""
    lot = find_lot(lot_id)
    close_if_due(lot)
    if is_staff(user):
        return lot
    found = db.session.scalar(visible_lots_stmt(user).where(SalvageLot.id == lot_id).with_only_columns(SalvageLot.id))
    if found is None:
        raise NotFound()
    return lot


def visible_bids(lot: SalvageLot, user) -> list[SalvageBid]:
    """Sealed bids: before the close nobody sees amounts but their own (staff see none);
    after the close staff see the table, a vendor still only its own."""
    stmt = sa.select(SalvageBid).where(SalvageBid.lot_id == lot.id).order_by(
        SalvageBid.round.desc(), SalvageBid.amount.desc(), SalvageBid.created_at, SalvageBid.id)
    if is_staff(user):
        if lot.status == "open":
            stmt = stmt.where(SalvageBid.round < lot.round)
    else:
        stmt = stmt.where(SalvageBid.vendor_id == user.organization_id)
    return list(db.session.scalars(stmt))


# --------------------------------------------------------------------------- open a lot


def _validate_closes_at(closes_at: datetime | None, now: datetime, errors: dict) -> None:
    if closes_at is None:
        errors.setdefault("bidding_closes_at", []).append("Required.")
    elif closes_at <= now:
        errors.setdefault("bidding_closes_at", []).append("Must be in the future.")


def create_lot(*, actor, claim_no: str, description: str, estimated_value: Decimal, reserve_price: Decimal,
               bidding_closes_at: datetime, source: str = "total_loss", location: str | None = None,
               facts: dict | None = None, now: datetime | None = None) -> SalvageLot:
    """Staff open a lot for bids (开标), with what a bidder needs to know (``facts.py``)."""
    _require_staff(actor)
    now = now or utcnow()
    errors: dict[str, list[str]] = {}
    claim = None
    try:
        claim = get_visible_claim((claim_no or "").strip(), actor)
    except NotFound:
        errors["claim_no"] = ["No claim with this number."]
    if not (description or "").strip():
        errors["description"] = ["Required."]
    if estimated_value is None or estimated_value <= 0:
        errors["estimated_value"] = ["Must be more than zero."]
    if reserve_price is None or reserve_price < 0:
        errors["reserve_price"] = ["Must not be negative."]
    if source not in SOURCES:
        errors["source"] = [f"One of: {', '.join(SOURCES)}."]
    _validate_closes_at(bidding_closes_at, now, errors)
    kept = checked_facts({**(facts or {}), "source": source}, claim, errors)
    if errors:
        raise Invalid(errors)
    lot = SalvageLot(**kept, claim_id=claim.id, description=description.strip(), source=source,
                     location=(location or "").strip() or None, estimated_value=quantize(estimated_value),
                     reserve_price=quantize(reserve_price), bidding_opens_at=now, bidding_closes_at=bidding_closes_at,
                     status="open", version=1, created_by_id=actor.id, created_at=now)
    db.session.add(lot)
    db.session.flush()
    record_audit(ENTITY, lot.id, "create", {
        "status": [None, "open"], "claim_no": claim.claim_no, "estimated_value": lot.estimated_value,
        "reserve_price": lot.reserve_price, "bidding_closes_at": bidding_closes_at,
        **{k: v for k, v in kept.items() if v is not None}}, actor=actor)
    emit("salvage.opened", _payload(lot, claim_no=claim.claim_no,
                                    organization_ids=eligible_vendor_ids(db.session)))
    return lot


def _payload(lot: SalvageLot, **extra) -> dict:
    data = {"lot_id": lot.id, "description": lot.description, "status": lot.status,
            "bidding_closes_at": lot.bidding_closes_at.isoformat() if lot.bidding_closes_at else None,
            "created_by_id": lot.created_by_id}
    data.update(extra)
    return data


def _bidder_ids(lot: SalvageLot) -> list[int]:
    """The vendors that bid on the lot: the audience of its closing."""
    return sorted(set(db.session.scalars(sa.select(SalvageBid.vendor_id).where(SalvageBid.lot_id == lot.id))))


# --------------------------------------------------------------------------- bids


def place_bid(lot: SalvageLot, user, amount: Decimal, now: datetime | None = None) -> SalvageBid:
    """A sealed bid by an eligible vendor while the lot is open. Raising is allowed: a
    new bid must beat the vendor's own best. Concurrent bids all land: each takes the
    lot's row with a conditional UPDATE that also refuses a closed lot."""
    org = require_eligible_vendor(user)
    now = now or utcnow()
    if amount is None or amount <= 0:
        raise Invalid.field("amount", "Must be more than zero.")
    if lot.status != "open" or now >= lot.bidding_closes_at:
        raise InvalidState("Bidding on this lot has closed.", {"status": lot.status})
    result = db.session.execute(
        sa.update(SalvageLot)
        .where(SalvageLot.id == lot.id, SalvageLot.status == "open", SalvageLot.round == lot.round,
               SalvageLot.bidding_closes_at > now)
        # sealed bids: a bid is not a change of the lot that vendors poll (updated_at kept)
        .values(bid_count=SalvageLot.bid_count + 1, updated_at=SalvageLot.updated_at)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise InvalidState("Bidding on this lot has closed.")
    own_best = db.session.scalar(sa.select(sa.func.max(SalvageBid.amount)).where(
        SalvageBid.lot_id == lot.id, SalvageBid.round == lot.round, SalvageBid.vendor_id == org.id))
    if own_best is not None and quantize(amount) <= own_best:
        raise Invalid.field("amount", Message("Raise above your current bid of %(amount)s.", amount=own_best))
    bid = SalvageBid(lot_id=lot.id, round=lot.round, vendor_id=org.id, user_id=user.id,
                     amount=quantize(amount), created_at=now)
    db.session.add(bid)
    db.session.flush()
    return bid


def winning_bid(lot: SalvageLot) -> SalvageBid | None:
    """Highest bid of the current round at or above reserve; ties → the earlier bid
    (then the lower id). Bids of vendors no longer eligible (suspended, barred grade)
    are passed over."""
    barred = barred_grades()
    stmt = (sa.select(SalvageBid).join(Organization, Organization.id == SalvageBid.vendor_id)
            .where(SalvageBid.lot_id == lot.id, SalvageBid.round == lot.round,
                   SalvageBid.amount >= lot.reserve_price, Organization.status == "active",
                   sa.func.coalesce(Organization.grade, "").not_in(barred) if barred else sa.true())
            .order_by(SalvageBid.amount.desc(), SalvageBid.created_at, SalvageBid.id).limit(1))
    return db.session.scalars(stmt).first()


# --------------------------------------------------------------------------- close


def close_if_due(lot: SalvageLot, now: datetime | None = None) -> bool:
    """Close-on-read: a lot past its closing time is closed before anyone reads or bids
    on it (conditionally on its version; a concurrent close simply wins). Commits."""
    now = now or utcnow()
    if lot.status != "open" or lot.bidding_closes_at > now:
        return False
    try:
        LOT_FLOW.apply(lot, "close", SYSTEM, values={"closed_at": lot.bidding_closes_at},
                          audit={"by": "schedule", "bidding_closes_at": lot.bidding_closes_at})
        emit("salvage.closed", _payload(lot, organization_ids=_bidder_ids(lot)))
        db.session.commit()
    except StaleVersion:
        db.session.rollback()
        db.session.refresh(lot)
        return False
    return True


def close_due_lots(now: datetime | None = None) -> str:
    """Scheduled job ``salvage.close_due_lots``: close every lot whose time has come."""
    now = now or utcnow()
    ids = db.session.scalars(sa.select(SalvageLot.id).where(SalvageLot.status == "open",
                                                            SalvageLot.bidding_closes_at <= now)).all()
    closed = 0
    for lot_id in ids:
        lot = db.session.get(SalvageLot, lot_id)
        if lot is not None and close_if_due(lot, now):
            closed += 1
    return f"closed {closed} lot(s)"


def close_lot(lot: SalvageLot, actor, expected_version: int | None = None, now: datetime | None = None) -> SalvageLot:
    """Staff end bidding early (提前截标)."""
    _require_staff(actor)
    now = now or utcnow()
    LOT_FLOW.apply(lot, "close", actor, expected_version=expected_version, values={"closed_at": now},
                      audit={"by": "staff", "bidding_closes_at": lot.bidding_closes_at})
    emit("salvage.closed", _payload(lot, organization_ids=_bidder_ids(lot)))
    return lot


# --------------------------------------------------------------------------- award


def award_lot(lot: SalvageLot, actor, expected_version: int | None = None, now: datetime | None = None) -> SalvageLot:
    """Award to the highest bid at or above reserve (中标), or ``no_sale``. The pickup is
    due at close of business of the 2nd working day after the award (config)."""
    _require_staff(actor)
    now = now or utcnow()
    LOT_FLOW.transition(lot.status, "award")  # 409 invalid_state before the close
    best = winning_bid(lot)
    if best is None:
        LOT_FLOW.apply(lot, "no_sale", actor, expected_version=expected_version,
                          audit={"reserve_price": lot.reserve_price, "bids": lot.bid_count})
        emit("salvage.no_sale", _payload(lot))
        return lot
    due = working_days_ahead(now, int(setting("SALVAGE_PICKUP_WORKING_DAYS")),
                             setting("SALVAGE_PICKUP_CLOSE_OF_BUSINESS"))
    LOT_FLOW.apply(lot, "award", actor, expected_version=expected_version, values={
        "winner_id": best.vendor_id, "winning_bid_id": best.id, "amount": best.amount,
        "awarded_at": now, "pickup_due_at": due,
    }, audit={"winner_id": [None, best.vendor_id], "amount": [None, best.amount], "pickup_due_at": due})
    emit("salvage_lot.awarded", _payload(lot, winner_id=best.vendor_id, amount=format_money(best.amount),
                                         pickup_due_at=due.isoformat(), organization_ids=[best.vendor_id]))
    losers = [v for v in _bidder_ids(lot) if v != best.vendor_id]
    if losers:   # no amounts, no winner: a vendor never learns another's bid
        emit("salvage_lot.lost", _payload(lot, organization_ids=losers))
    return lot


def reopen_lot(lot: SalvageLot, actor, bidding_closes_at: datetime, reserve_price: Decimal | None = None,
               expected_version: int | None = None, now: datetime | None = None) -> SalvageLot:
    """A lot without a sale goes back to bidding in a new round (bids of earlier rounds
    no longer count); staff may lower the reserve."""
    _require_staff(actor)
    now = now or utcnow()
    LOT_FLOW.transition(lot.status, "reopen")
    errors: dict[str, list[str]] = {}
    _validate_closes_at(bidding_closes_at, now, errors)
    if reserve_price is not None and reserve_price < 0:
        errors["reserve_price"] = ["Must not be negative."]
    if errors:
        raise Invalid(errors)
    values = {"bidding_closes_at": bidding_closes_at, "bidding_opens_at": now, "round": lot.round + 1,
              "bid_count": 0, "closed_at": None}
    audit = {"round": [lot.round, lot.round + 1], "bidding_closes_at": [lot.bidding_closes_at, bidding_closes_at]}
    if reserve_price is not None:
        values["reserve_price"] = quantize(reserve_price)
        audit["reserve_price"] = [lot.reserve_price, quantize(reserve_price)]
    LOT_FLOW.apply(lot, "reopen", actor, expected_version=expected_version, values=values, audit=audit)
    emit("salvage.opened", _payload(lot, claim_no=lot.claim.claim_no,
                                    organization_ids=eligible_vendor_ids(db.session)))
    return lot


# --------------------------------------------------------------------------- photos


PHOTO_AREA = "salvage"   # the folder under UPLOAD_FOLDER


def add_photo(lot: SalvageLot, user, data: bytes, filename: str | None = None, kind: str | None = None) -> SalvagePhoto:
    """A pickup photo by the winner (awarded or picked up), or a lot photo by staff."""
    if is_staff(user):
        kind = kind or "lot"
    else:
        _require_winner(lot, user)
        kind = "pickup"
        if lot.status not in ("awarded", "picked_up"):
            raise InvalidState("Pickup photos are taken between the award and the pickup.", {"status": lot.status})
    if kind not in PHOTO_KINDS:
        raise Invalid.field("kind", f"One of: {', '.join(PHOTO_KINDS)}.")
    if not data:
        raise Invalid.field("file", "Choose a photo to upload.")
    kept = store_upload(data, PHOTO_AREA, organization_id=user.organization_id,
                        refused="Only JPEG, PNG or WebP photos are accepted.")
    photo = SalvagePhoto(lot_id=lot.id, kind=kind, stored_name=kept.stored_name,
                         original_name=(filename or "")[:200] or None,
                         content_type=kept.content_type, size=kept.size, uploaded_by_id=user.id,
                         organization_id=user.organization_id)
    db.session.add(photo)
    db.session.flush()
    record_audit(ENTITY, lot.id, "photo", {"photo_id": photo.id, "kind": kind, "size": len(data)}, actor=user)
    return photo


def lot_photos(lot: SalvageLot, user) -> list[SalvagePhoto]:
    """Staff and the winner see every photo; a bidder who may see the lot, staff's lot photos."""
    stmt = sa.select(SalvagePhoto).where(SalvagePhoto.lot_id == lot.id).order_by(SalvagePhoto.id)
    if not (is_staff(user) or is_winner(lot, user)):
        stmt = stmt.where(SalvagePhoto.kind == "lot")
    return list(db.session.scalars(stmt))


def get_photo(lot: SalvageLot, photo_id: int, user) -> tuple[SalvagePhoto, Path]:
    """A photo to whom :func:`lot_photos` shows it (``lot`` already visible); else 404."""
    photo = db.session.scalar(sa.select(SalvagePhoto).where(SalvagePhoto.id == photo_id,
                                                            SalvagePhoto.lot_id == lot.id))
    if photo is None or (photo.kind != "lot" and not (is_staff(user) or is_winner(lot, user))):
        raise NotFound()
    return photo, upload_path(PHOTO_AREA, photo.stored_name)


# --------------------------------------------------------------------------- after the award


def record_pickup(lot: SalvageLot, user, picked_up_at: datetime | None = None, now: datetime | None = None) -> SalvageLot:
    """The winner records the pickup (提货), which needs a pickup photo uploaded first."""
    _require_winner(lot, user)
    now = now or utcnow()
    LOT_FLOW.transition(lot.status, "pickup")
    picked_up_at = picked_up_at or now
    errors: dict[str, list[str]] = {}
    has_photo = db.session.scalar(sa.select(sa.func.count()).select_from(SalvagePhoto).where(
        SalvagePhoto.lot_id == lot.id, SalvagePhoto.kind == "pickup"))
    if not has_photo:
        errors["photo"] = ["Upload a pickup photo first."]
    if picked_up_at > now + PICKUP_TOLERANCE:
        errors.setdefault("picked_up_at", []).append("Must not be in the future.")
    elif lot.awarded_at and picked_up_at < lot.awarded_at:
        errors.setdefault("picked_up_at", []).append("Must not be before the award.")
    if errors:
        raise Invalid(errors)
    proceeds_due = local_date(working_days_ahead(picked_up_at, int(setting("SALVAGE_PROCEEDS_WORKING_DAYS"))))
    late = bool(lot.pickup_due_at and picked_up_at > lot.pickup_due_at)
    LOT_FLOW.apply(lot, "pickup", user, values={"picked_up_at": picked_up_at, "proceeds_due_on": proceeds_due},
                      audit={"picked_up_at": picked_up_at, "late": late})
    emit("salvage.picked_up", _payload(lot, winner_id=lot.winner_id, late=late, organization_ids=[lot.winner_id]))
    return lot


def record_disposal(lot: SalvageLot, user, kind: str, at: datetime | None = None, now: datetime | None = None) -> SalvageLot:
    """Sold on or dismantled (出售/拆解), recorded by the winner or staff."""
    _require_winner_or_staff(lot, user)
    now = now or utcnow()
    LOT_FLOW.transition(lot.status, "dispose")
    at = at or now
    errors: dict[str, list[str]] = {}
    if kind not in DISPOSALS:
        errors["kind"] = [f"One of: {', '.join(DISPOSALS)}."]
    if at > now + PICKUP_TOLERANCE:
        errors["at"] = ["Must not be in the future."]
    elif lot.picked_up_at and at < lot.picked_up_at:
        errors["at"] = ["Must not be before the pickup."]
    if errors:
        raise Invalid(errors)
    LOT_FLOW.apply(lot, "dispose", user, values={"disposal": kind, "disposed_at": at},
                      audit={"disposal": [None, kind], "disposed_at": at})
    return lot


def net_recovery_of(amount: Decimal, costs: Decimal) -> Decimal:
    """Net recovery (净回收) = amount booked − costs."""
    return quantize(amount - (costs or ZERO))


def is_below_estimate(net: Decimal, estimated_value: Decimal) -> bool:
    """Flagged for review when net recovery is under 80% (config) of the estimate."""
    return net < quantize(estimated_value * below_estimate_ratio())


def book_proceeds(lot: SalvageLot, user, amount: Decimal, booked_on: date, costs: Decimal | None = None,
                  now: datetime | None = None) -> SalvageLot:
    """Proceeds booked (入账) by the winner or staff: amount, date, costs → settled."""
    _require_winner_or_staff(lot, user)
    now = now or utcnow()
    LOT_FLOW.transition(lot.status, "book_proceeds")
    costs = costs if costs is not None else ZERO
    errors: dict[str, list[str]] = {}
    if amount is None or amount < 0:
        errors["amount"] = ["Must not be negative."]
    if costs < 0:
        errors["costs"] = ["Must not be negative."]
    if booked_on is None:
        errors["booked_on"] = ["Required."]
    elif booked_on > local_date(now):
        errors["booked_on"] = ["Must not be in the future."]
    elif lot.picked_up_at and booked_on < local_date(lot.picked_up_at):
        errors["booked_on"] = ["Must not be before the pickup."]
    if errors:
        raise Invalid(errors)
    net = net_recovery_of(amount, costs)
    below = is_below_estimate(net, lot.estimated_value)
    LOT_FLOW.apply(lot, "book_proceeds", user, values={
        "proceeds_amount": quantize(amount), "proceeds_booked_on": booked_on, "proceeds_costs": quantize(costs),
        "net_recovery": net, "below_estimate": below, "settled_at": now,
    }, audit={"proceeds_amount": quantize(amount), "booked_on": booked_on, "costs": quantize(costs),
              "net_recovery": net, "below_estimate": below})
    emit("salvage.settled", _payload(lot, net_recovery=format_money(net), below_estimate=below))
    return lot


# --------------------------------------------------------------------------- overdue pickups


def overdue_pickups_stmt(now: datetime | None = None):
    now = now or utcnow()
    return sa.select(SalvageLot).where(SalvageLot.status == "awarded", SalvageLot.pickup_due_at < now)


def unbooked_proceeds_stmt():
    return sa.select(SalvageLot).where(SalvageLot.status.in_(("picked_up", "disposed")))


def flag_overdue_pickups(now: datetime | None = None) -> str:
    """Scheduled job ``salvage.flag_overdue_pickups``: each overdue pickup is flagged and
    announced once (audit row + ``salvage.pickup_overdue`` event)."""
    now = now or utcnow()
    ids = db.session.scalars(sa.select(SalvageLot.id).where(
        SalvageLot.status == "awarded", SalvageLot.pickup_due_at < now,
        SalvageLot.pickup_overdue_flagged_at.is_(None))).all()
    flagged = 0
    for lot_id in ids:
        result = db.session.execute(
            sa.update(SalvageLot).where(SalvageLot.id == lot_id, SalvageLot.pickup_overdue_flagged_at.is_(None),
                                        SalvageLot.status == "awarded")
            .values(pickup_overdue_flagged_at=now).execution_options(synchronize_session=False))
        if result.rowcount != 1:
            continue
        lot = db.session.get(SalvageLot, lot_id)
        db.session.refresh(lot)
        record_audit(ENTITY, lot.id, "pickup_overdue", {"pickup_due_at": lot.pickup_due_at}, actor=SYSTEM)
        emit("salvage.pickup_overdue", _payload(lot, winner_id=lot.winner_id, organization_ids=[lot.winner_id],
                                                pickup_due_at=lot.pickup_due_at.isoformat()))
        db.session.commit()
        flagged += 1
    return f"flagged {flagged} overdue pickup(s)"


# --------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class PeriodRecovery:
    period: str
    lots: int
    estimate: Decimal
    net: Decimal


def recovery_by_month(start: date, end: date) -> list[PeriodRecovery]:
    """Net recovery and estimate of settled lots per month in which the proceeds were
    booked (``proceeds_booked_on``, a date: no zone arithmetic), aggregated in SQL."""
    if db.engine.dialect.name == "postgresql":
        month = sa.func.to_char(SalvageLot.proceeds_booked_on, "YYYY-MM")
    else:
        month = sa.func.strftime("%Y-%m", SalvageLot.proceeds_booked_on)
    rows = db.session.execute(
        sa.select(month.label("m"), sa.func.count(), sa.func.sum(SalvageLot.estimated_value),
                  sa.func.sum(SalvageLot.net_recovery))
        .where(SalvageLot.status == "settled", SalvageLot.proceeds_booked_on >= start,
               SalvageLot.proceeds_booked_on < end)
        .group_by(month).order_by(month)).all()
    return [PeriodRecovery(m, n, e if e is not None else ZERO, v if v is not None else ZERO) for m, n, e, v in rows]
