"""``record_audit``: called inside the transaction of the change it records."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask import g, has_request_context, request

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


def current_actor():
    """The user acting in this request (web session or API token), or ``None``."""
    if not has_request_context():
        return g.get("actor") if g else None
    user = g.get("api_user")
    if user is not None:
        return user
    from flask_login import current_user

    return current_user if getattr(current_user, "is_authenticated", False) else None


def client_ip() -> str | None:
    if not has_request_context():
        return None
    return request.remote_addr


def record_audit(entity: str, entity_id, action: str, changes: dict | None = None, actor=None) -> AuditEntry:
    """Append one audit row. ``changes`` maps a field to ``[before, after]``
    (or any plain data describing the decision)."""
    actor = actor if actor is not None else current_actor()
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        organization_id=getattr(actor, "organization_id", None),
        ip=client_ip(),
        entity=entity,
        entity_id=str(entity_id),
        action=action,
        changes=_plain(changes or {}),
    )
    db.session.add(entry)
    return entry


def diff(obj, fields, before: dict) -> dict:
    """``{field: [before, after]}`` for the fields whose value changed."""
    out = {}
    for name in fields:
        after = getattr(obj, name)
        if before.get(name) != after:
            out[name] = [before.get(name), after]
    return out


def snapshot(obj, fields) -> dict:
    return {name: getattr(obj, name) for name in fields}
