"""The webhook event catalogue (``GET /api/v1/webhooks/events``): every area declares the
events it emits with a description and the JSON schema of their ``data`` through
``portal_webhook_events`` (``docs/hooks.md``). An endpoint may subscribe only to these."""
from __future__ import annotations

from flask import current_app

from ..errors import Invalid
from ..hookspecs import hookimpl
from ..plugins import flatten, hook

_TYPES = {"int": {"type": "integer"}, "str": {"type": "string"}, "money": {"type": "string", "format": "decimal"},
          "time": {"type": "string", "format": "date-time"}, "bool": {"type": "boolean"},
          "ids": {"type": "array", "items": {"type": "integer"}}, "int?": {"type": ["integer", "null"]},
          "str?": {"type": ["string", "null"]}, "money?": {"type": ["string", "null"], "format": "decimal"},
          "list": {"type": "array"}}


def event(name: str, description: str, /, **properties: str) -> dict:
    """One catalogue entry; ``properties`` maps each field of ``data`` to a short type
    (``int``, ``str``, ``money``, ``time``, ``bool``, ``ids``, ``list``, ``int?`` …).
    Every event carries ``organization_ids``, the organizations it is delivered to."""
    props = {key: dict(_TYPES[kind]) for key, kind in properties.items()}
    props.setdefault("organization_ids", dict(_TYPES["ids"]))
    return {"name": name, "description": description,
            "payload_schema": {"type": "object", "properties": props, "additionalProperties": True}}


def catalogue(app=None) -> list[dict]:
    """Every declared event, sorted by name."""
    app = app or current_app._get_current_object()
    entries = {e["name"]: e for e in flatten(hook(app).portal_webhook_events())}
    return [entries[name] for name in sorted(entries)]


UNKNOWN = "Unknown event name: see the event catalogue (GET /api/v1/webhooks/events)."


def check_names(names: list[str]) -> list[str]:
    """The subscribed names, or 422 on the first unknown one (``events.N``)."""
    known = {e["name"] for e in catalogue()}
    for i, name in enumerate(names):
        if name not in known:
            raise Invalid.field(f"events.{i}", UNKNOWN)
    return names


@hookimpl
def portal_webhook_events():
    claim = {"claim_id": "int", "claim_no": "str", "assignment_id": "int", "organization_id": "int",
             "purpose": "str"}
    return [
        event("claim.assigned", "A claim was assigned to your organization.", **claim),
        event("claim.unassigned", "An assignment of a claim to your organization ended.", **claim),
        event("organization.updated", "Your organization's record changed.", organization_id="int", changes="list"),
        event("evaluation.grade_changed", "Your organization's evaluation grade changed.",
              organization_id="int", period="str", old_grade="str?", new_grade="str?"),
        event("evaluation.dispute_opened", "A dispute of your evaluation was opened.",
              dispute_id="int", organization_id="int"),
        event("evaluation.dispute_answered", "A dispute of your evaluation was answered.",
              dispute_id="int", organization_id="int"),
    ]


@hookimpl
def portal_code_lists():
    """``webhook-events`` (``GET /api/v1/codes/webhook-events``): each event under the words a
    person reads for it — its notification kind's label where it has one, else its description."""
    app = current_app._get_current_object()
    words: dict = {}
    for declared in hook(app).portal_notification_kinds():
        words.update(declared or {})
    return {"webhook-events": [(e["name"], words.get(e["name"], e["description"])) for e in catalogue(app)]}
