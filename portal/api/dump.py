"""Dump many objects with a marshmallow schema, field by field, without marshmallow's
per-value look-up machinery: the same output as ``schema.dump(items, many=True)`` at a
fraction of the cost, for the lists partners and assessors load all day (the review
queue returns 50 quotes × 15 fields a page).

Schemas with ``pre_dump``/``post_dump`` hooks, fields without an attribute of their own
(``Method``, ``Function``) or dotted attributes are dumped by marshmallow itself;
``tests/core/test_dump.py`` compares both.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import fields, missing


def _plain_type(field) -> type | None:
    """A value of this type dumps as itself (no conversion) — String, Integer (not as a
    string) and Boolean as marshmallow defines them, not subclasses that may convert."""
    if type(field) is fields.String:
        return str
    if type(field) is fields.Integer and not field.as_string:
        return int
    if type(field) is fields.Boolean:
        return bool
    return None


def _plan(schema) -> list[tuple[str, str, Any, type | None]] | None:
    cached = schema.__dict__.get("_portal_dump_plan", False)
    if cached is not False:
        return cached
    plan: list[tuple[str, str, Any]] | None = []
    hooks = getattr(schema, "_hooks", {}) or {}
    if any(hooks.get(k) for k in hooks if "dump" in str(k)):
        plan = None
    else:
        for name, field in schema.dump_fields.items():
            attr = field.attribute or name
            if not getattr(field, "_CHECK_ATTRIBUTE", True) or "." in attr:
                plan = None
                break
            plan.append((field.data_key if field.data_key is not None else name, attr, field, _plain_type(field)))
    schema.__dict__["_portal_dump_plan"] = plan
    return plan


def dump_many(schema, items) -> list[dict]:
    """``schema.dump(items, many=True)``, faster for flat schemas (see the module docstring)."""
    plan = _plan(schema)
    if plan is None:
        return schema.dump(items, many=True)
    out = []
    for obj in items:
        is_map = isinstance(obj, Mapping)
        row = {}
        for key, attr, field, plain in plan:
            value = obj.get(attr, missing) if is_map else getattr(obj, attr, missing)
            if plain is not None and (value is None or type(value) is plain):
                row[key] = value
                continue
            if value is missing:
                default = field.dump_default
                value = default() if callable(default) else default
                if value is missing:
                    continue
            row[key] = field._serialize(value, attr, obj)
        out.append(row)
    return out
