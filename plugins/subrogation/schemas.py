"""Marshmallow schemas of the recoveries API (shape only; the rules are in services)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from portal.plugin import DocumentSchema, LocalDateTime, MoneyField, PlausibleDate

from .models import STATUSES


class CounterpartyIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    insurer = fields.String(allow_none=True, validate=validate.Length(max=200))
    contact = fields.String(allow_none=True, validate=validate.Length(max=200))


class RecoveryCreate(Schema):
    claim_no = fields.String(required=True, validate=validate.Length(min=1, max=64))
    amount_paid = MoneyField(required=True)
    amount_sought = MoneyField(required=True)
    basis = fields.String(allow_none=True, validate=validate.Length(max=4000))
    counterparty = fields.Nested(CounterpartyIn, required=True)
    limitation_starts_on = PlausibleDate(required=True)
    handler_user_id = fields.Integer(allow_none=True)
    handler_organization_id = fields.Integer(allow_none=True)


class HandlerUpdate(Schema):
    handler_user_id = fields.Integer(allow_none=True)
    handler_organization_id = fields.Integer(allow_none=True)
    version = fields.Integer()


class RecoveryTransition(Schema):
    to = fields.String(required=True, validate=validate.Length(min=1, max=32))
    closed_as = fields.String(allow_none=True)
    version = fields.Integer()


class ReceiptCreate(Schema):
    amount = MoneyField(required=True, allow_zero=False)
    received_on = PlausibleDate(required=True)
    method = fields.String(required=True, validate=validate.Length(min=1, max=40))
    reference = fields.String(allow_none=True, validate=validate.Length(max=100))
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))


class RecoveryDocumentSchema(DocumentSchema):
    recovery_id = fields.Integer(required=True)


class ReversalCreate(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    amount = MoneyField(load_default=None, allow_none=True, allow_zero=False,
                        metadata={"description": "part of the receipt; all of it when left out"})


class ReceiptSchema(Schema):
    id = fields.Integer()
    recovery_id = fields.Integer()
    amount = MoneyField()
    received_on = PlausibleDate()
    method = fields.String()
    reference = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    recorded_by_id = fields.Integer(allow_none=True)
    reverses_id = fields.Integer(allow_none=True, metadata={"description": "a counter-entry: the receipt it reverses"})
    reason = fields.String(allow_none=True)
    created_at = LocalDateTime()


class ReceiptCreated(ReceiptSchema):
    recovered = MoneyField()
    outstanding = MoneyField()
    recovery_version = fields.Integer()


class CounterpartyOut(Schema):
    name = fields.String()
    insurer = fields.String(allow_none=True)
    contact = fields.String(allow_none=True)


class RecoverySchema(Schema):
    id = fields.Integer()
    claim_no = fields.String()
    status = fields.String()
    version = fields.Integer()
    amount_paid = MoneyField()
    amount_sought = MoneyField()
    recovered = MoneyField()
    outstanding = MoneyField()
    basis = fields.String(allow_none=True)
    counterparty = fields.Nested(CounterpartyOut)
    limitation_starts_on = PlausibleDate()
    limitation_deadline = PlausibleDate()
    days_to_limitation = fields.Method("_days")
    limitation_flagged = fields.Method("_flagged")
    lawsuit_filed = fields.Boolean()
    handler_user_id = fields.Integer(allow_none=True)
    handler_organization_id = fields.Integer(allow_none=True)
    handler_name = fields.String(allow_none=True)
    closed_as = fields.String(allow_none=True)
    closed_at = LocalDateTime(allow_none=True)
    opened_on = PlausibleDate()
    created_at = LocalDateTime()

    def _days(self, case):
        from .services import days_to_limitation

        return days_to_limitation(case)

    def _flagged(self, case):
        from .services import is_flagged

        return is_flagged(case)


class RecoveryDetail(RecoverySchema):
    receipts = fields.List(fields.Nested(ReceiptSchema))
    allowed_moves = fields.Method("_moves")

    def _moves(self, case):
        from .services import RECOVERY_FLOW

        return RECOVERY_FLOW.actions_from(case.status)


class RecoveryQuery(Schema):
    status = fields.String(validate=validate.OneOf(STATUSES))
    handler_user_id = fields.Integer()
    handler_organization_id = fields.Integer()
    claim_no = fields.String()
    limitation_within_days = fields.Integer(validate=validate.Range(min=0, max=36500))
    opened_from = PlausibleDate()
    opened_to = PlausibleDate()
    q = fields.String(validate=validate.Length(max=100))
    page = fields.Integer()
    per_page = fields.Integer()


class TargetIn(Schema):
    amount = MoneyField(required=True, allow_zero=False)


class TargetSchema(Schema):
    period = fields.String()
    target = MoneyField()
    recovered = MoneyField()
    attainment = fields.Method("_att")

    def _att(self, row):
        a = row.get("attainment")
        return None if a is None else f"{a:.4f}"
