"""Who sees which claim: insurer staff all; a partner only through an active assignment."""
from __future__ import annotations

import sqlalchemy as sa

from ..errors import NotFound
from ..extensions import db
from .models import Assignment, Claim


def active_assignment(claim_id: int, organization_id: int, purposes=None) -> Assignment | None:
    stmt = sa.select(Assignment).where(Assignment.claim_id == claim_id,
                                       Assignment.organization_id == organization_id,
                                       Assignment.ended_at.is_(None))
    if purposes:
        stmt = stmt.where(Assignment.purpose.in_(tuple(purposes)))
    return db.session.scalars(stmt.order_by(Assignment.id)).first()


def visible_claims_stmt(user):
    """A ``select(Claim)`` limited to what ``user`` may see."""
    stmt = sa.select(Claim)
    if user.is_insurer:
        return stmt
    assigned = sa.select(Assignment.claim_id).where(Assignment.organization_id == user.organization_id,
                                                    Assignment.ended_at.is_(None))
    return stmt.where(Claim.id.in_(assigned))


def get_visible_claim(claim_no: str, user, purposes=None) -> Claim:
    """The claim, or :class:`NotFound` for a partner without an active assignment
    (for the given purposes): its existence is never revealed."""
    claim = db.session.scalar(sa.select(Claim).where(Claim.claim_no == claim_no))
    if claim is None:
        raise NotFound()
    if user.is_insurer:
        return claim
    if active_assignment(claim.id, user.organization_id, purposes) is None:
        raise NotFound()
    return claim
