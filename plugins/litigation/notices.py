"""Event receivers (after commit): notifications of the litigation plugin, each rendered
in the recipient's language (``notify`` calls the lambdas), times in Beijing time."""
from __future__ import annotations

from flask_babel import gettext as _

from portal.plugin import local_time, notify


def lawsuit_url(lawsuit_id) -> str:
    return f"/litigation/lawsuits/{lawsuit_id}"


def _to_counsel(payload, kind, title, body):
    notify(kind=kind, title=title, body=body, url=lawsuit_url(payload["lawsuit_id"]),
           user_ids=[payload["counsel_user_id"]] if payload.get("counsel_user_id") else (),
           organization_id=payload.get("counsel_organization_id"))


def on_event(name: str, payload: dict) -> None:
    if name == "lawsuit.registered":
        _to_counsel(payload, "lawsuit.assigned", lambda: _("Lawsuit #%(id)s assigned to you", id=payload["lawsuit_id"]),
                    lambda: _("%(court)s %(case_no)s (claim %(claim)s)", court=payload["court"],
                              case_no=payload.get("case_no") or "", claim=payload.get("claim_no") or "—"))
    elif name == "lawsuit.hearing_near":
        _to_counsel(payload, "lawsuit.hearing_near",
                    lambda: _("Hearing soon: lawsuit #%(id)s", id=payload["lawsuit_id"]),
                    lambda: f"{local_time(payload['scheduled_at'])} · {payload['court']} "
                            f"{payload.get('court_room') or ''}")
    elif name == "complaint.assigned" and payload.get("assignee_user_id"):
        notify(kind="complaint.assigned",
               title=lambda: _("Complaint #%(id)s assigned to you", id=payload["complaint_id"]),
               url=f"/litigation/complaints/{payload['complaint_id']}", user_ids=[payload["assignee_user_id"]])
