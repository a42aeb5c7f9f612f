"""The rules of claims (赔案) and assignments (派工/委托): the API and the pages both call
these. Services never commit; the caller commits once."""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from ..audit.services import record_audit
from ..auth.models import Organization
from ..errors import Invalid, InvalidState, NotFound, StaleVersion
from ..events import emit
from ..extensions import db
from ..glossary import Message
from ..statemachine import StateMachine, T
from ..timeutil import utcnow
from .models import FLAG_NAMES, RISK_COLORS, Assignment, Claim
from .purposes import purpose_fits, purposes
from .risk import ORIGINS, REPORTERS, VEHICLE_USES, assess
from .vin import VinError, validate_vin

CLAIM_NO_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,63}$")
VEHICLE_FIELDS = ("plate", "vin", "model", "first_registration", "actual_value", "vehicle_use", "origin",
                  "rare_model")
FACT_FIELDS = ("policy_no", "policy_start", "policy_end", "insured_name", *VEHICLE_FIELDS, "policy_cover",
               "accident_at", "reported_at", "reported_by", "place", "region", "description", "estimated_loss",
               "property_loss", "loss_ratio", "claims_in_year", "flags")
REQUIRED = ("claim_no", "policy_no", "policy_start", "policy_end", "insured_name", "plate", "vin", "model",
            "accident_at", "reported_at", "region")
MONEY_FIELDS = ("actual_value", "policy_cover", "estimated_loss", "property_loss")

# A claim's life (赔案状态): open → closed (结案) → reopened (重开) back to open.
CLAIM_FLOW = StateMachine("claim", Claim, [
    T("open", "close", "closed", "assessor", "supervisor", "admin"),
    T("closed", "reopen", "open", "supervisor", "admin"),
])


# --------------------------------------------------------------------------- validation


def _normalize_flags(flags) -> dict:
    flags = dict(flags or {})
    unknown = sorted(set(flags) - set(FLAG_NAMES))
    if unknown:
        raise Invalid({"flags": [f"Unknown flag: {', '.join(unknown)}."]})
    return {name: bool(flags.get(name, False)) for name in FLAG_NAMES}


def validate_facts(values: dict) -> None:
    """Rules across fields; raises :class:`Invalid` with every problem at once."""
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    for name in REQUIRED:
        if name in values and (values[name] is None or (isinstance(values[name], str) and not values[name].strip())):
            add(name, "This field is required.")
    if values.get("claim_no") and not CLAIM_NO_RE.match(values["claim_no"]):
        add("claim_no", "Letters, digits and '-' only, at most 64 characters.")
    if values.get("vin"):
        try:
            values["vin"] = validate_vin(values["vin"])
        except VinError as exc:
            add("vin", str(exc))
    start, end = values.get("policy_start"), values.get("policy_end")
    if isinstance(start, date) and isinstance(end, date) and end < start:
        add("policy_end", "The policy cannot end before it starts.")
    acc, rep = values.get("accident_at"), values.get("reported_at")
    if isinstance(acc, datetime) and isinstance(rep, datetime) and rep < acc:
        add("reported_at", "The report cannot come before the accident.")
    reg = values.get("first_registration")
    if isinstance(reg, date) and isinstance(acc, datetime) and reg > acc.date():
        add("first_registration", "First registration is after the accident.")
    ratio = values.get("loss_ratio")
    if ratio is not None and (ratio < 0 or ratio >= Decimal("100")):
        add("loss_ratio", "A fraction such as 0.45 (45%).")
    count = values.get("claims_in_year")
    if count is not None and count < 0:
        add("claims_in_year", "Must not be negative.")
    for name, allowed in (("vehicle_use", VEHICLE_USES), ("origin", ORIGINS), ("reported_by", REPORTERS)):
        if values.get(name) is not None and values[name] not in allowed:
            add(name, f"One of: {', '.join(allowed)}.")
    for name in MONEY_FIELDS:
        if values.get(name) is not None and values[name] < 0:
            add(name, "Must not be negative.")
    if errors:
        raise Invalid(errors)


def apply_risk(claim: Claim):
    """Recompute and store the colour and its reasons."""
    result = assess(claim)
    claim.risk_color = result.color
    claim.risk_reasons = list(result.reasons)
    return result


# --------------------------------------------------------------------------- claims


def get_claim(claim_no: str) -> Claim:
    claim = db.session.scalar(sa.select(Claim).where(Claim.claim_no == claim_no))
    if claim is None:
        raise NotFound()
    return claim


def create_claim(values: dict, actor=None) -> Claim:
    """A new claim with its colour. A claim number already used → ``InvalidState`` (409)."""
    values = dict(values)
    values["flags"] = _normalize_flags(values.get("flags"))
    missing = [n for n in REQUIRED if values.get(n) in (None, "")]
    if missing:
        raise Invalid({n: ["This field is required."] for n in missing})
    validate_facts(values)
    if db.session.scalar(sa.select(Claim.id).where(Claim.claim_no == values["claim_no"])) is not None:
        raise InvalidState(f"Claim {values['claim_no']} already exists.", {"claim_no": values["claim_no"]})
    claim = Claim(claim_no=values["claim_no"], created_by_id=getattr(actor, "id", None), status="open", version=1)
    for name in FACT_FIELDS:
        if name in values:
            setattr(claim, name, values[name])
    apply_risk(claim)
    db.session.add(claim)
    try:
        db.session.flush()
    except IntegrityError:  # a parallel request took the number; no savepoint: it would dispatch events early
        db.session.rollback()
        raise InvalidState(f"Claim {values['claim_no']} already exists.", {"claim_no": values["claim_no"]}) from None
    record_audit("claim", claim.id, "create",
                 {"claim_no": [None, claim.claim_no], "risk_color": [None, claim.risk_color],
                  "risk_reasons": [None, claim.risk_reasons]}, actor=actor)
    emit("claim.created", {"claim_id": claim.id, "claim_no": claim.claim_no, "risk_color": claim.risk_color})
    return claim


def update_claim(claim: Claim, changes: dict, actor=None, expected_version: int | None = None) -> dict:
    """Change a claim's facts; the colour is recomputed. Returns the audited diff."""
    if expected_version is not None and expected_version != claim.version:
        raise StaleVersion(details={"version": claim.version})
    if claim.status != "open":
        raise InvalidState("A closed claim cannot be changed; reopen it first.", {"status": claim.status})
    changes = {k: v for k, v in changes.items() if k in FACT_FIELDS}
    if "flags" in changes:
        merged = dict(claim.flags or {})
        merged.update(changes["flags"] or {})
        changes["flags"] = _normalize_flags(merged)
    merged_values = {name: getattr(claim, name) for name in FACT_FIELDS}
    merged_values.update(changes)
    validate_facts(merged_values)
    if "vin" in changes:
        changes["vin"] = merged_values["vin"]
    diff = {}
    for name, value in changes.items():
        before = getattr(claim, name)
        if before != value:
            diff[name] = [before, value]
            setattr(claim, name, value)
    if not diff:
        return {}
    before_color, before_reasons = claim.risk_color, list(claim.risk_reasons or [])
    apply_risk(claim)
    if claim.risk_color != before_color:
        diff["risk_color"] = [before_color, claim.risk_color]
    if list(claim.risk_reasons) != before_reasons:
        diff["risk_reasons"] = [before_reasons, claim.risk_reasons]
    claim.updated_at = utcnow()
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise StaleVersion(details={"reloaded": True}) from None
    record_audit("claim", claim.id, "update", diff, actor=actor)
    return diff


def transition_claim(claim: Claim, action: str, actor, expected_version: int | None = None) -> Claim:
    CLAIM_FLOW.apply(claim, action, actor, expected_version=expected_version)
    return claim


# --------------------------------------------------------------------------- assignments


def assign_claim(claim: Claim, organization_id: int, purpose: str, actor=None) -> Assignment:
    """Assign ``claim`` to a partner for ``purpose``; the purpose must fit its kind and the
    partner must be active. The partner's users are notified after commit."""
    if purpose not in purposes():
        raise Invalid.field("purpose", f"One of: {', '.join(sorted(purposes()))}.")
    org = db.session.get(Organization, organization_id) if organization_id else None
    if org is None or org.kind == "insurer":
        raise Invalid.field("organization_id", "No such partner organization.")
    if not purpose_fits(purpose, org.kind):
        raise Invalid.field("purpose", Message("A %(kind)s cannot be assigned for %(purpose)s.", kind=org.kind,
                                               purpose=purpose))
    if org.status != "active":
        raise Invalid.field("organization_id", "This partner is suspended.")
    if claim.status != "open":
        raise InvalidState("Only an open claim can be assigned.", {"status": claim.status})
    existing = db.session.scalar(sa.select(Assignment).where(
        Assignment.claim_id == claim.id, Assignment.organization_id == org.id,
        Assignment.purpose == purpose, Assignment.ended_at.is_(None)))
    if existing is not None:
        raise InvalidState("This partner is already assigned to the claim for this purpose.",
                           {"assignment_id": existing.id})
    assignment = Assignment(claim=claim, organization_id=org.id, purpose=purpose,
                            assigned_by_id=getattr(actor, "id", None), created_at=utcnow())
    db.session.add(assignment)
    db.session.flush()
    record_audit("claim", claim.id, "assign", {"assignment_id": assignment.id, "organization_id": org.id,
                                               "organization": org.name, "purpose": purpose}, actor=actor)
    emit("claim.assigned", {"claim_id": claim.id, "claim_no": claim.claim_no, "assignment_id": assignment.id,
                            "organization_id": org.id, "purpose": purpose})
    return assignment


def end_assignment(claim: Claim, assignment_id: int, actor=None) -> Assignment:
    """Unassign: the row is kept with ``ended_at``; the partner no longer sees the claim."""
    assignment = db.session.scalar(sa.select(Assignment).where(Assignment.id == assignment_id,
                                                               Assignment.claim_id == claim.id))
    if assignment is None:
        raise NotFound()
    if assignment.ended_at is not None:
        raise InvalidState("This assignment has already ended.", {"ended_at": assignment.ended_at.isoformat()})
    assignment.ended_at = utcnow()
    db.session.flush()
    record_audit("claim", claim.id, "unassign", {"assignment_id": assignment.id,
                                                 "organization_id": assignment.organization_id,
                                                 "purpose": assignment.purpose}, actor=actor)
    emit("claim.unassigned", {"claim_id": claim.id, "claim_no": claim.claim_no, "assignment_id": assignment.id,
                              "organization_id": assignment.organization_id, "purpose": assignment.purpose})
    return assignment


# --------------------------------------------------------------------------- lists


def filter_claims(stmt, *, color=None, status=None, region=None, partner_id=None, q=None):
    """Apply the list filters (colour, status, region, partner, search)."""
    if color:
        stmt = stmt.where(Claim.risk_color == color)
    if status:
        stmt = stmt.where(Claim.status == status)
    if region:
        stmt = stmt.where(Claim.region == region)
    if partner_id:
        stmt = stmt.where(Claim.id.in_(sa.select(Assignment.claim_id).where(
            Assignment.organization_id == partner_id, Assignment.ended_at.is_(None))))
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(sa.or_(Claim.claim_no.ilike(like), Claim.plate.ilike(like), Claim.vin.ilike(like),
                                 Claim.policy_no.ilike(like), Claim.insured_name.ilike(like)))
    return stmt


def color_counts(stmt) -> dict[str, int]:
    """``{red, yellow, blue}`` counts of the claims ``stmt`` selects (one query)."""
    sub = stmt.order_by(None).subquery()
    rows = db.session.execute(sa.select(sub.c.risk_color, sa.func.count()).group_by(sub.c.risk_color)).all()
    counts = {c: 0 for c in RISK_COLORS}
    counts.update({color: n for color, n in rows})
    return counts


def load_assignments(claims) -> dict[int, list[Assignment]]:
    """Active assignments (with their organization) of many claims, in one query."""
    ids = [c.id for c in claims]
    out: dict[int, list[Assignment]] = {i: [] for i in ids}
    if not ids:
        return out
    rows = db.session.scalars(sa.select(Assignment).options(sa.orm.joinedload(Assignment.organization))
                              .where(Assignment.claim_id.in_(ids), Assignment.ended_at.is_(None))
                              .order_by(Assignment.id))
    for a in rows:
        out[a.claim_id].append(a)
    return out
