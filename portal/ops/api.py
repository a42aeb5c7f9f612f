"""``/api/v1/webhooks``: a partner admin's endpoints, their delivery log and replays."""
from __future__ import annotations

import sqlalchemy as sa
from marshmallow import Schema, fields, validate

from ..api import ApiBlueprint
from ..api.access import api_user, authenticated
from ..api.fields import LocalDateTime
from ..api.idempotency import withhold_on_replay
from ..api.pagination import paginate
from ..auth.services import confirm_password
from ..errors import Forbidden
from ..extensions import db
from . import webhooks
from .event_catalogue import catalogue

blp = ApiBlueprint("webhooks", __name__, write_scope="webhooks",
                   description="Signed webhooks (HMAC-SHA256) with retries and a delivery log")


class EndpointCreate(Schema):
    url = fields.String(required=True, validate=validate.Length(max=500))
    events = fields.List(fields.String(validate=validate.Length(max=100)), load_default=list)
    password = fields.String(load_default=None, load_only=True,
                             metadata={"description": "your password, again (not with an API key)"})
    organization_id = fields.Integer(metadata={"description": "admins only: the partner it belongs to"})


class PasswordConfirm(Schema):
    password = fields.String(load_default=None, load_only=True, metadata={"description": "not with an API key"})


class EndpointSchema(Schema):
    id = fields.Integer()
    organization_id = fields.Integer()
    url = fields.String()
    events = fields.List(fields.String())
    active = fields.Boolean()
    created_at = LocalDateTime()


class EndpointWithSecret(EndpointSchema):
    secret = fields.String(metadata={"description": "shown once"})


class DeliverySchema(Schema):
    id = fields.Integer()
    endpoint_id = fields.Integer()
    event = fields.String()
    payload = fields.Dict()
    status = fields.String()
    attempts = fields.Integer()
    next_attempt_at = LocalDateTime()
    last_status_code = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    created_at = LocalDateTime()
    delivered_at = LocalDateTime(allow_none=True)
    replay_of_id = fields.Integer(allow_none=True)


class EventSchema(Schema):
    name = fields.String(metadata={"description": "the event name, e.g. quote.approved"})
    description = fields.String()
    payload_schema = fields.Dict(metadata={"description": "JSON schema of the delivery's data"})


def _manager():
    user = api_user()
    if not (user.is_admin or user.has_role("partner_admin")):
        raise Forbidden()
    return user


@blp.route("/webhooks/events", methods=["GET"])
@blp.response(200, EventSchema(many=True))
@authenticated
def list_events():
    """The event catalogue: every event an endpoint may subscribe to, with its payload schema."""
    return catalogue()


@blp.route("/webhooks", methods=["POST"])
@blp.arguments(EndpointCreate)
@blp.response(201, EndpointWithSecret)
@authenticated
def create_endpoint(data):
    """Register an endpoint; the signing secret is returned once."""
    user = _manager()
    confirm_password(user, data["password"])
    org_id = data.get("organization_id") if user.is_admin and data.get("organization_id") else user.organization_id
    endpoint, _secret = webhooks.create_endpoint(organization_id=org_id, url=data["url"], events=data["events"],
                                                actor=user)
    db.session.commit()
    withhold_on_replay("secret")
    return endpoint  # the only response that carries the secret


@blp.route("/webhooks", methods=["GET"])
@blp.response(200)
@authenticated
def list_endpoints():
    user = _manager()
    stmt = sa.select(webhooks.WebhookEndpoint).order_by(webhooks.WebhookEndpoint.id)
    if not user.is_admin:
        stmt = stmt.where(webhooks.WebhookEndpoint.organization_id == user.organization_id)
    return paginate(stmt, EndpointSchema())


@blp.route("/webhooks/<int:endpoint_id>", methods=["DELETE"])
@blp.response(204)
@authenticated
def disable_endpoint(endpoint_id):
    user = _manager()
    webhooks.disable_endpoint(webhooks.visible_endpoint(endpoint_id, user), user)
    db.session.commit()


@blp.route("/webhooks/<int:endpoint_id>/rotate-secret", methods=["POST"])
@blp.arguments(PasswordConfirm)
@blp.response(200, EndpointWithSecret)
@authenticated
def rotate(data, endpoint_id):
    user = _manager()
    confirm_password(user, data["password"])
    endpoint = webhooks.visible_endpoint(endpoint_id, user)
    webhooks.rotate_secret(endpoint, user)
    db.session.commit()
    withhold_on_replay("secret")
    return endpoint


@blp.route("/webhooks/<int:endpoint_id>/deliveries", methods=["GET"])
@blp.response(200)
@authenticated
def deliveries(endpoint_id):
    user = _manager()
    webhooks.visible_endpoint(endpoint_id, user)
    stmt = sa.select(webhooks.WebhookDelivery).where(webhooks.WebhookDelivery.endpoint_id == endpoint_id) \
        .order_by(webhooks.WebhookDelivery.id.desc())
    return paginate(stmt, DeliverySchema())


@blp.route("/webhook-deliveries/<int:delivery_id>/replay", methods=["POST"])
@blp.response(201, DeliverySchema)
@authenticated
def replay_delivery(delivery_id):
    """Send an earlier delivery again (a new delivery, same event and payload)."""
    user = _manager()
    copy = webhooks.replay(delivery_id, user)
    db.session.commit()
    return copy
