"""Account rules, shared by the API and the web forms."""
from __future__ import annotations

import hashlib
import math
import secrets
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from ..audit.services import record_audit
from ..errors import Forbidden, Invalid, InvalidState, Locked, NotFound, Unauthorized
from ..extensions import db
from ..timeutil import utcnow
from .models import (GRADES, INSURER_ROLES, ORG_KINDS, ORG_STATUSES, PARTNER_ROLES, ApiToken, LoginAttempt,
                     Organization, User, UserSession)
from .passwords import hash_password, password_problems, verify_password
from .principal import join_principal, principal_columns, principal_for, principal_from_row
from .uscc import normalize_uscc


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --------------------------------------------------------------------------- organizations


def create_organization(*, kind: str, name: str, uscc: str, region: str, actor=None) -> Organization:
    errors: dict[str, list[str]] = {}
    if kind not in ORG_KINDS:
        errors["kind"] = [f"Must be one of: {', '.join(ORG_KINDS)}."]
    if not (name or "").strip():
        errors["name"] = ["Required."]
    if not (region or "").strip():
        errors["region"] = ["Required."]
    try:
        uscc = normalize_uscc(uscc or "")
    except ValueError as exc:
        errors["uscc"] = [str(exc)]
    if not errors.get("uscc") and db.session.scalar(sa.select(Organization.id).where(Organization.uscc == uscc)):
        errors["uscc"] = ["An organization with this USCC exists already."]
    if errors:
        raise Invalid(errors)
    org = Organization(kind=kind, name=name.strip(), uscc=uscc, region=region.strip(), status="active")
    db.session.add(org)
    db.session.flush()
    record_audit("organization", org.id, "create", {"kind": kind, "name": org.name, "uscc": uscc,
                                                     "region": org.region}, actor=actor)
    return org


def update_organization(org: Organization, *, status=None, grade=None, reason=None, actor=None,
                        grade_given=False) -> Organization:
    """Suspend or reactivate a partner, or set its grade by hand; audited with the reason."""
    errors: dict[str, list[str]] = {}
    if status is not None and status not in ORG_STATUSES:
        errors["status"] = [f"Must be one of: {', '.join(ORG_STATUSES)}."]
    if grade is not None and grade not in GRADES:
        errors["grade"] = [f"Must be one of: {', '.join(GRADES)}."]
    if org.kind == "insurer" and status == "suspended":
        errors["status"] = ["The insurer cannot be suspended."]
    changes = {}
    if status is not None and status != org.status:
        changes["status"] = [org.status, status]
    if (grade is not None or grade_given) and grade != org.grade:
        changes["grade"] = [org.grade, grade]
    if changes and not (reason or "").strip():
        errors["reason"] = ["Give the reason for this change."]
    if errors:
        raise Invalid(errors)
    if not changes:
        return org
    if "status" in changes:
        org.status = status
    if "grade" in changes:
        org.grade = grade
    org.version += 1
    changes["reason"] = reason.strip()
    record_audit("organization", org.id, "update", changes, actor=actor)
    from ..events import emit

    emit("organization.updated", {"organization_id": org.id, "changes": list(changes)})
    return org


def get_organization(org_id: int) -> Organization:
    org = db.session.get(Organization, org_id)
    if org is None:
        raise NotFound()
    return org


def insurer_organization() -> Organization | None:
    return db.session.scalar(sa.select(Organization).where(Organization.kind == "insurer").order_by(Organization.id))


# --------------------------------------------------------------------------- users


def _check_roles(org: Organization, roles: list[str]) -> list[str]:
    allowed = INSURER_ROLES if org.kind == "insurer" else PARTNER_ROLES
    bad = [r for r in roles if r not in allowed]
    if not roles:
        return ["Give at least one role."]
    if bad:
        return [f"Not a role for this organization: {', '.join(bad)} (allowed: {', '.join(allowed)})."]
    return []


def create_user(*, email: str, name: str, password: str, organization_id: int, roles: list[str],
                authority_limit: Decimal | None = None, unlimited_authority: bool = False, actor=None,
                demo: bool = False, region: str | None = None) -> User:
    """Admins create anyone; a partner admin only users of its own organization."""
    if actor is not None and not actor.is_admin:
        if not actor.has_role("partner_admin"):
            raise Forbidden()
        if organization_id != actor.organization_id:
            # another organization's existence is never revealed
            raise Invalid.field("organization_id", "You can add users to your own organization only.")
        if authority_limit:
            raise Invalid.field("authority_limit", "Partner users have no authority limit.")
    errors: dict[str, list[str]] = {}
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 254 or email.startswith("@") or email.endswith("@"):
        errors["email"] = ["Not a valid e-mail address."]
    elif db.session.scalar(sa.select(User.id).where(User.email == email)):
        errors["email"] = ["A user with this e-mail exists already."]
    if not (name or "").strip():
        errors["name"] = ["Required."]
    problems = password_problems(password or "", email, name=name, allow_demo=demo)
    if problems:
        errors["password"] = problems
    org = db.session.get(Organization, organization_id) if organization_id else None
    if org is None:
        errors["organization_id"] = ["No such organization."]
    else:
        role_problems = _check_roles(org, list(roles or []))
        if role_problems:
            errors["roles"] = role_problems
        if org.kind != "insurer" and authority_limit:
            errors["authority_limit"] = ["Partner users have no authority limit."]
        if org.kind != "insurer" and region:
            errors["region"] = ["Only the insurer's reviewers work by region."]
    if errors:
        raise Invalid(errors)
    user = User(email=email, name=name.strip(), password_hash=hash_password(password), organization_id=org.id,
                authority_limit=authority_limit, unlimited_authority=unlimited_authority,
                password_changed_at=utcnow(), region=(region or "").strip() or None)
    user.roles = roles
    db.session.add(user)
    db.session.flush()
    record_audit("user", user.id, "create", {"email": email, "roles": user.roles, "organization_id": org.id,
                                             "authority_limit": authority_limit}, actor=actor)
    return user


def update_user(user: User, *, actor, name=None, roles=None, authority_limit=None, active=None,
                set_authority=False, region=None, set_region=False) -> User:
    if not actor.is_admin:
        if not (actor.has_role("partner_admin") and actor.organization_id == user.organization_id):
            raise NotFound()
        if set_authority:
            raise Forbidden()
    changes = {}
    if name is not None and name.strip() and name.strip() != user.name:
        changes["name"] = [user.name, name.strip()]
        user.name = name.strip()
    if roles is not None:
        problems = _check_roles(user.organization, roles)
        if problems:
            raise Invalid({"roles": problems})
        if sorted(set(roles)) != user.roles:
            changes["roles"] = [user.roles, sorted(set(roles))]
            user.roles = roles
    if set_authority and authority_limit != user.authority_limit:
        changes["authority_limit"] = [user.authority_limit, authority_limit]
        user.authority_limit = authority_limit
    if set_region:
        region = (region or "").strip() or None
        if region and user.organization.kind != "insurer":
            raise Invalid.field("region", "Only the insurer's reviewers work by region.")
        if region != user.region:
            changes["region"] = [user.region, region]
            user.region = region
    if active is not None and active != user.active:
        if user.id == actor.id and not active:
            raise Invalid.field("active", "You cannot disable your own account.")
        changes["active"] = [user.active, active]
        user.active = active
        if not active:
            revoke_user_credentials(user.id)
    if changes:
        user.version += 1
        record_audit("user", user.id, "update", changes, actor=actor)
    return user


def user_row(user) -> User:
    """The stored user behind a principal (or the row itself), to change it."""
    return user if isinstance(user, User) else db.session.get(User, user.id)


def set_locale(user, code: str) -> None:
    """The user's own language (notifications and e-mails are written in it)."""
    user_row(user).locale = code


def change_password(user, current: str, new: str) -> None:
    user = user_row(user)
    errors = {}
    if not verify_password(user.password_hash, current or ""):
        errors["current_password"] = ["The current password is not right."]
    problems = password_problems(new or "", user.email, name=user.name)
    if problems:
        errors["new_password"] = problems
    if errors:
        raise Invalid(errors)
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    user.version += 1
    revoke_user_credentials(user.id)
    record_audit("user", user.id, "password_change", {}, actor=user)


def revoke_user_credentials(user_id: int) -> None:
    now = utcnow()
    db.session.execute(sa.update(UserSession).where(UserSession.user_id == user_id,
                                                    UserSession.revoked_at.is_(None)).values(revoked_at=now))
    db.session.execute(sa.update(ApiToken).where(ApiToken.user_id == user_id,
                                                 ApiToken.revoked_at.is_(None)).values(revoked_at=now))


def revoke_org_credentials(org_id: int) -> None:
    for user_id in db.session.scalars(sa.select(User.id).where(User.organization_id == org_id)):
        revoke_user_credentials(user_id)


def visible_user(user_id: int, actor) -> User:
    user = db.session.get(User, user_id)
    if user is None or (not actor.is_insurer and user.organization_id != actor.organization_id):
        raise NotFound()
    return user


# --------------------------------------------------------------------------- login


def authenticate(email: str, password: str, ip: str | None = None) -> User:
    """Check a login (security review H4, L2).

    Per account (by e-mail, known or not — the answers never tell which): after
    ``LOCKOUT_FAILURES`` failures since the last success within ``LOCKOUT_WINDOW_MINUTES``, each
    try must wait a delay that doubles with every further failure (``LOCKOUT_BASE_SECONDS`` …
    ``LOCKOUT_MAX_SECONDS``), counted from the last failure; a try inside the delay is answered
    429 ``locked`` with ``Retry-After``, even with the right password, and is not counted. No
    one can lock an account for long by guessing. Per client address (the real one behind the
    proxies: ``PROXY_FIX_X_FOR``), only failures count, up to ``RATELIMIT_LOGIN_PER_IP``."""
    from ..ops.ratelimit import check_login_address, count_login_failure

    check_login_address(ip)
    email = (email or "").strip().lower()
    now = utcnow()
    user = db.session.scalar(sa.select(User).where(User.email == email)) if email else None
    wait = _login_wait(email, now)
    if wait > 0:
        verify_password(None, password or "")   # the same cost as any try
        raise Locked(details={"retry_after_seconds": wait})
    ok = verify_password(user.password_hash if user else None, password or "")
    if ok and user is not None and user.is_active:
        _attempt(email, True, ip)
        user.locked_until = None
        db.session.commit()
        return user
    _attempt(email, False, ip)
    db.session.flush()
    wait = _login_wait(email, now)
    if wait > 0 and user is not None:
        user.locked_until = now + timedelta(seconds=wait)
        record_audit("user", user.id, "login_delayed", {"seconds": wait}, actor=user)
    db.session.commit()
    count_login_failure(ip)
    if wait > 0:
        raise Locked(details={"retry_after_seconds": wait})
    raise Unauthorized("The e-mail or password is not right.")


def _login_wait(email: str, now) -> int:
    """Seconds an e-mail must still wait before its next try (0: none)."""
    cfg = current_app.config
    window_start = now - timedelta(minutes=cfg["LOCKOUT_WINDOW_MINUTES"])
    last_success = db.session.scalar(sa.select(sa.func.max(LoginAttempt.at)).where(
        LoginAttempt.email == email, LoginAttempt.success.is_(True)))
    since = max(window_start, last_success) if last_success else window_start
    failures, last_failure = db.session.execute(sa.select(sa.func.count(), sa.func.max(LoginAttempt.at)).where(
        LoginAttempt.email == email, LoginAttempt.success.is_(False), LoginAttempt.at > since)).one()
    over = failures - cfg["LOCKOUT_FAILURES"]
    if over < 0 or last_failure is None:
        return 0
    delay = min(cfg["LOCKOUT_BASE_SECONDS"] * (2 ** min(over, 20)), cfg["LOCKOUT_MAX_SECONDS"])
    remaining = (last_failure + timedelta(seconds=delay) - now).total_seconds()
    return max(0, min(delay, math.ceil(remaining)))


def confirm_password(user, password: str | None, field: str = "password") -> None:
    """A sensitive change (authority limit, webhook secret) needs the actor's password again
    (ASVS re-authentication); a wrong one is a field error on ``field``. A system calling
    with an API key has no password: the key, scoped for it, is the credential."""
    if getattr(user, "api_key", None) is not None:
        return
    if not verify_password(user_row(user).password_hash, password or ""):
        raise Invalid.field(field, "Confirm this change with your password.")


def _attempt(email: str, success: bool, ip: str | None) -> None:
    db.session.add(LoginAttempt(email=email[:254], success=success, ip=ip, at=utcnow()))


def issue_token(user: User) -> tuple[str, ApiToken]:
    token = secrets.token_urlsafe(32)
    row = ApiToken(token_hash=_hash(token), user_id=user.id,
                   expires_at=utcnow() + timedelta(hours=current_app.config["TOKEN_TTL_HOURS"]))
    db.session.add(row)
    db.session.commit()
    return token, row


def live_tokens_stmt(user: User):
    return (sa.select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None),
                                      ApiToken.expires_at > utcnow()).order_by(ApiToken.id))


def revoke_token(user: User, token_id: int) -> None:
    """One token of the caller's ends now (404 for any other token)."""
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise NotFound()
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        record_audit("user", user.id, "token_revoked", {"token_id": token_id}, actor=user)


def token_hash(token: str) -> str | None:
    """The stored form of a bearer token (``None`` for one that cannot be ours)."""
    if not token or len(token) > 200:
        return None
    return _hash(token)


def user_for_token(token: str, *, may_keep: bool = False):
    """The :class:`~portal.auth.principal.Principal` behind a live token (or API key,
    ``portal.auth.api_keys``) of an active user, else ``None`` (one statement, or a worker's kept principal: see ``portal.auth.principal``)."""
    from .api_keys import is_key

    digest = token_hash(token)
    if digest is None:
        return None
    return principal_for(digest, utcnow(), may_keep=may_keep, key=is_key(token))


def start_session(user: User, ip: str | None) -> str:
    key = secrets.token_urlsafe(32)
    db.session.add(UserSession(key_hash=_hash(key), user_id=user.id, ip=ip))
    db.session.commit()
    return key


def load_session(key: str):
    """The :class:`~portal.auth.principal.Principal` behind a web session key, if the
    session lives (idle and absolute timeouts) and its user is active; one statement."""
    if not key:
        return None
    s = UserSession.__table__.c
    stmt = join_principal(sa.select(s.id.label("session_id"), s.created_at, s.last_seen_at, s.revoked_at,
                                    *principal_columns()).select_from(UserSession.__table__)
                          .join(User, User.id == s.user_id)).where(s.key_hash == _hash(key))
    row = db.session.execute(stmt).first()
    if row is None or row.revoked_at is not None:
        return None
    now = utcnow()
    cfg = current_app.config
    if now - row.created_at > timedelta(minutes=cfg["SESSION_ABSOLUTE_MINUTES"]) or \
            now - row.last_seen_at > timedelta(minutes=cfg["SESSION_IDLE_MINUTES"]):
        _update_session(row.session_id, revoked_at=now)
        return None
    if not row.active:
        return None
    if now - row.last_seen_at > timedelta(minutes=1):
        _update_session(row.session_id, last_seen_at=now)
    return principal_from_row(row._mapping, session_key=key)


def _update_session(session_id: int, **values) -> None:
    """Touch a session row (last seen, or ended by a timeout) from any request, a GET
    included: in a short transaction of its own on its own connection, so the request's
    transaction stays what it was (a GET's only reads)."""
    with db.engine.begin() as conn:
        conn.execute(sa.update(UserSession).where(UserSession.id == session_id).values(**values))


def end_session(key: str | None) -> None:
    if not key:
        return
    db.session.execute(sa.update(UserSession).where(UserSession.key_hash == _hash(key),
                                                    UserSession.revoked_at.is_(None)).values(revoked_at=utcnow()))
    db.session.commit()


def ensure_admin(email: str, password: str, name: str = "Administrator") -> tuple[User, bool]:
    """``create-admin``: the insurer organization (if none) and an admin with unlimited
    authority. Idempotent: an existing user keeps its account and gets the admin role."""
    org = insurer_organization()
    if org is None:
        from .uscc import uscc_with_check

        org = create_organization(kind="insurer", name="Insurer", uscc=uscc_with_check("91310000MA1FL0000"),
                                  region="Shanghai")
    existing = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if existing is not None:
        if existing.organization_id != org.id:
            raise InvalidState("This e-mail belongs to a partner user.")
        if "admin" not in existing.roles:
            existing.roles = existing.roles + ["admin"]
        existing.unlimited_authority = True
        db.session.commit()
        return existing, False
    user = create_user(email=email, name=name, password=password, organization_id=org.id, roles=["admin"],
                       unlimited_authority=True)
    db.session.commit()
    return user, True
