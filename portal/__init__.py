"""Motor-claims partner portal: the Flask core.

A plugin imports from the core only ``portal.plugin`` (the front door; a contract test
enforces it) and reaches the rest through hooks (``portal/hookspecs.py``).
"""
from .hookspecs import hookimpl, hookspec  # noqa: F401


def create_app(test_config=None):
    from .app import create_app as _create_app

    return _create_app(test_config)


__all__ = ["create_app", "hookimpl", "hookspec"]
