"""``/api/v1/api-keys``: system credentials (``portal.auth.api_keys``)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..api import ApiBlueprint
from ..api.access import api_user, authenticated
from ..api.fields import LocalDateTime
from ..api.idempotency import withhold_on_replay
from ..api.pagination import paginate
from ..extensions import db
from . import api_keys

blp = ApiBlueprint("api_keys", __name__, description="System credentials: API keys with scopes, "
                   "an address allow-list and an expiry")


class ApiKeyCreate(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    scopes = fields.List(fields.String(validate=validate.OneOf(api_keys.INSURER_SCOPES)), required=True,
                         validate=validate.Length(min=1, max=len(api_keys.INSURER_SCOPES)),
                         metadata={"description": "read, quotes:write, price_lists:write, salvage:write, "
                                                  "legal:write, webhooks, invoices:write; payments:write for insurer keys"})
    allowed_ips = fields.List(fields.String(validate=validate.Length(max=64)), load_default=list,
                              validate=validate.Length(max=api_keys.MAX_ALLOWED_IPS),
                              metadata={"description": "addresses or CIDR ranges; empty: any address"})
    expires_at = LocalDateTime(allow_none=True, load_default=None)
    rate_limit_per_minute = fields.Integer(allow_none=True, load_default=None,
                                           metadata={"description": "this key's own limit (default: the portal's)"})


class ApiKeySchema(Schema):
    id = fields.Integer()
    organization_id = fields.Integer()
    name = fields.String()
    prefix = fields.String(metadata={"description": "the key's first characters, to recognise it"})
    scopes = fields.List(fields.String())
    allowed_ips = fields.List(fields.String())
    rate_limit_per_minute = fields.Integer(allow_none=True)
    expires_at = LocalDateTime(allow_none=True)
    created_at = LocalDateTime()
    last_used_at = LocalDateTime(allow_none=True)
    revoked_at = LocalDateTime(allow_none=True)


class ApiKeyWithKey(ApiKeySchema):
    key = fields.String(metadata={"description": "shown this once; the portal keeps only its hash"})


_KEY_FIELDS = tuple(ApiKeySchema().fields)


@blp.route("/api-keys", methods=["POST"])
@blp.arguments(ApiKeyCreate)
@blp.response(201, ApiKeyWithKey)
@authenticated
def create_key(data):
    """A key for a system of the caller's organization (partner admins; insurer admins). The key is in
    this answer only: send it as ``Authorization: Bearer <key>``."""
    row, key = api_keys.create_key(actor=api_user(), **data)
    withhold_on_replay("key")   # an Idempotency-Key replay answers the key's row, never the key
    answer = {**{name: getattr(row, name) for name in _KEY_FIELDS}, "key": key}   # read before the commit expires it
    db.session.commit()
    return answer


@blp.route("/api-keys", methods=["GET"])
@blp.response(200)
@authenticated
def list_keys():
    """The keys the caller manages (never the keys themselves), live ones first."""
    return paginate(api_keys.keys_stmt(api_user()), ApiKeySchema())


@blp.route("/api-keys/<int:key_id>", methods=["DELETE"])
@blp.response(204)
@authenticated
def revoke_key(key_id):
    """Revoke a key at once (every worker refuses it from the next request)."""
    api_keys.revoke_key(key_id, api_user())
    db.session.commit()
