"""``?page=1&per_page=50`` (max 200) → ``{"items", "page", "per_page", "total"}``."""
from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask import request
from marshmallow import Schema, fields

from ..errors import Invalid
from ..extensions import db
from .dump import dump_many

MAX_PER_PAGE = 200
MAX_PAGE = 1_000_000


def page_args() -> tuple[int, int]:
    try:
        page = int(request.args.get("page", 1))
        per_page = int(request.args.get("per_page", 50))
    except ValueError:
        raise Invalid({"page": ["Must be an integer."]}) from None
    if page < 1:
        raise Invalid.field("page", "Must be 1 or more.")
    if page > MAX_PAGE:   # beyond any list; the offset would not fit the database's integer (review L5)
        raise Invalid.field("page", f"Must be at most {MAX_PAGE}.")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise Invalid.field("per_page", f"Must be between 1 and {MAX_PER_PAGE}.")
    return page, per_page


def count_rows(stmt) -> int:
    """How many rows ``stmt`` (a ``select``) returns, in one ``count(*)``."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))


def _total(page: int, per_page: int, items, count: Callable[[], int]) -> int:
    """A short, non-empty page (or an empty first page) is the last one: its rows give the
    total without counting; otherwise ``count()``."""
    if len(items) < per_page and (items or page == 1):
        return (page - 1) * per_page + len(items)
    return count()


def page_of(stmt) -> dict:
    """The requested page of model objects, for a response schema to dump once:
    ``{"items": [objects], "page", "per_page", "total"}`` (one or two queries)."""
    page, per_page = page_args()
    items = db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).unique().all()
    return {"items": items, "page": page, "per_page": per_page,
            "total": _total(page, per_page, items, lambda: count_rows(stmt))}


def page_of_rows(stmt, count: Callable[[], int]) -> dict:
    """The requested page of plain rows (``stmt`` selects columns, not model objects: the
    cheap way for a busy list); ``count()`` gives the total when the page cannot:
    ``{"items": [row mappings], "page", "per_page", "total"}``."""
    page, per_page = page_args()
    # a Core statement: executed on the session's connection, past the ORM's execution layer
    items = db.session.connection().execute(stmt.limit(per_page).offset((page - 1) * per_page)).mappings().all()
    return {"items": items, "page": page, "per_page": per_page, "total": _total(page, per_page, items, count)}


def paginate(stmt, schema) -> dict:
    """Like :func:`page_of`, with the items already dumped by ``schema``."""
    out = page_of(stmt)
    out["items"] = dump_many(schema, out["items"])
    return out


def page_envelope_schema(item_schema, name: str):
    """An OpenAPI schema for a page of ``item_schema`` (its four keys always present)."""
    return type(name, (Schema,), {
        "items": fields.List(fields.Nested(item_schema), required=True),
        "page": fields.Integer(required=True, metadata={"minimum": 1, "example": 1}),
        "per_page": fields.Integer(required=True, metadata={"minimum": 1, "maximum": MAX_PER_PAGE, "example": 50}),
        "total": fields.Integer(required=True, metadata={"minimum": 0}),
    })
