"""Marshmallow schemas of the salvage API (``/api/v1/salvage-lots``)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from portal.plugin import LocalDateTime, MoneyField, PlausibleDate, changes_query

from .facts import MAX_MILEAGE_KM
from .models import DISPOSALS, PHOTO_KINDS, SOURCES, STATUSES

QUEUES = ("overdue_pickups", "unbooked_proceeds")


class LotCreate(Schema):
    claim_no = fields.String(required=True, validate=validate.Length(min=1, max=64))
    description = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    estimated_value = MoneyField(required=True, allow_zero=False)
    reserve_price = MoneyField(required=True)
    bidding_closes_at = LocalDateTime(required=True)
    source = fields.String(load_default="total_loss", validate=validate.OneOf(SOURCES))
    location = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    vin = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=17),
                        metadata={"description": "defaults to the claim's VIN for a total-loss vehicle"})
    mileage_km = fields.Integer(load_default=None, allow_none=True, strict=True,
                                validate=validate.Range(min=0, max=MAX_MILEAGE_KM))
    keys_present = fields.Boolean(load_default=None, allow_none=True, metadata={"description": "有/无钥匙"})
    driving_licence = fields.Boolean(load_default=None, allow_none=True, metadata={"description": "行驶证"})
    registration_certificate = fields.Boolean(load_default=None, allow_none=True, metadata={"description": "登记证书"})
    starts = fields.Boolean(load_default=None, allow_none=True, metadata={"description": "能否启动"})
    drives = fields.Boolean(load_default=None, allow_none=True, metadata={"description": "能否行驶"})
    damage = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class LotFilters(Schema):
    status = fields.String(validate=validate.OneOf(STATUSES))
    claim_no = fields.String()
    queue = fields.String(validate=validate.OneOf(QUEUES))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


LotQuery = changes_query("LotQuery", LotFilters, "newest lot first (id descending)")


class VersionArgs(Schema):
    version = fields.Integer(load_default=None, allow_none=True,
                             metadata={"description": "the lot's version you saw; another → 409 stale_version"})


class BidCreate(Schema):
    amount = MoneyField(required=True, allow_zero=False)


class ReopenArgs(VersionArgs):
    bidding_closes_at = LocalDateTime(required=True)
    reserve_price = MoneyField(load_default=None, allow_none=True)


class PickupArgs(Schema):
    picked_up_at = LocalDateTime(load_default=None, allow_none=True)


class DisposalArgs(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(DISPOSALS))
    at = LocalDateTime(load_default=None, allow_none=True)


class ProceedsArgs(Schema):
    amount = MoneyField(required=True)
    booked_on = PlausibleDate(required=True)
    costs = MoneyField(load_default=None, allow_none=True)


class SalvagePhotoForm(Schema):
    kind = fields.String(load_default=None, validate=validate.OneOf(PHOTO_KINDS))


class BidSchema(Schema):
    id = fields.Integer()
    lot_id = fields.Integer()
    round = fields.Integer()
    vendor_id = fields.Integer()
    vendor_name = fields.String(attribute="vendor.name")
    amount = MoneyField()
    created_at = LocalDateTime()


class PhotoSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    created_at = LocalDateTime()
    url = fields.String()


class LotSchema(Schema):
    """A lot as its viewer may see it: the reserve, the bid count and other vendors'
    bids are staff-only; a vendor sees its own bids and, if it won, the award."""

    id = fields.Integer()
    claim_no = fields.String()
    description = fields.String()
    source = fields.String()
    location = fields.String(allow_none=True)
    vin = fields.String(allow_none=True)
    mileage_km = fields.Integer(allow_none=True)
    keys_present = fields.Boolean(allow_none=True)
    driving_licence = fields.Boolean(allow_none=True)
    registration_certificate = fields.Boolean(allow_none=True)
    starts = fields.Boolean(allow_none=True)
    drives = fields.Boolean(allow_none=True)
    damage = fields.String(allow_none=True)
    estimated_value = MoneyField()
    reserve_price = MoneyField(allow_none=True)
    bidding_opens_at = LocalDateTime()
    bidding_closes_at = LocalDateTime()
    round = fields.Integer()
    status = fields.String()
    version = fields.Integer()
    bid_count = fields.Integer(allow_none=True)
    my_best_bid = MoneyField(allow_none=True)
    winner_id = fields.Integer(allow_none=True)
    amount = MoneyField(allow_none=True)
    awarded_at = LocalDateTime(allow_none=True)
    pickup_due_at = LocalDateTime(allow_none=True)
    pickup_overdue = fields.Boolean()
    picked_up_at = LocalDateTime(allow_none=True)
    disposal = fields.String(allow_none=True)
    disposed_at = LocalDateTime(allow_none=True)
    proceeds_due_on = PlausibleDate(allow_none=True)
    proceeds_amount = MoneyField(allow_none=True)
    booked_on = PlausibleDate(allow_none=True)
    costs = MoneyField(allow_none=True)
    net_recovery = MoneyField(allow_none=True)
    below_estimate = fields.Boolean(allow_none=True)
    bids = fields.List(fields.Nested(BidSchema), metadata={"x-sometimes": True,
                                                           "description": "on a single lot, not in the list"})
    photos = fields.List(fields.Nested(PhotoSchema), metadata={"x-sometimes": True,
                                                               "description": "on a single lot, not in the list"})
    created_at = LocalDateTime()
    updated_at = LocalDateTime(metadata={"description": "its last change, or that of a photo on it; a bid is not a change of the lot (sealed bids)"})


class LotPage(Schema):
    items = fields.List(fields.Nested(LotSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class BidPage(Schema):
    items = fields.List(fields.Nested(BidSchema))
