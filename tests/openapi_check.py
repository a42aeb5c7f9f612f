"""Every answer an API test receives keeps the served document's promise of ``required`` keys
(``portal/api/openapi.py`` lists each field a response schema dumps as required): the API
client of the tests (``tests/conftest.py``, ``Api``) checks each JSON answer against the
schema its operation declares for that status. A key the document calls required and the
answer lacks fails the test that received it."""
from __future__ import annotations

import re

_CONVERTER = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


def _document(app) -> dict:
    doc = app.extensions.get("tests_openapi_document")
    if doc is None:
        with app.test_request_context():
            doc = app.extensions["tests_openapi_document"] = app.extensions["flask-smorest"]["apis"][""]["ext_obj"].document()
    return doc


def _operation(app, method: str, url: str) -> dict | None:
    adapter = app.url_map.bind("localhost")
    try:
        rule, _ = adapter.match(url.split("?")[0], method=method.upper(), return_rule=True)
    except Exception:  # noqa: BLE001 - no route: nothing to check
        return None
    path = _CONVERTER.sub(r"{\1}", rule.rule)
    return _document(app)["paths"].get(path, {}).get(method.lower())


def missing_required(app, method: str, url: str, status: int, body) -> list[str]:
    """The dotted paths of required keys ``body`` lacks (empty when it holds the promise)."""
    op = _operation(app, method, url)
    if op is None:
        return []
    media = op.get("responses", {}).get(str(status), {}).get("content", {}).get("application/json")
    if not media:
        return []
    schemas = _document(app)["components"]["schemas"]
    missing: list[str] = []
    _walk(media["schema"], body, "", schemas, missing)
    return missing


def _walk(schema: dict, value, path: str, schemas: dict, missing: list) -> None:
    if "$ref" in schema:
        schema = schemas.get(schema["$ref"].rpartition("/")[2], {})
    for part in schema.get("allOf", []):
        _walk(part, value, path, schemas, missing)
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                missing.append(f"{path}{key}")
        for key, prop in schema.get("properties", {}).items():
            if key in value and value[key] is not None:
                _walk(prop, value[key], f"{path}{key}.", schemas, missing)
    elif isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value[:20]):
            _walk(schema["items"], item, f"{path}{i}.", schemas, missing)
