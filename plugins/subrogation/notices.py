"""Event receivers (after commit): notifications of the subrogation plugin, and the
``lawsuit.filed`` event by which the litigation plugin tells that a case went to court.
Each text is rendered in the recipient's language (``notify`` calls the lambdas)."""
from __future__ import annotations

from flask_babel import gettext as _

from portal.plugin import local_time, money, notify


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
        _to_handler(payload, "recovery.assigned",
                    lambda: _("Recovery case #%(id)s assigned to you", id=payload["recovery_id"]),
                    lambda: _("Claim %(claim)s, counterparty %(party)s, limitation deadline %(deadline)s.",
                              claim=payload["claim_no"], party=payload["counterparty"],
                              deadline=local_time(payload["limitation_deadline"])))
    elif name == "recovery.receipt_recorded" and payload.get("handler_organization_id") \
            and payload.get("by_organization_id") == payload.get("handler_organization_id"):
        notify(kind="recovery.receipt", title=lambda: _("Receipt of %(amount)s booked by counsel",
                                                        amount=money(payload["amount"])),
               body=lambda: _("Recovery case #%(id)s (claim %(claim)s)", id=payload["recovery_id"],
                              claim=payload["claim_no"]),
               url=case_url(payload["recovery_id"]), roles=("legal",))
    elif name == "recovery.limitation_near":
        _to_handler(payload, "recovery.limitation_near",
                    lambda: _("Limitation deadline near: recovery case #%(id)s", id=payload["recovery_id"]),
                    lambda: _("Deadline %(deadline)s, %(days)s days left, no lawsuit filed.",
                              deadline=local_time(payload["limitation_deadline"]), days=payload["days_left"]),
                    also_legal=bool(payload.get("handler_organization_id")))
