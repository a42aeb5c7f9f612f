from __future__ import annotations

import threading

import flask
import flask_smorest
from marshmallow import Schema, fields

API_PREFIX = "/api/v1"


class ErrorBody(Schema):
    code = fields.String(required=True, metadata={"example": "invalid"})
    message = fields.String(required=True)
    details = fields.Dict(required=True, metadata={"description": "field → list of messages; imports: rows"})


class ErrorEnvelope(Schema):
    """``{"error": {"code", "message", "details"}}`` — every error of the API."""

    error = fields.Nested(ErrorBody, required=True)


class PortalApi(flask_smorest.Api):
    """flask-smorest with the portal's own error handling (``portal.api.errors``) and
    its error envelope documented for every error response."""

    ERROR_SCHEMA = ErrorEnvelope

    def _register_error_handlers(self):  # the envelope handlers are the app's
        pass

    # The routes are registered at once; their documentation (schemas resolved, deep copies of
    # every view's doc) is built the first time the document is asked for (issue 26).
    _documenting = threading.RLock()   # two first requests of the document build it once

    @property
    def spec(self):
        if self.__dict__.get("_undocumented"):
            with self._documenting:
                pending, self._undocumented = self._undocumented, []   # taken once, by one thread
                for blp, name, parameters in pending:
                    blp.register_views_in_doc(self, self._app, self._spec, name=name, parameters=parameters)
                    self._spec.tag({"name": name, "description": blp.description})
        return self._spec

    @spec.setter
    def spec(self, value):
        self._spec = value

    def register_blueprint(self, blp, *, parameters=None, **options):
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        self.__dict__.setdefault("_undocumented", []).append((blp, name, parameters))

    def document(self) -> dict:
        """The OpenAPI document as served, finished by ``portal.api.openapi``; built once per
        application (its plugins do not change while it runs)."""
        with self._documenting:
            if self.__dict__.get("_document") is None:
                from .openapi import finish

                self._document = finish(self.spec.to_dict(), flask.current_app)
        return self._document

    def _openapi_json(self):
        return flask.current_app.response_class(flask.json.dumps(self.document(), indent=2),
                                                mimetype="application/json")


class ApiBlueprint(flask_smorest.Blueprint):
    """A blueprint whose routes hang under ``/api/v1``; JSON bodies are read under the limits of
    ``portal.api.jsonbody`` (depth, NUL and lone surrogates)."""

    from .jsonbody import SafeParser as _SafeParser

    ARGUMENTS_PARSER = _SafeParser()

    def __init__(self, name, import_name, url_prefix="", write_scope=None, **kwargs):
        super().__init__(name, import_name, url_prefix=API_PREFIX + url_prefix, **kwargs)
        self.write_scope = write_scope   # the API-key scope its writes need (portal.api.access)

    def arguments(self, schema, **kwargs):
        """As flask-smorest's, with a schema class made an instance once: webargs would
        otherwise build a new schema (a deep copy of its fields) on every request."""
        if isinstance(schema, type):
            schema = schema()
        return super().arguments(schema, **kwargs)

