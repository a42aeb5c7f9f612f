"""Hook implementations of the core's audit area: the read-only audit API."""
from __future__ import annotations

from ..hookspecs import hookimpl


@hookimpl
def portal_api_blueprints(app):
    from . import api

    return [api.blp]
