"""The rules of litigation (诉讼): registering a lawsuit, its stages, hearings and their
reminders, outcome and costs; complaints and disputes. Services never commit."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from portal.plugin import (T, ZERO, Assignment, Claim, Forbidden, Invalid, InvalidState, Money, NotFound,
                          Organization, StateMachine, User, active_assignment, as_aware, db, emit, hook, local_now,
                          quantize, record_audit, setting, utcnow)

from .models import COMPLAINT_KINDS, COMPLAINT_VERDICTS, COST_KINDS, OUTCOMES, ROLES, Complaint, Hearing, Lawsuit
from .models import LegalCost as LawsuitCost

WORKING_ROLES = ("legal", "admin")

#: Stages (诉讼阶段). Appeal may be skipped (judgment → enforcement or closed), and a
#: lawsuit may be closed from any stage with an outcome (withdrawn, settled, mediated...).
LAWSUIT_FLOW = StateMachine("lawsuit", Lawsuit, [
    T("pre_suit_mediation", "filed", "filed"),
    T("filed", "first_instance", "first_instance"),
    T("first_instance", "judgment", "judgment"),
    T("judgment", "appeal", "appeal"),
    T("judgment", "enforcement", "enforcement"),
    T("appeal", "judgment", "judgment"),          # second-instance judgment
    T("appeal", "enforcement", "enforcement"),
    T("enforcement", "closed", "closed"),
    T("pre_suit_mediation", "closed", "closed"),
    T("filed", "closed", "closed"),
    T("first_instance", "closed", "closed"),
    T("judgment", "closed", "closed"),
    T("appeal", "closed", "closed"),
], status_attr="stage")

#: Complaints (投诉): registered → assigned → answered → followed_up (回访) → archived.
#: A verdict (有责 / 无责) is given once answered; a withdrawal (撤回) is a verdict too;
#: archiving needs the follow-up and a verdict.
COMPLAINT_FLOW = StateMachine("complaint", Complaint, [
    T("registered", "assign", "assigned"),
    T("assigned", "assign", "assigned"),
    T("assigned", "answer", "answered"),
    T("answered", "decide", "answered"),
    T("answered", "follow_up", "followed_up"),
    T("followed_up", "decide", "followed_up"),
    T("registered", "withdraw", "followed_up"),
    T("assigned", "withdraw", "followed_up"),
    T("answered", "withdraw", "followed_up"),
    T("followed_up", "archive", "archived"),
])


def major_threshold() -> Decimal:
    return Decimal(str(setting("LITIGATION_MAJOR_AMOUNT")))


def reminder_days() -> int:
    return int(setting("LITIGATION_HEARING_REMINDER_DAYS"))


def result_days() -> int:
    """Days after a hearing within which its result must be recorded (on time)."""
    return int(setting("LITIGATION_HEARING_RESULT_DAYS"))


# --------------------------------------------------------------------------- visibility


def visible_lawsuits_stmt(user):
    stmt = sa.select(Lawsuit)
    if user.is_insurer:
        return stmt
    if user.org_kind == "law_firm":
        return stmt.where(Lawsuit.counsel_organization_id == user.organization_id)
    return stmt.where(sa.false())


def get_visible_lawsuit(lawsuit_id: int, user) -> Lawsuit:
    suit = db.session.scalar(visible_lawsuits_stmt(user).where(Lawsuit.id == lawsuit_id))
    if suit is None:
        raise NotFound()
    return suit


def require_worker(suit: Lawsuit, user) -> None:
    if user.is_insurer:
        if not user.has_role(*WORKING_ROLES):
            raise Forbidden()
        return
    if suit.counsel_organization_id != user.organization_id:
        raise NotFound()


def can_work(suit, user) -> bool:
    try:
        require_worker(suit, user)
    except (Forbidden, NotFound):
        return False
    return True


def require_staff(user) -> None:
    if not (user.is_insurer and user.has_role(*WORKING_ROLES)):
        raise Forbidden()


# --------------------------------------------------------------------------- register


@dataclass
class LawsuitInput:
    court: str
    cause: str
    role: str
    amount_in_dispute: Decimal
    claim_no: str | None = None
    recovery_id: int | None = None
    case_no: str | None = None
    counsel_user_id: int | None = None
    counsel_organization_id: int | None = None
    major: bool | None = None
    stage: str | None = None


def recovery_cases(ids=None, handler_organization_id=None) -> list:
    """Recovery cases from the area that keeps them (``portal_recovery_cases``), as
    :class:`RecoveryCaseRef`; none when no area keeps them."""
    from .hookspecs import RecoveryCaseRef

    return [ref if isinstance(ref, RecoveryCaseRef) else RecoveryCaseRef(**ref)
            for answer in hook().portal_recovery_cases(ids=ids, handler_organization_id=handler_organization_id)
            for ref in answer or ()]


def recovery_case(recovery_id: int):
    """The recovery case of that id; ``None`` when there is no such case or no such area."""
    return next((ref for ref in recovery_cases(ids=[recovery_id]) if ref.id == recovery_id), None)


def _recovery_claim_id(recovery_id: int):
    """The claim of a recovery case; ``False`` when the case does not exist."""
    ref = recovery_case(recovery_id)
    return False if ref is None else ref.claim_id


def _resolve_counsel(user_id, org_id, errors):
    if (user_id is None) == (org_id is None):
        msg = "Give exactly one counsel: an in-house legal user or a law firm."
        errors["counsel_user_id"] = [msg]
        errors["counsel_organization_id"] = [msg]
        return None, None
    if user_id is not None:
        u = db.session.get(User, user_id)
        if u is None or not u.active or not u.is_insurer or not u.has_role("legal", "admin"):
            errors["counsel_user_id"] = ["Not an active in-house legal user."]
        return u, None
    o = db.session.get(Organization, org_id)
    if o is None or o.kind != "law_firm" or o.status != "active":
        errors["counsel_organization_id"] = ["Not an active law firm."]
    return None, o


def _ensure_counsel_assignment(claim, org, actor):
    if claim is None or active_assignment(claim.id, org.id, ("counsel",)) is not None:
        return
    db.session.add(Assignment(claim_id=claim.id, organization_id=org.id, purpose="counsel",
                              assigned_by_id=actor.id))
    db.session.flush()
    record_audit("claim", claim.id, "assigned", {"organization_id": org.id, "purpose": "counsel", "via": "lawsuit"},
                 actor=actor)
    emit("claim.assigned", {"claim_id": claim.id, "claim_no": claim.claim_no, "organization_id": org.id,
                            "purpose": "counsel"})


def register_lawsuit(actor, data: LawsuitInput) -> Lawsuit:
    """Register a lawsuit (legal staff). ``major`` (重大案件) when the amount in dispute
    is at or above the threshold (500,000 by default) or when staff say so."""
    require_staff(actor)
    errors: dict[str, list[str]] = {}
    claim = None
    if data.claim_no:
        claim = db.session.scalar(sa.select(Claim).where(Claim.claim_no == data.claim_no.strip()))
        if claim is None:
            errors["claim_no"] = ["No claim with this number."]
    if data.recovery_id is not None:
        rec_claim = _recovery_claim_id(data.recovery_id)
        if rec_claim is False:
            errors["recovery_id"] = ["No recovery case with this id."]
        elif claim is not None and rec_claim != claim.id:
            errors["recovery_id"] = ["The recovery case belongs to another claim."]
        elif claim is None and "claim_no" not in errors:
            claim = db.session.get(Claim, rec_claim)
    if data.role not in ROLES:
        errors["role"] = ["One of: " + ", ".join(ROLES) + "."]
    if data.amount_in_dispute is None or data.amount_in_dispute < 0:
        errors["amount_in_dispute"] = ["Must not be negative."]
    if not (data.court or "").strip():
        errors["court"] = ["Required."]
    if not (data.cause or "").strip():
        errors["cause"] = ["Required."]
    stage = data.stage or "pre_suit_mediation"
    if stage not in ("pre_suit_mediation", "filed"):
        errors["stage"] = ["A new lawsuit starts in pre_suit_mediation or filed."]
    user, org = _resolve_counsel(data.counsel_user_id, data.counsel_organization_id, errors)
    if errors:
        raise Invalid(errors)
    by_amount = data.amount_in_dispute >= major_threshold()
    suit = Lawsuit(claim_id=claim.id if claim else None, recovery_id=data.recovery_id, court=data.court.strip(),
                   case_no=(data.case_no or "").strip() or None, cause=data.cause.strip(), role=data.role,
                   amount_in_dispute=data.amount_in_dispute, major=by_amount or bool(data.major),
                   major_by_staff=bool(data.major) and not by_amount,
                   counsel_user_id=user.id if user else None, counsel_organization_id=org.id if org else None,
                   stage=stage, version=1, created_by_id=actor.id)
    db.session.add(suit)
    db.session.flush()
    if org is not None:
        _ensure_counsel_assignment(claim, org, actor)
    record_audit("lawsuit", suit.id, "registered", {
        "claim_no": claim.claim_no if claim else None, "recovery_id": suit.recovery_id, "court": suit.court,
        "case_no": suit.case_no, "role": suit.role, "amount_in_dispute": suit.amount_in_dispute,
        "major": suit.major, "stage": stage, "counsel_user_id": suit.counsel_user_id,
        "counsel_organization_id": suit.counsel_organization_id}, actor=actor)
    db.session.refresh(suit)
    emit("lawsuit.registered", _payload(suit))
    if suit.recovery_id is not None:
        # A lawsuit (or the court's pre-suit mediation) on the recovery case interrupts
        # the limitation period: subrogation stops flagging the case.
        emit("lawsuit.filed", {**_payload(suit), "actor_id": actor.id})
    return suit


def _payload(suit: Lawsuit) -> dict:
    return {"lawsuit_id": suit.id, "recovery_id": suit.recovery_id, "claim_no": suit.claim_no,
            "court": suit.court, "case_no": suit.case_no, "stage": suit.stage,
            "counsel_user_id": suit.counsel_user_id, "counsel_organization_id": suit.counsel_organization_id,
            "organization_ids": [suit.counsel_organization_id] if suit.counsel_organization_id else []}


def set_major(suit: Lawsuit, actor, major: bool) -> Lawsuit:
    """Staff mark a lawsuit major; one at or above the threshold stays major."""
    require_staff(actor)
    if not major and suit.amount_in_dispute >= major_threshold():
        raise Invalid.field("major", "At or above the threshold a lawsuit is always major.")
    _bump(suit, major=major, major_by_staff=major and suit.amount_in_dispute < major_threshold())
    record_audit("lawsuit", suit.id, "major_set", {"major": [not major, major]}, actor=actor)
    return suit


def _bump(suit, **values):
    from portal.plugin import StaleVersion

    result = db.session.execute(sa.update(Lawsuit).where(Lawsuit.id == suit.id, Lawsuit.version == suit.version)
                                .values(version=Lawsuit.version + 1, **values)
                                .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise StaleVersion(details={"reloaded": True})
    db.session.refresh(suit)


# --------------------------------------------------------------------------- stages


def move_lawsuit(suit: Lawsuit, actor, to: str, outcome: str | None = None, amount: Decimal | None = None,
                 expected_version: int | None = None) -> Lawsuit:
    """One stage move; closing needs an outcome (and may carry the judgment or settlement amount)."""
    require_worker(suit, actor)
    LAWSUIT_FLOW.transition(suit.stage, to)
    values: dict = {}
    audit: dict = {}
    if to == "closed":
        if outcome not in OUTCOMES:
            raise Invalid.field("outcome", "Closing needs one of: " + ", ".join(OUTCOMES) + ".")
        if amount is not None and amount < 0:
            raise Invalid.field("amount", "Must not be negative.")
        values = {"outcome": outcome, "outcome_amount": amount, "closed_at": utcnow(), "closed_from_stage": suit.stage}
        audit = {"outcome": [None, outcome], "amount": [None, amount]}
    elif outcome or amount is not None:
        raise Invalid.field("outcome", "Only when closing.")
    LAWSUIT_FLOW.apply(suit, to, actor, expected_version=expected_version, values=values, audit=audit)
    emit("lawsuit.stage_changed", {**_payload(suit), "outcome": suit.outcome})
    return suit


# --------------------------------------------------------------------------- hearings


def schedule_hearing(suit: Lawsuit, actor, *, scheduled_at: datetime, court_room: str | None = None,
                     kind: str | None = None) -> Hearing:
    require_worker(suit, actor)
    if suit.stage == "closed":
        raise InvalidState("The lawsuit is closed.")
    if scheduled_at is None:
        raise Invalid.field("scheduled_at", "Required.")
    scheduled_at = as_aware(scheduled_at)
    hearing = Hearing(lawsuit_id=suit.id, scheduled_at=scheduled_at, court_room=(court_room or "").strip() or None,
                      kind=(kind or "").strip() or None, result_due_at=scheduled_at + timedelta(days=result_days()),
                      created_by_id=actor.id)
    db.session.add(hearing)
    db.session.flush()
    record_audit("lawsuit", suit.id, "hearing_scheduled", {"hearing_id": hearing.id, "scheduled_at": scheduled_at,
                                                          "court_room": hearing.court_room}, actor=actor)
    emit("lawsuit.hearing_scheduled", {**_payload(suit), "hearing_id": hearing.id,
                                       "scheduled_at": scheduled_at.isoformat()})
    return hearing


def record_hearing_result(suit: Lawsuit, hearing_id: int, actor, result: str) -> Hearing:
    require_worker(suit, actor)
    hearing = db.session.scalar(sa.select(Hearing).where(Hearing.id == hearing_id, Hearing.lawsuit_id == suit.id))
    if hearing is None:
        raise NotFound()
    if not (result or "").strip():
        raise Invalid.field("result", "Required.")
    if hearing.scheduled_at > utcnow():
        raise InvalidState("The hearing has not taken place yet.")
    before = hearing.result
    hearing.result = result.strip()
    hearing.result_recorded_at = utcnow()
    db.session.flush()
    record_audit("lawsuit", suit.id, "hearing_result", {"hearing_id": hearing.id, "result": [before, hearing.result],
                                                       "on_time": hearing.result_recorded_at <= hearing.result_due_at},
                 actor=actor)
    return hearing


def send_hearing_reminders(now: datetime | None = None) -> str:
    """Daily job ``litigation.hearing_reminders``: counsel of every hearing in the next
    N days (default 3) is reminded once."""
    now = now or utcnow()
    rows = db.session.scalars(sa.select(Hearing).where(Hearing.scheduled_at > now,
                                                       Hearing.scheduled_at <= now + timedelta(days=reminder_days()),
                                                       Hearing.reminded_at.is_(None))).all()
    for h in rows:
        h.reminded_at = now
        emit("lawsuit.hearing_near", {**_payload(h.lawsuit), "hearing_id": h.id,
                                      "scheduled_at": h.scheduled_at.isoformat(), "court_room": h.court_room})
    db.session.commit()
    return f"{len(rows)} hearing reminder(s) sent"


# --------------------------------------------------------------------------- costs


def record_cost(suit: Lawsuit, actor, *, kind: str, amount: Decimal, incurred_on: date, note: str | None = None):
    require_worker(suit, actor)
    errors = {}
    if kind not in COST_KINDS:
        errors["kind"] = ["One of: " + ", ".join(COST_KINDS) + "."]
    if amount is None or amount <= 0:
        errors["amount"] = ["Must be more than zero."]
    if incurred_on is None or incurred_on > local_now().date():
        errors["incurred_on"] = ["Required, not in the future."]
    if errors:
        raise Invalid(errors)
    amount = quantize(amount)
    # a law firm's cost above the amount waits for legal staff (分支机构超权限…审批, review L8)
    pending = not actor.is_insurer and amount > approval_amount()
    cost = LawsuitCost(lawsuit_id=suit.id, kind=kind, amount=amount, incurred_on=incurred_on,
                       note=(note or "").strip() or None, recorded_by_id=actor.id,
                       status="pending" if pending else "approved")
    db.session.add(cost)
    db.session.flush()
    record_audit("lawsuit", suit.id, "cost_recorded", {"cost_id": cost.id, "kind": kind, "amount": cost.amount,
                                                       "status": cost.status}, actor=actor)
    db.session.refresh(suit)
    if pending:
        emit("lawsuit.cost_pending", {"lawsuit_id": suit.id, "cost_id": cost.id, "amount": f"{amount:.2f}"})
    return cost


def approval_amount() -> Decimal:
    return Decimal(str(setting("LITIGATION_COST_APPROVAL_ABOVE")))


def decide_cost(suit: Lawsuit, cost_id: int, actor, action: str, note: str | None = None):
    """Legal staff approve or reject a pending cost; only an approved one counts anywhere."""
    if not (actor.is_insurer and actor.has_role(*WORKING_ROLES)):
        raise Forbidden()
    cost = db.session.get(LawsuitCost, cost_id)
    if cost is None or cost.lawsuit_id != suit.id:
        raise NotFound()
    if action not in ("approve", "reject"):
        raise Invalid({"action": ["One of: approve, reject."]})
    if cost.status != "pending":
        raise InvalidState("Only a pending cost is decided.", {"status": cost.status})
    if action == "reject" and not (note or "").strip():
        raise Invalid({"note": ["Say why the cost is rejected."]})
    cost.status = "approved" if action == "approve" else "rejected"
    cost.decided_by_id, cost.decided_at = actor.id, utcnow()
    cost.decision_note = (note or "").strip() or None
    record_audit("lawsuit", suit.id, f"cost_{cost.status}", {"cost_id": cost.id, "amount": cost.amount,
                                                             "note": cost.decision_note}, actor=actor)
    db.session.flush()
    db.session.refresh(suit)
    return cost


# --------------------------------------------------------------------------- figures


MEDIATED = ("mediated", "settled")


def figures(user) -> dict:
    """External counsel rate (外部代理率), pre-suit mediation rate (诉前调解率: of the
    closed lawsuits, those closed from pre-suit mediation as mediated or settled),
    outcomes, stages and cost per case, in four aggregate queries."""
    base = visible_lawsuits_stmt(user).order_by(None).subquery()
    total, external, closed, pre_suit = db.session.execute(sa.select(
        sa.func.count(base.c.id),
        sa.func.count(base.c.counsel_organization_id),
        sa.func.count(sa.case((base.c.stage == "closed", 1))),
        sa.func.count(sa.case((sa.and_(base.c.closed_from_stage == "pre_suit_mediation",
                                       base.c.outcome.in_(MEDIATED)), 1))))).one()
    outcomes = dict(db.session.execute(sa.select(base.c.outcome, sa.func.count()).where(base.c.outcome.is_not(None))
                                       .group_by(base.c.outcome)).all())
    stages = dict(db.session.execute(sa.select(base.c.stage, sa.func.count()).group_by(base.c.stage)).all())
    cost_total = db.session.scalar(sa.select(sa.type_coerce(sa.func.coalesce(sa.func.sum(LawsuitCost.amount), 0),
                                                            Money()))
                                   .where(LawsuitCost.lawsuit_id.in_(sa.select(base.c.id)),
                                          LawsuitCost.status == "approved")) or ZERO
    return {"total": total, "external": external, "external_rate": (Decimal(external) / total) if total else None,
            "closed": closed, "pre_suit_mediated": pre_suit,
            "pre_suit_mediation_rate": (Decimal(pre_suit) / closed) if closed else None,
            "outcomes": outcomes, "stages": stages, "costs": cost_total,
            "cost_per_case": quantize(cost_total / total) if total else None}


# --------------------------------------------------------------------------- complaints


def register_complaint(actor, *, kind: str, complainant: str, description: str, contact: str | None = None,
                       claim_no: str | None = None, against_organization_id: int | None = None,
                       referred_by: str | None = None) -> Complaint:
    if not actor.is_insurer:
        raise Forbidden()
    errors = {}
    if kind not in COMPLAINT_KINDS:
        errors["kind"] = ["One of: " + ", ".join(COMPLAINT_KINDS) + "."]
    if not (complainant or "").strip():
        errors["complainant"] = ["Required."]
    if not (description or "").strip():
        errors["description"] = ["Required."]
    claim = None
    if claim_no:
        claim = db.session.scalar(sa.select(Claim).where(Claim.claim_no == claim_no.strip()))
        if claim is None:
            errors["claim_no"] = ["No claim with this number."]
    if against_organization_id is not None:
        org = db.session.get(Organization, against_organization_id)
        if org is None or org.kind == "insurer":
            errors["against_organization_id"] = ["Not a partner organization."]
    if errors:
        raise Invalid(errors)
    c = Complaint(kind=kind, complainant=complainant.strip(), contact=(contact or "").strip() or None,
                  description=description.strip(), claim_id=claim.id if claim else None,
                  against_organization_id=against_organization_id, status="registered", version=1,
                  referred_by=(referred_by or "").strip()[:200] or None,
                  created_by_id=actor.id, created_at=utcnow())
    db.session.add(c)
    db.session.flush()
    record_audit("complaint", c.id, "registered", {"kind": kind, "claim_no": claim_no, "referred_by": c.referred_by,
                                                   "against_organization_id": against_organization_id}, actor=actor)
    emit("complaint.registered", {"complaint_id": c.id, "kind": kind,
                                  "against_organization_id": against_organization_id})
    return c


def act_on_complaint(c: Complaint, actor, action: str, *, assignee_user_id: int | None = None,
                     text: str | None = None, expected_version: int | None = None, verdict: str | None = None,
                     referrer_feedback: str | None = None) -> Complaint:
    """assign (to a person) → answer (答复) → decide (verdict 有责/无责) → follow_up (回访) →
    archive (归档); withdraw (撤回) records the withdrawal as the verdict and its note as
    the follow-up. A referred complaint needs the feedback sent to its referrer to be archived."""
    if not actor.is_insurer:
        raise NotFound()
    COMPLAINT_FLOW.transition(c.status, action)
    values: dict = {}
    if action == "decide":
        if verdict not in COMPLAINT_VERDICTS[:2]:
            raise Invalid.field("verdict", "One of: " + ", ".join(COMPLAINT_VERDICTS[:2]) + ".")
        values = {"verdict": verdict}
    elif action == "withdraw":
        if not (text or "").strip():
            raise Invalid.field("text", "Required.")
        values = {"verdict": "withdrawn", "follow_up": text.strip(), "followed_up_at": utcnow()}
    elif action == "archive":
        if c.verdict is None:
            raise Invalid.field("verdict", "Give the verdict (substantiated or not) before archiving.")
        feedback = (referrer_feedback or "").strip() or c.referrer_feedback
        if c.referred_by and not feedback:
            raise Invalid.field("referrer_feedback", "Record the feedback sent to the referrer.")
        values = {"archived_at": utcnow()} | ({"referrer_feedback": feedback} if c.referred_by else {})
    elif action == "assign":
        u = db.session.get(User, assignee_user_id) if assignee_user_id else None
        if u is None or not u.active or not u.is_insurer:
            raise Invalid.field("assignee_user_id", "Choose an active insurer user.")
        values = {"assignee_user_id": u.id}
    elif action in ("answer", "follow_up"):
        if not (text or "").strip():
            raise Invalid.field("text", "Required.")
        if action == "answer":
            values = {"answer": text.strip(), "answered_at": utcnow()}
        else:
            values = {"follow_up": text.strip(), "followed_up_at": utcnow()}
    COMPLAINT_FLOW.apply(c, action, actor, expected_version=expected_version, values=values,
                         audit={k: [None, v] for k, v in values.items() if k != "answered_at"})
    if action == "assign":
        emit("complaint.assigned", {"complaint_id": c.id, "assignee_user_id": c.assignee_user_id})
    return c
