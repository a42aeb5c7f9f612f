"""Event receivers (after commit): notifications of the garages plugin (定损报价通知).

Each text is a gettext message rendered in the recipient's own language at sending time
(``notify`` calls the lambdas once per language); money is written as people read it
(¥1,234.50, ``money``). A garage learns that its quote is held, never why (the reason
belongs to the insurer)."""
from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _

from portal.plugin import money, notify

DECISIONS = {
    "quote.approved": lambda p: _("Quote #%(id)s approved (claim %(claim)s)", id=p["quote_id"], claim=p["claim_no"]),
    "quote.returned": lambda p: _("Quote #%(id)s returned for changes (claim %(claim)s)", id=p["quote_id"],
                                  claim=p["claim_no"]),
    "quote.rejected": lambda p: _("Quote #%(id)s rejected (claim %(claim)s)", id=p["quote_id"], claim=p["claim_no"]),
}


def quote_url(quote_id) -> str:
    return f"/garages/quotes/{quote_id}"


def _decision_body(payload) -> str:
    parts = []
    if payload.get("total_approved"):
        parts.append(_("Approved amount: %(amount)s.", amount=money(payload["total_approved"])))
    if payload.get("comment"):
        parts.append(_("Comment: %(comment)s", comment=payload["comment"]))
    return " ".join(parts)


def on_event(name: str, payload: dict) -> None:
    if not name.startswith("quote."):
        return
    qid, claim_no = payload.get("quote_id"), payload.get("claim_no")
    url = quote_url(qid)
    garage = payload.get("garage_id")
    if name in DECISIONS:
        notify(kind=name, title=lambda: DECISIONS[name](payload), body=lambda: _decision_body(payload), url=url,
               organization_id=garage)
    elif name == "quote.escalated":
        from . import services

        amount = Decimal(payload.get("total_approved") or payload.get("total_submitted") or "0")
        notify(kind=name, title=lambda: _("Quote #%(id)s escalated to you (claim %(claim)s)", id=qid, claim=claim_no),
               body=lambda: _("Quote #%(id)s for %(amount)s is above the assessor's authority and needs a "
                              "supervisor's approval.", id=qid, amount=money(amount)),
               url=url, user_ids=services.supervisors_covering(amount))
    elif name == "quote.awaiting_second_approval":
        notify(kind=name,
               title=lambda: _("Quote #%(id)s needs a second approver (claim %(claim)s)", id=qid, claim=claim_no),
               body=lambda: _("Large quote #%(id)s was approved by one person and must be confirmed by another "
                              "approver.", id=qid), url=url, roles=("supervisor",))
    elif name == "quote.held":
        notify(kind=name, title=lambda: _("Quote #%(id)s held for further checks (claim %(claim)s)", id=qid,
                                          claim=claim_no),
               body=lambda: _("The insurer is checking claim %(claim)s further; the review deadline of quote "
                              "#%(id)s is paused.", id=qid, claim=claim_no),
               url=url, organization_id=garage)
    elif name == "quote.resumed":
        notify(kind=name, title=lambda: _("Quote #%(id)s back in review (claim %(claim)s)", id=qid, claim=claim_no),
               body=lambda: _("Quote #%(id)s is back in review; the review deadline runs again.", id=qid),
               url=url, organization_id=garage)
    elif name == "quote.submitted":
        notify(kind=name, title=lambda: _("Quote #%(id)s submitted (claim %(claim)s)", id=qid, claim=claim_no),
               body=lambda: _("Quote #%(id)s for %(amount)s is waiting for review.", id=qid,
                              amount=money(payload.get("total_submitted"))),
               url=url, roles=("assessor",))
