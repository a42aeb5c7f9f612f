"""Re-inspection (复勘) is the insurer's (``docs/review-controls.md``, "Re-inspection"):
"杜绝定损人员委托修理厂照拆检照片和复勘照片".

A quote drawn by audit sampling (稽查) — or, on staff's word, an approved quote of a major case
(大案) — is re-inspected by insurer staff: for every replaced line (an approved part line) they
record *replaced as claimed*, *not replaced*, *repaired instead* (with what the repair is worth)
or *could not verify*, with their own photos (kind ``reinspection``; a garage never uploads
one). The lines not replaced give the over-payment; a supervisor (or legal staff) confirms it
and a recovery against the garage is opened by whichever area keeps recoveries, through the
``portal_recover_from_partner`` hook (plugins stay apart). A failed re-inspection counts in the
garage's scorecard (``garage.reinspection_failures``) and stops fast track on the claim.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from portal.plugin import (LOCAL_TZ, Forbidden, Invalid, InvalidState, MoneyError, NotFound, db, hook,
                          parse_money, quantize, record_audit, utcnow)

from . import rules as R
from .controls import claim_repair_total
from .models import AuditSample, Quote, QuoteLine, ReinspectionLine

OUTCOMES = ("replaced", "not_replaced", "repaired_instead", "not_verified")
FAILED_RESULTS = ("overpaid", "fraud_suspected")
INSPECTORS = ("assessor", "supervisor", "admin")
CONFIRMERS = ("supervisor", "legal", "admin")


def replaced_lines(quote: Quote) -> list[QuoteLine]:
    """The lines a re-inspection looks at: parts approved for replacement."""
    return [ln for ln in quote.lines if ln.kind == "part" and (ln.approved_amount or 0) > 0]


def sample_of(quote: Quote) -> AuditSample | None:
    return db.session.scalar(sa.select(AuditSample).where(AuditSample.quote_id == quote.id))


def is_major(quote: Quote) -> bool:
    return claim_repair_total(quote.claim_id) > R.dec("major_threshold")


def open_sample(quote: Quote, user) -> AuditSample:
    """The quote's re-inspection: its audit sample, or — for an approved quote of a major case —
    one opened by staff (reason ``major``). Anything else is not re-inspected here."""
    if not (user.is_insurer and user.has_role(*INSPECTORS)):
        raise Forbidden("Re-inspection is done by the insurer's assessors and supervisors.")
    sample = sample_of(quote)
    if sample is not None:
        return sample
    if quote.status != "approved" or not is_major(quote):
        raise InvalidState("Only a sampled quote, or an approved quote of a major case, is re-inspected.",
                           {"status": quote.status, "sampled": False})
    sample = AuditSample(quote_id=quote.id, sample_date=datetime.now(LOCAL_TZ).date(), reason="major",
                         seed="manual", share=Decimal("1"), draw=Decimal("0"), rules_version=R.rules_version())
    db.session.add(sample)
    quote.sampled, quote.sample_reason = True, "major"
    db.session.flush()
    record_audit("quote", quote.id, "reinspection_opened", {"reason": "major"}, actor=user)
    return sample


def require_reinspection(quote: Quote, user) -> AuditSample:
    """Staff may add photos only to a quote under re-inspection (sampled, or major)."""
    return open_sample(quote, user)


def record(quote: Quote, user, lines, *, fraud_suspected: bool = False, note: str | None = None) -> AuditSample:
    """Record the re-inspection of every replaced line; the result and over-payment follow."""
    sample = open_sample(quote, user)
    if sample.recovery_ref:
        raise InvalidState("A recovery was opened on this re-inspection: it is final.",
                           {"recovery_ref": sample.recovery_ref})
    by_id = {ln.id: ln for ln in replaced_lines(quote)}
    errors: dict[str, list[str]] = {}
    seen: dict[int, tuple] = {}
    for i, raw in enumerate(lines or []):
        raw = raw if isinstance(raw, dict) else {}
        line = by_id.get(raw.get("line_id"))
        if line is None:
            errors[f"lines.{i}.line_id"] = ["Not a replaced line of this quote."]
            continue
        outcome = raw.get("outcome")
        if outcome not in OUTCOMES:
            errors[f"lines.{i}.outcome"] = [f"One of: {', '.join(OUTCOMES)}."]
            continue
        fair = None
        if outcome == "repaired_instead":
            try:
                fair = parse_money(raw.get("fair_amount"), allow_zero=True)
            except MoneyError as exc:
                errors[f"lines.{i}.fair_amount"] = [str(exc)]
                continue
            if fair > line.approved_amount:
                errors[f"lines.{i}.fair_amount"] = ["At most the approved amount of the line."]
                continue
        over = {"not_replaced": line.approved_amount,
                "repaired_instead": (line.approved_amount - fair) if fair is not None else None}.get(outcome)
        note_text = raw.get("note") if isinstance(raw.get("note"), str) else None
        seen[line.id] = (outcome, fair, quantize(over or Decimal(0)), (note_text or "").strip() or None)
    missing = [ln for ln in by_id.values() if ln.id not in seen]
    if missing and not errors:
        errors["lines"] = [f"Record every replaced line: {', '.join(ln.name for ln in missing)}."]
    if errors:
        raise Invalid(errors)
    sample.lines.clear()
    db.session.flush()
    for line_id, (outcome, fair, over, line_note) in seen.items():
        sample.lines.append(ReinspectionLine(line_id=line_id, outcome=outcome, fair_amount=fair, over_payment=over,
                                             note=line_note))
    total_over = quantize(sum((v[2] for v in seen.values()), Decimal(0)))
    before = sample.result
    sample.result = "fraud_suspected" if fraud_suspected else ("overpaid" if total_over > 0 else "confirmed")
    sample.over_payment, sample.result_note = total_over, (note or "").strip() or None
    sample.inspected_by_id, sample.inspected_at = user.id, utcnow()
    record_audit("quote", quote.id, "reinspection", {
        "result": [before, sample.result], "over_payment": total_over, "note": sample.result_note,
        "lines": [{"line_id": k, "outcome": v[0], "over_payment": v[2]} for k, v in seen.items()]}, actor=user)
    return sample


def confirm_recovery(quote: Quote, user) -> str:
    """Staff confirm the over-payment: a recovery against the garage is opened (once)."""
    if not (user.is_insurer and user.has_role(*CONFIRMERS)):
        raise Forbidden("A supervisor or legal staff confirms a recovery.")
    sample = sample_of(quote)
    if sample is None:
        raise NotFound()
    if sample.recovery_ref:
        raise InvalidState("A recovery was already opened for this re-inspection.", {"recovery_ref": sample.recovery_ref})
    if not sample.over_payment or sample.over_payment <= 0:
        raise InvalidState("The re-inspection found no over-payment.", {"result": sample.result})
    not_replaced = [rl for rl in sample.lines if rl.over_payment > 0]
    basis = "复勘 (re-inspection) of quote #{}: {}".format(
        quote.id, "; ".join(f"{db.session.get(QuoteLine, rl.line_id).name} {rl.outcome} ¥{rl.over_payment:,.2f}"
                            for rl in not_replaced))
    refs = [r for r in hook().portal_recover_from_partner(
        claim=quote.claim, organization=quote.garage, amount=sample.over_payment, basis=basis, actor=user) if r]
    if not refs:
        raise InvalidState("No area of the portal keeps recoveries (the subrogation plugin is not loaded).", {})
    sample.recovery_ref = str(refs[0])
    sample.recovery_confirmed_by_id, sample.recovery_confirmed_at = user.id, utcnow()
    record_audit("quote", quote.id, "reinspection_recovery", {"recovery_ref": sample.recovery_ref,
                                                              "amount": sample.over_payment}, actor=user)
    return sample.recovery_ref


def failures(lo, hi, org_ids) -> dict[int, int]:
    """Failed re-inspections (多付 or 疑似欺诈) of each garage's quotes, inspected in ``[lo, hi)``."""
    return dict(db.session.execute(
        sa.select(Quote.garage_id, sa.func.count(AuditSample.id)).join(Quote, Quote.id == AuditSample.quote_id)
        .where(AuditSample.result.in_(FAILED_RESULTS), AuditSample.inspected_at >= lo, AuditSample.inspected_at < hi,
               Quote.garage_id.in_(org_ids)).group_by(Quote.garage_id)).all())
