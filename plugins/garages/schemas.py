"""Marshmallow schemas of the quote API (shape only; the rules are in services)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from portal.plugin import DecimalString, LocalDateTime, MoneyField, changes_query

from .finding_texts import api_message
from .models import LINE_KINDS, PHOTO_KINDS, QUALITIES, STATUSES, VISIBLE_STATUSES


class LineAnswerIn(Schema):
    accept = fields.Boolean(load_default=False, metadata={"description": "take the assessor's adjusted figures"})
    comment = fields.String(allow_none=True, validate=validate.Length(max=2000))
    photo_ids = fields.List(fields.Integer(), load_default=list, validate=validate.Length(max=50),
                            metadata={"description": "photos of this quote backing the answer"})


class LineIn(Schema):
    id = fields.Integer(allow_none=True, metadata={"description": "an existing line (when replacing lines)"})
    kind = fields.String(required=True, validate=validate.OneOf(LINE_KINDS))
    part_no = fields.String(allow_none=True, validate=validate.Length(max=64),
                            metadata={"description": "OE part number; on a repair line, the part repaired"})
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    quality = fields.String(allow_none=True, validate=validate.OneOf(QUALITIES))
    quantity = DecimalString(required=True, places=2, metadata={"description": "hours for labour kinds"})
    unit_price = MoneyField(required=True, allow_zero=False)
    comment = fields.String(allow_none=True, validate=validate.Length(max=2000),
                            metadata={"description": "the garage's answer on an adjusted line"})
    source_line_id = fields.Integer(allow_none=True, metadata={"description": "a specialist's quote: the routed line"})
    answer = fields.Nested(LineAnswerIn, allow_none=True, metadata={
        "description": "a returned quote: the answer to the assessor's adjustment of this line"})


class QuoteCreate(Schema):
    lines = fields.List(fields.Nested(LineIn), required=True)
    submit = fields.Boolean(load_default=False)
    supplement_to = fields.Integer(allow_none=True, load_default=None)


class LinesReplace(Schema):
    lines = fields.List(fields.Nested(LineIn), required=True)
    version = fields.Integer(allow_none=True, load_default=None)


class SubmitIn(Schema):
    version = fields.Integer(allow_none=True, load_default=None)


class WithdrawIn(Schema):
    version = fields.Integer(allow_none=True, load_default=None)


class AdjustmentIn(Schema):
    id = fields.Integer(required=True)
    approved_quantity = DecimalString(places=2, allow_none=True, load_default=None)
    approved_unit_price = MoneyField(allow_none=True, load_default=None)
    reason = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=32))


class DecisionIn(Schema):
    action = fields.String(required=True, validate=validate.OneOf(
        ("approve", "return", "reject", "escalate", "hold", "investigate", "resume", "reassign")))
    version = fields.Integer(required=True)
    reason = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=32), metadata={
        "description": "hold / investigate: the reason code (GET /api/v1/codes/hold-reasons); the note is `comment`"})
    assignee_id = fields.Integer(allow_none=True, load_default=None, metadata={
        "description": "reassign: the reviewer who takes the review (the reason is `comment`)"})
    comment = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=4000))
    lines = fields.List(fields.Nested(AdjustmentIn), load_default=list)


class FindingOut(Schema):
    code = fields.String()
    severity = fields.String()
    line_id = fields.Integer(allow_none=True)
    message = fields.Function(lambda f: api_message(f))   # in the Accept-Language asked (finding_texts.py)
    suggested_unit_price = MoneyField(allow_none=True)
    rules_version = fields.String()


class LineOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    part_no = fields.String(allow_none=True)
    name = fields.String()
    quality = fields.String(allow_none=True)
    quantity = DecimalString(places=2)
    unit_price = MoneyField()
    amount = MoneyField()
    approved_quantity = DecimalString(places=2, allow_none=True)
    approved_unit_price = MoneyField(allow_none=True)
    approved_amount = MoneyField(allow_none=True)
    reason = fields.String(allow_none=True)
    garage_comment = fields.String(allow_none=True)
    routed_to_specialist = fields.Boolean()
    source_line_id = fields.Integer(allow_none=True)
    answer = fields.Method("_answer", metadata={"description": "the garage's answer to this round's adjustment"})

    def _answer(self, line):
        if not line.answer_kind:
            return None
        return {"accept": line.answer_kind == "accept",
                "comment": line.garage_comment if line.answer_kind == "comment" else None,
                "photo_ids": line.answer_photo_ids or []}


class FiguresOut(Schema):
    quantity = DecimalString(places=2, allow_none=True)
    unit_price = MoneyField(allow_none=True)
    amount = MoneyField(allow_none=True)


class AdjustedOut(FiguresOut):
    reason = fields.String(allow_none=True)
    note = fields.String(allow_none=True)


class RoundAnswerOut(Schema):
    accept = fields.Boolean()
    comment = fields.String(allow_none=True)
    photo_ids = fields.List(fields.Integer())


class RoundLineOut(Schema):
    line_id = fields.Integer(allow_none=True)
    position = fields.Integer()
    kind = fields.String()
    name = fields.String()
    changed = fields.Boolean(metadata={"description": "the assessor adjusted the line in this round"})
    submitted = fields.Nested(FiguresOut)
    adjusted = fields.Nested(AdjustedOut)
    answer = fields.Nested(RoundAnswerOut, allow_none=True)
    resubmitted = fields.Nested(FiguresOut, allow_none=True)
    removed = fields.Boolean()


class RoundOut(Schema):
    round = fields.Integer()
    returned_at = LocalDateTime()
    resubmitted_at = LocalDateTime(allow_none=True)
    lines = fields.List(fields.Nested(RoundLineOut))


class DecisionOut(Schema):
    action = fields.String()
    user_id = fields.Integer(allow_none=True)
    at = LocalDateTime()
    comment = fields.String(allow_none=True)
    amount = MoneyField(allow_none=True)
    automatic = fields.Boolean()
    rule = fields.String(allow_none=True)
    rules_version = fields.String()
    from_status = fields.String()
    to_status = fields.String()
    claim_total = MoneyField(allow_none=True, metadata={
        "description": "an approval: the claim's repair total it was judged on"})
    authority_limit = MoneyField(allow_none=True, metadata={
        "description": "an approval: the approver's limit then (null: unlimited or not an approval)"})


class ApprovalOut(Schema):
    claim_total = MoneyField(metadata={"description": "the claim's repair total once this quote is approved"})
    limit = MoneyField(allow_none=True, metadata={"description": "the caller's authority limit; null: unlimited"})
    within_limit = fields.Boolean()
    needs_second_approver = fields.Boolean(metadata={"description": "above the major threshold: four eyes"})
    message = fields.String(allow_none=True, metadata={"description": "why approving would escalate"})


class PhotoOut(Schema):
    id = fields.Integer()
    quote_id = fields.Integer()
    line_id = fields.Integer(allow_none=True)
    kind = fields.String()
    original_name = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    created_at = LocalDateTime()
    taken_at = LocalDateTime(allow_none=True, metadata={"description": "when the camera took it (EXIF), if it says"})
    url = fields.Method("_url", metadata={"type": "string", "description": "GET it for the image (who may see the quote only)"})
    thumbnail_url = fields.Method("_thumbnail_url", allow_none=True, metadata={
        "type": "string", "description": "a JPEG of at most 480 px; null for a PDF"})

    def _url(self, photo):
        return f"/api/v1/quotes/{photo.quote_id}/photos/{photo.id}"

    def _thumbnail_url(self, photo):
        return f"/api/v1/quotes/{photo.quote_id}/photos/{photo.id}/thumbnail" if photo.thumb_name else None


class QuoteSummary(Schema):
    id = fields.Integer()
    claim_no = fields.String()
    garage_id = fields.Integer()
    purpose = fields.String()
    supplement_to = fields.Integer(allow_none=True)
    status = fields.String(validate=validate.OneOf(STATUSES))
    version = fields.Integer()
    total_submitted = MoneyField()
    total_approved = MoneyField(allow_none=True)
    submitted_at = LocalDateTime(allow_none=True)
    due_at = LocalDateTime(allow_none=True)
    desk = fields.String(allow_none=True)
    overdue = fields.Boolean()
    fast_tracked = fields.Boolean()
    risk_color = fields.String()
    updated_at = LocalDateTime(metadata={"description": "the last change of the quote or of anything on it"})


class HoldOut(Schema):
    reason = fields.String(metadata={"description": "a code of GET /api/v1/codes/hold-reasons"})
    note = fields.String(allow_none=True)
    held_by_id = fields.Integer(allow_none=True)
    held_at = LocalDateTime(allow_none=True)
    held_from = fields.String(allow_none=True)


class QuoteOut(QuoteSummary):
    rules_version = fields.String(allow_none=True)
    claim_repair_total = MoneyField(metadata={
        "description": "the claim's repair total: approved plus pending, every repairer's quotes; "
                       "to a partner, over its own quotes on the claim only"})
    approval = fields.Nested(ApprovalOut, allow_none=True, metadata={
        "description": "staff, while in review: what approving would do on the claim"})
    assignee_role = fields.String(allow_none=True, metadata={
        "description": "who owns the review now (一人终审): assessor or supervisor; never a name to a partner"})
    assignee_id = fields.Integer(allow_none=True, metadata={"description": "staff only: the reviewer who owns it",
                                                            "x-sometimes": True})
    hold = fields.Nested(HoldOut, allow_none=True, metadata={
        "description": "staff only: why the quote is on hold or under investigation (问题件 / 案件调查)"})
    sampled = fields.Boolean()
    sample_reason = fields.String(allow_none=True)
    findings = fields.List(fields.Nested(FindingOut))
    lines = fields.List(fields.Nested(LineOut))
    decisions = fields.List(fields.Nested(DecisionOut), attribute="shown_decisions")
    photos = fields.List(fields.Nested(PhotoOut), attribute="shown_photos")
    rounds = fields.Method("_rounds", metadata={
        "description": "every return: per line submitted → adjusted → the garage's answer → resubmitted"})

    def _rounds(self, quote):
        if not quote.return_count:
            return []
        from .services.rounds import rounds_of

        return RoundOut(many=True).dump(rounds_of(quote))


class QuoteFilters(Schema):
    status = fields.String(validate=validate.OneOf(VISIBLE_STATUSES))
    scope = fields.String(validate=validate.OneOf(("mine", "unassigned", "team")), metadata={
        "description": "staff: the reviews assigned to the caller, those without an owner, or the team's"})
    overdue = fields.Boolean()
    claim_no = fields.String()
    garage_id = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


QuoteQuery = changes_query("QuoteQuery", QuoteFilters,
                           "staff: earliest deadline first (then id); a garage: newest quote first (id descending)")


class QuotePhotoForm(Schema):
    kind = fields.String(load_default="damage", validate=validate.OneOf(PHOTO_KINDS))
    line_id = fields.Integer(allow_none=True, load_default=None)


class PrecheckOut(Schema):
    findings = fields.List(fields.Nested(FindingOut))
    fast_track_eligible = fields.Boolean()
    fast_track_blockers = fields.List(fields.String())


class ReinspectionLineIn(Schema):
    line_id = fields.Integer(required=True)
    outcome = fields.String(required=True, validate=validate.OneOf(
        ("replaced", "not_replaced", "repaired_instead", "not_verified")))
    fair_amount = MoneyField(allow_none=True, load_default=None, metadata={
        "description": "repaired_instead: what the repair done is worth"})
    note = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=2000))


class ReinspectionIn(Schema):
    lines = fields.List(fields.Nested(ReinspectionLineIn), required=True)
    fraud_suspected = fields.Boolean(load_default=False)
    note = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=4000))


class ReinspectionLineOut(Schema):
    line_id = fields.Integer()
    outcome = fields.String()
    fair_amount = MoneyField(allow_none=True)
    over_payment = MoneyField()
    note = fields.String(allow_none=True)


class ReinspectionOut(Schema):
    quote_id = fields.Integer()
    reason = fields.String(metadata={"description": "why it is re-inspected: random | grade | amount | major"})
    result = fields.String(allow_none=True, metadata={"description": "confirmed | overpaid | fraud_suspected"})
    result_note = fields.String(allow_none=True)
    over_payment = MoneyField(allow_none=True)
    inspected_by_id = fields.Integer(allow_none=True)
    inspected_at = LocalDateTime(allow_none=True)
    recovery_ref = fields.String(allow_none=True)
    lines = fields.List(fields.Nested(ReinspectionLineOut))


class RecoveryRefOut(Schema):
    recovery_ref = fields.String()
