"""Event receivers (after commit): notifications of the parts-suppliers plugin (价格表通知):
pricing staff on an upload or feedback, the supplier on a decision or an answer."""
from __future__ import annotations

from portal.plugin import notify


def on_event(name: str, payload: dict) -> None:
    if not name.startswith(("price_list.", "price_feedback.")):
        return
    if name == "price_list.uploaded":
        notify(kind=name, title=f"价格表待审核 / Price list v{payload['list_version']} to approve "
                                f"({payload['rows']} rows)",
               url=f"/parts/price-lists/{payload['price_list_id']}", roles=("pricing",))
    elif name in ("price_list.approved", "price_list.rejected"):
        verb = "已生效 / approved" if name.endswith("approved") else "被退回 / rejected"
        notify(kind=name, title=f"价格表 v{payload['list_version']} {verb}", body=payload.get("note", ""),
               url=f"/parts/price-lists/{payload['price_list_id']}", organization_id=payload["supplier_id"])
    elif name == "price_feedback.created":
        notify(kind=name, title=f"价格反馈 / Price feedback: {payload['part_no']} ({payload['quality']})",
               url="/parts/feedback?status=open", roles=("pricing",))
    elif name == "price_feedback.answered":
        notify(kind=name, title=f"价格反馈已答复 / Price feedback answered: {payload['part_no']}",
               url="/parts/feedback", user_ids=[payload["user_id"]])
