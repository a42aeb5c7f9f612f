"""Marshmallow schemas of the lawsuits and complaints API."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from portal.plugin import DocumentSchema, LocalDateTime, MoneyField, PlausibleDate

from .models import COMPLAINT_KINDS, COMPLAINT_STATUSES, COST_KINDS, STAGES


class LawsuitCreate(Schema):
    claim_no = fields.String(allow_none=True, validate=validate.Length(max=64))
    recovery_id = fields.Integer(allow_none=True)
    court = fields.String(required=True, validate=validate.Length(min=1, max=200))
    case_no = fields.String(allow_none=True, validate=validate.Length(max=100))
    cause = fields.String(required=True, validate=validate.Length(min=1, max=200))
    role = fields.String(required=True)
    amount_in_dispute = MoneyField(required=True)
    counsel_user_id = fields.Integer(allow_none=True)
    counsel_organization_id = fields.Integer(allow_none=True)
    major = fields.Boolean(allow_none=True)
    stage = fields.String(allow_none=True)


class LawsuitTransition(Schema):
    to = fields.String(required=True, validate=validate.Length(min=1, max=32))
    outcome = fields.String(allow_none=True)
    amount = MoneyField(allow_none=True)
    version = fields.Integer()


class MajorIn(Schema):
    major = fields.Boolean(required=True)


class HearingCreate(Schema):
    scheduled_at = fields.Raw(required=True, metadata={"type": "string", "format": "date-time"})
    court_room = fields.String(allow_none=True, validate=validate.Length(max=100))
    kind = fields.String(allow_none=True, validate=validate.Length(max=40))


class HearingResultIn(Schema):
    result = fields.String(required=True, validate=validate.Length(min=1, max=4000))


class HearingSchema(Schema):
    id = fields.Integer()
    lawsuit_id = fields.Integer()
    scheduled_at = LocalDateTime()
    court_room = fields.String(allow_none=True)
    kind = fields.String(allow_none=True)
    result = fields.String(allow_none=True)
    result_due_at = LocalDateTime()
    result_recorded_at = LocalDateTime(allow_none=True)
    reminded_at = LocalDateTime(allow_none=True)


class CostCreate(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(COST_KINDS))
    amount = MoneyField(required=True, allow_zero=False)
    incurred_on = PlausibleDate(required=True)
    note = fields.String(allow_none=True, validate=validate.Length(max=200))


class CostSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    amount = MoneyField()
    incurred_on = PlausibleDate()
    note = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": ["approved", "pending", "rejected"], "description":
                                     "a law firm's cost above the approval amount waits for legal staff"})
    decision_note = fields.String(allow_none=True)


class CostDecisionIn(Schema):
    action = fields.String(required=True, validate=validate.OneOf(("approve", "reject")))
    note = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=200))


class LawsuitSchema(Schema):
    id = fields.Integer()
    claim_no = fields.String(allow_none=True)
    recovery_id = fields.Integer(allow_none=True)
    court = fields.String()
    case_no = fields.String(allow_none=True)
    cause = fields.String()
    role = fields.String()
    amount_in_dispute = MoneyField()
    major = fields.Boolean()
    major_by_staff = fields.Boolean()
    counsel_user_id = fields.Integer(allow_none=True)
    counsel_organization_id = fields.Integer(allow_none=True)
    counsel_name = fields.String(allow_none=True)
    stage = fields.String()
    version = fields.Integer()
    outcome = fields.String(allow_none=True)
    amount = MoneyField(attribute="outcome_amount", allow_none=True)
    legal_costs = MoneyField()
    next_hearing_at = LocalDateTime(allow_none=True)
    closed_at = LocalDateTime(allow_none=True)
    created_at = LocalDateTime()


class LawsuitDetail(LawsuitSchema):
    hearings = fields.List(fields.Nested(HearingSchema))
    costs = fields.List(fields.Nested(CostSchema))
    allowed_moves = fields.Method("_moves")

    def _moves(self, suit):
        from .services import LAWSUIT_FLOW

        return LAWSUIT_FLOW.actions_from(suit.stage)


class LawsuitQuery(Schema):
    stage = fields.String(validate=validate.OneOf(STAGES))
    major = fields.Boolean()
    counsel_organization_id = fields.Integer()
    claim_no = fields.String()
    recovery_id = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class FiguresSchema(Schema):
    total = fields.Integer()
    external = fields.Integer()
    external_rate = fields.Method("_ext")
    closed = fields.Integer()
    pre_suit_mediated = fields.Integer()
    pre_suit_mediation_rate = fields.Method("_pre")
    outcomes = fields.Dict(keys=fields.String(), values=fields.Integer())
    stages = fields.Dict(keys=fields.String(), values=fields.Integer())
    costs = MoneyField()
    cost_per_case = MoneyField(allow_none=True)

    def _ext(self, f):
        return None if f["external_rate"] is None else f"{f['external_rate']:.4f}"

    def _pre(self, f):
        return None if f["pre_suit_mediation_rate"] is None else f"{f['pre_suit_mediation_rate']:.4f}"


class ComplaintCreate(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(COMPLAINT_KINDS))
    complainant = fields.String(required=True, validate=validate.Length(min=1, max=200))
    contact = fields.String(allow_none=True, validate=validate.Length(max=200))
    description = fields.String(required=True, validate=validate.Length(min=1, max=8000))
    claim_no = fields.String(allow_none=True, validate=validate.Length(max=64))
    against_organization_id = fields.Integer(allow_none=True)
    referred_by = fields.String(allow_none=True, validate=validate.Length(max=200))


class ComplaintAction(Schema):
    action = fields.String(required=True, validate=validate.Length(min=1, max=32))
    assignee_user_id = fields.Integer(allow_none=True)
    text = fields.String(allow_none=True, validate=validate.Length(max=8000))
    version = fields.Integer()
    verdict = fields.String(allow_none=True, validate=validate.Length(max=32))
    referrer_feedback = fields.String(allow_none=True, validate=validate.Length(max=8000))


class ComplaintSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    status = fields.String()
    version = fields.Integer()
    claim_no = fields.Function(lambda c: c.claim.claim_no if c.claim else None)
    against_organization_id = fields.Integer(allow_none=True)
    complainant = fields.String()
    contact = fields.String(allow_none=True)
    description = fields.String()
    assignee_user_id = fields.Integer(allow_none=True)
    answer = fields.String(allow_none=True)
    answered_at = LocalDateTime(allow_none=True)
    hours_to_answer = fields.Float(allow_none=True)
    follow_up = fields.String(allow_none=True)
    followed_up_at = LocalDateTime(allow_none=True)
    archived_at = LocalDateTime(allow_none=True)
    verdict = fields.String(allow_none=True)
    referred_by = fields.String(allow_none=True)
    referrer_feedback = fields.String(allow_none=True)
    created_at = LocalDateTime()


class ComplaintQuery(Schema):
    status = fields.String(validate=validate.OneOf(COMPLAINT_STATUSES))
    kind = fields.String(validate=validate.OneOf(COMPLAINT_KINDS))
    page = fields.Integer()
    per_page = fields.Integer()


class LawsuitDocumentSchema(DocumentSchema):
    lawsuit_id = fields.Integer(required=True)
