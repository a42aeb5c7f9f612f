"""A recovery against a partner paid for work not done (对合作单位的追偿): opened when insurer
staff confirm the over-payment a re-inspection (复勘) found. The counterparty is the partner
organization; the amount paid and sought is the over-payment; the limitation period starts on
the day the insurer learned of it (the confirmation). Legal staff take it from the ledger."""
from __future__ import annotations

from decimal import Decimal

from portal.plugin import db, emit, record_audit

from .models import RecoveryCase
from .services import _payload, limitation_deadline, today


def open_from_partner(claim, organization, amount: Decimal, basis: str, actor) -> RecoveryCase:
    starts = today()
    case = RecoveryCase(claim_id=claim.id, amount_paid=amount, amount_sought=amount, basis=basis,
                        counterparty_name=organization.name, counterparty_contact=organization.uscc,
                        limitation_starts_on=starts, limitation_deadline=limitation_deadline(starts),
                        status="open", version=1, opened_on=starts, created_by_id=actor.id)
    db.session.add(case)
    db.session.flush()
    record_audit("recovery", case.id, "opened", {
        "claim_no": claim.claim_no, "amount_paid": amount, "amount_sought": amount,
        "counterparty": organization.name, "counterparty_organization_id": organization.id,
        "limitation_deadline": case.limitation_deadline, "source": "reinspection"}, actor=actor)
    emit("recovery.opened", _payload(case))
    return case
