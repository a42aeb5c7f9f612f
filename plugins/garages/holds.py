"""Holds on a review: a problem case (问题件, ``hold``) and an investigation (发起案件调查,
``investigate``) stop the review's deadline clock, as a return does; ``resume`` starts the
review again with a new deadline (``docs/review-controls.md``, "Holds"). The garage sees that
its quote is held or under investigation, never why: the reason and the note are the insurer's.

A red claim ("以严为主") can be configured (``red_investigation_above``) to need an
investigation on the claim before a quote takes its repair total above that amount.
"""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from portal.plugin import Invalid, InvalidState, compute_review_deadline, db, emit, utcnow

from . import rules as R
from .models import Decision, Quote

HOLD_ACTIONS = ("hold", "investigate", "resume")


def hold(quote: Quote, user, action: str, version: int, reason: str | None, note: str | None) -> None:
    """``hold`` or ``investigate``: a reason code and a note, the person and the time kept."""
    from .services.quotes import _decision, _payload
    from .workflow import QUOTE_FLOW

    reasons = R.rules()["hold_reasons"]
    errors = {}
    if reason not in reasons:
        errors["reason"] = [f"One of: {', '.join(reasons)}."]
    if not note:
        errors["comment"] = ["Write what is to be checked (the note stays with the insurer)."]
    if errors:
        raise Invalid(errors)
    from_status = quote.status
    held_from = quote.held_from if from_status in ("on_hold", "under_investigation") else from_status
    QUOTE_FLOW.apply(quote, action, user, expected_version=version, values={
        "hold_reason": reason, "hold_note": note, "held_by_id": user.id, "held_at": utcnow(),
        "held_from": held_from, "due_at": None, "desk": "assessor"},
        audit={"reason": reason, "note": note, "due_at": [quote.due_at, None]})
    _decision(quote, action, user, from_status, comment=note, rule=reason)
    emit("quote.held", _payload(quote))   # no reason: the garage learns only that it is held


def resume(quote: Quote, user, version: int, note: str | None) -> None:
    """Back to review with a new deadline; a first approval or an escalation made before
    the hold is decided again (the facts may have changed)."""
    from .services.quotes import _decision, _payload
    from .workflow import QUOTE_FLOW

    now = utcnow()
    from_status = quote.status
    deadline = compute_review_deadline(now, quote.total_submitted)
    QUOTE_FLOW.apply(quote, "resume", user, expected_version=version, values={
        "due_at": deadline.due_at, "submitted_at": now, "desk": "assessor", "first_approver_id": None,
        "total_approved": None, "hold_reason": None, "hold_note": None, "held_from": None},
        audit={"due_at": [None, deadline.due_at], "note": note})
    _decision(quote, "resume", user, from_status, comment=note)
    emit("quote.resumed", _payload(quote))


def require_investigation(quote: Quote, claim_total: Decimal) -> None:
    """A red claim above the configured amount is approved only after an investigation."""
    limit = R.rules().get("red_investigation_above")
    if limit in (None, "") or quote.claim.risk_color != "red" or claim_total <= Decimal(str(limit)):
        return
    investigated = db.session.scalar(
        sa.select(sa.func.count()).select_from(Decision).join(Quote, Quote.id == Decision.quote_id)
        .where(Quote.claim_id == quote.claim_id, Decision.action == "investigate"))
    if not investigated:
        raise InvalidState(f"A red claim above {Decimal(str(limit)):,.2f} is approved only after an investigation "
                           "(以严为主): open one with its note first.",
                           {"status": quote.status, "allowed": ["investigate"], "rule": "RED_NEEDS_INVESTIGATION"})
