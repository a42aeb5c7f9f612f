"""The insurer's review of a submitted quote (核损): the approved values of its lines, the
decision under the authority limits (审批权限) and the four-eyes rule of major quotes (四眼原则),
what lands on a reviewer's desk, and what the review screen shows beside the quote."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from portal.plugin import (Claim, Forbidden, Invalid, InvalidState, NotFound, Organization, StaleVersion, User, db,
                          emit, quantize, record_audit, utcnow)

from .. import assignment, holds
from .. import rules as R
from ..controls import approval_check, lock_claim, pending_amount
from ..holds import HOLD_ACTIONS
from ..models import HELD, IN_REVIEW, Quote, QuoteLine
from ..workflow import QUOTE_FLOW
from .rounds import snapshot_at_return
from .quotes import _bump_version, _decision, _payload, as_decimal, line_amount


def _approved_values(quote: Quote, adjustments, action: str) -> dict[int, tuple]:
    """``{line_id: (qty, unit_price, amount, reason)}`` for every line; lines left out are
    approved as submitted (or keep the first approver's values on a second approval). The
    figures come as ``AdjustmentIn`` and the review form read them (two places, a price not
    negative); here the rules: a line of this quote, a quantity of 0 or more, never more than
    was quoted, and a reduction with a reason code of the programme."""
    by_id = {ln.id: ln for ln in quote.lines}
    errors: dict[str, list[str]] = {}
    reasons = set(R.rules()["reduction_reasons"])
    given = {}
    for i, adj in enumerate(adjustments or []):
        line = by_id.get(adj.get("id"))
        if line is None:
            errors[f"lines.{i}.id"] = ["No such line on this quote."]
            continue
        qty, price = adj.get("approved_quantity"), adj.get("approved_unit_price")
        qty = line.quantity if qty is None else as_decimal(qty).quantize(Decimal("0.01"))
        price = line.unit_price if price is None else quantize(as_decimal(price))
        if qty < 0:
            errors[f"lines.{i}.approved_quantity"] = ["A quantity of 0 or more."]
            continue
        if qty > line.quantity:
            errors[f"lines.{i}.approved_quantity"] = ["Cannot approve more than was quoted."]
        if price > line.unit_price:
            errors[f"lines.{i}.approved_unit_price"] = ["Cannot approve a higher price than was quoted."]
        amount = line_amount(qty, price)
        reason = adj.get("reason") or None
        if amount != line.amount and not reason:
            errors[f"lines.{i}.reason"] = ["Give the reason code of the reduction (核减原因)."]
        elif reason and reason not in reasons:
            errors[f"lines.{i}.reason"] = [f"One of: {', '.join(sorted(reasons))}."]
        given[line.id] = (qty, price, amount, reason)
    if errors:
        raise Invalid(errors)
    out = {}
    for line in quote.lines:
        if line.id in given:
            out[line.id] = given[line.id]
        elif quote.status != "submitted" and line.approved_amount is not None:
            out[line.id] = (line.approved_quantity, line.approved_unit_price, line.approved_amount, line.reason)
        else:
            out[line.id] = (line.quantity, line.unit_price, line.amount, None)
    return out


REVIEW_ACTIONS = ("approve", "return", "reject", "escalate") + HOLD_ACTIONS + ("reassign",)


def decide(quote: Quote, user, action: str, version: int, comment: str | None = None, lines=None,
           reason: str | None = None, assignee_id: int | None = None) -> Quote:
    """An assessor's or supervisor's decision: approve / return / reject / escalate.

    Approving above the caller's authority escalates instead (审批权限); a major quote
    (大要案) needs two different approvers; a stale ``version`` is 409 ``stale_version``.
    """
    if action not in REVIEW_ACTIONS:
        raise Invalid({"action": [f"One of: {', '.join(REVIEW_ACTIONS)}."]})
    if not user.is_insurer:
        raise Forbidden()
    if version != quote.version:
        raise StaleVersion(details={"version": quote.version, "status": quote.status})
    from_status = quote.status
    if action == "reassign":
        assignment.reassign(quote, user, assignee_id, (comment or "").strip() or None)
        _bump_version(quote, version)
        return quote
    if not QUOTE_FLOW.can(from_status, action):
        raise InvalidState(f"A quote in status {from_status!r} does not take {action!r}.",
                           {"status": from_status, "allowed": allowed_actions(quote, user)})
    comment = (comment or "").strip() or None
    if action in ("hold", "investigate"):
        holds.hold(quote, user, action, version, reason, comment)
        return quote
    if action == "resume":
        holds.resume(quote, user, version, comment)
        return quote
    if action in ("return", "reject") and not comment:
        raise Invalid({"comment": ["Tell the garage what to change (return) or why (reject)."]})
    values = _approved_values(quote, lines, action)
    total = quantize(sum((v[2] for v in values.values()), Decimal(0)))
    lock_claim(quote.claim_id)   # two quotes of one claim are decided one after the other
    check = approval_check(quote, user, total)   # judged on the claim's repair total, never one quote alone
    rule = None
    effective = action
    extra: dict = {}
    if action == "approve":
        holds.require_investigation(quote, check.claim_total)
        effective, rule = approval_outcome(quote, user, check)
        if effective == "first_approve":
            extra["first_approver_id"] = user.id
        elif effective == "refused":
            raise Forbidden("A major quote needs a second, different approver (四眼原则).")
    if effective in ("approve",):
        extra.update(total_approved=total, decided_at=utcnow(), desk=None)
    elif effective == "first_approve":
        extra.update(total_approved=total, desk="second_approver")
    elif effective == "escalate":   # not approved: no approved total (the proposed lines stay on the lines)
        extra.update(desk="supervisor", total_approved=None)
    elif effective == "return":
        extra.update(desk="garage", due_at=None, return_count=quote.return_count + 1, total_approved=None)
    elif effective == "reject":
        extra.update(desk=None, decided_at=utcnow(), total_approved=None)
    QUOTE_FLOW.apply(quote, effective, user, expected_version=version, values=extra,
                     audit={"decision": action, "rule": rule, "amount": total, "comment": comment,
                            "claim_repair_total": check.claim_total, "authority_limit": check.limit,
                            "rules_version": R.rules_version()})
    adjusted = []
    for line in quote.lines:
        qty, price, amount, reason = values[line.id]
        line.approved_quantity, line.approved_unit_price, line.approved_amount = qty, price, amount
        if reason or amount == line.amount:
            line.reason = reason
        if amount != line.amount:
            adjusted.append({"line_id": line.id, "approved_amount": f"{amount:.2f}", "reason": reason})
    if adjusted:
        record_audit("quote", quote.id, "adjust_lines", {"lines": adjusted}, actor=user)
    if effective == "return":   # the round is kept as it stands (the resubmission clears the lines)
        snapshot_at_return(quote)
    if effective == "escalate":
        assignment.assign(quote, "supervisor", user, check.claim_total)
    elif effective == "first_approve":   # the second approver comes from the team (never the first)
        quote.assigned_reviewer_id = None
    _decision(quote, effective, user, from_status, comment=comment, amount=total, rule=rule,
              claim_total=check.claim_total if action == "approve" else None,
              authority_limit=check.limit if action == "approve" else None)
    event = {"approve": "quote.approved", "first_approve": "quote.awaiting_second_approval",
             "escalate": "quote.escalated", "return": "quote.returned", "reject": "quote.rejected"}[effective]
    # the garage reads the comment of a return or a decision; an escalation's note stays internal
    shared = comment if effective in ("approve", "return", "reject") else None
    emit(event, _payload(quote, decided_by=user.id, rule=rule, comment=shared))
    return quote


def approval_outcome(quote: Quote, user, check) -> tuple[str, str | None]:
    """What approving does, judged on the claim (``check``: :func:`controls.approval_check`):
    ``approve``; ``escalate`` (AUTHORITY_LIMIT) when the claim's repair total is above the
    approver's limit; ``first_approve`` (MAJOR_FOUR_EYES) for a major case's first approval;
    ``refused`` (MAJOR_FOUR_EYES) when the first approver tries again. ``decide`` acts on it;
    the review screen shows it before the button is pressed (:func:`approve_preview`)."""
    if not check.within_limit:
        return "escalate", "AUTHORITY_LIMIT"
    if check.major and quote.first_approver_id is None:
        return "first_approve", "MAJOR_FOUR_EYES"
    if check.major and quote.first_approver_id == user.id:
        return "refused", "MAJOR_FOUR_EYES"
    return "approve", None


@dataclass(frozen=True)
class ApprovePreview:
    """What pressing "approve" would do now, at the amounts as they stand (the quote's, or the
    first approver's): ``outcome`` of :func:`approval_outcome`, or ``needs_investigation``."""

    outcome: str
    claim_total: Decimal
    limit: Decimal | None
    major: bool


def approve_preview(quote: Quote, user) -> ApprovePreview:
    check = approval_check(quote, user, pending_amount(quote))
    try:
        holds.require_investigation(quote, check.claim_total)
    except InvalidState:
        return ApprovePreview("needs_investigation", check.claim_total, check.limit, check.major)
    return ApprovePreview(approval_outcome(quote, user, check)[0], check.claim_total, check.limit, check.major)


def allowed_actions(quote: Quote, user) -> list[str]:
    if not user.is_insurer or quote.status not in IN_REVIEW + HELD:
        return []
    return [a for a in REVIEW_ACTIONS
            if QUOTE_FLOW.can(quote.status, a) and QUOTE_FLOW.transition(quote.status, a).allows(user)] + \
        (["reassign"] if user.has_role("supervisor", "admin") else [])


def review_scope(user):
    """What lands on this reviewer's desk: assessors the submitted and second-approval
    quotes; supervisors also the escalated ones their limit covers."""
    conds = [Quote.status.in_(("submitted", "awaiting_second_approval"))]
    if user.has_role("supervisor", "admin"):
        esc = Quote.status == "escalated"
        if not user.unlimited_authority and user.authority_limit is not None:
            esc = sa.and_(esc, sa.func.coalesce(Quote.total_approved, Quote.total_submitted) <= user.authority_limit)
        conds.append(esc)
    return sa.or_(*conds)


# ------------------------------------------------------------------ context for the review screen


def vin_history(quote: Quote, limit: int = 20) -> list[Quote]:
    """Other quotes on the same VIN (the garage's history with this vehicle)."""
    return list(db.session.scalars(
        sa.select(Quote).join(Claim, Claim.id == Quote.claim_id)
        .where(Claim.vin == quote.claim.vin, Quote.id != quote.id, Quote.status != "draft")
        .order_by(Quote.submitted_at.desc()).limit(limit)))


@cache
def _for_display():
    """A quote with everything its page and its API answer show (built once, on the first open —
    building it configures every mapper, which start-up need not do; the lines — never many —
    come joined to the quote's row)."""
    return sa.select(Quote).where(Quote.id == sa.bindparam("quote_id")).options(
        joinedload(Quote.lines), selectinload(Quote.findings), selectinload(Quote.decisions),
        selectinload(Quote.photos))


def load_quote_for_display(quote_id: int, user) -> Quote:
    quote = db.session.execute(_for_display(), {"quote_id": quote_id}).unique().scalar_one_or_none()
    if quote is None or quote.status == "deleted" or not (user.is_insurer or quote.garage_id == user.organization_id):
        raise NotFound()
    return quote


def routed_lines(claim: Claim) -> list[QuoteLine]:
    """Lines of the claim's quotes routed to a specialist repairer (外加工)."""
    return list(db.session.scalars(
        sa.select(QuoteLine).join(Quote, Quote.id == QuoteLine.quote_id)
        .where(Quote.claim_id == claim.id, Quote.purpose == "repair", QuoteLine.routed_to_specialist.is_(True))
        .order_by(QuoteLine.id)))


def supervisors_covering(amount: Decimal) -> list[int]:
    """Supervisors whose authority limit covers ``amount``. Called from event receivers
    (after commit), so it reads in a session of its own."""
    from sqlalchemy.orm import Session

    with Session(db.engine) as session:
        users = session.scalars(sa.select(User).join(Organization, Organization.id == User.organization_id)
                                .where(Organization.kind == "insurer", User.active.is_(True))).all()
        return [u.id for u in users if u.has_role("supervisor") and u.can_approve(amount)]
