"""Event receivers (after commit): notifications of the litigation plugin."""
from __future__ import annotations

from portal.plugin import notify


def lawsuit_url(lawsuit_id) -> str:
    return f"/litigation/lawsuits/{lawsuit_id}"


def _to_counsel(payload, kind, title, body):
    notify(kind=kind, title=title, body=body, url=lawsuit_url(payload["lawsuit_id"]),
           user_ids=[payload["counsel_user_id"]] if payload.get("counsel_user_id") else (),
           organization_id=payload.get("counsel_organization_id"))


def on_event(name: str, payload: dict) -> None:
    if name == "lawsuit.registered":
        _to_counsel(payload, "lawsuit.assigned", f"诉讼案件 #{payload['lawsuit_id']} 已委托给您 / Lawsuit assigned",
                    f"{payload['court']} {payload.get('case_no') or ''}（赔案 {payload.get('claim_no') or '—'}）")
    elif name == "lawsuit.hearing_near":
        _to_counsel(payload, "lawsuit.hearing_near",
                    f"开庭提醒：诉讼案件 #{payload['lawsuit_id']} / Hearing near",
                    f"{payload['scheduled_at']} · {payload['court']} {payload.get('court_room') or ''}")
    elif name == "complaint.assigned" and payload.get("assignee_user_id"):
        notify(kind="complaint.assigned", title=f"投诉/纠纷 #{payload['complaint_id']} 已分派给您 / Complaint assigned",
               url=f"/litigation/complaints/{payload['complaint_id']}", user_ids=[payload["assignee_user_id"]])
