"""Permissions gathered from ``portal_permissions``: ``has_permission(user, name)``."""
from __future__ import annotations

from flask import current_app

from ..plugins import flatten, hook


def permission_table(app=None) -> dict[str, set[str]]:
    app = app or current_app
    cached = app.extensions.get("portal_permissions")
    if cached is None:
        cached = {}
        for table in flatten(hook(app).portal_permissions()):
            for name, roles in table.items():
                cached.setdefault(name, set()).update(roles)
        app.extensions["portal_permissions"] = cached
    return cached


def has_permission(user, name: str) -> bool:
    roles = permission_table().get(name)
    if roles is None:
        raise KeyError(f"unknown permission {name!r}")
    return bool(set(user.roles) & roles)
