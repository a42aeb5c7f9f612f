"""Edge values into every JSON field of every operation (security review M8): built from the
OpenAPI document, each request body is a valid-looking one with one field (at any depth of
nesting) replaced by an edge value — numbers of absurd size or precision, lone surrogates, NUL,
huge integers, deep nesting, wrong types. Whatever the field, the answer is never a 5xx."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.slow

EDGE_VALUES = [
    "111111111111111111111111111.123", "1E+999999999", "-1e-999999999", "NaN", "Infinity", "9" * 400,
    "\ud800", "a\x00b", "\x1b[31m", "", " ", "0001-01-01", "9999-12-31T23:59:59+14:00", "2026-02-30",
    10 ** 30, -(10 ** 30), 2 ** 63, -1, 0, 1.5, True, None, [], {}, [[[[[[[[[[[]]]]]]]]]]],
    {"a": {"b": {"c": {"d": {"e": {}}}}}}, "x" * 5000,
]


def _resolve(spec, schema):
    while isinstance(schema, dict) and "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        schema = spec["components"]["schemas"][name]
    return schema or {}


def _example(spec, schema, depth=0):
    """A plausible value of ``schema`` (the body that the edge value is put into)."""
    schema = _resolve(spec, schema)
    if depth > 4:
        return None
    kind = schema.get("type")
    if "enum" in schema:
        return schema["enum"][0]
    if kind == "object" or "properties" in schema:
        return {k: _example(spec, v, depth + 1) for k, v in (schema.get("properties") or {}).items()
                if not _resolve(spec, v).get("readOnly")}
    if kind == "array":
        return [_example(spec, schema.get("items") or {}, depth + 1)]
    if kind == "integer":
        return 1
    if kind == "number":
        return "1.00"
    if kind == "boolean":
        return False
    fmt = schema.get("format")
    return {"date": "2026-11-02", "date-time": "2026-11-02T10:00:00+08:00", "email": "edge@example.com",
            "decimal": "1.00"}.get(fmt, "1.00" if "money" in str(schema.get("description", "")).lower() else "x")


def _paths(value, prefix=()):
    """Every place in a body where a value sits."""
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list) and value:
        yield from _paths(value[0], prefix + (0,))


def _put(body, path, value):
    if not path:
        return value
    import copy

    body = copy.deepcopy(body)
    target = body
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return body


def _operations(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    ops = []
    for path, methods in sorted(spec["paths"].items()):
        for method, op in sorted(methods.items()):
            if not isinstance(op, dict):
                continue
            content = (op.get("requestBody") or {}).get("content") or {}
            if method in ("post", "put", "patch") and "application/json" in content:
                body = _example(spec, content["application/json"]["schema"])
                url = path
                for param in [p for p in op.get("parameters", []) if p.get("in") == "path"]:
                    url = url.replace("{" + param["name"] + "}", "1")
                for name in [seg[1:-1] for seg in url.split("/") if seg.startswith("{")]:
                    url = url.replace("{" + name + "}", "1")
                ops.append((method, url, body))
    return ops


def test_every_operation_has_a_body_to_fuzz(app):
    ops = _operations(app)
    assert len(ops) >= 40 and all(url.startswith("/api/v1/") for _m, url, _b in ops)


@settings(max_examples=400, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_no_edge_value_in_any_field_reaches_a_server_error(app, factory, data):
    from portal.extensions import db

    if not hasattr(test_no_edge_value_in_any_field_reaches_a_server_error, "ops"):
        test_no_edge_value_in_any_field_reaches_a_server_error.ops = _operations(app)
        test_no_edge_value_in_any_field_reaches_a_server_error.headers = factory.headers(factory.admin())
    ops = test_no_edge_value_in_any_field_reaches_a_server_error.ops
    headers = test_no_edge_value_in_any_field_reaches_a_server_error.headers
    method, url, body = data.draw(st.sampled_from(ops), label="operation")
    where = data.draw(st.sampled_from(list(_paths(body))), label="field")
    value = data.draw(st.sampled_from(EDGE_VALUES), label="value")
    sent = _put(body, where, value)
    import json

    try:
        raw = json.dumps(sent, ensure_ascii=True)
    except (ValueError, TypeError):
        return
    response = getattr(app.test_client(), method)(url, data=raw, content_type="application/json", headers=headers)
    db.session.rollback()
    assert response.status_code < 500, (method, url, where, repr(value)[:80], response.get_data(as_text=True)[:300])
