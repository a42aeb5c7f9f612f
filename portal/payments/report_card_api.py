"""The insurer's report card API (保险公司成绩单): a partner's figures beside its region's peers."""
from __future__ import annotations

from marshmallow import Schema, fields

from ..api import ApiBlueprint
from ..api.access import api_user, org_kinds
from ..api.fields import DecimalString
from .report_card import partner_card
from .services import PARTNER_KINDS_INVOICING

blp = ApiBlueprint("report_card_api", __name__, description="The insurer's report card, as a partner sees it")


class ReportCardFigures(Schema):
    reviews = fields.Integer()
    review_median_hours = DecimalString(places=2, allow_none=True)
    review_p90_hours = DecimalString(places=2, allow_none=True)
    late_share = DecimalString(places=4, allow_none=True)
    payments = fields.Integer()
    payment_median_days = DecimalString(places=2, allow_none=True)
    payment_p90_days = DecimalString(places=2, allow_none=True)
    answered_lines = fields.Integer()
    restored_share = DecimalString(places=4, allow_none=True)
    disputes = fields.Integer()
    upheld_share = DecimalString(places=4, allow_none=True)


class ReportCardOut(Schema):
    organization_id = fields.Integer()
    region = fields.String()
    kind = fields.String()
    own = fields.Nested(ReportCardFigures)
    peer_count = fields.Integer()
    min_peers = fields.Integer()
    peers = fields.Nested(ReportCardFigures, allow_none=True, metadata={
        "description": "the region's other partners of the kind; null below min_peers of them"})


@blp.route("/report-card", methods=["GET"])
@blp.response(200, ReportCardOut)
@org_kinds(*PARTNER_KINDS_INVOICING)
def report_card():
    """The insurer's report card for the calling partner: its own figures and its region's peers'."""
    return partner_card(api_user().organization)
