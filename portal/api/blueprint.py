from __future__ import annotations

import flask_smorest

API_PREFIX = "/api/v1"


class PortalApi(flask_smorest.Api):
    """flask-smorest with the portal's own error handling (``portal.api.errors``)."""

    def _register_error_handlers(self):  # the envelope handlers are the app's
        pass


class ApiBlueprint(flask_smorest.Blueprint):
    """A blueprint whose routes hang under ``/api/v1``."""

    def __init__(self, name, import_name, url_prefix="", **kwargs):
        super().__init__(name, import_name, url_prefix=API_PREFIX + url_prefix, **kwargs)


api = PortalApi()
