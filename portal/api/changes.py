"""Cheap change detection for partners' systems: ``updated_since`` and ``sort=updated_at`` on the
lists of things that change, and an ``ETag`` on every JSON answer of a GET (``If-None-Match`` → 304).

``updated_since`` is an ISO 8601 time (without an offset it is Beijing time); a list keeps the
items with ``updated_at`` at or after it (inclusive: poll again with the newest ``updated_at``
seen, and drop the ids already handled). ``sort=updated_at`` (oldest change first) or
``-updated_at`` (newest first) breaks ties by id in the same direction, so pages are stable."""
from __future__ import annotations

import hashlib

from flask import request
from marshmallow import Schema, fields, validate

from .blueprint import API_PREFIX
from .fields import LocalDateTime

SORTS = ("updated_at", "-updated_at")


class ChangesQuery(Schema):
    """The query parameters of a list of things that change (a list's own query schema inherits it)."""

    updated_since = LocalDateTime(metadata={
        "description": "Only items whose ``updated_at`` is at or after this time (inclusive); a time "
                       "without an offset is Beijing time (+08:00).",
        "example": "2026-12-01T08:00:00+08:00"})
    sort = fields.String(validate=validate.OneOf(SORTS), metadata={
        "description": "``updated_at``: oldest change first; ``-updated_at``: newest change first; "
                       "ties broken by ``id`` in the same direction. Without it, the list's default order."})


def changes_query(name: str, base, default_order: str):
    """A query schema class ``name``: ``base`` with ``updated_since`` and ``sort`` (its
    description naming the list's default order)."""
    sort = fields.String(validate=validate.OneOf(SORTS), metadata={
        "description": ChangesQuery._declared_fields["sort"].metadata["description"]
        .replace("the list's default order", f"the default order: {default_order}")})
    since = LocalDateTime(metadata=ChangesQuery._declared_fields["updated_since"].metadata)
    return type(name, (base,), {"updated_since": since, "sort": sort})


def apply_changes(stmt, args: dict, updated_at, id_column, default_order=None):
    """``stmt`` filtered by ``args["updated_since"]`` and ordered by ``args["sort"]`` (else by
    ``default_order``, a tuple of columns or ``None`` for the statement's own)."""
    since = args.get("updated_since")
    if since is not None:
        stmt = stmt.where(updated_at >= since)
    sort = args.get("sort")
    if sort == "updated_at":
        return stmt.order_by(None).order_by(updated_at.asc(), id_column.asc())
    if sort == "-updated_at":
        return stmt.order_by(None).order_by(updated_at.desc(), id_column.desc())
    if default_order is not None:
        return stmt.order_by(None).order_by(*default_order)
    return stmt


def etag_of(body: bytes) -> str:
    """A strong validator of an answer's bytes: what differs for one caller differs in it."""
    return hashlib.sha256(body).hexdigest()[:32]


def conditional_get(response):
    """``ETag`` and ``Cache-Control: private, no-cache`` on a JSON answer of an API GET; a
    matching ``If-None-Match`` (a list of tags, weak ones, or ``*``) makes it a 304 without a body."""
    if request.method not in ("GET", "HEAD") or not request.path.startswith(API_PREFIX + "/"):
        return response
    if response.status_code != 200 or response.mimetype != "application/json" or response.direct_passthrough:
        return response
    response.headers["Cache-Control"] = "private, no-cache"
    tag = etag_of(response.get_data())
    response.set_etag(tag)
    if request.if_none_match and request.if_none_match.contains_weak(tag):
        response.status_code = 304
        response.set_data(b"")
        for header in ("Content-Type", "Content-Length"):
            response.headers.pop(header, None)
    return response
