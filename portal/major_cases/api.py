"""Major-case register API (大案登记): ``/api/v1/major-cases`` — insurer staff only."""
from __future__ import annotations

import sqlalchemy as sa
from flask import jsonify
from marshmallow import Schema, fields, validate

from ..api import ApiBlueprint
from ..api.access import api_user, roles
from ..api.fields import LocalDateTime, MoneyField
from ..api.pagination import page_envelope_schema, paginate
from ..extensions import db
from ..timeutil import utcnow
from . import register, weekly
from .models import MAJOR_STATUSES, MajorCase
from .register import MILESTONES

blp = ApiBlueprint("major_cases_api", __name__, description="Major cases (大案): register, milestones, weekly summary")


class LineSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": " ".join(MILESTONES)})
    at = LocalDateTime()
    text = fields.String(allow_none=True)
    author_id = fields.Integer(allow_none=True)


class MajorCaseSchema(Schema):
    id = fields.Integer()
    claim_no = fields.Function(lambda c: c.claim.claim_no)
    amount = MoneyField()
    basis = fields.String(metadata={"description": "repair salvage recovery lawsuit: the largest amount"})
    amounts = fields.Dict(keys=fields.String(), values=fields.String())
    band = fields.Integer(metadata={"description": "1-based band of MAJOR_CASES['bands']"})
    responsible_id = fields.Integer(allow_none=True)
    responsible_name = fields.Function(lambda c: c.responsible.name if c.responsible else None)
    opened_at = LocalDateTime()
    on_site_due = LocalDateTime()
    on_site_at = LocalDateTime(allow_none=True)
    report_due = LocalDateTime()
    report_at = LocalDateTime(allow_none=True)
    status_due = LocalDateTime()
    overdue = fields.Function(lambda c: register.overdue(c), metadata={"description": "milestones past due"})
    status = fields.String()
    closed_at = LocalDateTime(allow_none=True)
    version = fields.Integer()
    updated_at = LocalDateTime()


class MajorCaseDetailSchema(MajorCaseSchema):
    report_text = fields.String(allow_none=True)
    lines = fields.List(fields.Nested(LineSchema))


class MajorCaseQuery(Schema):
    status = fields.String(validate=validate.OneOf(MAJOR_STATUSES))
    overdue = fields.Boolean()
    mine = fields.Boolean()
    page = fields.Integer()
    per_page = fields.Integer()


class MilestoneIn(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(MILESTONES))
    at = LocalDateTime(load_default=None, allow_none=True, metadata={"description": "on site: when; default now"})
    text = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))


class ResponsibleIn(Schema):
    user_id = fields.Integer(required=True, strict=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class MajorTransitionIn(Schema):
    action = fields.String(required=True, validate=validate.OneOf(("close", "reopen")))
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class WeekQuery(Schema):
    week = fields.String(metadata={"description": "ISO week, e.g. 2026-W49; default the current one"})


class WeekRowSchema(Schema):
    case_id = fields.Integer()
    claim_no = fields.String()
    band = fields.Integer()
    basis = fields.String()
    amount = fields.String()
    responsible = fields.String(allow_none=True)
    opened_at = fields.String()
    on_site_at = fields.String(allow_none=True)
    report_at = fields.String(allow_none=True)
    status_line = fields.String(allow_none=True)
    status_line_at = fields.String(allow_none=True)
    overdue = fields.List(fields.String())
    closed = fields.Boolean()


class WeekSchema(Schema):
    week = fields.String()
    period_start = fields.String()
    due_at = fields.String(metadata={"description": "Friday 17:00, or the working day before"})
    as_of = fields.String()
    draft = fields.Boolean()
    published_at = fields.String(allow_none=True)
    totals = fields.Dict()
    cases = fields.List(fields.Nested(WeekRowSchema))


MajorCasePage = page_envelope_schema(MajorCaseSchema, "MajorCasePage")


def filtered(args: dict, user):
    stmt = sa.select(MajorCase).order_by(MajorCase.opened_at.desc(), MajorCase.id.desc())
    if args.get("status"):
        stmt = stmt.where(MajorCase.status == args["status"])
    if args.get("overdue"):
        stmt = stmt.where(register.overdue_filter())
    if args.get("mine"):
        stmt = stmt.where(MajorCase.responsible_id == user.id)
    return stmt


@blp.route("/major-cases", methods=["GET"])
@blp.arguments(MajorCaseQuery, location="query")
@blp.response(200, MajorCasePage)
@roles("staff")
def list_cases(args):
    """The register, newest first; ``overdue=true`` only those with a milestone past due."""
    return jsonify(paginate(filtered(args, api_user()), MajorCaseSchema()))


@blp.route("/major-cases/weekly", methods=["GET"])
@blp.arguments(WeekQuery, location="query")
@blp.response(200, WeekSchema)
@roles("staff")
def week(args):
    """The weekly summary: published figures once due, else a live draft."""
    return weekly.summary(weekly.parse_week(args.get("week")))


@blp.route("/major-cases/<int:case_id>", methods=["GET"])
@blp.response(200, MajorCaseDetailSchema)
@roles("staff")
def get_case(case_id):
    return register.get_case(case_id, api_user())


@blp.route("/major-cases/<int:case_id>/milestones", methods=["POST"])
@blp.arguments(MilestoneIn)
@blp.response(201, MajorCaseDetailSchema)
@roles("staff")
def add_milestone(data, case_id):
    """On site (``at``), the investigation report or a weekly status line (``text``); by the
    responsible person or a supervisor. Audited."""
    case = register.get_case(case_id, api_user())
    register.record_milestone(case, data["kind"], api_user(), text=data.get("text"), at=data.get("at"),
                              now=utcnow())
    db.session.commit()
    return case


@blp.route("/major-cases/<int:case_id>/responsible", methods=["POST"])
@blp.arguments(ResponsibleIn)
@blp.response(200, MajorCaseDetailSchema)
@roles("supervisor", "admin")
def set_responsible(data, case_id):
    case = register.get_case(case_id, api_user())
    register.reassign(case, data["user_id"], data["reason"], api_user())
    db.session.commit()
    return case


@blp.route("/major-cases/<int:case_id>/transitions", methods=["POST"])
@blp.arguments(MajorTransitionIn)
@blp.response(200, MajorCaseDetailSchema)
@roles("supervisor", "admin")
def transition(data, case_id):
    """Close (the investigation report must be in) or reopen."""
    case = register.get_case(case_id, api_user())
    register.transition(case, data["action"], api_user(), data.get("reason"))
    db.session.commit()
    return case

