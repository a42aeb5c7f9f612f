"""Code lists (代码表): ``GET /api/v1/codes/{list}`` → ``{items: [{code, label_zh, label_en}]}``.

The lists whose codes are configuration — reduction reasons, hold reasons, finding codes, risk
reasons, webhook events — come from their owners through ``portal_code_lists``
(``docs/hooks.md``); a partner system reads them instead of copying them from a document. Fixed
lists (statuses, kinds, actions) are enums in the OpenAPI document instead."""
from __future__ import annotations

from flask_babel import force_locale
from marshmallow import Schema, fields

from ..errors import NotFound
from ..plugins import hook
from .access import authenticated
from .blueprint import ApiBlueprint

blp = ApiBlueprint("codes", __name__, description="Code lists that are configuration (代码表), in Chinese and English")


class CodeSchema(Schema):
    code = fields.String(required=True)
    label_zh = fields.String(required=True)
    label_en = fields.String(required=True)


class CodeListSchema(Schema):
    items = fields.List(fields.Nested(CodeSchema), required=True)


def code_lists(app) -> dict[str, list]:
    """Every list's name → its ``(code, label)`` pairs, from every area."""
    merged: dict[str, list] = {}
    for declared in hook(app).portal_code_lists():
        for name, pairs in (declared or {}).items():
            merged.setdefault(name, []).extend(pairs)
    return merged


def _label(label, locale: str) -> str:
    with force_locale(locale):
        return str(label() if callable(label) else label)


def render_list(pairs) -> list[dict]:
    return [{"code": code, "label_zh": _label(label, "zh"), "label_en": _label(label, "en")} for code, label in pairs]


@blp.route("/codes/<list_name>", methods=["GET"])
@blp.response(200, CodeListSchema)
@authenticated
def get_code_list(list_name):
    """One code list: ``reduction-reasons``, ``hold-reasons``, ``finding-codes``, ``risk-reasons``,
    ``webhook-events``, or a list a plugin adds. An unknown list is 404."""
    from flask import current_app

    pairs = code_lists(current_app).get(list_name)
    if pairs is None:
        raise NotFound()
    return {"items": render_list(pairs)}
