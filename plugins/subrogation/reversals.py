"""Reversing a receipt (冲销回款): a counter-entry with a reason, never an edit. The
counter-entry is a receipt of a negative amount naming the one it reverses; ``recovered``
(Σ receipts) follows by itself. A receipt is reversed once, a reversal never, and never
for more than the receipt."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from portal.plugin import (
    Invalid,
    InvalidState,
    Message,
    NotFound,
    db,
    emit,
    quantize,
    record_audit,
)

from .models import Receipt, RecoveryCase
from .services import _bump, _payload, require_worker, today


def reversed_ids(case: RecoveryCase) -> set[int]:
    """The ids of the case's receipts that a counter-entry reverses."""
    return {r.reverses_id for r in case.receipts if r.reverses_id}


def reverse_receipt(case: RecoveryCase, actor, receipt_id: int, *, reason: str,
                    amount: Decimal | None = None) -> Receipt:
    """Book the counter-entry of ``receipt_id`` (all of it unless ``amount``), audited."""
    require_worker(case, actor)
    original = db.session.scalar(sa.select(Receipt).where(Receipt.id == receipt_id,
                                                          Receipt.recovery_id == case.id))
    if original is None:
        raise NotFound()
    if original.reverses_id is not None:
        raise InvalidState("A reversal cannot be reversed.", {"receipt_id": receipt_id})
    if original.id in reversed_ids(case):
        raise InvalidState("This receipt is already reversed.", {"receipt_id": receipt_id})
    errors = {}
    amount = original.amount if amount is None else amount
    if amount <= 0:
        errors["amount"] = ["Must be more than zero."]
    elif amount > original.amount:
        errors["amount"] = [Message("More than the receipt's %(amount)s.", amount=original.amount)]
    if not (reason or "").strip():
        errors["reason"] = ["Say why the receipt is reversed."]
    if errors:
        raise Invalid(errors)
    counter = Receipt(recovery_id=case.id, amount=-quantize(amount), received_on=today(), method=original.method,
                      reference=original.reference, reverses_id=original.id, reason=reason.strip()[:2000],
                      recorded_by_id=actor.id)
    try:
        with db.session.begin_nested():   # a second reversal at the same moment: the unique index refuses it
            db.session.add(counter)
            db.session.flush()
    except IntegrityError:
        raise InvalidState("This receipt is already reversed.", {"receipt_id": receipt_id}) from None
    _bump(case)  # version + 1, and ``recovered`` re-read with the counter-entry
    record_audit("recovery", case.id, "receipt_reversed", {
        "receipt_id": original.id, "amount": -counter.amount, "reason": counter.reason,
        "recovered": case.recovered, "outstanding": case.outstanding}, actor=actor)
    emit("recovery.receipt_reversed", {**_payload(case), "receipt_id": original.id,
                                       "amount": f"{-counter.amount:.2f}"})
    return counter
