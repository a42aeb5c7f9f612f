"""The audit trail (审计留痕): ``record_audit`` is called inside the transaction of the
change it records; ``audit_trail`` reads one record's rows back, oldest first. The kinds
of record are registered by their owners (``portal_audit_entities``)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask import has_app_context, has_request_context, request

from ..auth.current import current_actor
from ..extensions import db
from ..timeutil import isoformat
from .models import AuditEntry


def _plain(value):
    if isinstance(value, Decimal):
        return f"{value:.2f}" if value == value.quantize(Decimal("0.01")) else str(value)
    if isinstance(value, datetime):
        return isoformat(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    return value


def client_ip() -> str | None:
    if not has_request_context():
        return None
    return request.remote_addr


def audit_entities(app=None) -> frozenset[str]:
    """Every entity name some area registered, merged once per app."""
    from ..plugins import flatten, hook, once_per_app

    return once_per_app("audit_entities", lambda a: frozenset(flatten(hook(a).portal_audit_entities())), app)


def audit_trail(entity: str, entity_id, limit: int | None = None) -> list[AuditEntry]:
    """One record's audit rows, oldest first (at most ``limit``)."""
    stmt = (sa.select(AuditEntry).where(AuditEntry.entity == entity, AuditEntry.entity_id == str(entity_id))
            .order_by(AuditEntry.id))
    return db.session.scalars(stmt if limit is None else stmt.limit(limit)).all()


VIA_API_KEY = "via_api_key"


def _via_key(changes: dict, actor) -> dict:
    """A change made through a system's API key (``portal/auth/api_keys.py``) names the key."""
    key = getattr(actor, "api_key", None)
    return changes if key is None else {**changes, VIA_API_KEY: {"id": key.id, "name": key.name}}


def record_audit(entity: str, entity_id, action: str, changes: dict | None = None, actor=None,
                 session=None) -> AuditEntry:
    """Append one audit row. ``changes`` maps a field to ``[before, after]``
    (or any plain data describing the decision). ``session`` is the request's by
    default; a change made in a session of its own passes that one.

    An entity nobody registered is a programming error: the row could never be read
    back through the API, so it is refused here."""
    if has_app_context() and entity not in audit_entities():
        raise ValueError(f"audit entity {entity!r} is not registered (portal_audit_entities)")
    actor = actor if actor is not None else current_actor()
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        organization_id=getattr(actor, "organization_id", None),
        ip=client_ip(),
        entity=entity,
        entity_id=str(entity_id),
        action=action,
        changes=_plain(_via_key(changes or {}, actor)),
    )
    (session or db.session).add(entry)
    return entry
