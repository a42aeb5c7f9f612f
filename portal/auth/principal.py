"""Who is calling (调用方): the small immutable principal a bearer token resolves to.

Authentication ends in a :class:`Principal` — the user's id, name and language, the
organization (id, kind, name, region, status, grade), roles and approval authority — read
by one plain statement (token, user, organization and their change marks) and never an
ORM object: nothing the request does can change it or flush it by accident. A service
that changes the user itself loads the row (``db.session.get(User, principal.id)``).

A worker keeps the principals it has resolved (``PRINCIPAL_CACHE_SIZE``, default 1,024;
0 turns it off) beside the change marks they were read under: the core watches
``users``, ``api_tokens`` and ``organizations`` (scopes ``principal_user`` and
``principal_org``), so revoking a token, disabling a user, changing roles or authority,
or suspending an organization renews the mark whatever path wrote it. A kept principal is
trusted only for a GET and only until the request confirms its marks — in the statement
that reads a kept page's own marks (:func:`portal.db.changes.fingerprint`), or by a
statement of its own before the answer leaves (:func:`settle`): a revoked token is
refused at once, never served from a worker's memory. Every other request resolves the
token afresh.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa

from ..db.changes import ChangeMark, watch
from ..db.page_cache import WorkerMemory
from ..timeutil import UTC
from .models import ApiToken, Organization, OrganizationTraits, User, parse_roles

if TYPE_CHECKING:
    from .api_keys import KeyRef

USER_SCOPE = "principal_user"
ORG_SCOPE = "principal_org"
USERS_WATCH = watch("users", scope=USER_SCOPE, key_column="id")
TOKENS_WATCH = watch("api_tokens", scope=USER_SCOPE, key_column="user_id")
ORGANIZATIONS_WATCH = watch("organizations", scope=ORG_SCOPE, key_column="id")


@dataclass(frozen=True, slots=True)
class OrganizationRef(OrganizationTraits):
    """The caller's organization as authentication read it."""

    id: int
    kind: str
    name: str
    region: str
    status: str
    grade: str | None


@dataclass(frozen=True, slots=True)
class Principal:
    """A logged-in user as the rules need them; answers what :class:`User` answers about
    access (``is_insurer``, ``has_role``, ``can_approve`` …)."""

    id: int
    name: str
    email: str
    locale: str | None
    region: str | None
    organization: OrganizationRef
    roles: tuple[str, ...]
    authority_limit: Decimal | None
    unlimited_authority: bool
    session_key: str | None = None   # a web login's key (Flask-Login's id); None for a token
    api_key: KeyRef | None = None   # a system credential's (portal/auth/api_keys.py); None for a person

    # Flask-Login's user interface
    is_authenticated = True
    is_anonymous = False
    is_active = True   # only active users become principals

    def get_id(self):
        return self.session_key

    @property
    def organization_id(self) -> int:
        return self.organization.id

    @property
    def org_kind(self) -> str:
        return self.organization.kind

    @property
    def is_insurer(self) -> bool:
        return self.organization.is_insurer

    @property
    def is_admin(self) -> bool:
        return self.is_insurer and "admin" in self.roles

    @property
    def organization_suspended(self) -> bool:
        """A suspended partner's users still read their history but change nothing (403)."""
        return self.organization.status != "active"

    def has_role(self, *roles: str) -> bool:
        return bool(set(roles) & set(self.roles))

    def can_approve(self, amount: Decimal) -> bool:
        """Authority limit (审批权限): may this user approve this amount?"""
        if self.unlimited_authority:
            return True
        return self.authority_limit is not None and amount <= self.authority_limit


_MARKS = ChangeMark.__table__
_user_mark = _MARKS.alias("user_mark")
_org_mark = _MARKS.alias("org_mark")
_PRINCIPAL_COLUMNS = (
    User.id.label("id"), User.name.label("name"), User.email.label("email"), User.locale.label("locale"),
    User.region.label("region"), User.roles_text.label("roles_text"), User.authority_limit.label("authority_limit"),
    User.unlimited_authority.label("unlimited_authority"), User.active.label("active"),
    Organization.id.label("org_id"), Organization.kind.label("kind"), Organization.name.label("org_name"),
    Organization.region.label("org_region"), Organization.status.label("status"), Organization.grade.label("grade"),
    _user_mark.c.mark.label("user_mark"), _org_mark.c.mark.label("org_mark"),
)


def _with_marks(select):
    return (select.join(Organization, Organization.id == User.organization_id)
            .outerjoin(_user_mark, sa.and_(_user_mark.c.scope == USER_SCOPE, _user_mark.c.key == User.id))
            .outerjoin(_org_mark, sa.and_(_org_mark.c.scope == ORG_SCOPE, _org_mark.c.key == Organization.id)))


TOKEN_LOOKUP = _with_marks(
    sa.select(ApiToken.expires_at, ApiToken.revoked_at, *_PRINCIPAL_COLUMNS)
    .select_from(ApiToken).join(User, User.id == ApiToken.user_id)
).where(ApiToken.token_hash == sa.bindparam("token_hash"))


def principal_from_row(m, session_key: str | None = None, api_key=None) -> Principal:
    """The principal of a row read with :data:`_PRINCIPAL_COLUMNS`."""
    org = OrganizationRef(m["org_id"], m["kind"], m["org_name"], m["org_region"], m["status"], m["grade"])
    return Principal(m["id"], m["name"], m["email"], m["locale"], m["region"], org,
                     tuple(parse_roles(m["roles_text"])), m["authority_limit"], bool(m["unlimited_authority"]),
                     session_key, api_key)


def principal_columns():
    return _PRINCIPAL_COLUMNS


def join_principal(select):
    """``select`` (from ``users``) joined to the organization and the principal's marks."""
    return _with_marks(select)


@dataclass(frozen=True, slots=True)
class Kept:
    """A principal a worker keeps: until its token expires, while its marks hold."""

    principal: Principal
    expires_at: datetime
    marks: tuple[int | None, int | None]

    @property
    def reads(self) -> tuple[tuple[str, int], tuple[str, int]]:
        return ((USER_SCOPE, self.principal.id), (ORG_SCOPE, self.principal.organization_id))


NEVER = datetime.max.replace(tzinfo=UTC)


def resolve(connection, token_hash: str, now: datetime, *, key: bool = False) -> Kept | None:
    """The principal of a live token (``key``: a live API key) of an active user, read
    afresh in one statement, else ``None``."""
    from .api_keys import key_lookup, key_ref

    row = connection.execute(key_lookup() if key else TOKEN_LOOKUP, {"token_hash": token_hash}).first()
    if row is None:
        return None
    m = row._mapping
    expires_at = (m["key_expires_at"] or NEVER) if key else m["expires_at"]
    if m["revoked_at"] is not None or expires_at <= now or not m["active"]:
        return None
    return Kept(principal_from_row(m, api_key=key_ref(m) if key else None), expires_at,
                (m["user_mark"], m["org_mark"]))


def _cache() -> WorkerMemory:
    """token hash → :class:`Kept`, per worker."""
    from ..plugins import once_per_app

    return once_per_app("principal_cache", lambda app: WorkerMemory(int(app.config["PRINCIPAL_CACHE_SIZE"])))


def principal_for(token_hash: str, now: datetime, *, may_keep: bool, key: bool = False) -> Principal | None:
    """The caller behind a token hash. ``may_keep`` (a GET): the worker's kept principal,
    on trust until the request confirms its marks (:func:`portal.db.changes.confirm_later`);
    otherwise read afresh, and kept for the next GET."""
    from ..db.changes import confirm_later, forget_pending
    from ..extensions import db

    cache = _cache()
    if may_keep:
        kept = cache.get(token_hash)
        if kept is not None and now < kept.expires_at:
            confirm_later(kept.reads, kept.marks)
            return kept.principal
    forget_pending()
    kept = resolve(db.session.connection(), token_hash, now, key=key)
    if kept is None:
        cache.drop(token_hash)
        return None
    cache.put(token_hash, kept)
    return kept.principal


def forget(token_hash: str) -> None:
    """Let go of the worker's kept principal of a token (or key) hash."""
    _cache().drop(token_hash)
