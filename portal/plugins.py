"""The plugin manager: one per application, never global.

Plugins come from the ``portal.plugins`` entry-point group (or, in tests, from an
explicit ``PLUGINS`` mapping so installed packages never leak in). A plugin named in
``DISABLED_PLUGINS`` is never imported. The core's own defaults are registered first
through the same hooks (``CORE_PLUGINS``). A plugin may publish hooks of its own for
others to implement (``portal_addhookspecs``); they are added once everything is
registered, before the check for implementations without a spec.
"""
from __future__ import annotations

import importlib
from importlib.metadata import entry_points

import pluggy
from flask import current_app

from . import hookspecs

ENTRY_POINT_GROUP = "portal.plugins"
CORE_PLUGINS = (
    "portal.auth.hooks",
    "portal.claims.hooks",
    "portal.calendar.hooks",
    "portal.major_cases.hooks",
    "portal.audit.hooks",
    "portal.evaluations.hooks",
    "portal.payments.hooks",
    "portal.web.hooks",
    "portal.ops.hooks",
)


class PluginLoadError(RuntimeError):
    """A plugin that cannot be loaded stops the start-up (fail fast)."""


def discover(config) -> dict[str, str]:
    """Name → module path of the plugins to load, honouring ``DISABLED_PLUGINS``."""
    disabled = set(config.get("DISABLED_PLUGINS") or ())
    explicit = config.get("PLUGINS")
    if explicit is not None:
        found = dict(explicit)
    else:
        found = {ep.name: ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)}
    return {name: path for name, path in sorted(found.items()) if name not in disabled}


def build_plugin_manager(config) -> pluggy.PluginManager:
    pm = pluggy.PluginManager("portal")
    pm.add_hookspecs(hookspecs)
    for path in CORE_PLUGINS:
        pm.register(importlib.import_module(path), name=path)
    for name, path in discover(config).items():
        module_path, _, attr = path.partition(":")
        try:
            module = importlib.import_module(module_path)
            plugin = getattr(module, attr) if attr else module
        except Exception as exc:  # noqa: BLE001 - re-raised with the plugin's name
            raise PluginLoadError(f"plugin {name!r} ({path}) failed to load: {exc}") from exc
        pm.register(plugin, name=name)
    for specs in pm.hook.portal_addhookspecs():
        if specs is not None:
            pm.add_hookspecs(specs)     # checks the implementations already registered
    pm.check_pending()
    return pm


def get_pm(app=None) -> pluggy.PluginManager:
    return (app or current_app).extensions["portal_pm"]


def hook(app=None):
    """``hook().portal_nav_items(user=...)``: call a hook on the current app's plugins."""
    return get_pm(app).hook


def plugin_names(app=None) -> list[str]:
    pm = get_pm(app)
    return [name for name, _ in pm.list_name_plugin() if not name.startswith("portal.")]


def once_per_app(name: str, build, app=None):
    """What the plugins registered through a hook, merged by ``build(app)`` the first time
    it is asked for and kept on the app (plugins do not change while it runs)."""
    app = app or current_app._get_current_object()
    key = f"portal.{name}"
    if key not in app.extensions:
        app.extensions[key] = build(app)
    return app.extensions[key]


def flatten(results) -> list:
    """Gather hooks return lists; flatten them in registration order."""
    out: list = []
    for result in results:
        if result is None:
            continue
        if isinstance(result, (list, tuple, set)) or hasattr(result, "__next__"):
            out.extend(result)
        else:
            out.append(result)
    return out
