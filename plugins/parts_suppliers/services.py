"""The rules of the parts-suppliers plugin. Services raise ``portal.errors`` and never
commit: the API view, web view or CLI command commits once."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from portal.plugin import (T, Forbidden, Invalid, MoneyError, NotFound, Organization, StateMachine, db, emit,
                          local_now, parse_money, record_audit, utcnow)

from .models import QUALITIES, LaborRate, LocalizedPrice, PriceFeedback, PriceList, PriceListItem, RegionalStandard
from .pricefile import normalize_part_no

PRICE_LIST_FLOW = StateMachine("price_list", PriceList, [
    T("pending", "approve", "current", "pricing"),
    T("pending", "reject", "rejected", "pricing"),
    T("pending", "supersede", "superseded"),   # a newer upload replaces a pending version
    T("current", "supersede", "superseded"),   # a newer version was approved
    T("pending", "withdraw", "withdrawn"),      # the supplier takes back its pending version
])

FEEDBACK_FLOW = StateMachine("price_feedback", PriceFeedback, [
    T("open", "answer", "answered", "pricing"),
])

def current_list(supplier_id: int) -> PriceList | None:
    return db.session.scalar(sa.select(PriceList).where(PriceList.supplier_id == supplier_id,
                                                        PriceList.status == "current"))


def diff_counts(new_id: int, base_id: int | None) -> dict:
    """``{added, removed, up, down}`` of a version against the one it would replace."""
    n, b = aliased(PriceListItem), aliased(PriceListItem)
    added = db.session.scalar(sa.select(sa.func.count()).select_from(n).where(n.price_list_id == new_id))
    if base_id is None:
        return {"added": added, "removed": 0, "up": 0, "down": 0}
    same_key = sa.and_(b.part_no == n.part_no, b.quality == n.quality)
    matched = db.session.execute(
        sa.select(sa.func.count(),
                  sa.func.coalesce(sa.func.sum(sa.case((n.unit_price > b.unit_price, 1), else_=0)), 0),
                  sa.func.coalesce(sa.func.sum(sa.case((n.unit_price < b.unit_price, 1), else_=0)), 0))
        .select_from(n).join(b, sa.and_(same_key, b.price_list_id == base_id))
        .where(n.price_list_id == new_id)).one()
    base_rows = db.session.scalar(sa.select(sa.func.count()).select_from(b).where(b.price_list_id == base_id))
    return {"added": added - matched[0], "removed": base_rows - matched[0],
            "up": int(matched[1]), "down": int(matched[2])}


DIFF_KINDS = ("up", "down", "added", "removed")


def diff_changes(pl: PriceList, kind: str, limit: int = 50, offset: int = 0) -> list[dict]:
    """The lines behind one diff count, biggest moves first."""
    if kind not in DIFF_KINDS:
        raise Invalid.field("kind", "Unknown kind of change.")
    n, b = aliased(PriceListItem), aliased(PriceListItem)
    if kind in ("up", "down"):
        if pl.base_list_id is None:
            return []
        move = (n.unit_price - b.unit_price) if kind == "up" else (b.unit_price - n.unit_price)
        stmt = (sa.select(n.part_no, n.quality, n.name, b.unit_price, n.unit_price)
                .join(b, sa.and_(b.part_no == n.part_no, b.quality == n.quality, b.price_list_id == pl.base_list_id))
                .where(n.price_list_id == pl.id, move > 0).order_by(move.desc(), n.part_no))
    else:
        this, other = (n, b)
        this_id, other_id = (pl.id, pl.base_list_id) if kind == "added" else (pl.base_list_id, pl.id)
        if this_id is None:
            return []
        exists = (sa.select(1).where(other.price_list_id == other_id, other.part_no == this.part_no,
                                     other.quality == this.quality).exists())
        stmt = (sa.select(this.part_no, this.quality, this.name, this.unit_price)
                .where(this.price_list_id == this_id, ~exists if other_id is not None else sa.true())
                .order_by(this.unit_price.desc(), this.part_no))
    out = []
    for row in db.session.execute(stmt.limit(limit).offset(offset)):
        if kind in ("up", "down"):
            old, new = row[3], row[4]
            out.append({"part_no": row[0], "quality": row[1], "name": row[2], "old_price": old, "new_price": new,
                        "change": new - old, "change_ratio": ((new - old) / old).quantize(Decimal("0.0001"))})
        else:
            price = row[3]
            out.append({"part_no": row[0], "quality": row[1], "name": row[2],
                        "old_price": price if kind == "removed" else None,
                        "new_price": price if kind == "added" else None,
                        "change": None, "change_ratio": None})
    return out


def visible_price_lists_stmt(user):
    """Price lists a user may see: a supplier its own, insurer staff all; else none."""
    stmt = sa.select(PriceList)
    if user.is_insurer:
        return stmt
    if user.org_kind == "parts_supplier":
        return stmt.where(PriceList.supplier_id == user.organization_id)
    raise Forbidden()


def get_visible_price_list(list_id: int, user) -> PriceList:
    pl = db.session.scalar(visible_price_lists_stmt(user).where(PriceList.id == list_id))
    if pl is None:
        raise NotFound("No such price list.")
    return pl


def approve_price_list(pl: PriceList, actor, expected_version: int | None = None, note: str | None = None) -> PriceList:
    """Pricing staff approve a pending version: it becomes current, the previous
    current version is superseded (and kept); the catalog flags follow in bulk."""
    old = current_list(pl.supplier_id)
    PRICE_LIST_FLOW.apply(pl, "approve", actor, expected_version=expected_version,
                             values={"approved_by_id": getattr(actor, "id", None), "approved_at": utcnow(),
                                     "decision_note": note},
                             audit={"previous_current": old.id if old else None})
    if old is not None:
        PRICE_LIST_FLOW.apply(old, "supersede", actor, check_roles=False, audit={"by_list": pl.id})
        emit("price_list.superseded", {"price_list_id": old.id, "supplier_id": old.supplier_id,
                                       "organization_ids": [old.supplier_id], "list_version": old.list_version,
                                       "by_price_list_id": pl.id})
        db.session.execute(sa.update(PriceListItem).where(PriceListItem.price_list_id == old.id)
                           .values(is_current=False).execution_options(synchronize_session=False))
    db.session.execute(sa.update(PriceListItem).where(PriceListItem.price_list_id == pl.id)
                       .values(is_current=True).execution_options(synchronize_session=False))
    emit("price_list.approved", {"price_list_id": pl.id, "supplier_id": pl.supplier_id,
                                 "organization_ids": [pl.supplier_id],
                                 "list_version": pl.list_version})
    return pl


def reject_price_list(pl: PriceList, actor, note: str | None = None, expected_version: int | None = None) -> PriceList:
    PRICE_LIST_FLOW.apply(pl, "reject", actor, expected_version=expected_version,
                             values={"approved_by_id": getattr(actor, "id", None), "approved_at": utcnow(),
                                     "decision_note": (note or "")[:500] or None},
                             audit={"note": note})
    emit("price_list.rejected", {"price_list_id": pl.id, "supplier_id": pl.supplier_id,
                                 "organization_ids": [pl.supplier_id],
                                 "list_version": pl.list_version, "note": note or ""})
    return pl


def withdraw_price_list(pl: PriceList, actor, expected_version: int | None = None) -> PriceList:
    """The supplier takes back a pending version before pricing staff decide on it; its
    current version (if any) stays in force. Another organization's list → 404."""
    if getattr(actor, "organization_id", None) != pl.supplier_id:
        if getattr(actor, "is_insurer", False):
            raise Forbidden("Only the supplier withdraws its own price list.")
        raise NotFound("No such price list.")
    PRICE_LIST_FLOW.apply(pl, "withdraw", actor, expected_version=expected_version,
                          audit={"list_version": pl.list_version})
    emit("price_list.withdrawn", {"price_list_id": pl.id, "supplier_id": pl.supplier_id,
                                  "organization_ids": [pl.supplier_id], "list_version": pl.list_version})
    return pl


def pending_list(supplier_id: int) -> PriceList | None:
    """The supplier's version awaiting approval (a new upload supersedes it)."""
    return db.session.scalar(sa.select(PriceList).where(PriceList.supplier_id == supplier_id,
                                                        PriceList.status == "pending")
                             .order_by(PriceList.id.desc()).limit(1))


# --------------------------------------------------------------------------- reference prices


def _check_quality(quality: str) -> str:
    if quality not in QUALITIES:
        raise Invalid.field("quality", f"One of: {', '.join(QUALITIES)}.")
    return quality


def _money(name: str, value, *, allow_zero: bool = False) -> Decimal:
    try:
        return parse_money(value, allow_zero=allow_zero)
    except MoneyError as exc:
        raise Invalid.field(name, str(exc)) from None


def reference_price(part_no: str, quality: str, region: str):
    from .catalog import PriceCatalog

    _check_quality(quality)
    found = PriceCatalog().reference_prices([(part_no, quality)], region)
    ref = found.get((part_no, quality))
    if ref is None:
        raise NotFound("No reference price for this part, grade and region.")
    return ref


def reference_price_for(user, part_no: str, quality: str, region: str) -> dict:
    """The reference price as ``user`` may read it (security review M5): staff see the supplier
    whose price it is; a partner never sees another supplier's identity, and a parts supplier
    never another supplier's exact price (only whether the reference is localized or a
    supplier's, and its own price when the reference is its own)."""
    ref = reference_price(part_no, quality, region)
    answer = {"part_no": ref.part_no, "quality": ref.quality, "price": ref.price, "source": ref.source,
              "supplier_id": ref.supplier_id}
    if user.is_insurer:
        return answer
    own = ref.supplier_id is not None and ref.supplier_id == user.organization_id
    answer["supplier_id"] = ref.supplier_id if own else None
    if user.org_kind == "parts_supplier" and ref.source == "supplier" and not own:
        answer["price"] = None   # a competitor's list price
    return answer


def set_localized_price(part_no: str, quality: str, region: str, price, actor) -> LocalizedPrice:
    """Pricing staff set a localized price (本地化价格); a new row each time (history)."""
    part_no = normalize_part_no(part_no)
    if not part_no or len(part_no) > 64:
        raise Invalid.field("part_no", "A part number of at most 64 characters.")
    _check_quality(quality)
    region = (region or "").strip()
    if not region or len(region) > 64:
        raise Invalid.field("region", "Name the region.")
    price = _money("price", price)
    previous = latest_localized(part_no, quality, region)
    row = LocalizedPrice(part_no=part_no, quality=quality, region=region, price=price,
                         set_by_id=getattr(actor, "id", None), set_at=utcnow())
    db.session.add(row)
    db.session.flush()
    record_audit("localized_price", row.id, "set", {"part_no": part_no, "quality": quality, "region": region,
                                                    "price": [previous.price if previous else None, price]},
                 actor=actor)
    return row


def latest_localized(part_no: str, quality: str, region: str) -> LocalizedPrice | None:
    return db.session.scalar(sa.select(LocalizedPrice).where(
        LocalizedPrice.part_no == part_no, LocalizedPrice.quality == quality, LocalizedPrice.region == region)
        .order_by(LocalizedPrice.id.desc()).limit(1))


def current_localized_stmt():
    """The localized prices in force (the latest row of each part, grade and region)."""
    latest = (sa.select(sa.func.max(LocalizedPrice.id))
              .group_by(LocalizedPrice.part_no, LocalizedPrice.quality, LocalizedPrice.region))
    return sa.select(LocalizedPrice).where(LocalizedPrice.id.in_(latest))


# --------------------------------------------------------------------------- rates


def get_garage(org_id: int) -> Organization:
    org = db.session.get(Organization, org_id)
    if org is None:
        raise NotFound("No such organization.")
    if org.kind != "garage":
        raise Invalid.field("organization_id", "Labour rates are set for garages only.")
    return org


def set_labor_rate(org_id: int, rate, actor, effective_from: date | None = None) -> LaborRate:
    """Approve a garage's hourly labour rate (工时费标准); history kept."""
    garage = get_garage(org_id)
    rate = _money("rate", rate)
    previous = current_labor_rate(garage.id)
    row = LaborRate(garage_id=garage.id, rate=rate, effective_from=effective_from or local_now().date(),
                    approved_by_id=getattr(actor, "id", None), approved_at=utcnow())
    db.session.add(row)
    db.session.flush()
    record_audit("organization", garage.id, "labor_rate",
                 {"labor_rate": [previous.rate if previous else None, rate],
                  "effective_from": row.effective_from}, actor=actor)
    return row


def labor_rate_in_force(garage_id: int, on: date | None = None) -> sa.Select:
    """The garage's agreed labour rate row in force on ``on`` (today): the latest effective."""
    on = on or local_now().date()
    return (sa.select(LaborRate).where(LaborRate.garage_id == garage_id, LaborRate.effective_from <= on)
            .order_by(LaborRate.effective_from.desc(), LaborRate.id.desc()).limit(1))


def standard_in_force(region: str) -> sa.Select:
    """The region's standard (labour rate, towing fee) row in force: the latest set."""
    return (sa.select(RegionalStandard).where(RegionalStandard.region == region)
            .order_by(RegionalStandard.id.desc()).limit(1))


def current_labor_rate(garage_id: int, on: date | None = None) -> LaborRate | None:
    return db.session.scalar(labor_rate_in_force(garage_id, on))


def latest_standard(region: str) -> RegionalStandard | None:
    return db.session.scalar(standard_in_force(region))


def set_regional_standard(region: str, actor, labor_rate=None, towing_fee=None) -> RegionalStandard:
    """A region's standard labour rate and towing fee schedule; a value left out keeps
    the one in force. History kept."""
    region = (region or "").strip()
    if not region or len(region) > 64:
        raise Invalid.field("region", "Name the region.")
    if labor_rate is None and towing_fee is None:
        raise Invalid({"labor_rate": ["Give a labour rate or a towing fee."],
                       "towing_fee": ["Give a labour rate or a towing fee."]})
    previous = latest_standard(region)
    new_rate = _money("labor_rate", labor_rate) if labor_rate is not None else (previous.labor_rate if previous else None)
    new_fee = _money("towing_fee", towing_fee) if towing_fee is not None else (previous.towing_fee if previous else None)
    row = RegionalStandard(region=region, labor_rate=new_rate, towing_fee=new_fee,
                           set_by_id=getattr(actor, "id", None), set_at=utcnow())
    db.session.add(row)
    db.session.flush()
    record_audit("regional_standard", region, "set",
                 {"labor_rate": [previous.labor_rate if previous else None, new_rate],
                  "towing_fee": [previous.towing_fee if previous else None, new_fee]}, actor=actor)
    return row


def current_standards_stmt():
    latest = sa.select(sa.func.max(RegionalStandard.id)).group_by(RegionalStandard.region)
    return sa.select(RegionalStandard).where(RegionalStandard.id.in_(latest)).order_by(RegionalStandard.region)


# --------------------------------------------------------------------------- price feedback


def create_feedback(actor, *, part_no: str, quality: str, region: str, comment: str = "",
                    quote_id: int | None = None, suggested_price=None) -> PriceFeedback:
    """An assessor or supervisor reports a reference price that looks wrong (价格反馈)."""
    if not (actor.is_insurer and actor.has_role("assessor", "supervisor")):
        raise Forbidden()
    part_no = normalize_part_no(part_no)
    errors = {}
    if not part_no or len(part_no) > 64:
        errors["part_no"] = ["A part number of at most 64 characters."]
    if quality not in QUALITIES:
        errors["quality"] = [f"One of: {', '.join(QUALITIES)}."]
    region = (region or "").strip()
    if not region or len(region) > 64:
        errors["region"] = ["Name the region."]
    comment = (comment or "").strip()
    if not comment and suggested_price is None:
        errors["comment"] = ["Say what is wrong with the price, or suggest one."]
    if len(comment) > 2000:
        errors["comment"] = ["At most 2000 characters."]
    if suggested_price is not None:
        try:
            suggested_price = parse_money(suggested_price, allow_zero=False)
        except MoneyError as exc:
            errors["suggested_price"] = [str(exc)]
    if errors:
        raise Invalid(errors)
    from .catalog import PriceCatalog

    ref = PriceCatalog().reference_prices([(part_no, quality)], region).get((part_no, quality))
    fb = PriceFeedback(part_no=part_no, quality=quality, region=region, quote_id=quote_id, comment=comment,
                       suggested_price=suggested_price, from_user_id=actor.id, status="open",
                       reference_price=ref.price if ref else None,
                       reference_supplier_id=ref.supplier_id if ref else None, created_at=utcnow())
    db.session.add(fb)
    db.session.flush()
    record_audit("price_feedback", fb.id, "create", {"status": [None, "open"], "part_no": part_no,
                                                     "quality": quality, "region": region}, actor=actor)
    emit("price_feedback.created", {"feedback_id": fb.id, "part_no": part_no, "quality": quality})
    return fb


def get_feedback(feedback_id: int, user) -> PriceFeedback:
    fb = db.session.get(PriceFeedback, feedback_id)
    if fb is None or not user.is_insurer:
        raise NotFound("No such feedback.")
    return fb


def answer_feedback(fb: PriceFeedback, answer: str, actor, expected_version: int | None = None) -> PriceFeedback:
    answer = (answer or "").strip()
    if not answer:
        raise Invalid.field("answer", "Write an answer.")
    if len(answer) > 2000:
        raise Invalid.field("answer", "At most 2000 characters.")
    FEEDBACK_FLOW.apply(fb, "answer", actor, expected_version=expected_version,
                           values={"answer": answer, "answered_by_id": actor.id, "answered_at": utcnow()})
    emit("price_feedback.answered", {"feedback_id": fb.id, "user_id": fb.from_user_id, "part_no": fb.part_no})
    return fb
