"""A change to a record's child rows bumps the record's ``updated_at`` in the same transaction, so
that a partner polling ``updated_since`` (portal/api/changes.py) sees the record again. A record
is bumped once per transaction: later flushes of the same change write no extra UPDATE."""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from ..timeutil import utcnow

_TOUCHED = "portal_touched"   # session.info: (class, id) bumped in the open transaction


def touch_parent(parent, children: tuple, key: str, relation: str | None = None) -> None:
    """Rows of ``children`` (each with the column ``key`` naming the parent's id, or the
    relationship ``relation`` before it is flushed) bump ``parent.updated_at`` when added,
    changed or deleted; a parent whose own collections changed is bumped as well."""

    @event.listens_for(Session, "before_flush")
    def _bump(session, flush_context, instances) -> None:
        touched = session.info.setdefault(_TOUCHED, set())
        ids = set()
        for obj in (*session.new, *session.dirty, *session.deleted):
            if isinstance(obj, children):
                owner = getattr(obj, relation, None) if relation else None
                ids.add(getattr(obj, key) or (owner.id if owner is not None else None))
        parents = [obj for obj in session.dirty if isinstance(obj, parent) and session.is_modified(obj)]
        ids -= {None} | {i for cls, i in touched if cls is parent} | {p.id for p in parents}
        parents += [p for p in (session.get(parent, i) for i in ids) if p is not None]   # read by the change
        now = utcnow()
        for record in parents:
            record.updated_at = now
            touched.add((parent, record.id))


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget(session) -> None:
    session.info.pop(_TOUCHED, None)
