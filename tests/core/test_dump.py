"""``dump_many`` gives exactly ``schema.dump(items, many=True)``."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from marshmallow import Schema, fields, post_dump

from portal.api.dump import dump_many
from portal.api.fields import LocalDateTime, MoneyField


class Line(Schema):
    name = fields.String()
    amount = MoneyField()


class Everything(Schema):
    id = fields.Integer()
    label = fields.String(data_key="title")
    renamed = fields.String(attribute="other")
    money = MoneyField(allow_none=True)
    at = LocalDateTime(allow_none=True)
    ok = fields.Boolean()
    ratio = fields.Decimal(as_string=True)
    defaulted = fields.String(dump_default="n/a")
    absent = fields.Integer()
    tags = fields.List(fields.String())
    lines = fields.List(fields.Nested(Line))


class WithMethod(Everything):
    shout = fields.Method("_shout")

    def _shout(self, obj):
        return str(obj["label"] if isinstance(obj, dict) else obj.label).upper()


class WithHook(Schema):
    id = fields.Integer()

    @post_dump
    def add(self, data, **kwargs):
        return {**data, "hooked": True}


class Obj:
    def __init__(self, **kw):
        self.__dict__.update(kw)


ROWS = [
    {"id": 1, "label": "前保险杠", "other": "x", "money": Decimal("1280.5"), "at": datetime(2026, 11, 1, 1, 2, 3,
                                                                                      tzinfo=timezone.utc),
     "ok": True, "ratio": Decimal("0.125"), "tags": ["a", "b"], "lines": [{"name": "漆", "amount": Decimal("3")}]},
    {"id": 2, "label": "", "other": None, "money": None, "at": None, "ok": False, "ratio": Decimal("1"),
     "defaulted": "given", "absent": 7, "tags": [], "lines": []},
    # values of another type than the field's go through the field (True → 1, 5 → "5", 1 stays 1)
    {"id": True, "label": 5, "other": 7, "money": Decimal("0"), "at": None, "ok": 1, "ratio": Decimal("2.50"),
     "tags": ["x"], "lines": [], "absent": "8"},
]


def test_same_output_as_marshmallow_for_mappings_and_objects():
    for schema in (Everything(), WithMethod(), WithHook(), Everything(only=("id", "label"))):
        assert dump_many(schema, ROWS) == schema.dump(ROWS, many=True)
        objects = [Obj(**row) for row in ROWS]
        assert dump_many(schema, objects) == schema.dump(objects, many=True)
    assert dump_many(Everything(), ROWS)[1]["defaulted"] == "given"
    assert dump_many(Everything(), ROWS)[0]["defaulted"] == "n/a" and "absent" not in dump_many(Everything(), ROWS)[0]
    assert dump_many(WithHook(), ROWS)[0]["hooked"] is True
