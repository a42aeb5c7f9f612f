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


def count_rows(stmt) -> int:
    """How many rows ``stmt`` (a ``select``) returns, in one ``count(*)``."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))


def page_of(stmt) -> dict:
    """The requested page of model objects, for a response schema to dump once:
    ``{"items": [objects], "page", "per_page", "total"}`` (two queries)."""
    page, per_page = page_args()
    items = db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).unique().all()
    return {"items": items, "page": page, "per_page": per_page, "total": count_rows(stmt)}


def paginate(stmt, schema) -> dict:
    """Like :func:`page_of`, with the items already dumped by ``schema``."""
    out = page_of(stmt)
    out["items"] = schema.dump(out["items"], many=True)
    return out


def page_envelope_schema(item_schema, name: str):
    """An OpenAPI schema for a page of ``item_schema``."""
    return type(name, (Schema,), {
        "items": fields.List(fields.Nested(item_schema)),
        "page": fields.Integer(),
        "per_page": fields.Integer(),
        "total": fields.Integer(),
    })
