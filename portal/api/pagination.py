"""``?page=1&per_page=50`` (max 200) → ``{"items", "page", "per_page", "total"}``."""
from __future__ import annotations

import sqlalchemy as sa
from flask import request
from marshmallow import Schema, fields, validate

from ..errors import Invalid
from ..extensions import db

MAX_PER_PAGE = 200


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PER_PAGE))


def page_args() -> tuple[int, int]:
    try:
        page = int(request.args.get("page", 1))
        per_page = int(request.args.get("per_page", 50))
    except ValueError:
        raise Invalid({"page": ["Must be an integer."]}) from None
    if page < 1:
        raise Invalid.field("page", "Must be 1 or more.")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise Invalid.field("per_page", f"Must be between 1 and {MAX_PER_PAGE}.")
    return page, per_page


def paginate(stmt, schema, *, scalars: bool = True) -> dict:
    """Run ``stmt`` (a ``select``) for the requested page and dump it with ``schema``."""
    page, per_page = page_args()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
    items = rows.scalars().all() if scalars else rows.all()
    return {"items": schema.dump(items, many=True), "page": page, "per_page": per_page, "total": total}


def page_envelope_schema(item_schema, name: str):
    """An OpenAPI schema for a page of ``item_schema``."""
    return type(name, (Schema,), {
        "items": fields.List(fields.Nested(item_schema)),
        "page": fields.Integer(),
        "per_page": fields.Integer(),
        "total": fields.Integer(),
    })
