"""Motor-claims partner portal: the Flask core.

Public surface for plugins: ``portal.hookimpl``, ``portal.create_app``, the models in
``portal.auth.models`` and ``portal.claims.models``, the service functions of each core
area, ``portal.api`` (blueprints, access rules, fields), ``portal.statemachine``,
``portal.money``, ``portal.timeutil``, ``portal.events`` and ``portal.web.nav``.
"""
from .hookspecs import hookimpl, hookspec  # noqa: F401


def create_app(test_config=None):
    from .app import create_app as _create_app

    return _create_app(test_config)


__all__ = ["create_app", "hookimpl", "hookspec"]
