"""Mount the API: blueprints from hooks, bearer tokens, idempotency, deny by default."""
from __future__ import annotations

from flask import g, request

from ..db.changes import forget_pending
from ..errors import Forbidden, Unauthorized
from ..extensions import csrf
from ..plugins import flatten
from . import idempotency
from .changes import conditional_get
from .access import SAFE_METHODS, access_rule, admit, authenticate, declared_scope, enforce, principal_changed
from .blueprint import API_PREFIX

UNGUARDED_ENDPOINTS = {"api-docs.openapi_json"}


def init_api(app, api, pm) -> None:
    api.init_app(app)
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for blp in flatten(pm.hook.portal_api_blueprints(app=app)):
        api.register_blueprint(blp)
        csrf.exempt(blp)
    csrf.exempt("flask_smorest.spec")

    @app.before_request
    def _authenticate_api():
        g.api_user = g.api_token = g.rate_limit = None  # never carried over from another request
        forget_pending()
        if not request.path.startswith(API_PREFIX + "/"):
            return None
        rule = route_access_rule(app, request.endpoint, request.method)
        header = request.headers.get("Authorization", "")
        if header:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise Unauthorized("Send Authorization: Bearer <token>.")
            g.api_token = token.strip()
            # a GET of a guarded view may start on the worker's kept principal: the view's
            # wrapper (portal/api/access.py) confirms it before anything is answered
            authenticate(may_keep=request.method in SAFE_METHODS and rule != "public")
        # Authorise before the body is even parsed: no 422 for a caller who may not call.
        try:
            enforce(rule, g.api_user)
        except Forbidden:
            if not principal_changed():
                raise
            enforce(rule, g.api_user)
        if g.api_user is not None and g.api_user.organization_suspended and request.method not in SAFE_METHODS:
            raise Forbidden("Your organization is suspended: you can read its records but change nothing.")
        if g.api_user is not None:   # rate limit; an API key's scopes
            view = route_view(app, request.endpoint, request.method)
            admit(declared_scope(view, app.blueprints.get(request.blueprint)))
        return idempotency.before_request()

    @app.after_request
    def _rate_limit_headers(response):
        if g.get("rate_limit") is not None and request.path.startswith(API_PREFIX + "/"):
            response.headers.update(g.rate_limit.headers())
        return response

    app.after_request(idempotency.after_request)
    app.after_request(conditional_get)
    check_access_rules(app)


def route_view(app, endpoint, method):
    """The function that answers ``method`` at ``endpoint`` (a method view's method), else ``None``."""
    view = app.view_functions.get(endpoint) if endpoint is not None else None
    view_class = getattr(view, "view_class", None)
    return getattr(view_class, method.lower(), None) if view_class is not None else view


def route_access_rule(app, endpoint, method):
    if endpoint is None or endpoint in UNGUARDED_ENDPOINTS:
        return "public"
    view = route_view(app, endpoint, method)
    if view is None:
        return "public"  # no such route (or method): the 404/405 follows
    return access_rule(view)


def unguarded_api_views(app) -> list[str]:
    """API endpoints without an access rule (must be none: deny by default)."""
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API_PREFIX + "/") or rule.endpoint in UNGUARDED_ENDPOINTS:
            continue
        view = app.view_functions[rule.endpoint]
        view_class = getattr(view, "view_class", None)
        if view_class is not None:
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                fn = getattr(view_class, method.lower(), None)
                if fn is not None and access_rule(fn) is None:
                    missing.append(f"{rule.endpoint} {method}")
        elif access_rule(view) is None:
            missing.append(rule.endpoint)
    return missing


def check_access_rules(app) -> None:
    missing = unguarded_api_views(app)
    if missing:
        raise RuntimeError(f"API views without an access rule (deny by default): {', '.join(sorted(missing))}")
