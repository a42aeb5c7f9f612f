"""Approved legal costs (已核定诉讼费用) as payable items of the counsel law firm (portal/payments)."""
from __future__ import annotations

import sqlalchemy as sa

from portal.plugin import Claim, db, local_date

from .models import Lawsuit, LegalCost


def payable_legal_costs(organization_id, kind, item_id, claim_no=None):
    """Every approved legal cost of a lawsuit whose counsel is ``organization_id``."""
    if kind not in (None, "legal_cost"):
        return []
    stmt = (sa.select(LegalCost.id, LegalCost.amount, LegalCost.incurred_on, LegalCost.decided_at,
                      Lawsuit.counsel_organization_id, Claim.claim_no)
            .join(Lawsuit, Lawsuit.id == LegalCost.lawsuit_id)
            .outerjoin(Claim, Claim.id == Lawsuit.claim_id)
            .where(LegalCost.status == "approved", Lawsuit.counsel_organization_id.is_not(None))
            .order_by(LegalCost.id))
    if organization_id is not None:
        stmt = stmt.where(Lawsuit.counsel_organization_id == organization_id)
    if claim_no is not None:
        stmt = stmt.where(Claim.claim_no == claim_no)
    if item_id is not None:
        stmt = stmt.where(LegalCost.id == item_id)
    return [{"kind": "legal_cost", "id": r.id, "claim_no": r.claim_no, "organization_id": r.counsel_organization_id,
             "approved_amount": r.amount,
             "approved_on": local_date(r.decided_at) if r.decided_at else r.incurred_on}
            for r in db.session.execute(stmt)]
