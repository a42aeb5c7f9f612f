"""``/api/v1/salvage-lots``: lots, sealed bids, close, award, pickup, disposal, proceeds."""
from __future__ import annotations

import sqlalchemy as sa
from flask import request

from portal.plugin import (ApiBlueprint, Claim, Invalid, api_user, apply_changes, authenticated, count_rows, db, org_kinds,
                          roles, send_upload)

from . import present, services
from .facts import FACT_FIELDS
from .models import SalvageLot
from .schemas import (BidCreate, BidPage, BidSchema, DisposalArgs, LotCreate, LotPage, LotQuery, LotSchema,
                      SalvagePhotoForm, PhotoSchema, PickupArgs, ProceedsArgs, ReopenArgs, VersionArgs)

blp = ApiBlueprint("salvage_api", __name__, write_scope="salvage:write", url_prefix="/salvage-lots",
                   description="Salvage lots (损余物资): sealed bids, award, pickup, proceeds")


def filtered_lots_stmt(user, status=None, claim_no=None, queue=None):
    stmt = services.visible_lots_stmt(user)
    if status:
        stmt = stmt.where(SalvageLot.status == status)
    if claim_no:
        stmt = stmt.where(SalvageLot.claim_id.in_(sa.select(Claim.id).where(Claim.claim_no == claim_no)))
    if queue == "overdue_pickups":
        stmt = stmt.where(SalvageLot.id.in_(services.overdue_pickups_stmt().with_only_columns(SalvageLot.id)))
    elif queue == "unbooked_proceeds":
        stmt = stmt.where(SalvageLot.status.in_(("picked_up", "disposed")))
    return stmt


@blp.route("", methods=["POST"])
@blp.arguments(LotCreate)
@blp.response(201, LotSchema)
@roles("staff")
def create_lot(data):
    """Open a lot for bids (staff)."""
    user = api_user()
    facts = {name: data.pop(name) for name in FACT_FIELDS if name in data}
    lot = services.create_lot(actor=user, facts=facts, **data)
    db.session.commit()
    return present.lot_detail(lot, user)


@blp.route("", methods=["GET"])
@blp.arguments(LotQuery, location="query")
@blp.response(200, LotPage)
@authenticated
def list_lots(args):
    """Staff: every lot. A vendor: open lots it may bid on, lots it bid on, lots it won."""
    user = api_user()
    services.close_due_lots()
    stmt = filtered_lots_stmt(user, args.get("status"), args.get("claim_no"), args.get("queue"))
    stmt = apply_changes(stmt, args, SalvageLot.updated_at, SalvageLot.id, default_order=(SalvageLot.id.desc(),))
    total = count_rows(stmt)
    page, per_page = args["page"], args["per_page"]
    lots = db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return {"items": present.lot_list(list(lots), user), "page": page, "per_page": per_page, "total": total}


@blp.route("/<int:lot_id>", methods=["GET"])
@blp.response(200, LotSchema)
@authenticated
def get_lot(lot_id):
    user = api_user()
    return present.lot_detail(services.get_visible_lot(lot_id, user), user)


@blp.route("/<int:lot_id>/bids", methods=["POST"])
@blp.arguments(BidCreate)
@blp.response(201, BidSchema)
@org_kinds("salvage_vendor")
def place_bid(data, lot_id):
    """A sealed bid (an eligible vendor, while the lot is open). Raise by bidding again."""
    user = api_user()
    services.require_eligible_vendor(user)
    lot = services.get_visible_lot(lot_id, user)
    bid = services.place_bid(lot, user, data["amount"])
    db.session.commit()
    return bid


@blp.route("/<int:lot_id>/bids", methods=["GET"])
@blp.response(200, BidPage)
@authenticated
def list_bids(lot_id):
    """Staff: the bid table once bidding is closed. A vendor: its own bids only."""
    user = api_user()
    lot = services.get_visible_lot(lot_id, user)
    return {"items": services.visible_bids(lot, user)}


@blp.route("/<int:lot_id>/close", methods=["POST"])
@blp.arguments(VersionArgs)
@blp.response(200, LotSchema)
@roles("staff")
def close_lot(data, lot_id):
    """End bidding early (staff)."""
    user = api_user()
    lot = services.get_visible_lot(lot_id, user)
    services.close_lot(lot, user, expected_version=data.get("version"))
    db.session.commit()
    return present.lot_detail(lot, user)


@blp.route("/<int:lot_id>/award", methods=["POST"])
@blp.arguments(VersionArgs)
@blp.response(200, LotSchema)
@roles("staff")
def award_lot(data, lot_id):
    """Award to the highest bid at or above reserve, ties to the earlier bid; otherwise
    ``no_sale``. Before the close → 409 ``invalid_state``."""
    user = api_user()
    lot = services.get_visible_lot(lot_id, user)
    services.award_lot(lot, user, expected_version=data.get("version"))
    db.session.commit()
    return present.lot_detail(lot, user)


@blp.route("/<int:lot_id>/reopen", methods=["POST"])
@blp.arguments(ReopenArgs)
@blp.response(200, LotSchema)
@roles("staff")
def reopen_lot(data, lot_id):
    """A ``no_sale`` lot back to bidding in a new round (staff; the reserve may change)."""
    user = api_user()
    lot = services.get_visible_lot(lot_id, user)
    services.reopen_lot(lot, user, data["bidding_closes_at"], data.get("reserve_price"),
                        expected_version=data.get("version"))
    db.session.commit()
    return present.lot_detail(lot, user)


@blp.route("/<int:lot_id>/photos", methods=["POST"])
@blp.arguments(SalvagePhotoForm, location="form")
@blp.response(201, PhotoSchema)
@authenticated
def upload_photo(data, lot_id):
    """Multipart ``file`` (JPEG, PNG or WebP, checked by content): a pickup photo by the
    winner, or a lot photo by staff."""
    user = api_user()
    lot = services.get_visible_lot(lot_id, user)
    upload = request.files.get("file")
    if upload is None:
        raise Invalid.field("file", "Send the photo as multipart field 'file'.")
    photo = services.add_photo(lot, user, upload.read(), upload.filename, data.get("kind"))
    db.session.commit()
    return {"id": photo.id, "kind": photo.kind, "content_type": photo.content_type, "size": photo.size,
            "created_at": photo.created_at, "url": f"{request.path}/{photo.id}"}


@blp.route("/<int:lot_id>/photos/<int:photo_id>", methods=["GET"])
@blp.response(200, description="the photo")
@authenticated
def get_photo(lot_id, photo_id):
    """A lot's photo, for staff and the winner only."""
    user = api_user()
    lot = services.get_visible_lot(lot_id, user)
    photo, path = services.get_photo(lot, photo_id, user)
    return send_upload(services.PHOTO_AREA, photo.stored_name, photo.content_type, photo.original_name)


@blp.route("/<int:lot_id>/pickup", methods=["POST"])
@blp.arguments(PickupArgs)
@blp.response(200, LotSchema)
@authenticated
def record_pickup(data, lot_id):
    """The winner records the pickup; a pickup photo must be uploaded first (else 422)."""
    user = api_user()
    lot = services.get_visible_lot(lot_id, user)
    services.record_pickup(lot, user, data.get("picked_up_at"))
    db.session.commit()
    return present.lot_detail(lot, user)


@blp.route("/<int:lot_id>/disposal", methods=["POST"])
@blp.arguments(DisposalArgs)
@blp.response(200, LotSchema)
@authenticated
def record_disposal(data, lot_id):
    """Sold or dismantled (the winner or staff)."""
    user = api_user()
    lot = services.get_visible_lot(lot_id, user)
    services.record_disposal(lot, user, data["kind"], data.get("at"))
    db.session.commit()
    return present.lot_detail(lot, user)


@blp.route("/<int:lot_id>/proceeds", methods=["POST"])
@blp.arguments(ProceedsArgs)
@blp.response(200, LotSchema)
@authenticated
def book_proceeds(data, lot_id):
    """Proceeds booked (the winner or staff) → ``settled`` with ``net_recovery`` and
    ``below_estimate``."""
    user = api_user()
    lot = services.get_visible_lot(lot_id, user)
    services.book_proceeds(lot, user, data["amount"], data["booked_on"], data.get("costs"))
    db.session.commit()
    return present.lot_detail(lot, user)
