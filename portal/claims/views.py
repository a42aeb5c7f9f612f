"""Claim pages: the staff list (filters, counts per colour, XLSX), the claim form, the
claim page (facts, colour and reasons, partners, their work, net cost, audit) and the
partners' "my claims"."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..audit.services import audit_trail
from ..auth.models import Organization
from ..errors import Invalid, PortalError
from ..exports import xlsx_response
from ..extensions import db
from ..payments.clock import claim_payments
from ..plugins import flatten, hook
from ..web.forms import apply_errors
from . import services
from .access import get_visible_claim, visible_claims_stmt
from .costs import claim_costs, net_cost
from .forms import AssignmentForm, ClaimForm, fill_form, form_values
from .labels import (BLUE_LABELS, COLOR_LABELS, FLAG_LABELS, ORIGIN_LABELS, REASON_LABELS,
                     REPORTER_LABELS, STATUS_LABELS, USE_LABELS)
from .models import RISK_COLORS, Assignment, Claim
from .purposes import purpose_label, purpose_labels, purposes
from .risk import assess
from .schemas import schema_for
from ..api.pagination import count_rows

bp = Blueprint("claims", __name__)
PER_PAGE = 25


def _staff_only():
    if not current_user.is_insurer:
        abort(404)


@bp.context_processor
def _labels():
    return {"REASON_LABELS": REASON_LABELS, "BLUE_LABELS": BLUE_LABELS, "PURPOSE_LABELS": purpose_labels(),
            "FLAG_LABELS": FLAG_LABELS, "COLOR_LABELS": COLOR_LABELS, "STATUS_LABELS": STATUS_LABELS,
            "USE_LABELS": USE_LABELS, "ORIGIN_LABELS": ORIGIN_LABELS, "REPORTER_LABELS": REPORTER_LABELS}


def _filters() -> dict:
    args = request.args
    color = args.get("color") if args.get("color") in RISK_COLORS else None
    status = args.get("status") if args.get("status") in ("open", "closed") else None
    return {"color": color, "status": status, "region": args.get("region") or None,
            "partner_id": args.get("partner", type=int), "q": (args.get("q") or "").strip() or None}


def _page() -> int:
    return max(1, request.args.get("page", 1, type=int) or 1)


# --------------------------------------------------------------------------- staff list


@bp.route("/claims")
@login_required
def index():
    if not current_user.is_insurer:
        return redirect(url_for("claims.mine"))
    f = _filters()
    base = services.filter_claims(sa.select(Claim), **{**f, "color": None})
    counts = services.color_counts(base)
    stmt = services.filter_claims(sa.select(Claim), **f).order_by(Claim.id.desc())
    total = count_rows(stmt)
    page = _page()
    claims = db.session.scalars(stmt.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    assignments = services.load_assignments(claims)
    regions = db.session.scalars(sa.select(Claim.region).distinct().order_by(Claim.region)).all()
    partners = db.session.scalars(sa.select(Organization).where(Organization.kind != "insurer")
                                  .order_by(Organization.kind, Organization.name)).all()
    return render_template("claims/index.html", claims=claims, assignments=assignments, counts=counts,
                           total=total, page=page, per_page=PER_PAGE, f=f, regions=regions, partners=partners)


EXPORT_COLUMNS = [("Claim number", "text"), ("Risk colour", "text"), ("Risk reasons", "text"),
                  ("Status", "text"), ("Policy number", "text"), ("Insured", "text"), ("Plate", "text"),
                  ("VIN", "text"), ("Model", "text"), ("Accident time", "datetime"), ("Report time", "datetime"),
                  ("Place", "text"), ("Region", "text"), ("Estimated loss", "money"), ("Loss ratio", "percent"),
                  ("Claims in year", "number"), ("Partners", "text")]


@bp.route("/claims/export.xlsx")
@login_required
def export():
    _staff_only()
    stmt = services.filter_claims(sa.select(Claim), **_filters()).order_by(Claim.id.desc()).limit(20000)
    claims = db.session.scalars(stmt).all()
    assignments = services.load_assignments(claims)
    rows = [[c.claim_no, str(COLOR_LABELS[c.risk_color]),
             "; ".join(str(REASON_LABELS.get(r, r)) for r in c.risk_reasons or []),
             str(STATUS_LABELS.get(c.status, c.status)), c.policy_no, c.insured_name, c.plate, c.vin, c.model,
             c.accident_at, c.reported_at, c.place, c.region, c.estimated_loss, c.loss_ratio, c.claims_in_year,
             "; ".join(f"{a.organization.name} ({purpose_label(a.purpose)})" for a in assignments[c.id])]
            for c in claims]
    columns = [(_(h), kind) for h, kind in EXPORT_COLUMNS]
    return xlsx_response("claims.xlsx", columns, rows, title=_("Claims"))


# --------------------------------------------------------------------------- partner list


@bp.route("/my/claims")
@login_required
def mine():
    if current_user.is_insurer:
        return redirect(url_for("claims.index"))
    f = _filters()
    base = visible_claims_stmt(current_user)
    status_counts = dict(db.session.execute(
        sa.select(Claim.status, sa.func.count()).where(Claim.id.in_(base.with_only_columns(Claim.id)))
        .group_by(Claim.status)).all())
    stmt = services.filter_claims(base, status=f["status"], q=f["q"]).order_by(Claim.id.desc())
    total = count_rows(stmt)
    page = _page()
    claims = db.session.scalars(stmt.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    mine_by_claim = _my_assignments(claims)
    return render_template("claims/mine.html", claims=claims, status_counts=status_counts, total=total, page=page,
                           per_page=PER_PAGE, f=f, mine_by_claim=mine_by_claim)


def _my_assignments(claims) -> dict[int, list[Assignment]]:
    out: dict[int, list[Assignment]] = {c.id: [] for c in claims}
    if claims:
        for a in db.session.scalars(sa.select(Assignment).where(
                Assignment.claim_id.in_(list(out)), Assignment.organization_id == current_user.organization_id,
                Assignment.ended_at.is_(None)).order_by(Assignment.id)):
            out[a.claim_id].append(a)
    return out


@bp.route("/my/claims/export.xlsx")
@login_required
def export_mine():
    if current_user.is_insurer:
        abort(404)
    claims = db.session.scalars(visible_claims_stmt(current_user).order_by(Claim.id.desc()).limit(20000)).all()
    mine_by_claim = _my_assignments(claims)
    rows = [[c.claim_no, c.plate, c.vin, c.model, c.place, c.region, str(STATUS_LABELS.get(c.status, c.status)),
             "; ".join(purpose_label(a.purpose) for a in mine_by_claim[c.id]),
             min((a.created_at for a in mine_by_claim[c.id]), default=None)] for c in claims]
    columns = [(_("Claim number"), "text"), (_("Plate"), "text"), (_("VIN"), "text"), (_("Model"), "text"),
               (_("Place"), "text"), (_("Region"), "text"), (_("Status"), "text"), (_("Purpose"), "text"),
               (_("Assigned"), "datetime")]
    return xlsx_response("my-claims.xlsx", columns, rows, title=_("My claims"))


# --------------------------------------------------------------------------- form


@bp.route("/claims/new", methods=["GET", "POST"])
@login_required
def new():
    _staff_only()
    form = ClaimForm()
    if request.method == "GET":
        form.region.data = current_user.organization.region
    if form.validate_on_submit():
        try:
            claim = services.create_claim(form_values(form), actor=current_user)
            db.session.commit()
        except Invalid as exc:
            db.session.rollback()
            apply_errors(form, exc)
        except PortalError as exc:
            db.session.rollback()
            form.claim_no.errors = list(form.claim_no.errors or []) + [exc.message]
        else:
            flash(_("Claim %(no)s created: %(color)s.", no=claim.claim_no, color=COLOR_LABELS[claim.risk_color]),
                  "success")
            return redirect(url_for("claims.detail", claim_no=claim.claim_no))
    return render_template("claims/form.html", form=form, claim=None), 422 if form.errors else 200


@bp.route("/claims/<claim_no>/edit", methods=["GET", "POST"])
@login_required
def edit(claim_no):
    _staff_only()
    claim = services.get_claim(claim_no)
    form = ClaimForm()
    if request.method == "GET":
        fill_form(form, claim)
    form.claim_no.data = claim.claim_no
    if form.validate_on_submit():
        values = form_values(form)
        values.pop("claim_no", None)
        try:
            version = int(form.version.data) if form.version.data else None
            diff = services.update_claim(claim, values, actor=current_user, expected_version=version)
            db.session.commit()
        except Invalid as exc:
            db.session.rollback()
            apply_errors(form, exc)
        except PortalError as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
        else:
            flash(_("Saved (%(n)s changes).", n=len(diff)) if diff else _("Nothing changed."), "success")
            return redirect(url_for("claims.detail", claim_no=claim.claim_no))
    return render_template("claims/form.html", form=form, claim=claim), 422 if form.errors else 200


# --------------------------------------------------------------------------- detail


def _assignment_form(claim) -> AssignmentForm:
    form = AssignmentForm()
    orgs = db.session.scalars(sa.select(Organization).where(Organization.kind != "insurer",
                                                            Organization.status == "active")
                              .order_by(Organization.kind, Organization.name)).all()
    form.organization_id.choices = [(o.id, f"{o.name} · {_(o.kind)}") for o in orgs]
    return form


@bp.route("/claims/<claim_no>")
@login_required
def detail(claim_no):
    claim = get_visible_claim(claim_no, current_user)
    sections = sorted(flatten(hook().portal_claim_partner_work(claim=claim, user=current_user)),
                      key=lambda s: s.order)
    if not current_user.is_insurer:
        visible = schema_for(current_user).dump(claim)
        mine = db.session.scalars(sa.select(Assignment).where(
            Assignment.claim_id == claim.id, Assignment.organization_id == current_user.organization_id,
            Assignment.ended_at.is_(None))).all()
        return render_template("claims/partner_detail.html", claim=claim, visible=visible, sections=sections,
                               mine=mine)
    components = claim_costs(claim)
    assignments = db.session.scalars(sa.select(Assignment).options(sa.orm.joinedload(Assignment.organization))
                                     .where(Assignment.claim_id == claim.id).order_by(Assignment.id)).all()
    return render_template("claims/detail.html", claim=claim, assessment=assess(claim), sections=sections,
                           components=components, net=net_cost(components), assignments=assignments,
                           payments=claim_payments(claim.claim_no),
                           audit=audit_trail("claim", claim.id), form=_assignment_form(claim),
                           actions=services.CLAIM_FLOW.actions_from(claim.status), purpose_kinds={n: p.org_kinds for n, p in purposes().items()})


@bp.route("/claims/<claim_no>/assignments", methods=["POST"])
@login_required
def assign(claim_no):
    _staff_only()
    claim = services.get_claim(claim_no)
    form = _assignment_form(claim)
    if form.validate_on_submit():
        try:
            a = services.assign_claim(claim, form.organization_id.data, form.purpose.data, actor=current_user)
            db.session.commit()
        except PortalError as exc:
            db.session.rollback()
            msgs = sum(exc.details.values(), []) if isinstance(exc, Invalid) else [exc.message]
            flash(" ".join(str(m) for m in msgs), "danger")
        else:
            flash(_("Assigned to %(org)s for %(purpose)s; its users were notified.", org=a.organization.name,
                    purpose=purpose_label(a.purpose)), "success")
    else:
        flash(_("Choose a partner and a purpose."), "danger")
    return redirect(url_for("claims.detail", claim_no=claim.claim_no, _anchor="partners"))


@bp.route("/claims/<claim_no>/assignments/<int:assignment_id>/end", methods=["POST"])
@login_required
def unassign(claim_no, assignment_id):
    _staff_only()
    claim = services.get_claim(claim_no)
    try:
        a = services.end_assignment(claim, assignment_id, actor=current_user)
        db.session.commit()
    except PortalError as exc:
        db.session.rollback()
        if exc.status == 404:
            abort(404)
        flash(exc.message, "danger")
    else:
        flash(_("Assignment of %(org)s ended.", org=a.organization.name), "success")
    return redirect(url_for("claims.detail", claim_no=claim.claim_no, _anchor="partners"))


@bp.route("/claims/<claim_no>/transition", methods=["POST"])
@login_required
def transition(claim_no):
    _staff_only()
    claim = services.get_claim(claim_no)
    try:
        services.transition_claim(claim, request.form.get("action", ""), current_user,
                                  request.form.get("version", type=int))
        db.session.commit()
    except PortalError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    return redirect(url_for("claims.detail", claim_no=claim_no))


