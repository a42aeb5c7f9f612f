"""Cheap change detection for partners' systems (增量同步): ``updated_since`` and
``sort=updated_at`` on the lists of things that change, and ``ETag``/``If-None-Match`` on
every JSON GET of the API.

- ``updated_since=<ISO time>`` keeps the items whose ``updated_at`` is at or after the
  boundary (inclusive: poll with the newest ``updated_at`` you hold and drop what you have);
  a time without offset is Beijing time. ``sort=updated_at`` (oldest change first) or
  ``-updated_at``, ties broken by ``id`` in the same direction, so a page boundary never
  skips or repeats an item. Without ``sort`` a list keeps its documented default order.
- A record's ``updated_at`` moves with every change of the record — and, for a record with
  parts (a quote's lines, photos, findings and decisions), with every change of a part:
  :func:`touches_parent` declares the part, and a flush that adds, changes or removes one
  stamps its parent in the same transaction.
- Every ``200`` JSON answer to a GET under ``/api/v1`` carries a strong ``ETag`` computed
  from the answer's bytes (werkzeug's ``add_etag``) — so two callers who see different
  things get different tags — and ``Cache-Control: private, no-cache``; a request whose
  ``If-None-Match`` names it gets ``304`` with no body (werkzeug's ``make_conditional``).
  Nothing is read from the database for it.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session
from flask import request
from marshmallow import Schema, fields, validate

from ..timeutil import utcnow
from .blueprint import API_PREFIX
from .fields import LocalDateTime

SORTS = ("updated_at", "-updated_at")


class ChangeQuery(Schema):
    """The query parameters of a list of things that change (mixed into its query schema)."""

    updated_since = LocalDateTime(metadata={
        "description": "Only items changed at or after this time (inclusive; without offset: Beijing time)."})
    sort = fields.String(validate=validate.OneOf(SORTS), metadata={
        "description": "updated_at: oldest change first; -updated_at: newest first; ties by id. "
                       "Without it the list keeps its default order."})


def changed_since(stmt, model, args: dict, default_order=None):
    """``stmt`` (a select of ``model``, which has ``updated_at`` and ``id``) filtered by
    ``updated_since`` and ordered by ``sort`` (else by ``default_order``)."""
    since = args.get("updated_since")
    if since is not None:
        stmt = stmt.where(model.updated_at >= since)
    sort = args.get("sort")
    if sort == "updated_at":
        return stmt.order_by(None).order_by(model.updated_at.asc(), model.id.asc())
    if sort == "-updated_at":
        return stmt.order_by(None).order_by(model.updated_at.desc(), model.id.desc())
    return stmt.order_by(*default_order) if default_order is not None else stmt


_PARENTS: dict[type, tuple[type, str]] = {}
_STARTED = "portal_transaction_started"


def touches_parent(child, parent, key: str) -> None:
    """Declare that a change of a ``child`` row is a change of its ``parent`` (``key``: the
    child's column holding the parent's id): the parent's ``updated_at`` is stamped."""
    _PARENTS[child] = (parent, key)


@sa.event.listens_for(Session, "before_flush")
def _stamp_parents(session, _context, _instances):
    if not _PARENTS:
        return
    now = None
    for obj in (*session.new, *session.dirty, *session.deleted):
        found = _PARENTS.get(type(obj))
        if found is None or (obj in session.dirty and not session.is_modified(obj, include_collections=False)):
            continue
        parent_model, key = found
        parent_id = getattr(obj, key)
        if parent_id is None:
            continue
        parent = session.identity_map.get(sa.inspect(parent_model).identity_key_from_primary_key((parent_id,)))
        if parent is None:
            parent = session.get(parent_model, parent_id)
        started = session.info.get(_STARTED)
        if parent is not None and (parent.updated_at is None or started is None or parent.updated_at < started):
            now = now or utcnow()   # once a transaction: a transition's own UPDATE already stamped it
            parent.updated_at = now


@sa.event.listens_for(Session, "after_begin")
def _transaction_started(session, _transaction, _connection):
    session.info[_STARTED] = utcnow()


def conditional_get(response):
    """``ETag``, ``Cache-Control`` and ``304`` for the API's JSON GETs (an after-request hook)."""
    if request.method not in ("GET", "HEAD") or not request.path.startswith(API_PREFIX + "/") \
            or response.status_code != 200 or response.mimetype != "application/json" or response.is_streamed:
        return response
    response.headers["Cache-Control"] = "private, no-cache"
    response.add_etag()
    return response.make_conditional(request)
