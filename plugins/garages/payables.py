"""Approved quotes as payable items (已核定待付): what a garage may invoice (portal/payments)."""
from __future__ import annotations

import sqlalchemy as sa

from portal.plugin import Claim, db, local_date

from .models import Quote


def payable_quotes(organization_id, kind, item_id, claim_no=None):
    """Every approved quote (first or supplement) of ``organization_id`` as a payable item."""
    if kind not in (None, "quote"):
        return []
    stmt = (sa.select(Quote.id, Quote.garage_id, Quote.total_approved, Quote.decided_at, Claim.claim_no)
            .join(Claim, Claim.id == Quote.claim_id)
            .where(Quote.status == "approved", Quote.total_approved.is_not(None)).order_by(Quote.id))
    if organization_id is not None:
        stmt = stmt.where(Quote.garage_id == organization_id)
    if claim_no is not None:
        stmt = stmt.where(Claim.claim_no == claim_no)
    if item_id is not None:
        stmt = stmt.where(Quote.id == item_id)
    return [{"kind": "quote", "id": r.id, "claim_no": r.claim_no, "organization_id": r.garage_id,
             "approved_amount": r.total_approved,
             "approved_on": local_date(r.decided_at) if r.decided_at else None}
            for r in db.session.execute(stmt)]
