"""Web shell wiring: blueprints from hooks, login manager, security headers."""
from __future__ import annotations

from flask import request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l

from ..extensions import login_manager
from ..plugins import flatten
from .context import register_context


class HttpsAwareSessionInterface(SecureCookieSessionInterface):
    """The session cookie is ``Secure`` whenever the portal is served over HTTPS."""

    def get_cookie_secure(self, app) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure


def init_web(app, pm) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "warning"
    login_manager.session_protection = None  # sessions are server-side rows

    @login_manager.user_loader
    def _load_user(key):
        from ..auth.services import load_session

        return load_session(key)

    @app.before_request
    def _suspended_partners_read_only():
        from flask_login import current_user

        if request.method in ("GET", "HEAD", "OPTIONS") or request.path.startswith("/api/"):
            return None
        if request.endpoint in ("auth.logout", "auth.set_language", "auth.login"):
            return None
        if getattr(current_user, "is_authenticated", False) and current_user.organization_suspended:
            from werkzeug.exceptions import Forbidden

            raise Forbidden("Your organization is suspended: you can read its records but change nothing.")
        return None

    for bp in flatten(pm.hook.portal_blueprints(app=app)):
        app.register_blueprint(bp)
    register_context(app, pm)

    # Unknown Host headers are refused by Flask itself (TRUSTED_HOSTS, required in production).
    app.session_interface = HttpsAwareSessionInterface()

    @app.after_request
    def _security_headers(response):
        h = response.headers
        h.setdefault("Content-Security-Policy",
                     "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
                     "script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
                     "frame-ancestors 'none'")
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("Referrer-Policy", "same-origin")
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.is_secure or str(app.config.get("PUBLIC_URL") or "").startswith("https://"):
            h.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.path.startswith("/api/") or (response.mimetype == "text/html"):
            h.setdefault("Cache-Control", "no-store")
        return response

    @app.get("/favicon.ico")
    def favicon():
        from flask import redirect, url_for

        return redirect(url_for("static", filename="favicon.svg"), 301)

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}
