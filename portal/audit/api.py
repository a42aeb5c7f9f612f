"""Audit trail API (API.md "Audit"): read-only; nothing here changes or deletes a row."""
from __future__ import annotations

import sqlalchemy as sa
from marshmallow import Schema, fields, validate

from ..api import ApiBlueprint
from ..api.access import roles
from ..api.fields import LocalDateTime
from ..extensions import db
from .models import AUDIT_ENTITIES, AuditEntry

blp = ApiBlueprint("audit_api", __name__, description="The append-only audit trail (审计留痕)")
MAX_ITEMS = 1000


class AuditQuery(Schema):
    entity = fields.String(required=True, validate=validate.OneOf(AUDIT_ENTITIES))
    entity_id = fields.String(required=True, validate=validate.Length(min=1, max=64),
                              metadata={"description": "the record's id (for a claim, its id or claim number)"})


class AuditItem(Schema):
    at = LocalDateTime()
    actor_id = fields.Integer(allow_none=True)
    action = fields.String()
    changes = fields.Dict()


class AuditList(Schema):
    items = fields.List(fields.Nested(AuditItem))


def resolve_entity_id(entity: str, entity_id: str) -> str:
    """A claim may be named by its number as well as its id."""
    if entity == "claim" and not entity_id.isdigit():
        from ..claims.models import Claim

        found = db.session.scalar(sa.select(Claim.id).where(Claim.claim_no == entity_id))
        return str(found) if found is not None else entity_id
    return entity_id


def audit_rows(entity: str, entity_id: str, limit: int = MAX_ITEMS) -> list[AuditEntry]:
    return db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity == entity,
                                                          AuditEntry.entity_id == str(entity_id))
                              .order_by(AuditEntry.id).limit(limit)).all()


@blp.route("/audit", methods=["GET"])
@blp.arguments(AuditQuery, location="query")
@blp.response(200, AuditList)
@roles("admin", "supervisor")
def list_audit(args):
    """Every state change and decision of one record, oldest first."""
    entity_id = resolve_entity_id(args["entity"], args["entity_id"])
    return {"items": audit_rows(args["entity"], entity_id)}
