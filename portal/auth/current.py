"""Who is acting (当前用户): the user of this request, through an API token or a web session,
or outside a request the actor a job set on ``g.actor``."""
from __future__ import annotations

from flask import g, has_request_context


def current_actor():
    """The user acting now, or ``None`` (anonymous)."""
    if not has_request_context():
        return g.get("actor") if g else None
    user = g.get("api_user")
    if user is not None:
        return user
    from flask_login import current_user

    return current_user if getattr(current_user, "is_authenticated", False) else None
