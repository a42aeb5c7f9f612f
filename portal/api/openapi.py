"""The served OpenAPI document, finished in one place for partners' code generators: an
``operationId`` per operation (the view's verb_noun name), bearer security applied globally
(none on the public operations), a summary on every operation, the error envelope on the 4xx
answers an operation can give, the ``Idempotency-Key`` header on POSTs and multipart bodies
for uploads (with their binary ``file``)."""
from __future__ import annotations

import copy
import re
from collections import Counter

from .blueprint import API_PREFIX

PUBLIC_OPERATIONS = {("post", API_PREFIX + "/tokens")}
UPLOAD_MEDIA = "multipart/form-data"
FORM_MEDIA = "application/x-www-form-urlencoded"
ERROR_REF = {"$ref": "#/components/schemas/ErrorEnvelope"}
ERRORS = {
    "400": "The body is not valid JSON or the request is malformed.",
    "401": "No bearer token, or an expired or revoked one.",
    "403": "The caller's roles or organization may not do this.",
    "404": "No such record, or one of another organization.",
    "409": "The record is not in a state that allows this, or its version is stale.",
    "422": "Invalid input: ``details`` maps dotted field paths to messages.",
    "429": "Too many requests (``RateLimit-*`` headers) or login attempts; ``Retry-After`` tells when "
           "to try again.",
}
IDEMPOTENCY_HEADER = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "description": "Retry safely: the same key, caller and request within 24 hours answers the first "
                   "response again (with ``Idempotent-Replayed: true``).",
    "schema": {"type": "string", "maxLength": 200}, "example": "0b6f8f1e-2c1d-4a53-9a47-6a1f3c2d9e10",
}
IF_NONE_MATCH = {
    "name": "If-None-Match", "in": "header", "required": False,
    "description": "The ``ETag`` of the answer already held (or a list of them, or ``*``): unchanged → 304 "
                   "without a body.",
    "schema": {"type": "string", "maxLength": 1000}, "example": '"3f0c2a9d4e5b6a7c8d9e0f1a2b3c4d5e"',
}
ETAG_HEADER = {"description": "A validator of this answer's body, for ``If-None-Match``.",
               "schema": {"type": "string"}}
# views whose one-word names would read badly in a generated client
NAMES = {"week": "get_weekly_summary", "transition": "move_major_case", "me": "get_me",
         "decide": "decide_quote", "precheck": "precheck_quote", "ranking": "rank_scorecards",
         "deliveries": "list_webhook_deliveries", "rotate": "rotate_webhook_secret",
         "clock": "get_payment_clock"}
# what a download answers (operationId → media type), declared as binary content
DOWNLOADS = {"invoice_scan": "application/pdf", "get_quote_photo": "image/*",
             "get_photo_thumbnail": "image/jpeg", "get_salvage_lot_photo": "image/*",
             "get_assessment_sheet": "application/pdf"}
BINARY = {"type": "string", "format": "binary"}
PAGE_KEYS = {"page": {"type": "integer", "minimum": 1}, "per_page": {"type": "integer", "minimum": 1},
             "total": {"type": "integer", "minimum": 0}}
_CONVERTER = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


def operation_ids(app) -> dict[tuple[str, str], str]:
    """``(method, OpenAPI path) → view name`` for every API route (``create_quote`` …); a name
    two areas share takes its resource after the verb (``upload_quote_photo``)."""
    ids = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API_PREFIX + "/"):
            continue
        path = _CONVERTER.sub(r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            name = rule.endpoint.rpartition(".")[2]
            ids[(method.lower(), path)] = NAMES.get(name, name)
    taken = Counter(ids.values())
    for key, name in ids.items():
        if taken[name] > 1:
            verb, _, rest = name.partition("_")
            resource = key[1][len(API_PREFIX) + 1:].split("/")[0].replace("-", "_").removesuffix("s")
            ids[key] = f"{verb}_{resource}_{rest}"
    return ids


def finish(doc: dict, app) -> dict:
    doc = copy.deepcopy(doc)
    doc.setdefault("servers", [{"url": "/", "description": "This portal (paths carry /api/v1)"}])
    doc["info"].setdefault("description", "The partner extranet of the motor-claims department: operations, schemas and errors below; docs/operations.md for webhooks and keys.")
    doc["info"].setdefault("license", {"name": "Proprietary", "url": "https://example.invalid/terms"})
    doc["security"] = [{"bearer": []}]
    components = doc.setdefault("components", {})
    components.get("schemas", {}).pop("PaginationMetadata", None)
    ids = operation_ids(app)
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            name = ids.get((method, path))
            if name:
                op["operationId"] = name
                op.setdefault("summary", name.replace("_", " ").capitalize() + ".")
            public = (method, path) in PUBLIC_OPERATIONS
            if public:
                op["security"] = []
            _errors(op, method, path, public)
            if method == "post":
                op.setdefault("parameters", []).append(dict(IDEMPOTENCY_HEADER))
            _multipart(op, components)
            _answer_schema(op)
            if method == "get":
                _conditional(op)
    _require_what_is_always_answered(doc)
    return doc


def _referenced(node, schemas: dict, found: set) -> set:
    """The component schemas ``node`` refers to, directly or through other components."""
    if isinstance(node, dict):
        ref = node.get("$ref", "")
        if ref.startswith("#/components/schemas/"):
            name = ref.rpartition("/")[2]
            if name not in found and name in schemas:
                found.add(name)
                _referenced(schemas[name], schemas, found)
        for value in node.values():
            _referenced(value, schemas, found)
    elif isinstance(node, list):
        for value in node:
            _referenced(value, schemas, found)
    return found


def _require_what_is_always_answered(doc: dict) -> None:
    """A response schema lists every field it answers as ``required``: a marshmallow schema
    dumps each declared field of the object it is given (``null`` when empty), so a generated
    client may rely on the key. A field a view leaves out at times says so with
    ``metadata={"x-sometimes": True}``. Schemas also used for requests are left as declared."""
    schemas = doc.get("components", {}).get("schemas", {})
    answered, asked = set(), set()
    for item in doc["paths"].values():
        for op in item.values():
            if isinstance(op, dict):
                _referenced(op.get("responses", {}), schemas, answered)
                _referenced([op.get("requestBody", {}), op.get("parameters", [])], schemas, asked)
    for name in answered - asked:
        props = schemas[name].get("properties", {})
        always = [key for key, prop in props.items()
                  if not prop.pop("x-sometimes", False) and not prop.get("writeOnly")]
        if always:
            schemas[name]["required"] = sorted(set(schemas[name].get("required", [])) | set(always))


def _errors(op: dict, method: str, path: str, public: bool) -> None:
    responses = op["responses"]
    codes = ["400", "429"] if public else ["401", "403", "429"]
    if "{" in path:
        codes.append("404")
    if method != "get":
        codes += ["409", "422"]
    elif "422" in responses or op.get("parameters"):
        codes.append("422")
    for code in codes:
        responses.setdefault(code, {"description": ERRORS[code],
                                    "content": {"application/json": {"schema": ERROR_REF}}})


def _conditional(op: dict) -> None:
    """A GET answering JSON carries an ``ETag`` and takes ``If-None-Match`` (portal/api/changes.py)."""
    ok = op["responses"].get("200") or {}
    if "application/json" not in ok.get("content", {}):
        return
    ok.setdefault("headers", {})["ETag"] = dict(ETAG_HEADER)
    op.setdefault("parameters", []).append(dict(IF_NONE_MATCH))
    op["responses"]["304"] = {"description": "Not modified: the ``ETag`` sent is the answer's still.",
                              "headers": {"ETag": dict(ETAG_HEADER)}}


def _multipart(op: dict, components: dict) -> None:
    """An upload read as a form plus ``request.files`` (photos) is multipart with a binary ``file``."""
    content = op.get("requestBody", {}).get("content", {})
    media = content.pop(FORM_MEDIA, None) or content.get(UPLOAD_MEDIA)
    if media is None:
        return
    schema = media["schema"]
    if "$ref" in schema:
        schema = components["schemas"][schema["$ref"].rpartition("/")[2]]
    props = schema.setdefault("properties", {})
    props.setdefault("file", {"type": "string", "format": "binary", "description": "The file itself."})
    schema["required"] = sorted(set(schema.get("required", [])) | {"file"})
    content[UPLOAD_MEDIA] = media


def _answer_schema(op: dict) -> None:
    """Every 2xx answer but 204 has a schema: a download its binary media type, a list view
    that answers a page (portal/api/pagination.py ``paginate``) the page's four keys, any
    other view an object."""
    for code, answer in op["responses"].items():
        content = answer.get("content", {})
        if not code.startswith("2") or code == "204" or any(m.get("schema") for m in content.values()):
            continue
        media = DOWNLOADS.get(op.get("operationId"))
        if media:
            answer["content"] = {media: {"schema": dict(BINARY)}}
        elif op.get("operationId", "").startswith("list_"):
            page = {"items": {"type": "array", "items": {"type": "object"}}, **PAGE_KEYS}
            answer["content"] = {"application/json": {"schema": {
                "type": "object", "required": sorted(page), "properties": copy.deepcopy(page)}}}
        else:
            answer["content"] = {"application/json": {"schema": {"type": "object"}}}
