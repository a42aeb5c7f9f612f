"""Marshmallow schemas of the parts-prices API."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from portal.plugin import DecimalString, changes_query, LocalDateTime, MoneyField, PlausibleDate

from .models import LIST_STATUSES, QUALITIES


class DiffCounts(Schema):
    added = fields.Integer()
    removed = fields.Integer()
    up = fields.Integer()
    down = fields.Integer()


class PriceChange(Schema):
    part_no = fields.String()
    quality = fields.String()
    name = fields.String(allow_none=True)
    old_price = MoneyField(allow_none=True)
    new_price = MoneyField(allow_none=True)
    change = MoneyField(allow_negative=True, allow_none=True)
    change_ratio = DecimalString(places=4, allow_none=True, metadata={
        "example": "0.1250", "description": "(new − old) / old, four places; null for an added or removed part"})


class PriceListSchema(Schema):
    id = fields.Integer()
    supplier_id = fields.Integer()
    supplier_name = fields.Function(lambda pl: pl.supplier.name)
    version = fields.Integer(attribute="list_version", metadata={"description": "The supplier's version number"})
    lock_version = fields.Integer(attribute="version", metadata={"description": "Changes with every transition"})
    status = fields.String(metadata={"enum": list(LIST_STATUSES)})
    rows = fields.Integer()
    source_filename = fields.String(allow_none=True)
    uploaded_at = LocalDateTime()
    approved_at = LocalDateTime(allow_none=True)
    updated_at = LocalDateTime(metadata={"description": "its last change: upload, approval, rejection, superseding"})
    decision_note = fields.String(allow_none=True)
    diff = fields.Function(lambda pl: pl.diff_summary or {"added": 0, "removed": 0, "up": 0, "down": 0})
    diff_against_version = fields.Function(lambda pl: pl.base_list.list_version if pl.base_list_id else None)


class PriceListDetail(PriceListSchema):
    changes = fields.Dict(keys=fields.String(), values=fields.List(fields.Nested(PriceChange)),
                          metadata={"description": "The biggest moves of each kind (up to 20)"})


class PriceListFilters(Schema):
    status = fields.String(validate=validate.OneOf(LIST_STATUSES))
    supplier_id = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


PriceListQuery = changes_query("PriceListQuery", PriceListFilters, "newest version first (id descending)")


class PriceListItemSchema(Schema):
    part_no = fields.String()
    name = fields.String(allow_none=True)
    quality = fields.String()
    make = fields.String(allow_none=True)
    model = fields.String(allow_none=True)
    unit_price = MoneyField()
    min_order = fields.Integer(allow_none=True)
    lead_time_days = fields.Integer(allow_none=True)
    family = fields.String(allow_none=True)
    assembly_no = fields.String(allow_none=True)


class UploadSchema(Schema):
    file = fields.Raw(metadata={"type": "string", "format": "binary"}, required=True)


class DecisionSchema(Schema):
    lock_version = fields.Integer(metadata={"description": "Optional: the lock_version you saw (else 409 if changed)"})
    note = fields.String(validate=validate.Length(max=500))


class WithdrawSchema(Schema):
    lock_version = fields.Integer(metadata={"description": "Optional: the lock_version you saw (else 409 if changed)"})


class StatusSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    version = fields.Integer(attribute="list_version")
    lock_version = fields.Integer(attribute="version")


class ReferenceQuery(Schema):
    quality = fields.String(load_default="genuine", validate=validate.OneOf(QUALITIES))
    region = fields.String(validate=validate.Length(min=1, max=64))


class ReferenceSchema(Schema):
    part_no = fields.String()
    quality = fields.String()
    reference_price = MoneyField(attribute="price", allow_none=True, metadata={
        "description": "null to a parts supplier when the reference is another supplier's list price"})
    source = fields.String(metadata={"enum": ["localized", "supplier"]})
    supplier_id = fields.Integer(allow_none=True, metadata={
        "description": "staff: the supplier whose price it is; a partner: its own id or null"})


class LocalizedPriceIn(Schema):
    quality = fields.String(required=True, validate=validate.OneOf(QUALITIES))
    region = fields.String(required=True, validate=validate.Length(min=1, max=64))
    price = MoneyField(required=True, allow_zero=False)


class LocalizedPriceSchema(Schema):
    id = fields.Integer()
    part_no = fields.String()
    quality = fields.String()
    region = fields.String()
    price = MoneyField()
    set_by_id = fields.Integer(allow_none=True)
    set_at = LocalDateTime()


class LaborRateIn(Schema):
    rate = MoneyField(required=True, allow_zero=False)
    effective_from = PlausibleDate()


class LaborRateSchema(Schema):
    id = fields.Integer()
    organization_id = fields.Integer(attribute="garage_id")
    rate = MoneyField()
    effective_from = PlausibleDate()
    approved_by_id = fields.Integer(allow_none=True)
    approved_at = LocalDateTime()


class StandardsIn(Schema):
    labor_rate = MoneyField(allow_zero=False)
    towing_fee = MoneyField(allow_zero=False)


class StandardsSchema(Schema):
    region = fields.String()
    labor_rate = MoneyField(allow_none=True)
    towing_fee = MoneyField(allow_none=True)
    set_at = LocalDateTime()


class FeedbackIn(Schema):
    part_no = fields.String(required=True, validate=validate.Length(min=1, max=64))
    quality = fields.String(required=True, validate=validate.OneOf(QUALITIES))
    region = fields.String(required=True, validate=validate.Length(min=1, max=64))
    quote_id = fields.Integer(allow_none=True)
    comment = fields.String(load_default="", validate=validate.Length(max=2000))
    suggested_price = MoneyField(allow_none=True, allow_zero=False)


class FeedbackSchema(Schema):
    id = fields.Integer()
    part_no = fields.String()
    quality = fields.String()
    region = fields.String()
    quote_id = fields.Integer(allow_none=True)
    reference_price = MoneyField(allow_none=True)
    reference_supplier_id = fields.Integer(allow_none=True)
    suggested_price = MoneyField(allow_none=True)
    comment = fields.String()
    from_user_id = fields.Integer()
    status = fields.String()
    version = fields.Integer()
    answer = fields.String(allow_none=True)
    answered_by_id = fields.Integer(allow_none=True)
    answered_at = LocalDateTime(allow_none=True)
    created_at = LocalDateTime()


class FeedbackQuery(Schema):
    status = fields.String(validate=validate.OneOf(["open", "answered"]))
    page = fields.Integer()
    per_page = fields.Integer()


class AnswerIn(Schema):
    answer = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    version = fields.Integer()
