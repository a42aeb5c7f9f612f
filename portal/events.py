"""Events after commit: ``emit`` queues an event on the session; when the transaction
commits, the ``portal_event`` hook receives it (notifications, webhooks). A rollback
drops the queue. A failing receiver is logged and never fails the action."""
from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import current_app, has_app_context

from .extensions import db

log = logging.getLogger(__name__)
_KEY = "portal_pending_events"


def emit(name: str, payload: dict) -> None:
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that a rollback drops the event (no connection is taken yet)
    session.info.setdefault(_KEY, []).append((name, dict(payload)))


def _dispatch(session) -> None:
    pending = session.info.pop(_KEY, None)
    if not pending or not has_app_context():
        return
    from .plugins import hook

    app = current_app._get_current_object()
    for name, payload in pending:
        try:
            hook(app).portal_event(name=name, payload=payload)
        except Exception:  # noqa: BLE001 - a receiver never fails the action
            log.exception("event receiver failed for %s", name)


def _drop(session) -> None:
    session.info.pop(_KEY, None)


def install() -> None:
    """Listen on every session (idempotent)."""
    if not sa.event.contains(sa.orm.Session, "after_commit", _after_commit):
        sa.event.listen(sa.orm.Session, "before_commit", _before_commit)
        sa.event.listen(sa.orm.Session, "after_commit", _after_commit)
        sa.event.listen(sa.orm.Session, "after_soft_rollback", _after_rollback)


def _before_commit(session) -> None:
    """``portal_events_committing``: records derived from the events (the major-case register)
    are written in the same transaction, inside a savepoint: a failing receiver is logged and
    its writes are undone, the action still commits."""
    pending = session.info.get(_KEY)
    if not pending or not has_app_context() or session.get_nested_transaction() is not None:
        return
    from .plugins import hook

    app = current_app._get_current_object()
    try:
        with session.begin_nested():
            hook(app).portal_events_committing(events=[(name, dict(payload)) for name, payload in pending])
    except Exception:  # noqa: BLE001 - a receiver never fails the action
        log.exception("events_committing receiver failed")


def _after_commit(session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint was released; the real commit is still to come
    pending = session.info.get(_KEY)
    if pending:
        _dispatch(session)


def _after_rollback(session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        _drop(session)
