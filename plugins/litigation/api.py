"""``/api/v1/lawsuits`` (诉讼案件) and ``/api/v1/complaints`` (投诉、纠纷、疑难案件)."""
from __future__ import annotations

import sqlalchemy as sa
from marshmallow import ValidationError

from portal.plugin import (ApiBlueprint, Claim, Forbidden, Invalid, LocalDateTime, NotFound, api_user,
                          authenticated, db, document_api, page_envelope_schema, page_of, roles)

from . import documents, services
from .models import Complaint, Lawsuit
from .schemas import (ComplaintAction, ComplaintCreate, ComplaintQuery, ComplaintSchema, CostCreate, CostDecisionIn,
                      CostSchema, FiguresSchema, HearingCreate, HearingResultIn, HearingSchema, LawsuitCreate, LawsuitDetail,
                      LawsuitDocumentSchema,
                      LawsuitQuery, LawsuitSchema, LawsuitTransition, MajorIn)

blp = ApiBlueprint("litigation_api", __name__, write_scope="legal:write",
                   description="Litigation: lawsuits (诉讼), hearings, complaints")

LawsuitPage = page_envelope_schema(LawsuitSchema, "LawsuitPage")
ComplaintPage = page_envelope_schema(ComplaintSchema, "ComplaintPage")
document_api(blp, "/lawsuits/<int:lawsuit_id>/documents", documents.DOCUMENTS, services.get_visible_lawsuit,
             LawsuitDocumentSchema)




def _reader():
    user = api_user()
    if not user.is_insurer and user.org_kind != "law_firm":
        raise Forbidden()
    return user


def lawsuits_stmt(user, args: dict):
    stmt = services.visible_lawsuits_stmt(user)
    if args.get("stage"):
        stmt = stmt.where(Lawsuit.stage == args["stage"])
    if args.get("major") is not None:
        stmt = stmt.where(Lawsuit.major.is_(bool(args["major"])))
    if args.get("counsel_organization_id"):
        stmt = stmt.where(Lawsuit.counsel_organization_id == args["counsel_organization_id"])
    if args.get("recovery_id"):
        stmt = stmt.where(Lawsuit.recovery_id == args["recovery_id"])
    if args.get("claim_no"):
        stmt = stmt.where(Lawsuit.claim_id.in_(sa.select(Claim.id).where(Claim.claim_no == args["claim_no"])))
    return stmt.order_by(Lawsuit.id.desc())


@blp.route("/lawsuits", methods=["POST"])
@blp.arguments(LawsuitCreate)
@blp.response(201, LawsuitDetail)
@roles("legal", "admin")
def create_lawsuit(data):
    """Register a lawsuit (legal staff); ``major`` from the amount in dispute or set by staff."""
    suit = services.register_lawsuit(api_user(), services.LawsuitInput(**data))
    db.session.commit()
    return suit


@blp.route("/lawsuits", methods=["GET"])
@blp.arguments(LawsuitQuery, location="query")
@blp.response(200, LawsuitPage)
@authenticated
def list_lawsuits(args):
    return page_of(lawsuits_stmt(_reader(), args))


@blp.route("/lawsuits/figures", methods=["GET"])
@blp.response(200, FiguresSchema)
@roles("staff")
def lawsuit_figures():
    """External counsel rate, pre-suit mediation rate, outcomes, stages, cost per case."""
    return services.figures(api_user())


@blp.route("/lawsuits/<int:lawsuit_id>", methods=["GET"])
@blp.response(200, LawsuitDetail)
@authenticated
def get_lawsuit(lawsuit_id):
    return services.get_visible_lawsuit(lawsuit_id, api_user())


@blp.route("/lawsuits/<int:lawsuit_id>/transitions", methods=["POST"])
@blp.arguments(LawsuitTransition)
@blp.response(200, LawsuitDetail)
@authenticated
def move_lawsuit(data, lawsuit_id):
    """Move to the next stage; ``closed`` needs an ``outcome`` and may carry the ``amount``."""
    user = api_user()
    suit = services.get_visible_lawsuit(lawsuit_id, user)
    services.move_lawsuit(suit, user, data["to"], data.get("outcome"), data.get("amount"), data.get("version"))
    db.session.commit()
    return suit


@blp.route("/lawsuits/<int:lawsuit_id>/major", methods=["POST"])
@blp.arguments(MajorIn)
@blp.response(200, LawsuitDetail)
@roles("legal", "admin")
def set_major(data, lawsuit_id):
    suit = services.get_visible_lawsuit(lawsuit_id, api_user())
    services.set_major(suit, api_user(), data["major"])
    db.session.commit()
    return suit


@blp.route("/lawsuits/<int:lawsuit_id>/hearings", methods=["POST"])
@blp.arguments(HearingCreate)
@blp.response(201, HearingSchema)
@authenticated
def create_hearing(data, lawsuit_id):
    """Schedule a hearing (开庭); a time without offset is Asia/Shanghai."""
    user = api_user()
    suit = services.get_visible_lawsuit(lawsuit_id, user)
    try:
        when = LocalDateTime().deserialize(data["scheduled_at"])
    except ValidationError as exc:
        raise Invalid({"scheduled_at": exc.messages if isinstance(exc.messages, list) else [str(exc)]}) from None
    hearing = services.schedule_hearing(suit, user, scheduled_at=when, court_room=data.get("court_room"),
                                        kind=data.get("kind"))
    db.session.commit()
    return hearing


@blp.route("/lawsuits/<int:lawsuit_id>/hearings/<int:hearing_id>/result", methods=["POST"])
@blp.arguments(HearingResultIn)
@blp.response(200, HearingSchema)
@authenticated
def record_hearing_result(data, lawsuit_id, hearing_id):
    user = api_user()
    suit = services.get_visible_lawsuit(lawsuit_id, user)
    hearing = services.record_hearing_result(suit, hearing_id, user, data["result"])
    db.session.commit()
    return hearing


@blp.route("/lawsuits/<int:lawsuit_id>/costs", methods=["POST"])
@blp.arguments(CostCreate)
@blp.response(201, CostSchema)
@authenticated
def create_cost(data, lawsuit_id):
    """Record a legal cost (诉讼费、律师费、鉴定费、保全费...)."""
    user = api_user()
    suit = services.get_visible_lawsuit(lawsuit_id, user)
    cost = services.record_cost(suit, user, **data)
    db.session.commit()
    return cost


@blp.route("/lawsuits/<int:lawsuit_id>/costs/<int:cost_id>/decision", methods=["POST"])
@blp.arguments(CostDecisionIn)
@blp.response(200, CostSchema)
@authenticated
def decide_cost(data, lawsuit_id, cost_id):
    """Legal staff approve or reject a law firm's cost above the approval amount."""
    user = api_user()
    suit = services.get_visible_lawsuit(lawsuit_id, user)
    cost = services.decide_cost(suit, cost_id, user, data["action"], data.get("note"))
    db.session.commit()
    return cost


# --------------------------------------------------------------------------- complaints


@blp.route("/complaints", methods=["POST"])
@blp.arguments(ComplaintCreate)
@blp.response(201, ComplaintSchema)
@roles("staff")
def create_complaint(data):
    c = services.register_complaint(api_user(), **data)
    db.session.commit()
    return c


@blp.route("/complaints", methods=["GET"])
@blp.arguments(ComplaintQuery, location="query")
@blp.response(200, ComplaintPage)
@roles("staff")
def list_complaints(args):
    stmt = sa.select(Complaint).order_by(Complaint.id.desc())
    for key in ("status", "kind"):
        if args.get(key):
            stmt = stmt.where(getattr(Complaint, key) == args[key])
    return page_of(stmt)


@blp.route("/complaints/<int:complaint_id>", methods=["GET"])
@blp.response(200, ComplaintSchema)
@roles("staff")
def get_complaint(complaint_id):
    c = db.session.get(Complaint, complaint_id)
    if c is None:
        raise NotFound()
    return c


@blp.route("/complaints/<int:complaint_id>/actions", methods=["POST"])
@blp.arguments(ComplaintAction)
@blp.response(200, ComplaintSchema)
@roles("staff")
def act_on_complaint(data, complaint_id):
    """``assign`` (assignee_user_id), ``answer`` (text), ``decide`` (verdict), ``follow_up`` (text),
    ``withdraw`` (text), ``archive`` (referrer_feedback when referred)."""
    c = db.session.get(Complaint, complaint_id)
    if c is None:
        raise NotFound()
    services.act_on_complaint(c, api_user(), data["action"], assignee_user_id=data.get("assignee_user_id"),
                              text=data.get("text"), expected_version=data.get("version"),
                              verdict=data.get("verdict"), referrer_feedback=data.get("referrer_feedback"))
    db.session.commit()
    return c
