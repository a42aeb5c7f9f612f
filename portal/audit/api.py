"""Audit trail API: read-only; nothing here changes or deletes a row."""
from __future__ import annotations

import sqlalchemy as sa
from marshmallow import Schema, ValidationError, fields, validate

from ..api import ApiBlueprint
from ..api.access import roles
from ..api.fields import LocalDateTime
from ..extensions import db
from .services import audit_entities, audit_trail

blp = ApiBlueprint("audit_api", __name__, description="The append-only audit trail (审计留痕)")
MAX_ITEMS = 1000


def _registered(entity: str) -> None:
    if entity not in audit_entities():
        raise ValidationError(f"Must be one of: {', '.join(sorted(audit_entities()))}.")


class AuditQuery(Schema):
    entity = fields.String(required=True, validate=_registered,
                           metadata={"description": "the kind of record, as its area registered it "
                                                    "(quote, claim, price_list, complaint, …)"})
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


@blp.route("/audit", methods=["GET"])
@blp.arguments(AuditQuery, location="query")
@blp.response(200, AuditList)
@roles("admin", "supervisor")
def list_audit(args):
    """Every state change and decision of one record, oldest first."""
    entity_id = resolve_entity_id(args["entity"], args["entity_id"])
    return {"items": audit_trail(args["entity"], entity_id, limit=MAX_ITEMS)}
