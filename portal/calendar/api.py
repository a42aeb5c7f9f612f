"""Working calendar API: ``/api/v1`` working calendar and its overrides."""
from __future__ import annotations

from datetime import date

from marshmallow import Schema, fields, validate

from ..api import ApiBlueprint
from ..api.access import api_user, authenticated, roles
from ..api.fields import LocalDateTime, MoneyField, PlausibleDate
from ..extensions import db
from . import services
from .deadline import compute_review_deadline
from .working_days import days_between, get_day

blp = ApiBlueprint("calendar_api", __name__, description="Working calendar (工作日历) and review deadlines")


class DeadlineQuery(Schema):
    submitted_at = LocalDateTime(required=True)
    amount = MoneyField(required=True)


class DeadlineSchema(Schema):
    due_at = LocalDateTime()
    working_days = fields.Integer()
    source = fields.String(metadata={"description": "official, or fallback when a year without official "
                                                    "holiday data was used (Monday–Friday plus overrides)"})


class DaysQuery(Schema):
    from_ = PlausibleDate(required=True, data_key="from")
    to = PlausibleDate(required=True)


class DaySchema(Schema):
    date = PlausibleDate()
    working = fields.Boolean()
    name = fields.String(allow_none=True)
    source = fields.String(metadata={"description": "override, official or fallback"})


class DayOverrideIn(Schema):
    working = fields.Boolean(required=True)
    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))


@blp.route("/calendar/review-deadline", methods=["GET"])
@blp.arguments(DeadlineQuery, location="query")
@blp.response(200, DeadlineSchema)
@authenticated
def review_deadline(args):
    """The deadline a quote of ``amount`` submitted at ``submitted_at`` would get (核损时效)."""
    return compute_review_deadline(args["submitted_at"], args["amount"])


@blp.route("/calendar/days", methods=["GET"])
@blp.arguments(DaysQuery, location="query")
@blp.response(200, DaySchema(many=True))
@authenticated
def list_days(args):
    """Every day from ``from`` to ``to`` (at most 400 days), working or not, and why."""
    services.check_range(args["from_"], args["to"])
    return days_between(args["from_"], args["to"])


@blp.route("/calendar/days/<day>", methods=["PUT"])
@blp.arguments(DayOverrideIn)
@blp.response(200, DaySchema)
@roles("admin")
def override_day(data, day):
    """Make a day working or not (an admin's override wins over the official schedule)."""
    d = services.parse_day(day)
    services.set_override(d, data["working"], data.get("name"), actor=api_user())
    db.session.commit()
    return get_day(d)


@blp.route("/calendar/days/<day>", methods=["DELETE"])
@blp.response(200, DaySchema)
@roles("admin")
def clear_override(day):
    """Remove an override: the day follows the official schedule again."""
    d: date = services.parse_day(day)
    services.clear_override(d, actor=api_user())
    db.session.commit()
    return get_day(d)


