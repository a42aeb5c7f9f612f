"""API shapes of evaluations (scorecards, rules versions, disputes)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..api.fields import DecimalString as _DecimalString
from ..api.fields import LocalDateTime as _LocalDateTime
from ..auth.models import ORG_KINDS


class DecimalString(_DecimalString):
    """A decimal as a string; a page already dumped by ``paginate`` passes through."""

    def _serialize(self, value, attr, obj, **kwargs):
        return value if isinstance(value, str) else super()._serialize(value, attr, obj, **kwargs)


class LocalDateTime(_LocalDateTime):
    def _serialize(self, value, attr, obj, **kwargs):
        return value if isinstance(value, str) else super()._serialize(value, attr, obj, **kwargs)


class EvaluationRequest(Schema):
    period = fields.String(required=True, metadata={"example": "2026-03", "description": "YYYY-MM"})


class EvaluationSummary(Schema):
    period = fields.String()
    scorecards = fields.Integer()
    grades = fields.Dict(keys=fields.String(), values=fields.Integer())
    rules_version = fields.Integer()
    preview = fields.Boolean(metadata={"description": "The month is not over: nothing stored, no grade "
                                                      "changed, nothing sent."})
    insufficient_activity = fields.Integer(metadata={"description": "Partners with no activity in the period: "
                                                                    "no score, grade kept (活动量不足)."})


class MetricValue(DecimalString):
    """A metric value as a decimal string without trailing zeros (``"0.15"``, ``"3"``)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None or isinstance(value, str):
            return value
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text


class ScorecardMetricSchema(Schema):
    code = fields.String()
    value = MetricValue(allow_none=True)
    points = DecimalString()
    weight = DecimalString()


class ScorecardSchema(Schema):
    period = fields.String()
    total = DecimalString()
    grade = fields.String()
    rules_version = fields.Integer()
    metrics = fields.List(fields.Nested(ScorecardMetricSchema))


class OrganizationRef(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    region = fields.String()


class RankingItem(Schema):
    organization = fields.Nested(OrganizationRef)
    period = fields.String()
    total = DecimalString()
    grade = fields.String()
    previous_grade = fields.String(allow_none=True)
    previous_total = DecimalString(allow_none=True)
    rules_version = fields.Integer()


class RankingQuery(Schema):
    period = fields.String()
    kind = fields.String(validate=validate.OneOf(ORG_KINDS))
    region = fields.String()
    sort = fields.String(validate=validate.OneOf(["total", "-total", "name", "grade", "region", "change"]))
    page = fields.Integer()
    per_page = fields.Integer()


class RankingPage(Schema):
    items = fields.List(fields.Nested(RankingItem))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class RulesSchema(Schema):
    version = fields.Integer()
    config = fields.Dict()
    note = fields.String(allow_none=True)
    created_at = LocalDateTime(allow_none=True, metadata={
        "description": "when it was published; null for version 1 before the first computation publishes it"})
    created_by_id = fields.Integer(allow_none=True)


class RulesPublish(Schema):
    config = fields.Dict(required=True)
    note = fields.String(validate=validate.Length(max=500))


class DisputeCreate(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=80))
    comment = fields.String(required=True, validate=validate.Length(min=1, max=4000))


class DisputeAnswer(Schema):
    answer = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    version = fields.Integer(required=True, strict=True)


class DisputeSchema(Schema):
    id = fields.Integer()
    organization_id = fields.Integer()
    period = fields.String()
    metric_code = fields.String()
    scorecard_metric_id = fields.Integer(allow_none=True)
    comment = fields.String()
    status = fields.String()
    answer = fields.String(allow_none=True)
    answered_by_id = fields.Integer(allow_none=True)
    answered_at = LocalDateTime(allow_none=True)
    created_at = LocalDateTime()
    version = fields.Integer()


class DisputeQuery(Schema):
    status = fields.String(validate=validate.OneOf(["open", "answered"]))
    page = fields.Integer()
    per_page = fields.Integer()


class DisputePage(Schema):
    items = fields.List(fields.Nested(DisputeSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
