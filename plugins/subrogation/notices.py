"""Event receivers (after commit): notifications of the subrogation plugin, and the
``lawsuit.filed`` event by which the litigation plugin tells that a case went to court."""
from __future__ import annotations

from portal.plugin import notify


def case_url(recovery_id) -> str:
    return f"/subrogation/cases/{recovery_id}"


def _to_handler(payload, kind, title, body, also_legal=False):
    notify(kind=kind, title=title, body=body, url=case_url(payload["recovery_id"]),
           user_ids=[payload["handler_user_id"]] if payload.get("handler_user_id") else (),
           organization_id=payload.get("handler_organization_id"),
           roles=("legal",) if also_legal else ())


def on_event(name: str, payload: dict) -> None:
    if name == "lawsuit.filed" and payload.get("recovery_id"):
        from .services import mark_lawsuit_filed

        mark_lawsuit_filed(int(payload["recovery_id"]), payload.get("lawsuit_id"), payload.get("actor_id"))
    elif name in ("recovery.opened", "recovery.handler_assigned"):
        _to_handler(payload, "recovery.assigned", f"追偿案件 #{payload['recovery_id']} 已分配给您 / Recovery case assigned",
                    f"赔案 {payload['claim_no']}，对方 {payload['counterparty']}，时效届满 {payload['limitation_deadline']}")
    elif name == "recovery.receipt_recorded" and payload.get("handler_organization_id") \
            and payload.get("by_organization_id") == payload.get("handler_organization_id"):
        notify(kind="recovery.receipt", title=f"律所登记回款 ¥{payload['amount']} / Receipt booked by counsel",
               body=f"追偿案件 #{payload['recovery_id']}（赔案 {payload['claim_no']}）",
               url=case_url(payload["recovery_id"]), roles=("legal",))
    elif name == "recovery.limitation_near":
        _to_handler(payload, "recovery.limitation_near",
                    f"诉讼时效将届满：追偿案件 #{payload['recovery_id']} / Limitation deadline near",
                    f"时效届满日 {payload['limitation_deadline']}（剩 {payload['days_left']} 天），尚未起诉。"
                    f" Deadline {payload['limitation_deadline']}, {payload['days_left']} days left, no lawsuit filed.",
                    also_legal=bool(payload.get("handler_organization_id")))
