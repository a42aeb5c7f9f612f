"""Template context: navigation from hooks, languages, unread notifications, filters."""
from __future__ import annotations

from flask import current_app, request
from flask_babel import get_locale
from flask_login import current_user

from ..audit.present import audit_rows
from ..glossary import money, shown, term, terms
from ..plugins import flatten
from ..timeutil import to_local


def register_context(app, pm) -> None:
    @app.context_processor
    def _inject():
        nav = []
        unread = 0
        if getattr(current_user, "is_authenticated", False):
            nav = sorted(flatten(pm.hook.portal_nav_items(user=current_user)), key=lambda i: (i.order, str(i.label)))
            from ..notifications.services import unread_count

            unread = unread_count(current_user.id)
        return {
            "nav_items": nav,
            "unread_notifications": unread,
            "languages": current_app.config["LANGUAGES"],
            "current_locale": str(get_locale()),
        }

    # the glossary's words and the reader's formats (portal/glossary.py)
    app.add_template_global(term, "term")
    app.add_template_global(terms, "terms")
    app.add_template_filter(money, "money")
    app.add_template_filter(shown, "shown")
    app.add_template_global(audit_rows, "audit_rows")

    @app.template_filter("localtime")
    def _localtime(value, fmt="%Y-%m-%d %H:%M"):
        if value is None:
            return "—"
        return to_local(value).strftime(fmt)

    @app.template_filter("filesize")
    def _filesize(size):
        """Bytes as people read them: 6.2 KB, 1.5 MB, 5.0 GB."""
        size = float(size or 0)
        for unit in ("B", "KB", "MB", "GB"):
            if size < 1024 or unit == "GB":
                return f"{size:.0f} {unit}" if unit == "B" else f"{size:,.1f} {unit}"
            size /= 1024

    @app.template_filter("percent")
    def _percent(value, places=1):
        if value is None:
            return "—"
        return f"{value * 100:.{places}f}%"

    @app.template_global()
    def url_with(**changes):
        """The current URL with some query arguments changed (filters, pages)."""
        from flask import url_for

        args = request.args.to_dict()
        for key, value in changes.items():
            if value is None:
                args.pop(key, None)
            else:
                args[key] = value
        return url_for(request.endpoint, **(request.view_args or {}), **args)
