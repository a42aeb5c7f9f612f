"""System credentials (系统凭证): API keys a partner's or the insurer's own system sends as
``Authorization: Bearer pk_live_…`` instead of a person's e-mail and password.

A key belongs to an organization and is made by its partner admin (or, for the insurer, by
an insurer admin). It acts as its maker — never more than that person may do, and no
longer than that person is active — narrowed by its scopes: a GET needs ``read``, a write
the scope its endpoint declares (:mod:`portal.api.access`); optionally only from listed
client addresses (CIDRs), until ``expires_at``. The key is shown once; the database keeps
its SHA-256 (the key is 32 random bytes: no slow hash is needed) and a short display
prefix. Failed person logins never touch a key (``portal.auth.services.authenticate``
locks e-mails, not keys). Revoking renews the maker's change mark (``API_KEYS_WATCH``), so
a worker that kept the key's principal refuses it on the next request.
"""
from __future__ import annotations

import functools
import hashlib
import ipaddress
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..audit.services import record_audit
from ..db.changes import watch
from ..errors import Forbidden, Invalid, NotFound
from ..extensions import db
from ..timeutil import AwareDateTime, utcnow
from .principal import USER_SCOPE

KEY_PREFIX = "pk_live_"
DISPLAY_PREFIX_LENGTH = len(KEY_PREFIX) + 6
SCOPES = ("read", "quotes:write", "price_lists:write", "salvage:write", "legal:write", "webhooks",
          "invoices:write")
INSURER_SCOPES = SCOPES + ("payments:write",)
LAST_USED_EVERY = timedelta(minutes=1)
MAX_ALLOWED_IPS = 50


class ApiKey(db.Model):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    prefix: Mapped[str] = mapped_column(sa.String(20))
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    scopes_text: Mapped[str] = mapped_column("scopes", sa.String(200))
    allowed_ips: Mapped[list] = mapped_column(sa.JSON, default=list)
    rate_limit_per_minute: Mapped[int | None] = mapped_column()
    expires_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(AwareDateTime())

    @property
    def scopes(self) -> list[str]:
        return self.scopes_text.split()


# a key's change (revoked, expiry moved, used) renews its maker's principal mark
API_KEYS_WATCH = watch("api_keys", scope=USER_SCOPE, key_column="created_by_id")


@dataclass(frozen=True, slots=True)
class KeyRef:
    """What a request made with a key knows of it (on the principal: ``principal.api_key``)."""

    id: int
    name: str
    scopes: tuple[str, ...]
    allowed_ips: tuple[str, ...]
    rate_limit_per_minute: int | None
    last_used_at: datetime | None = field(default=None, compare=False)

    def allows(self, scope: str | None) -> bool:
        return scope is not None and scope in self.scopes

    def allows_address(self, address: str | None) -> bool:
        if not self.allowed_ips:
            return True
        try:
            ip = ipaddress.ip_address(address or "")
        except ValueError:
            return False
        return any(ip in ipaddress.ip_network(net) for net in self.allowed_ips)


def is_key(bearer: str | None) -> bool:
    return bool(bearer) and bearer.startswith(KEY_PREFIX)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@functools.cache
def key_lookup():
    """The one statement that resolves a key: the key, its maker as a principal, their marks."""
    from .models import User
    from .principal import join_principal, principal_columns

    k = ApiKey.__table__.c
    return join_principal(
        sa.select(k.id.label("key_id"), k.name.label("key_name"), k.scopes.label("scopes"),
                  k.allowed_ips.label("allowed_ips"), k.rate_limit_per_minute, k.revoked_at,
                  k.expires_at.label("key_expires_at"), k.last_used_at, *principal_columns())
        .select_from(ApiKey.__table__).join(User, User.id == k.created_by_id)
    ).where(k.key_hash == sa.bindparam("token_hash"))


def key_ref(m) -> KeyRef:
    return KeyRef(m["key_id"], m["key_name"], tuple(m["scopes"].split()), tuple(m["allowed_ips"] or ()),
                  m["rate_limit_per_minute"], m["last_used_at"])


def touch(ref: KeyRef, key: str, now: datetime) -> None:
    """``last_used_at``, written at most once a minute per key (not one write per call), in a
    short transaction of its own so that a GET's stays read-only; the worker's kept
    principal of the key is let go (the write renewed its mark)."""
    from .principal import forget

    if ref.last_used_at is not None and now - ref.last_used_at < LAST_USED_EVERY:
        return
    with db.engine.begin() as conn:
        conn.execute(sa.update(ApiKey).where(ApiKey.id == ref.id).values(last_used_at=now))
    forget(key_hash(key))


# --------------------------------------------------------------------------- rules


def _may_manage(actor, organization_id: int) -> None:
    """Insurer admins manage every key; a partner admin its own organization's (404 for another's)."""
    if getattr(actor, "api_key", None) is not None:
        raise Forbidden("A key cannot manage keys; a person must.")
    if actor.is_admin:
        return
    if not actor.has_role("partner_admin") or actor.is_insurer:
        raise Forbidden()
    if organization_id != actor.organization_id:
        raise NotFound()


def _networks(values) -> list[str]:
    if values is None:
        return []
    if not isinstance(values, (list, tuple)) or len(values) > MAX_ALLOWED_IPS:
        raise Invalid.field("allowed_ips", "A list of at most 50 addresses or CIDR ranges.")
    networks = []
    for value in values:
        try:
            networks.append(str(ipaddress.ip_network(str(value).strip(), strict=False)))
        except ValueError:
            raise Invalid.field("allowed_ips", "Not an address or CIDR range (e.g. 203.0.113.0/24).") from None
    return networks


def create_key(*, actor, name: str, scopes, allowed_ips=None, expires_at: datetime | None = None,
               rate_limit_per_minute: int | None = None) -> tuple[ApiKey, str]:
    """A new key of the actor's organization: ``(row, key)``; the key itself is never stored."""
    _may_manage(actor, actor.organization_id)
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name or len(name) > 100:
        errors["name"] = ["Give the key a name of at most 100 characters (the system that uses it)."]
    allowed = INSURER_SCOPES if actor.is_insurer else SCOPES
    scopes = sorted(set(scopes or []))
    bad = [s for s in scopes if s not in allowed]
    if not scopes:
        errors["scopes"] = ["Choose at least one scope."]
    elif bad:
        errors["scopes"] = ["payments:write is for the insurer's keys only." if bad == ["payments:write"]
                            else f"Not a scope: {', '.join(bad)[:100]}"]
    try:
        networks = _networks(allowed_ips)
    except Invalid as exc:
        errors.update(exc.details)
    if expires_at is not None and expires_at <= utcnow():
        errors["expires_at"] = ["The expiry must be in the future."]
    if rate_limit_per_minute is not None and not 1 <= rate_limit_per_minute <= 100_000:
        errors["rate_limit_per_minute"] = ["Between 1 and 100000."]
    if errors:
        raise Invalid(errors)
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(organization_id=actor.organization_id, created_by_id=actor.id, name=name,
                 prefix=key[:DISPLAY_PREFIX_LENGTH], key_hash=key_hash(key), scopes_text=" ".join(scopes),
                 allowed_ips=networks, expires_at=expires_at, rate_limit_per_minute=rate_limit_per_minute,
                 created_at=utcnow())
    db.session.add(row)
    db.session.flush()
    record_audit("api_key", row.id, "create", {"name": name, "scopes": scopes, "allowed_ips": networks,
                                               "expires_at": expires_at, "organization_id": row.organization_id},
                 actor=actor)
    return row, key


def keys_stmt(actor):
    """The keys the actor manages (its organization's; an insurer admin: every one), live first."""
    if getattr(actor, "api_key", None) is not None or not (actor.is_admin or actor.has_role("partner_admin")):
        raise Forbidden()
    stmt = sa.select(ApiKey).order_by(ApiKey.revoked_at.is_not(None), ApiKey.id.desc())
    if not actor.is_admin:
        stmt = stmt.where(ApiKey.organization_id == actor.organization_id)
    return stmt


def visible_key(key_id: int, actor) -> ApiKey:
    row = db.session.get(ApiKey, key_id)
    if row is None:
        raise NotFound()
    _may_manage(actor, row.organization_id)
    return row


def revoke_key(key_id: int, actor) -> ApiKey:
    """The key stops at once, in every worker (its maker's mark is renewed by the update)."""
    row = visible_key(key_id, actor)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        record_audit("api_key", row.id, "revoke", {"name": row.name}, actor=actor)
    return row
