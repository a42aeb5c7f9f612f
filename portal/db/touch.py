"""A change to a record's child rows bumps the record's ``updated_at`` in the same transaction, so
that a partner polling ``updated_since`` (portal/api/changes.py) sees the record again. A record is
stamped once per transaction: one already stamped since the transaction began (by a transition's
own ``UPDATE``, whose ``onupdate`` sets it, or by an earlier flush) is left alone — no extra UPDATE."""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from ..timeutil import utcnow


def touch_parent(parent, children: tuple, key: str, relation: str | None = None) -> None:
    """Rows of ``children`` (each with the column ``key`` naming the parent's id, or the
    relationship ``relation`` before it is flushed) bump ``parent.updated_at`` when added,
    changed or deleted; a parent whose own collections changed is bumped as well."""

    @event.listens_for(Session, "before_flush")
    def _bump(session, flush_context, instances) -> None:
        ids = set()
        for obj in (*session.new, *session.dirty, *session.deleted):
            # a child in ``dirty`` whose columns did not change (a loaded line the checks read) is no change
            if isinstance(obj, children) and not (obj in session.dirty and not session.is_modified(obj)):
                owner = getattr(obj, relation, None) if relation else None
                ids.add(getattr(obj, key) or (owner.id if owner is not None else None))
        # a parent whose own columns changed (its UPDATE stamps it through ``onupdate`` as well);
        # a change of its collections alone is seen through the children above
        parents = [obj for obj in session.dirty
                   if isinstance(obj, parent) and session.is_modified(obj, include_collections=False)]
        ids.discard(None)
        if not ids and not parents:
            return
        parents += [p for p in (session.get(parent, i) for i in ids) if p is not None]   # read by the change
        now, started = utcnow(), session.info.get(_STARTED)
        for record in parents:
            # once a transaction: a transition's own UPDATE (update_record) already stamped it
            if record.updated_at is None or started is None or record.updated_at < started:
                record.updated_at = now


_STARTED = "portal_transaction_started"


@event.listens_for(Session, "after_begin")
def _transaction_started(session, _transaction, _connection) -> None:
    session.info[_STARTED] = utcnow()
