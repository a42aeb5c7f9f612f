"""Claims API: ``/api/v1/claims`` and assignments."""
from __future__ import annotations

import sqlalchemy as sa
from flask import jsonify
from sqlalchemy.orm import joinedload

from ..api import ApiBlueprint
from ..api.access import api_user, authenticated, roles
from ..api.changes import apply_changes
from ..api.pagination import page_envelope_schema, paginate
from ..errors import Invalid
from ..extensions import db
from . import services
from .access import get_visible_claim, visible_claims_stmt
from .costs import claim_costs, net_cost
from .models import Assignment, Claim
from .schemas import (AssignmentIn, AssignmentQuery, AssignmentSchema, ClaimCostsSchema, ClaimIn, ClaimPatch, ClaimQuery,
                      ClaimSchema, ClaimTransitionIn, schema_for)
from .services import VEHICLE_FIELDS

ClaimPage = page_envelope_schema(ClaimSchema, "ClaimPage")
blp = ApiBlueprint("claims_api", __name__, description="Claims (赔案), their risk colour and assignments")


def _nest_vehicle(exc: Invalid) -> Invalid:
    """Service errors on vehicle facts appear under ``vehicle`` as in the request body."""
    details = dict(exc.details or {})
    vehicle = {k: details.pop(k) for k in list(details) if k in VEHICLE_FIELDS}
    if vehicle:
        details["vehicle"] = vehicle
    return Invalid(details, message=exc.message)


@blp.route("/claims", methods=["POST"])
@blp.arguments(ClaimIn)
@blp.response(201, ClaimSchema)
@roles("staff")
def create_claim(data):
    """Create a claim; its risk colour and reasons are computed. Duplicate ``claim_no`` → 409."""
    try:
        claim = services.create_claim(data, actor=api_user())
    except Invalid as exc:
        raise _nest_vehicle(exc) from None
    db.session.commit()
    return claim


@blp.route("/claims", methods=["GET"])
@blp.arguments(ClaimQuery, location="query")
@blp.response(200, ClaimPage)
@authenticated
def list_claims(args):
    """Claims the caller may see (a partner: only those assigned to it), newest first.
    Filters: ``risk_color`` (or ``color``), ``status``, ``region``, ``partner``, ``q``."""
    user = api_user()
    stmt = visible_claims_stmt(user)
    staff = user.is_insurer
    stmt = services.filter_claims(stmt, color=(args.get("risk_color") or args.get("color")) if staff else None,
                                  status=args.get("status"), region=args.get("region"),
                                  partner_id=args.get("partner") if staff else None, q=args.get("q"))
    stmt = apply_changes(stmt, args, Claim.updated_at, Claim.id, default_order=(Claim.id.desc(),))
    return jsonify(paginate(stmt, schema_for(user)))


@blp.route("/claims/<claim_no>", methods=["GET"])
@blp.response(200, ClaimSchema)
@authenticated
def get_claim(claim_no):
    """One claim; a partner sees only the fields its purpose needs (404 when not assigned)."""
    user = api_user()
    claim = get_visible_claim(claim_no, user)
    return jsonify(schema_for(user).dump(claim))  # a Response passes through the staff schema as is


@blp.route("/claims/<claim_no>", methods=["PATCH"])
@blp.arguments(ClaimPatch)
@blp.response(200, ClaimSchema)
@roles("staff")
def update_claim(data, claim_no):
    """Change facts; the colour is recomputed and the change audited."""
    claim = services.get_claim(claim_no)
    version = data.pop("version", None)
    try:
        services.update_claim(claim, data, actor=api_user(), expected_version=version)
    except Invalid as exc:
        raise _nest_vehicle(exc) from None
    db.session.commit()
    return claim


@blp.route("/claims/<claim_no>/transitions", methods=["POST"])
@blp.arguments(ClaimTransitionIn)
@blp.response(200, ClaimSchema)
@roles("assessor", "supervisor", "admin")
def transition_claim(data, claim_no):
    """Close (结案) or reopen a claim."""
    claim = services.get_claim(claim_no)
    services.transition_claim(claim, data["action"], api_user(), data.get("version"))
    db.session.commit()
    return claim


@blp.route("/claims/<claim_no>/costs", methods=["GET"])
@blp.response(200, ClaimCostsSchema)
@roles("staff")
def get_claim_costs(claim_no):
    """Net cost = Σ sign × amount of every partner area's components."""
    claim = services.get_claim(claim_no)
    components = claim_costs(claim)
    return {"components": components, "net_cost": net_cost(components)}


@blp.route("/claims/<claim_no>/assignments", methods=["GET"])
@blp.response(200, AssignmentSchema(many=True))
@roles("staff")
def list_assignments(claim_no):
    """Every assignment of the claim, ended ones included."""
    claim = services.get_claim(claim_no)
    return db.session.scalars(sa.select(Assignment).where(Assignment.claim_id == claim.id)
                              .order_by(Assignment.id)).all()


@blp.route("/claims/<claim_no>/assignments", methods=["POST"])
@blp.arguments(AssignmentIn)
@blp.response(201, AssignmentSchema)
@roles("staff")
def create_assignment(data, claim_no):
    """Assign the claim to a partner for a purpose that fits its kind (else 422); a
    suspended partner → 422. The partner's users are notified."""
    claim = services.get_claim(claim_no)
    assignment = services.assign_claim(claim, data["organization_id"], data["purpose"], actor=api_user())
    db.session.commit()
    return assignment


@blp.route("/claims/<claim_no>/assignments/<int:assignment_id>", methods=["DELETE"])
@blp.response(200, AssignmentSchema)
@roles("staff")
def end_assignment(claim_no, assignment_id):
    """Unassign: the partner no longer sees the claim; the row is kept with ``ended_at``."""
    claim = services.get_claim(claim_no)
    assignment = services.end_assignment(claim, assignment_id, actor=api_user())
    db.session.commit()
    return assignment


AssignmentPage = page_envelope_schema(AssignmentSchema, "AssignmentPage")
_PARTNER_ASSIGNMENT = AssignmentSchema(exclude=("assigned_by_id",))
_STAFF_ASSIGNMENT = AssignmentSchema()


@blp.route("/assignments", methods=["GET"])
@blp.arguments(AssignmentQuery, location="query")
@blp.response(200, AssignmentPage)
@authenticated
def list_my_assignments(args):
    """What has been assigned: a partner its own organization's assignments (claims to repair,
    salvage, specialist repair or counsel; ended ones too, with ``ended_at``), staff every one.
    ``updated_since`` and ``sort=updated_at`` for polling."""
    user = api_user()
    stmt = sa.select(Assignment).options(joinedload(Assignment.claim), joinedload(Assignment.organization))
    if not user.is_insurer:
        stmt = stmt.where(Assignment.organization_id == user.organization_id)
    elif args.get("organization_id") is not None:
        stmt = stmt.where(Assignment.organization_id == args["organization_id"])
    if args.get("purpose"):
        stmt = stmt.where(Assignment.purpose == args["purpose"])
    if args.get("active") is not None:
        stmt = stmt.where(Assignment.ended_at.is_(None) if args["active"] else Assignment.ended_at.is_not(None))
    stmt = apply_changes(stmt, args, Assignment.updated_at, Assignment.id, default_order=(Assignment.id.desc(),))
    return jsonify(paginate(stmt, _STAFF_ASSIGNMENT if user.is_insurer else _PARTNER_ASSIGNMENT))
