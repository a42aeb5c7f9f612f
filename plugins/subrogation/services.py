"""The rules of subrogation (追偿): opening a case, its handler, its status chart,
receipts, the limitation deadline (诉讼时效) and its daily flag, targets per period.

Services raise ``portal.errors`` and never commit; the caller commits once.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from portal.plugin import (T, ZERO, Assignment, Claim, Forbidden, Invalid, InvalidState, Message, Money, NotFound,
                          Organization, StaleVersion, StateMachine, User, active_assignment, db, emit,
                          local_now, month_start, quantize, record_audit, setting, utcnow)

from .models import CLOSED_AS, Receipt, RecoveryCase, Target

WORKING_ROLES = ("legal", "admin")

#: The recovery case's status chart: these moves only; every other move is 409
#: ``invalid_state``. The action is the target status (``{"to": ...}``); who may act is decided by :func:`require_worker`.
RECOVERY_FLOW = StateMachine("recovery", RecoveryCase, [
    T("open", "demand_sent", "demand_sent"),
    T("open", "closed", "closed"),
    T("demand_sent", "negotiating", "negotiating"),
    T("demand_sent", "in_litigation", "in_litigation"),
    T("demand_sent", "closed", "closed"),
    T("negotiating", "in_litigation", "in_litigation"),
    T("negotiating", "closed", "closed"),
    T("in_litigation", "negotiating", "negotiating"),
    T("in_litigation", "closed", "closed"),
])


# --------------------------------------------------------------------------- limitation


def add_years(start: date, years: int) -> date:
    """The same calendar date ``years`` later. 29 February has no twin in a common year:
    the period then ends on 28 February (the last day of that month), so a right that
    arose on a leap day never gets a day more than the law gives."""
    year = start.year + years
    if start.month == 2 and start.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return start.replace(year=year)


def limitation_years() -> int:
    return int(setting("SUBROGATION_LIMITATION_YEARS"))


def limitation_deadline(starts_on: date, years: int | None = None) -> date:
    """诉讼时效届满日: the same calendar date N years (default 3) after it starts."""
    return add_years(starts_on, limitation_years() if years is None else years)


def flag_days() -> int:
    return int(setting("SUBROGATION_LIMITATION_FLAG_DAYS"))


def today() -> date:
    return local_now().date()


def flagged_condition(within_days: int, on: date | None = None):
    """Open cases whose deadline falls within ``within_days`` (already passed included:
    those are the most urgent) and for which no lawsuit is filed."""
    on = on or today()
    return sa.and_(RecoveryCase.status != "closed",
                   RecoveryCase.lawsuit_filed.is_(False),
                   RecoveryCase.limitation_deadline <= on + timedelta(days=within_days))


def is_flagged(case: RecoveryCase, on: date | None = None) -> bool:
    on = on or today()
    return (case.status != "closed" and not case.lawsuit_filed
            and case.limitation_deadline <= on + timedelta(days=flag_days()))


def days_to_limitation(case: RecoveryCase, on: date | None = None) -> int:
    return (case.limitation_deadline - (on or today())).days


# --------------------------------------------------------------------------- who sees what


def visible_recoveries_stmt(user):
    """Insurer staff see every case; a law firm only the cases it handles; others none."""
    stmt = sa.select(RecoveryCase)
    if user.is_insurer:
        return stmt
    if user.org_kind == "law_firm":
        return stmt.where(RecoveryCase.handler_organization_id == user.organization_id)
    return stmt.where(sa.false())


def get_visible_recovery(recovery_id: int, user) -> RecoveryCase:
    case = db.session.scalar(visible_recoveries_stmt(user).where(RecoveryCase.id == recovery_id))
    if case is None:
        raise NotFound()
    return case


def require_worker(case: RecoveryCase, user) -> None:
    """Legal staff work every case; a law firm its own (others never see it: 404)."""
    if user.is_insurer:
        if not user.has_role(*WORKING_ROLES):
            raise Forbidden()
        return
    if case.handler_organization_id != user.organization_id:
        raise NotFound()


def can_work(case: RecoveryCase, user) -> bool:
    try:
        require_worker(case, user)
    except (Forbidden, NotFound):
        return False
    return True


# --------------------------------------------------------------------------- handler


def _resolve_handler(handler_user_id, handler_organization_id) -> tuple[User | None, Organization | None]:
    if (handler_user_id is None) == (handler_organization_id is None):
        msg = "Give exactly one handler: an in-house legal user or a law firm."
        raise Invalid({"handler_user_id": [msg], "handler_organization_id": [msg]})
    if handler_user_id is not None:
        user = db.session.get(User, handler_user_id)
        if user is None or not user.active or not user.is_insurer or not user.has_role("legal", "admin"):
            raise Invalid.field("handler_user_id", "Not an active in-house legal user.")
        return user, None
    org = db.session.get(Organization, handler_organization_id)
    if org is None or org.kind != "law_firm" or org.status != "active":
        raise Invalid.field("handler_organization_id", "Not an active law firm.")
    return None, org


def ensure_counsel_assignment(claim: Claim, org: Organization, actor) -> Assignment:
    """A law firm works a claim through a ``counsel`` assignment: made here if missing
    (audited on the claim), so the firm also sees the claim itself."""
    found = active_assignment(claim.id, org.id, ("counsel",))
    if found is not None:
        return found
    assignment = Assignment(claim_id=claim.id, organization_id=org.id, purpose="counsel",
                            assigned_by_id=getattr(actor, "id", None))
    db.session.add(assignment)
    db.session.flush()
    record_audit("claim", claim.id, "assigned", {"organization_id": org.id, "purpose": "counsel",
                                                 "via": "recovery case"}, actor=actor)
    emit("claim.assigned", {"claim_id": claim.id, "claim_no": claim.claim_no, "organization_id": org.id,
                            "purpose": "counsel"})
    return assignment


def assign_handler(case: RecoveryCase, actor, *, handler_user_id=None, handler_organization_id=None,
                   expected_version: int | None = None) -> RecoveryCase:
    """Hand the case to an in-house legal user or to a law firm (legal staff only)."""
    if not (actor.is_insurer and actor.has_role(*WORKING_ROLES)):
        raise Forbidden()
    if case.status == "closed":
        raise InvalidState("A closed recovery case keeps its handler.")
    if expected_version is not None and expected_version != case.version:
        raise StaleVersion(details={"version": case.version})
    user, org = _resolve_handler(handler_user_id, handler_organization_id)
    before = [case.handler_user_id, case.handler_organization_id]
    if org is not None:
        ensure_counsel_assignment(case.claim, org, actor)
    _bump(case, handler_user_id=user.id if user else None, handler_organization_id=org.id if org else None)
    record_audit("recovery", case.id, "handler_assigned",
                 {"handler": [before, [case.handler_user_id, case.handler_organization_id]]}, actor=actor)
    emit("recovery.handler_assigned", _payload(case))
    return case


def _bump(case: RecoveryCase, **values) -> None:
    """Change columns with a conditional UPDATE on ``version`` (two editors: one wins)."""
    result = db.session.execute(
        sa.update(RecoveryCase).where(RecoveryCase.id == case.id, RecoveryCase.version == case.version)
        .values(version=RecoveryCase.version + 1, **values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise StaleVersion(details={"reloaded": True})
    db.session.refresh(case)


def _payload(case: RecoveryCase) -> dict:
    return {"recovery_id": case.id, "claim_no": case.claim_no, "handler_user_id": case.handler_user_id,
            "handler_organization_id": case.handler_organization_id,
            "counterparty": case.counterparty_name, "limitation_deadline": case.limitation_deadline.isoformat(),
            "organization_ids": [case.handler_organization_id] if case.handler_organization_id else []}


# --------------------------------------------------------------------------- open


@dataclass
class CaseInput:
    claim_no: str
    amount_paid: Decimal
    amount_sought: Decimal
    counterparty_name: str
    limitation_starts_on: date
    counterparty_insurer: str | None = None
    counterparty_contact: str | None = None
    basis: str | None = None
    handler_user_id: int | None = None
    handler_organization_id: int | None = None


def open_recovery(actor, data: CaseInput) -> RecoveryCase:
    """Open a recovery case from a paid claim. The amount sought may not exceed the
    amount paid: the insurer is subrogated only up to what it paid (保险法 第六十条)."""
    if not (actor.is_insurer and actor.has_role(*WORKING_ROLES)):
        raise Forbidden()
    errors: dict[str, list[str]] = {}
    claim = db.session.scalar(sa.select(Claim).where(Claim.claim_no == (data.claim_no or "").strip()))
    if claim is None:
        errors["claim_no"] = ["No claim with this number."]
    if data.amount_paid is None or data.amount_paid <= 0:
        errors["amount_paid"] = ["Must be more than zero."]
    if data.amount_sought is None or data.amount_sought <= 0:
        errors["amount_sought"] = ["Must be more than zero."]
    elif data.amount_paid is not None and data.amount_sought > data.amount_paid:
        errors["amount_sought"] = ["Cannot exceed the amount paid."]
    if not (data.counterparty_name or "").strip():
        errors["counterparty"] = ["Name the liable party."]
    if data.limitation_starts_on is None:
        errors["limitation_starts_on"] = ["Required."]
    elif data.limitation_starts_on > today():
        errors["limitation_starts_on"] = ["Cannot be in the future."]
    try:
        user, org = _resolve_handler(data.handler_user_id, data.handler_organization_id)
    except Invalid as exc:
        errors.update(exc.details)
    if errors:
        raise Invalid(errors)
    case = RecoveryCase(
        claim_id=claim.id, amount_paid=data.amount_paid, amount_sought=data.amount_sought,
        basis=(data.basis or "").strip() or None, counterparty_name=data.counterparty_name.strip(),
        counterparty_insurer=(data.counterparty_insurer or "").strip() or None,
        counterparty_contact=(data.counterparty_contact or "").strip() or None,
        limitation_starts_on=data.limitation_starts_on,
        limitation_deadline=limitation_deadline(data.limitation_starts_on),
        handler_user_id=user.id if user else None, handler_organization_id=org.id if org else None,
        status="open", version=1, opened_on=today(), created_by_id=actor.id)
    db.session.add(case)
    db.session.flush()
    if org is not None:
        ensure_counsel_assignment(claim, org, actor)
    record_audit("recovery", case.id, "opened", {
        "claim_no": claim.claim_no, "amount_paid": case.amount_paid, "amount_sought": case.amount_sought,
        "counterparty": case.counterparty_name, "limitation_deadline": case.limitation_deadline,
        "handler_user_id": case.handler_user_id, "handler_organization_id": case.handler_organization_id,
    }, actor=actor)
    db.session.refresh(case)
    emit("recovery.opened", _payload(case))
    return case


# --------------------------------------------------------------------------- status


def move_recovery(case: RecoveryCase, actor, to: str, closed_as: str | None = None,
                  expected_version: int | None = None) -> RecoveryCase:
    """One move of the status chart; closing needs ``closed_as``."""
    require_worker(case, actor)
    RECOVERY_FLOW.transition(case.status, to)  # 409 before anything else
    values: dict = {}
    if to == "closed":
        if closed_as not in CLOSED_AS:
            raise Invalid.field("closed_as", "Closing needs one of: " + ", ".join(CLOSED_AS) + ".")
        values = {"closed_as": closed_as, "closed_at": utcnow()}
    elif closed_as:
        raise Invalid.field("closed_as", "Only when closing.")
    RECOVERY_FLOW.apply(case, to, actor, expected_version=expected_version, values=values,
                        audit={"closed_as": [None, closed_as]} if closed_as else None)
    emit("recovery.moved", {**_payload(case), "status": case.status, "closed_as": case.closed_as,
                            "by_organization_id": actor.organization_id})
    return case


# --------------------------------------------------------------------------- receipts


def record_receipt(case: RecoveryCase, actor, *, amount: Decimal, received_on: date, method: str,
                   reference: str | None = None, note: str | None = None) -> Receipt:
    """Book a receipt (回款). Not on a closed case, not dated in the future, and never
    more than what is outstanding."""
    require_worker(case, actor)
    if case.status == "closed":
        raise InvalidState("The recovery case is closed; reopen is not possible, book no more receipts.")
    errors = {}
    if amount is None or amount <= 0:
        errors["amount"] = ["Must be more than zero."]
    elif amount > case.outstanding:
        errors["amount"] = [Message("More than the outstanding %(amount)s.", amount=case.outstanding)]
    if received_on is None:
        errors["received_on"] = ["Required."]
    elif received_on > today():
        errors["received_on"] = ["Cannot be in the future."]
    if not (method or "").strip():
        errors["method"] = ["Required."]
    if errors:
        raise Invalid(errors)
    receipt = Receipt(recovery_id=case.id, amount=quantize(amount), received_on=received_on,
                      method=method.strip()[:40], reference=(reference or "").strip()[:100] or None,
                      note=(note or "").strip() or None, recorded_by_id=actor.id)
    db.session.add(receipt)
    db.session.flush()
    _bump(case)  # version + 1, and ``recovered`` re-read with the new receipt
    record_audit("recovery", case.id, "receipt_recorded", {
        "receipt_id": receipt.id, "amount": receipt.amount, "received_on": received_on, "method": receipt.method,
        "recovered": case.recovered, "outstanding": case.outstanding}, actor=actor)
    emit("recovery.receipt_recorded", {**_payload(case), "amount": f"{receipt.amount:.2f}",
                                       "by_organization_id": actor.organization_id})
    return receipt


# --------------------------------------------------------------------------- lawsuits (from the event)


def mark_lawsuit_filed(recovery_id: int, lawsuit_id=None, actor_id=None) -> bool:
    """A lawsuit was filed for the case (event ``lawsuit.filed`` of the litigation
    plugin, received after its commit): the limitation is interrupted and the case is
    no longer flagged. Runs in a session of its own, audited there."""
    from sqlalchemy.orm import Session

    with Session(db.engine) as session:
        result = session.execute(sa.update(RecoveryCase).where(RecoveryCase.id == recovery_id,
                                                               RecoveryCase.lawsuit_filed.is_(False))
                                 .values(lawsuit_filed=True, version=RecoveryCase.version + 1))
        if result.rowcount:
            actor = session.get(User, actor_id) if actor_id is not None else None
            record_audit("recovery", recovery_id, "lawsuit_filed",
                         {"lawsuit_filed": [False, True], "lawsuit_id": lawsuit_id}, actor=actor, session=session)
        session.commit()
        return bool(result.rowcount)


# --------------------------------------------------------------------------- daily flag


def flag_limitations(on: date | None = None) -> str:
    """Daily job ``subrogation.flag_limitations``: every open case within the flag
    window and without a lawsuit is flagged once a day and its handler notified."""
    on = on or today()
    cases = db.session.scalars(visible_all().where(
        flagged_condition(flag_days(), on),
        sa.or_(RecoveryCase.limitation_flagged_on.is_(None), RecoveryCase.limitation_flagged_on < on))).all()
    for case in cases:
        db.session.execute(sa.update(RecoveryCase).where(RecoveryCase.id == case.id)
                           .values(limitation_flagged_on=on).execution_options(synchronize_session=False))
        emit("recovery.limitation_near", {**_payload(case), "days_left": days_to_limitation(case, on)})
    db.session.commit()
    return f"{len(cases)} recovery case(s) flagged for the limitation deadline"


def visible_all():
    return sa.select(RecoveryCase)


# --------------------------------------------------------------------------- ledger and targets

PERIOD_RE = re.compile(r"^(\d{4})-(?:(0[1-9]|1[0-2])|Q([1-4]))$")


def period_bounds(period: str) -> tuple[date, date]:
    """``YYYY-MM`` or ``YYYY-Qn`` → [start, end) dates."""
    m = PERIOD_RE.match(period or "")
    if not m:
        raise Invalid.field("period", "Use YYYY-MM or YYYY-Qn.")
    year = int(m.group(1))
    if m.group(2):
        first_month, months = int(m.group(2)), 1
    else:
        first_month, months = (int(m.group(3)) - 1) * 3 + 1, 3
    start = date(year, first_month, 1)
    end = month_start(start, months)
    return start, end


def _money_sum(expr):
    """Σ of a Money column as a Money-typed expression (read back as Decimal)."""
    return sa.type_coerce(sa.func.coalesce(sa.func.sum(expr), 0), Money())


def ledger_totals(stmt) -> dict:
    """Σ sought, paid, recovered, outstanding over the cases of ``stmt`` in one query."""
    sub = stmt.order_by(None).subquery()
    recovered = (sa.select(_money_sum(Receipt.amount))
                 .where(Receipt.recovery_id.in_(sa.select(sub.c.id))).scalar_subquery())
    row = db.session.execute(sa.select(sa.func.count(sub.c.id), _money_sum(sub.c.amount_sought),
                                       _money_sum(sub.c.amount_paid), sa.type_coerce(recovered, Money()))).one()
    sought, paid, rec = row[1] or ZERO, row[2] or ZERO, row[3] or ZERO
    return {"cases": row[0], "sought": sought, "paid": paid, "recovered": rec, "outstanding": quantize(sought - rec),
            "rate": (rec / sought) if sought else None}


def set_target(period: str, amount: Decimal, actor) -> Target:
    if not (actor.is_insurer and actor.has_role(*WORKING_ROLES)):
        raise Forbidden()
    period_bounds(period)
    if amount is None or amount <= 0:
        raise Invalid.field("amount", "Must be more than zero.")
    target = db.session.scalar(sa.select(Target).where(Target.period == period))
    before = target.amount if target else None
    if target is None:
        target = Target(period=period, amount=amount, set_by_id=actor.id)
        db.session.add(target)
    else:
        target.amount, target.set_by_id = amount, actor.id
    db.session.flush()
    record_audit("recovery_target", target.id, "target_set", {"period": period, "amount": [before, amount]},
                 actor=actor)
    return target


def attainment(limit: int = 12) -> list[dict]:
    """The latest targets with recovered (receipts dated in the period) and attainment."""
    targets = db.session.scalars(sa.select(Target).order_by(Target.period.desc()).limit(limit)).all()
    if not targets:
        return []
    bounds = {t.period: period_bounds(t.period) for t in targets}
    cols = [_money_sum(sa.case((sa.and_(Receipt.received_on >= s, Receipt.received_on < e), Receipt.amount),
                               else_=0)).label(f"p{i}")
            for i, (s, e) in enumerate(bounds.values())]
    row = db.session.execute(sa.select(*cols)).one()
    out = []
    for i, t in enumerate(targets):
        rec = row[i] or ZERO
        out.append({"period": t.period, "target": t.amount, "recovered": rec,
                    "attainment": (rec / t.amount) if t.amount else None})
    return sorted(out, key=lambda r: r["period"])


def handler_options() -> tuple[list[User], list[Organization]]:
    users = [u for u in db.session.scalars(sa.select(User).join(Organization).where(
        Organization.kind == "insurer", User.active.is_(True)).order_by(User.name)) if u.has_role("legal")]
    firms = db.session.scalars(sa.select(Organization).where(Organization.kind == "law_firm",
                                                             Organization.status == "active")
                               .order_by(Organization.name)).all()
    return users, list(firms)


def zero_if_none(value) -> Decimal:
    return value if value is not None else ZERO
