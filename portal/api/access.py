"""Who may call what. Every API view carries exactly one access rule; the app refuses
to start with a view that has none (deny by default), and a contract test walks the
URL map to keep it so.

- ``@public``: no token needed (token issue, OpenAPI document).
- ``@authenticated``: any logged-in user; the service scopes data to the caller.
- ``@roles("admin", "supervisor")``: insurer users with one of these roles.
- ``@org_kinds("garage")``: users of a partner of one of these kinds.

A system calling with an API key (``portal.auth.api_keys``) is further held to its key's
scopes: a GET needs ``read``; a write needs the scope its view declares — ``@write_scope``
on the view, else the ``write_scope`` of its blueprint (one area, one scope) — and a write
that declares none is refused to keys (deny by default; ``tests/core/test_api_keys.py``
lists them).
"""
from __future__ import annotations

import functools

from flask import current_app, g, request

from ..errors import Forbidden, RateLimited, Unauthorized

ACCESS_ATTR = "_portal_access"
SCOPE_ATTR = "_portal_write_scope"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def _mark(fn, rule):
    setattr(fn, ACCESS_ATTR, rule)
    return fn


def api_user():
    user = g.get("api_user")
    if user is None:
        raise Unauthorized()
    return user


def authenticate(*, may_keep: bool) -> None:
    """``g.api_user``: the principal of the request's bearer token (401 when it is not
    valid); ``may_keep``: the worker's kept principal, to be confirmed."""
    from ..auth.services import user_for_token

    g.api_user = user_for_token(g.api_token, may_keep=may_keep)
    if g.api_user is None:
        raise Unauthorized("The token is not valid or has expired.")
    key = g.api_user.api_key
    if key is not None and not key.allows_address(request.remote_addr):
        g.api_user = None
        raise Unauthorized("This API key may not be used from this address.")


def admit(scope: str | None) -> None:
    """An authenticated caller's call: counted against its rate limit (per key, else per
    user: ``API_RATE_LIMIT_PER_MINUTE``, or the key's own), then held to the key's scopes
    (``scope``: what the view declares for a write)."""
    from ..auth.api_keys import touch
    from ..extensions import db
    from ..ops.ratelimit import Allowance, count_api_call
    from ..timeutil import utcnow

    user = g.api_user
    key = user.api_key
    limit = int((key.rate_limit_per_minute if key else None) or current_app.config["API_RATE_LIMIT_PER_MINUTE"])
    session = db.session()
    if (limit > 0 or key is not None) and session.in_transaction() and \
            (request.method not in SAFE_METHODS or session.get_bind().dialect.name == "sqlite"):
        # only the caller was read: end that transaction before the counters' own short ones
        # write, so they neither wait for its write lock (SQLite's BEGIN IMMEDIATE) nor leave
        # it reading an old snapshot it could not write from (SQLite)
        session.commit()
    if limit > 0:
        try:
            g.rate_limit = count_api_call(f"key:{key.id}" if key else f"user:{user.id}", limit)
        except RateLimited as exc:
            g.rate_limit = Allowance(limit, 0, exc.details["retry_after_seconds"])
            raise
    if key is None:
        return
    if not key.allows("read" if request.method in SAFE_METHODS else scope):
        raise Forbidden("This API key's scopes do not allow this call.")
    touch(key, g.api_token, utcnow())


def write_scope(scope: str):
    """The key scope a write view needs, where it is not its blueprint's (``ApiBlueprint(write_scope=)``)."""

    def decorator(fn):
        setattr(fn, SCOPE_ATTR, scope)
        return fn

    return decorator


def declared_scope(view, blueprint) -> str | None:
    """The scope a key needs to call ``view`` (of ``blueprint``) to write, else ``None``."""
    return _marker(view, SCOPE_ATTR) or getattr(blueprint, "write_scope", None)


def principal_changed() -> bool:
    """Confirm a kept principal (``portal.auth.principal``): ``False`` when it still holds
    (or none was kept); else the token is read afresh — 401 if it no longer lives — and
    ``True`` when the caller is no longer what the request ran as."""
    from ..db.changes import settle

    if g.get("api_token") is None or settle():
        return False
    before = g.api_user
    authenticate(may_keep=False)
    return g.api_user != before


def enforce(rule, user) -> None:
    """Apply an access rule to a caller (``None``: no valid token)."""
    if rule == "public":
        return
    if user is None:
        raise Unauthorized()
    if isinstance(rule, tuple):
        kind, names = rule
        if kind == "roles" and (not user.is_insurer or not ("staff" in names or user.has_role(*names))):
            raise Forbidden()
        if kind == "org_kinds" and user.org_kind not in names:
            raise Forbidden()


def _guarded(rule, fn, args, kwargs):
    """Run a guarded view. A GET that started on a kept principal confirms it before its
    answer (or error) leaves, and runs again — it wrote nothing — as the caller now is if
    the caller changed in between."""
    enforce(rule, g.get("api_user"))
    try:
        result = fn(*args, **kwargs)
    except Exception:
        if not principal_changed():
            raise
    else:
        if not principal_changed():
            return result
    enforce(rule, g.get("api_user"))
    return fn(*args, **kwargs)


def public(fn):
    return _mark(fn, "public")


def authenticated(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return _guarded("authenticated", fn, args, kwargs)

    return _mark(wrapper, "authenticated")


def roles(*names: str):
    """Insurer staff holding one of ``names`` (``"staff"`` means any insurer user)."""

    def decorator(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            return _guarded(("roles", names), fn, args, kwargs)

        return _mark(wrapper, ("roles", names))

    return decorator


def org_kinds(*kinds: str):
    def decorator(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            return _guarded(("org_kinds", kinds), fn, args, kwargs)

        return _mark(wrapper, ("org_kinds", kinds))

    return decorator


def _marker(view, attr: str):
    """A marker set by one of these decorators, looked for through the view's wrappers."""
    seen = set()
    while view is not None and id(view) not in seen:
        seen.add(id(view))
        value = getattr(view, attr, None)
        if value is not None:
            return value
        view = getattr(view, "__wrapped__", None)
    return None


def access_rule(view) -> object | None:
    return _marker(view, ACCESS_ATTR)
