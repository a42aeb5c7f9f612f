"""One person owns each review (案件一人终审责任制, docs/review-controls.md): a submitted quote is assigned to
one assessor, an escalated one to one supervisor, each with room in their authority for the
claim's repair total; among those, the one with the fewest reviews open (ties: the longest
known), so the work goes round. A supervisor reassigns with a reason; every move is audited.
"""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from portal.plugin import Forbidden, Invalid, NotFound, Organization, User, db, parse_roles, record_audit

from .controls import PENDING, pending_amount, standing
from .models import Quote

ROLE_OF_DESK = {"assessor": "assessor", "supervisor": "supervisor", "second_approver": "assessor"}


def _reviewers(role: str) -> list[User]:
    users = db.session.scalars(sa.select(User).join(Organization, Organization.id == User.organization_id)
                               .where(Organization.kind == "insurer", User.active.is_(True),
                                      User.roles_text.contains(role))).all()
    return [u for u in users if role in parse_roles(u.roles_text)]


def pick_reviewer(quote: Quote, role: str, claim_total: Decimal | None = None) -> int | None:
    """The reviewer of ``role`` with room for the claim's total and the fewest open reviews."""
    if claim_total is None:
        claim_total = standing(quote.claim_id, quote.id).others + pending_amount(quote)
    eligible = [u for u in _reviewers(role) if u.can_approve(claim_total)]
    local = [u for u in eligible if u.region is None or u.region == quote.claim.region]
    eligible = local or eligible     # the claim's region first; nobody there: whoever has the authority
    if not eligible:
        return None
    load = dict(db.session.execute(
        sa.select(Quote.assigned_reviewer_id, sa.func.count()).where(
            Quote.status.in_(PENDING), Quote.assigned_reviewer_id.in_([u.id for u in eligible]),
            Quote.id != quote.id).group_by(Quote.assigned_reviewer_id)).all())
    return min(eligible, key=lambda u: (load.get(u.id, 0), u.id)).id


def assign(quote: Quote, role: str, actor, claim_total: Decimal | None = None) -> None:
    """Give the quote its owner for the desk it is on (kept in the same transaction)."""
    before = quote.assigned_reviewer_id
    current = db.session.get(User, before) if before else None
    if current is not None and current.active and role in current.roles and \
            current.can_approve(claim_total if claim_total is not None else pending_amount(quote)):
        return   # one owner: a resubmission or a resumed review stays with its reviewer
    quote.assigned_reviewer_id = pick_reviewer(quote, role, claim_total)
    if quote.assigned_reviewer_id != before:
        record_audit("quote", quote.id, "assign", {"assignee_id": [before, quote.assigned_reviewer_id],
                                                   "role": role}, actor=actor)


def reassign(quote: Quote, user, assignee_id: int | None, reason: str | None) -> None:
    """A supervisor (or an admin) gives the review to another reviewer, with a reason."""
    if not user.has_role("supervisor", "admin"):
        raise Forbidden("Only a supervisor reassigns a review.")
    if quote.status not in PENDING:
        from portal.plugin import InvalidState

        raise InvalidState("Only a quote in review is reassigned.", {"status": quote.status})
    errors = {}
    if not reason:
        errors["comment"] = ["Give the reason of the reassignment."]
    target = db.session.get(User, assignee_id) if isinstance(assignee_id, int) else None
    if target is None or not target.is_insurer or not target.active or \
            not target.has_role("assessor", "supervisor", "admin"):
        errors["assignee_id"] = ["An active assessor or supervisor of the insurer."]
    if errors:
        raise Invalid(errors)
    before = quote.assigned_reviewer_id
    quote.assigned_reviewer_id = target.id
    record_audit("quote", quote.id, "reassign", {"assignee_id": [before, target.id], "reason": reason}, actor=user)


def reviewers_for_choice() -> list[User]:
    """The reviewers a supervisor may give a review to, by name."""
    seen: dict[int, User] = {}
    for role in ("assessor", "supervisor"):
        for u in _reviewers(role):
            seen.setdefault(u.id, u)
    return sorted(seen.values(), key=lambda u: (u.name, u.id))


def assignee_role(quote: Quote) -> str | None:
    """What the garage is told of the owner: the role, never the name."""
    if quote.status not in PENDING:
        return None
    return "supervisor" if quote.desk == "supervisor" else "assessor"


def scope_filter(user, scope: str | None):
    """The queue's scopes: ``mine``, ``unassigned``, ``team`` (everyone's: no filter)."""
    if scope == "mine":
        return Quote.assigned_reviewer_id == user.id
    if scope == "unassigned":
        return sa.and_(Quote.assigned_reviewer_id.is_(None), Quote.status.in_(PENDING))
    if scope in (None, "", "team"):
        return None
    raise NotFound()
