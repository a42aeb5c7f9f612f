"""Pages of the litigation plugin: lawsuits by stage, lawsuit detail with hearings and
costs, complaints queue, figures."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal.plugin import (DONE, INVALID, ClaimSection, Organization, PortalError, User, Widget, audit_trail,
                          db, document_pages, local_now, run_form, xlsx_response)

from . import documents, services
from .api import lawsuits_stmt
from .forms import (COST_LABELS, KIND_LABELS, OUTCOME_LABELS, ROLE_LABELS, ComplaintActionForm, ComplaintForm,
                    CostForm, HearingForm, HearingResultForm, LawsuitForm, StageForm)
from .models import COMPLAINT_STATUSES, STAGES, Complaint, Lawsuit

bp = Blueprint("litigation", __name__, url_prefix="/litigation", template_folder="templates")

STAGE_LABELS = {"pre_suit_mediation": _l("Pre-suit mediation"), "filed": _l("Filed"),
                "first_instance": _l("First instance"), "judgment": _l("Judgment"), "appeal": _l("Appeal"),
                "enforcement": _l("Enforcement"), "closed": _l("Closed")}
COMPLAINT_LABELS = {"registered": _l("Registered"), "assigned": _l("Assigned"), "answered": _l("Answered"),
                    "followed_up": _l("Followed up"), "archived": _l("Archived")}
ACTION_LABELS = {"assign": _l("Assign"), "answer": _l("Answer"), "follow_up": _l("Follow-up"),
                 "archive": _l("Archive"), "decide": _l("Record the verdict"), "withdraw": _l("Complaint withdrawn")}
VERDICT_LABELS = {"substantiated": _l("Substantiated"), "not_substantiated": _l("Not substantiated"),
                  "withdrawn": _l("Complaint withdrawn")}


def _reader():
    if not (current_user.is_insurer or current_user.org_kind == "law_firm"):
        abort(404)


def _staff():
    if not current_user.is_insurer:
        abort(404)


def _is_legal():
    return current_user.is_insurer and current_user.has_role(*services.WORKING_ROLES)


def counsel_choices():
    users = [u for u in db.session.scalars(sa.select(User).join(Organization).where(
        Organization.kind == "insurer", User.active.is_(True)).order_by(User.name)) if u.has_role("legal")]
    firms = db.session.scalars(sa.select(Organization).where(Organization.kind == "law_firm",
                                                             Organization.status == "active")
                               .order_by(Organization.name)).all()
    return ([(f"u{u.id}", f"{u.name}（{_('in-house')}）") for u in users]
            + [(f"o{o.id}", f"{o.name}（{_('law firm')}）") for o in firms])


def _counsel(value):
    if value and value[0] == "u" and value[1:].isdigit():
        return {"counsel_user_id": int(value[1:])}
    if value and value[0] == "o" and value[1:].isdigit():
        return {"counsel_organization_id": int(value[1:])}
    return {}


def _args():
    args = {}
    if request.args.get("stage") in STAGES:
        args["stage"] = request.args["stage"]
    if request.args.get("major"):
        args["major"] = True
    if request.args.get("counsel_organization_id", type=int):
        args["counsel_organization_id"] = request.args.get("counsel_organization_id", type=int)
    return args


# --------------------------------------------------------------------------- lawsuits


@bp.route("/lawsuits")
@login_required
def lawsuits():
    _reader()
    args = _args()
    stmt = lawsuits_stmt(current_user, args)
    rows = db.session.scalars(stmt.limit(200)).unique().all()
    base = lawsuits_stmt(current_user, {k: v for k, v in args.items() if k != "stage"}).order_by(None).subquery()
    counts = dict(db.session.execute(sa.select(base.c.stage, sa.func.count()).group_by(base.c.stage)).all())
    return render_template("litigation/lawsuits.html", rows=rows, counts=counts, args=args, stages=STAGES,
                           stage_labels=STAGE_LABELS, role_labels=ROLE_LABELS, is_legal=_is_legal(),
                           outcome_labels=OUTCOME_LABELS)


@bp.route("/lawsuits.xlsx")
@login_required
def lawsuits_xlsx():
    _reader()
    rows = db.session.scalars(lawsuits_stmt(current_user, _args())).unique().all()
    columns = [("案件编号", "number"), ("赔案号", "text"), ("追偿案件", "number"), ("法院", "text"), ("案号", "text"),
               ("案由", "text"), ("我方地位", "text"), ("争议金额", "money"), ("重大案件", "text"), ("代理人", "text"),
               ("外部代理", "text"), ("阶段", "text"), ("结果", "text"), ("判决/和解金额", "money"),
               ("诉讼费用", "money"), ("下次开庭", "datetime")]
    data = [[s.id, s.claim_no, s.recovery_id, s.court, s.case_no, s.cause, str(ROLE_LABELS[s.role]),
             s.amount_in_dispute, "是" if s.major else "否", s.counsel_name, "是" if s.external else "否",
             str(STAGE_LABELS[s.stage]), str(OUTCOME_LABELS[s.outcome]) if s.outcome else None, s.outcome_amount,
             s.legal_costs, s.next_hearing_at] for s in rows]
    return xlsx_response(f"诉讼案件-{local_now():%Y%m%d}.xlsx", columns, data, title="诉讼案件")


@bp.route("/lawsuits/new", methods=["GET", "POST"])
@login_required
def new_lawsuit():
    if not _is_legal():
        abort(403)
    form = LawsuitForm()
    form.counsel.choices = counsel_choices()
    if request.method == "GET":
        form.claim_no.data = request.args.get("claim_no")
        form.recovery_id.data = request.args.get("recovery_id", type=int)
    outcome, suit = run_form(form, lambda: services.register_lawsuit(current_user, services.LawsuitInput(
        court=form.court.data, cause=form.cause.data, role=form.role.data,
        amount_in_dispute=form.amount_in_dispute.data, claim_no=form.claim_no.data or None,
        recovery_id=form.recovery_id.data, case_no=form.case_no.data, major=form.major.data,
        stage=form.stage.data, **_counsel(form.counsel.data))),
        success=lambda s: _("Lawsuit #%(id)s registered.", id=s.id),
        field_names=lambda k: "counsel" if k.startswith("counsel_") else k, flash_refusals=False)
    if outcome == DONE:
        return redirect(url_for("litigation.lawsuit", lawsuit_id=suit.id))
    return render_template("litigation/new_lawsuit.html", form=form,
                           threshold=services.major_threshold()), 422 if form.errors else 200


def _suit_or_404(lawsuit_id):
    _reader()
    try:
        return services.get_visible_lawsuit(lawsuit_id, current_user)
    except PortalError:
        abort(404)


@bp.route("/lawsuits/<int:lawsuit_id>")
@login_required
def lawsuit(lawsuit_id, hearing_form=None, cost_form=None, stage_form=None, status=200):
    suit = _suit_or_404(lawsuit_id)
    audit = audit_trail("lawsuit", suit.id)
    recovery_url = None
    if suit.recovery_id:
        ref = services.recovery_case(suit.recovery_id)
        recovery_url = ref.url if ref is not None else None
    return render_template("litigation/lawsuit.html", suit=suit, audit=audit,
                           hearing_form=hearing_form or HearingForm(formdata=None),
                           result_form=HearingResultForm(formdata=None),
                           cost_form=cost_form or CostForm(formdata=None, incurred_on=local_now().date()),
                           stage_form=stage_form or StageForm(formdata=None),
                           moves=services.LAWSUIT_FLOW.actions_from(suit.stage), can_work=services.can_work(suit, current_user),
                           is_legal=_is_legal(), stage_labels=STAGE_LABELS, role_labels=ROLE_LABELS,
                           outcome_labels=OUTCOME_LABELS, cost_labels=COST_LABELS, now=local_now(),
                           recovery_url=recovery_url, documents=documents.DOCUMENTS.listed(suit)), status


document_pages(bp, "/lawsuits/<int:lawsuit_id>/documents", documents.DOCUMENTS, _suit_or_404, "litigation.lawsuit")


@bp.route("/lawsuits/<int:lawsuit_id>/hearings", methods=["POST"])
@login_required
def add_hearing(lawsuit_id):
    suit = _suit_or_404(lawsuit_id)
    form = HearingForm()
    outcome, _done = run_form(form, lambda: services.schedule_hearing(
        suit, current_user, scheduled_at=form.scheduled_at.data, court_room=form.court_room.data,
        kind=form.kind.data), success=_("Hearing scheduled."))
    if outcome != INVALID:
        return redirect(url_for("litigation.lawsuit", lawsuit_id=lawsuit_id))
    db.session.expire_all()
    return lawsuit(lawsuit_id, hearing_form=form, status=422)


@bp.route("/lawsuits/<int:lawsuit_id>/hearings/<int:hearing_id>/result", methods=["POST"])
@login_required
def hearing_result(lawsuit_id, hearing_id):
    suit = _suit_or_404(lawsuit_id)
    form = HearingResultForm()
    if form.validate_on_submit():
        try:
            services.record_hearing_result(suit, hearing_id, current_user, form.result.data)
            db.session.commit()
            flash(_("Hearing result recorded."), "success")
        except PortalError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
    else:
        flash(_("Write the result of the hearing."), "danger")
    return redirect(url_for("litigation.lawsuit", lawsuit_id=lawsuit_id))


@bp.route("/lawsuits/<int:lawsuit_id>/costs", methods=["POST"])
@login_required
def add_cost(lawsuit_id):
    suit = _suit_or_404(lawsuit_id)
    form = CostForm()
    outcome, _done = run_form(form, lambda: services.record_cost(
        suit, current_user, kind=form.kind.data, amount=form.amount.data, incurred_on=form.incurred_on.data,
        note=form.note.data), success=_("Cost recorded."))
    if outcome != INVALID:
        return redirect(url_for("litigation.lawsuit", lawsuit_id=lawsuit_id))
    db.session.expire_all()
    return lawsuit(lawsuit_id, cost_form=form, status=422)


@bp.route("/lawsuits/<int:lawsuit_id>/costs/<int:cost_id>/decision", methods=["POST"])
@login_required
def decide_cost(lawsuit_id, cost_id):
    """Legal staff approve or reject a law firm's cost above the approval amount."""
    suit = _suit_or_404(lawsuit_id)
    try:
        services.decide_cost(suit, cost_id, current_user, request.form.get("action", ""), request.form.get("note"))
        db.session.commit()
        flash(_("Cost decided."), "success")
    except PortalError as exc:
        db.session.rollback()
        flash(exc.message + "".join(f" {m}" for v in (exc.details or {}).values() if isinstance(v, list) for m in v),
              "danger")
    return redirect(url_for("litigation.lawsuit", lawsuit_id=lawsuit_id))


@bp.route("/lawsuits/<int:lawsuit_id>/stage", methods=["POST"])
@login_required
def move(lawsuit_id):
    suit = _suit_or_404(lawsuit_id)
    form = StageForm()
    outcome, _done = run_form(form, lambda: services.move_lawsuit(
        suit, current_user, form.to.data, form.outcome.data or None, form.amount.data,
        request.form.get("version", type=int)), success=lambda _r: _("Stage: %(s)s.", s=STAGE_LABELS[suit.stage]))
    if outcome == INVALID:
        db.session.expire_all()
        return lawsuit(lawsuit_id, stage_form=form, status=422)
    return redirect(url_for("litigation.lawsuit", lawsuit_id=lawsuit_id))


# --------------------------------------------------------------------------- complaints


def open_complaints_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Complaint)
                             .where(Complaint.status.in_(("registered", "assigned")))) or 0


def _complaints_stmt():
    stmt = sa.select(Complaint).order_by(Complaint.id.desc())
    if request.args.get("status") in COMPLAINT_STATUSES:
        stmt = stmt.where(Complaint.status == request.args["status"])
    if request.args.get("kind") in KIND_LABELS:
        stmt = stmt.where(Complaint.kind == request.args["kind"])
    return stmt


def _partner_choices():
    orgs = db.session.scalars(sa.select(Organization).where(Organization.kind != "insurer")
                              .order_by(Organization.kind, Organization.name)).all()
    return [("", "—")] + [(str(o.id), o.name) for o in orgs]


@bp.route("/complaints", methods=["GET", "POST"])
@login_required
def complaints():
    _staff()
    form = ComplaintForm()
    form.against_organization_id.choices = _partner_choices()
    outcome, c = run_form(form, lambda: services.register_complaint(
        current_user, kind=form.kind.data, complainant=form.complainant.data, contact=form.contact.data,
        description=form.description.data, claim_no=form.claim_no.data or None,
        against_organization_id=form.against_organization_id.data),
        success=lambda c: _("Registered as #%(id)s.", id=c.id), flash_refusals=False)
    if outcome == DONE:
        return redirect(url_for("litigation.complaint", complaint_id=c.id))
    rows = db.session.scalars(_complaints_stmt().limit(200)).unique().all()
    counts = dict(db.session.execute(sa.select(Complaint.status, sa.func.count()).group_by(Complaint.status)).all())
    avg = db.session.execute(sa.select(Complaint.created_at, Complaint.answered_at)
                             .where(Complaint.answered_at.is_not(None))).all()
    avg_hours = round(sum((a - c).total_seconds() for c, a in avg) / 3600 / len(avg), 1) if avg else None
    return render_template("litigation/complaints.html", rows=rows, counts=counts, form=form,
                           statuses=COMPLAINT_STATUSES, status_labels=COMPLAINT_LABELS, kind_labels=KIND_LABELS,
                           avg_hours=avg_hours), 422 if form.errors else 200


@bp.route("/complaints.xlsx")
@login_required
def complaints_xlsx():
    _staff()
    rows = db.session.scalars(_complaints_stmt()).unique().all()
    columns = [("编号", "number"), ("类型", "text"), ("投诉人", "text"), ("赔案号", "text"), ("被投诉方", "text"),
               ("内容", "text"), ("处理人", "text"), ("状态", "text"), ("登记时间", "datetime"),
               ("答复时间", "datetime"), ("答复时长(小时)", "number"), ("回访", "text")]
    data = [[c.id, str(KIND_LABELS[c.kind]), c.complainant, c.claim.claim_no if c.claim else None,
             c.against.name if c.against else None, c.description, c.assignee.name if c.assignee else None,
             str(COMPLAINT_LABELS[c.status]), c.created_at, c.answered_at, c.hours_to_answer, c.follow_up]
            for c in rows]
    return xlsx_response(f"投诉纠纷-{local_now():%Y%m%d}.xlsx", columns, data, title="投诉纠纷")


@bp.route("/complaints/<int:complaint_id>", methods=["GET", "POST"])
@login_required
def complaint(complaint_id):
    _staff()
    c = db.session.get(Complaint, complaint_id) or abort(404)
    form = ComplaintActionForm()
    staff = db.session.scalars(sa.select(User).join(Organization).where(Organization.kind == "insurer",
                                                                        User.active.is_(True))
                               .order_by(User.name)).all()
    form.assignee_user_id.choices = [("", "—")] + [(str(u.id), u.name) for u in staff]
    status = 200
    if request.method == "POST":
        outcome, _done = run_form(form, lambda: services.act_on_complaint(
            c, current_user, form.action.data, assignee_user_id=form.assignee_user_id.data, text=form.text.data,
            expected_version=request.form.get("version", type=int), verdict=form.verdict.data,
            referrer_feedback=form.referrer_feedback.data), success=_("Saved."))
        if outcome != INVALID:
            return redirect(url_for("litigation.complaint", complaint_id=complaint_id))
        c = db.session.get(Complaint, complaint_id)
        status = 422
    audit = audit_trail("complaint", c.id)
    return render_template("litigation/complaint.html", c=c, form=form, audit=audit,
                           actions=services.COMPLAINT_FLOW.actions_from(c.status), status_labels=COMPLAINT_LABELS,
                           kind_labels=KIND_LABELS, action_labels=ACTION_LABELS,
                           verdict_labels=VERDICT_LABELS), status


# --------------------------------------------------------------------------- figures


@bp.route("/figures")
@login_required
def figures():
    _staff()
    f = services.figures(current_user)
    by_firm = db.session.execute(
        sa.select(Organization.name, sa.func.count(Lawsuit.id)).join(Lawsuit, Lawsuit.counsel_organization_id ==
                                                                      Organization.id)
        .group_by(Organization.name).order_by(sa.func.count(Lawsuit.id).desc())).all()
    return render_template("litigation/figures.html", f=f, by_firm=by_firm,
                           stage_chart=[(str(STAGE_LABELS[s]), f["stages"].get(s, 0)) for s in STAGES],
                           outcome_chart=[(str(OUTCOME_LABELS[o]), n) for o, n in f["outcomes"].items()])


# --------------------------------------------------------------------------- for the core's pages


def dashboard_widgets(user) -> list[Widget]:
    if not (user.is_insurer and user.has_role("legal", "admin", "supervisor")) and user.org_kind != "law_firm":
        return []
    base = services.visible_lawsuits_stmt(user).order_by(None).subquery()
    counts = dict(db.session.execute(sa.select(base.c.stage, sa.func.count()).group_by(base.c.stage)).all())
    widgets = [Widget(_l("Lawsuits by stage"), kind="bar", order=33, url=url_for("litigation.lawsuits"),
                      data=[(str(STAGE_LABELS[s]), counts.get(s, 0)) for s in STAGES if s != "closed"])]
    from datetime import timedelta

    from portal.plugin import utcnow

    from .models import Hearing

    soon = db.session.scalar(sa.select(sa.func.count()).select_from(Hearing).where(
        Hearing.lawsuit_id.in_(sa.select(base.c.id)), Hearing.scheduled_at > utcnow(),
        Hearing.scheduled_at <= utcnow() + timedelta(days=7)))
    widgets.append(Widget(_l("Hearings in the next 7 days"), value=soon or 0, order=34, tone="warning",
                          url=url_for("litigation.lawsuits")))
    return widgets


def claim_section(claim, user) -> list[ClaimSection]:
    if not (user.is_insurer or user.org_kind == "law_firm"):
        return []
    suits = db.session.scalars(services.visible_lawsuits_stmt(user).where(Lawsuit.claim_id == claim.id)
                               .order_by(Lawsuit.id)).unique().all()
    if not suits and not user.is_insurer:
        return []
    rows = [{"case": f"#{s.id}", "court": s.court, "case_no": s.case_no or "—", "stage": str(STAGE_LABELS[s.stage]),
             "amount": f"¥{s.amount_in_dispute:,.2f}", "costs": f"¥{s.legal_costs:,.2f}",
             "url": url_for("litigation.lawsuit", lawsuit_id=s.id)} for s in suits]
    return [ClaimSection(_l("Litigation"), rows=rows, order=75,
                         columns=[("case", _l("Lawsuit")), ("court", _l("Court")), ("case_no", _l("Court case number")),
                                  ("stage", _l("Stage")), ("amount", _l("Amount in dispute")),
                                  ("costs", _l("Legal costs"))],
                         url=url_for("litigation.new_lawsuit", claim_no=claim.claim_no)
                         if user.is_insurer and user.has_role("legal", "admin") else None,
                         empty=_l("No lawsuit on this claim."))]
