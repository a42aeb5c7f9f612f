"""Signed webhooks (``docs/operations.md``, "Webhooks"): a partner registers an HTTPS
endpoint and receives every event that concerns its organization, signed with HMAC-SHA256,
retried with backoff, logged, and replayable.

Body: ``{id, type, created_at, data}`` — ``id`` the event's stable id (``evt_…``, the same
on retries and replays), ``type`` the event name. Signature:
``X-Portal-Signature: v1=<hex>[,v1=<hex>]``, one HMAC-SHA256 of
``"<X-Portal-Timestamp>.<raw body>"`` per valid secret (after a rotation the previous secret
stays valid for ``WEBHOOKS_SECRET_OVERLAP_HOURS``). Receivers should refuse timestamps older
than five minutes.

An event reaches the endpoints of the organizations named in its payload
(``organization_id`` or ``organization_ids``).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, g, has_app_context
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..audit.services import record_audit
from ..errors import Invalid, NotFound
from ..extensions import db
from ..timeutil import AwareDateTime, isoformat, utcnow
from .event_catalogue import check_names
from .outbound import OutboundRefused, check_address, post, status_line
from .sealing import SealError, seal, unseal

SIGNATURE_HEADER = "X-Portal-Signature"


class WebhookEndpoint(db.Model):
    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    url: Mapped[str] = mapped_column(sa.String(500))
    # the signing key, sealed (portal.ops.sealing): never stored in clear
    sealed_secret: Mapped[str] = mapped_column("secret", sa.String(400))
    events: Mapped[list] = mapped_column(sa.JSON, default=list)  # empty: every event
    # the secret before the last rotation, valid until previous_secret_until (sealed too)
    sealed_previous_secret: Mapped[str | None] = mapped_column("previous_secret", sa.String(400))
    previous_secret_until: Mapped[datetime | None] = mapped_column(AwareDateTime())
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)


    @property
    def secret(self) -> str:
        """The signing key in clear (for signing, and for the one response that shows it)."""
        return unseal(self.sealed_secret)

    @secret.setter
    def secret(self, value: str) -> None:
        self.sealed_secret = seal(value)

    def signing_secrets(self, now: datetime) -> list[str]:
        """The secrets a delivery is signed with: the current one, and the previous one
        while its overlap lasts (strictly before ``previous_secret_until``)."""
        keys = [self.secret]
        if self.sealed_previous_secret and self.previous_secret_until and now < self.previous_secret_until:
            keys.append(unseal(self.sealed_previous_secret))
        return keys


class WebhookDelivery(db.Model):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (sa.Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(sa.ForeignKey("webhook_endpoints.id"), index=True)
    event: Mapped[str] = mapped_column(sa.String(100))
    event_id: Mapped[str | None] = mapped_column(sa.String(40), index=True)  # evt_…, shared by replays
    payload: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    status: Mapped[str] = mapped_column(sa.String(16), default="pending")  # pending delivered failed
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    last_status_code: Mapped[int | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    replay_of_id: Mapped[int | None] = mapped_column()


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def signature_header(secrets_: list[str], timestamp: str, body: bytes) -> str:
    return ",".join(sign(secret, timestamp, body) for secret in secrets_)


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """True when one of the ``v1=`` signatures of the header is this secret's."""
    expected = sign(secret, timestamp, body)
    return any(hmac.compare_digest(expected, part.strip()) for part in (signature or "").split(","))


def check_url(url: str) -> str:
    """The rules of every outbound request (``portal.ops.outbound``), checked at registration:
    HTTPS, an allowed port, and a host that resolves to public addresses only (SSRF)."""
    try:
        return check_address(url).url
    except OutboundRefused as exc:
        raise Invalid.field("url", str(exc)) from None


def create_endpoint(*, organization_id: int, url: str, events: list[str] | None, actor) -> tuple[WebhookEndpoint, str]:
    url = check_url(url)
    events = check_names(list(events or []))
    secret = "whsec_" + secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint(organization_id=organization_id, url=url, secret=secret,
                               events=sorted(set(events or [])), created_by_id=getattr(actor, "id", None))
    db.session.add(endpoint)
    db.session.flush()
    record_audit("organization", organization_id, "webhook_created", {"endpoint_id": endpoint.id, "url": url},
                 actor=actor)
    return endpoint, secret


def rotate_secret(endpoint: WebhookEndpoint, actor) -> str:
    secret = "whsec_" + secrets.token_urlsafe(32)
    endpoint.sealed_previous_secret = endpoint.sealed_secret
    endpoint.previous_secret_until = utcnow() + timedelta(
        hours=current_app.config["WEBHOOKS_SECRET_OVERLAP_HOURS"])
    endpoint.secret = secret
    record_audit("organization", endpoint.organization_id, "webhook_secret_rotated",
                 {"endpoint_id": endpoint.id}, actor=actor)
    return secret


def visible_endpoint(endpoint_id: int, user) -> WebhookEndpoint:
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or (not user.is_admin and endpoint.organization_id != user.organization_id):
        raise NotFound()
    return endpoint


def _audience(payload: dict) -> set:
    org_ids = set(payload.get("organization_ids") or [])
    if payload.get("organization_id"):
        org_ids.add(payload["organization_id"])
    return org_ids


def record_deliveries(events, session) -> int:
    """One delivery per active endpoint of each organization an event concerns, written in the
    transaction of the change itself, just before it commits (``portal_events_committing``): the
    change and the news of it commit together or not at all. One statement finds the endpoints
    of every organization of the transaction's events; each event gets its stable ``evt_`` id."""
    wanted = [(name, payload, _audience(payload)) for name, payload in events]
    org_ids = set().union(*(audience for _, _, audience in wanted)) if wanted else set()
    if not org_ids:
        return 0
    endpoints = session.scalars(sa.select(WebhookEndpoint).where(
        WebhookEndpoint.organization_id.in_(org_ids), WebhookEndpoint.active.is_(True))).all()
    count = 0
    for name, payload, audience in wanted:
        event_id = "evt_" + uuid.uuid4().hex
        for endpoint in endpoints:
            if endpoint.organization_id in audience and (not endpoint.events or name in endpoint.events):
                session.add(WebhookDelivery(endpoint_id=endpoint.id, event=name, event_id=event_id, payload=payload))
                count += 1
    if count and has_app_context():
        g.portal_webhooks_due = True
    return count


def send_soon() -> None:
    """After the commit that wrote deliveries: the worker sends them now (the periodic job
    retries what fails, and picks up what a restart left)."""
    if has_app_context() and g.pop("portal_webhooks_due", False):
        from ..worker import enqueue as enqueue_task

        enqueue_task("portal.deliver_webhooks")


def enqueue(name: str, payload: dict) -> int:
    """The deliveries of one event outside a change's transaction (operators, tests), committed
    at once and sent soon."""
    with Session(db.engine) as session:
        count = record_deliveries([(name, payload)], session)
        session.commit()
    send_soon()
    return count


def _attempt(delivery: WebhookDelivery, endpoint: WebhookEndpoint) -> bool:
    body = json.dumps({"id": delivery.event_id or f"evt_delivery_{delivery.id}", "type": delivery.event,
                       "created_at": isoformat(delivery.created_at), "data": delivery.payload},
                      ensure_ascii=False, sort_keys=True).encode()
    now = utcnow()
    timestamp = str(int(now.timestamp()))
    try:
        signature = signature_header(endpoint.signing_secrets(now), timestamp, body)
    except SealError as exc:   # SECRET_KEY changed without SECRET_KEY_FALLBACKS: never send unsigned
        delivery.last_status_code = None
        delivery.last_error = f"signing key unavailable: {exc}"
        return False
    headers = {"Content-Type": "application/json", "User-Agent": "claims-portal-webhooks/1",
               "X-Portal-Event": delivery.event, "X-Portal-Delivery": str(delivery.id),
               "X-Portal-Timestamp": timestamp, SIGNATURE_HEADER: signature}
    import httpx  # here, not at start-up (issue 26)

    try:   # resolved once, connected to that address, no redirect followed (portal.ops.outbound)
        response = post(endpoint.url, body, headers, current_app.config["WEBHOOKS_TIMEOUT_SECONDS"])
    except (OutboundRefused, httpx.HTTPError, OSError, ValueError) as exc:
        delivery.last_status_code = None
        delivery.last_error = status_line(error=exc)
        return False
    delivery.last_status_code = response.status_code
    ok = 200 <= response.status_code < 300
    delivery.last_error = None if ok else status_line(response)
    return ok


def deliver_due(now: datetime | None = None, limit: int = 200) -> str:
    """Send the deliveries that are due; failures back off exponentially
    (``WEBHOOKS_BACKOFF_SECONDS`` × 2^(attempt−1)) until ``WEBHOOKS_MAX_ATTEMPTS``."""
    cfg = current_app.config
    now = now or utcnow()
    sent = failed = 0
    with Session(db.engine) as session:
        due = session.scalars(sa.select(WebhookDelivery).where(
            WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
            .order_by(WebhookDelivery.id).limit(limit)).all()
        for delivery in due:
            endpoint = session.get(WebhookEndpoint, delivery.endpoint_id)
            delivery.attempts += 1
            if endpoint is not None and endpoint.active and _attempt(delivery, endpoint):
                delivery.status = "delivered"
                delivery.delivered_at = utcnow()
                sent += 1
            else:
                if endpoint is None or not endpoint.active:
                    delivery.last_error = "endpoint disabled"
                if delivery.attempts >= cfg["WEBHOOKS_MAX_ATTEMPTS"] or endpoint is None or not endpoint.active:
                    delivery.status = "failed"
                else:
                    delay = cfg["WEBHOOKS_BACKOFF_SECONDS"] * (2 ** (delivery.attempts - 1))
                    delivery.next_attempt_at = now + timedelta(seconds=delay)
                failed += 1
            session.commit()
    return f"{sent} delivered, {failed} failed or rescheduled"


def replay(delivery_id: int, user) -> WebhookDelivery:
    original = db.session.get(WebhookDelivery, delivery_id)
    if original is None:
        raise NotFound()
    endpoint = visible_endpoint(original.endpoint_id, user)
    copy = WebhookDelivery(endpoint_id=original.endpoint_id, event=original.event, event_id=original.event_id,
                           payload=original.payload, created_at=original.created_at, replay_of_id=original.id)
    db.session.add(copy)
    db.session.flush()
    record_audit("organization", endpoint.organization_id, "webhook_replayed",
                 {"endpoint_id": endpoint.id, "delivery_id": original.id, "replay_id": copy.id}, actor=user)
    return copy


def disable_endpoint(endpoint: WebhookEndpoint, actor) -> None:
    """No more deliveries to this endpoint (kept, with its log)."""
    if endpoint.active:
        endpoint.active = False
        record_audit("organization", endpoint.organization_id, "webhook_disabled", {"endpoint_id": endpoint.id},
                     actor=actor)
