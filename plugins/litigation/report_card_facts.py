"""The litigation plugin's facts for the insurer's report card (``portal_report_card_facts``):
each decided dispute (纠纷: a complaint of kind ``dispute`` with a verdict) involving the
partner; *upheld* when the verdict is ``substantiated``. The team is the region of the
dispute's assignee (no person is named)."""
from __future__ import annotations

import sqlalchemy as sa

from portal.plugin import User, db

from .models import Complaint

DECIDED = ("substantiated", "not_substantiated")


def report_card_facts(organization_ids) -> dict[str, list[dict]]:
    stmt = (sa.select(Complaint.against_organization_id, Complaint.verdict, User.region)
            .outerjoin(User, User.id == Complaint.assignee_user_id)
            .where(Complaint.kind == "dispute", Complaint.verdict.in_(DECIDED),
                   Complaint.against_organization_id.is_not(None)).order_by(Complaint.id))
    if organization_ids is not None:
        stmt = stmt.where(Complaint.against_organization_id.in_(list(organization_ids)))
    return {"disputes": [{"organization_id": org_id, "team": region or "", "upheld": verdict == "substantiated"}
                         for org_id, verdict, region in db.session.execute(stmt)]}
