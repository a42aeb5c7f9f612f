"""Pages of the subrogation plugin: recovery cases (追偿案件) and the ledger (追偿台帐)."""
from __future__ import annotations


import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal.plugin import (DONE, INVALID, ClaimSection, Invalid, Labels, PortalError, Widget, audit_trail,
                          case_step, count_rows, db, document_pages, run_form)

from . import documents, reversals, services
from .forms import (CLOSED_AS_LABELS, METHOD_LABELS, HandlerForm, ReceiptForm, RecoveryForm, TargetForm,
                    TransitionForm, handler_choices, parse_handler)
from .ledger import ledger_stmt, ledger_workbook
from .models import STATUSES, RecoveryCase

bp = Blueprint("subrogation", __name__, url_prefix="/subrogation", template_folder="templates")

STATUS_LABELS = Labels("recovery.status")   # the glossary's words


def _require_reader():
    if not (current_user.is_insurer or current_user.org_kind == "law_firm"):
        abort(404)


def _is_legal():
    return current_user.is_insurer and current_user.has_role(*services.WORKING_ROLES)


def _filters() -> dict:
    args: dict = {}
    for key in ("status", "q", "period"):
        if request.args.get(key):
            args[key] = request.args[key]
    for key in ("handler_user_id", "handler_organization_id"):
        if request.args.get(key, type=int):
            args[key] = request.args.get(key, type=int)
    if request.args.get("flagged"):
        args["limitation_within_days"] = services.flag_days()
    handler = request.args.get("handler")
    if handler:
        args.update(parse_handler(handler))
    if args.get("status") not in (None, *STATUSES):
        args.pop("status")
    return args


def flagged_count(user) -> int:
    stmt = services.visible_recoveries_stmt(user).where(services.flagged_condition(services.flag_days()))
    return db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0


def _status_counts(user, args) -> dict:
    base = ledger_stmt(user, {k: v for k, v in args.items() if k != "status"}).order_by(None).subquery()
    return dict(db.session.execute(sa.select(base.c.status, sa.func.count()).group_by(base.c.status)).all())


@bp.route("/cases")
@login_required
def cases():
    _require_reader()
    args = _filters()
    try:
        stmt = ledger_stmt(current_user, args)
    except Invalid:
        args.pop("period", None)
        stmt = ledger_stmt(current_user, args)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    per_page = 50
    total = count_rows(stmt)
    rows = db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).unique().all()
    return render_template("subrogation/cases.html", rows=rows, args=args, counts=_status_counts(current_user, args),
                           flagged=flagged_count(current_user), total=total, page=page, per_page=per_page,
                           statuses=STATUSES, status_labels=STATUS_LABELS, is_legal=_is_legal(),
                           closed_as_labels=CLOSED_AS_LABELS, totals=services.ledger_totals(stmt), today=services.today(),
                           handlers=handler_choices() if current_user.is_insurer else [])


@bp.route("/cases.xlsx")
@login_required
def cases_xlsx():
    _require_reader()
    args = _filters()
    try:
        return ledger_workbook(ledger_stmt(current_user, args))
    except Invalid:
        args.pop("period", None)
        return ledger_workbook(ledger_stmt(current_user, args))


@bp.route("/cases/new", methods=["GET", "POST"])
@login_required
def new_case():
    if not _is_legal():
        abort(403)
    form = RecoveryForm()
    form.handler.choices = handler_choices()
    if request.method == "GET" and request.args.get("claim_no"):
        form.claim_no.data = request.args["claim_no"]
    outcome, case = run_form(form, lambda: services.open_recovery(current_user, services.CaseInput(
        claim_no=form.claim_no.data, amount_paid=form.amount_paid.data, amount_sought=form.amount_sought.data,
        counterparty_name=form.counterparty_name.data, counterparty_insurer=form.counterparty_insurer.data,
        counterparty_contact=form.counterparty_contact.data, basis=form.basis.data,
        limitation_starts_on=form.limitation_starts_on.data, **parse_handler(form.handler.data))),
        success=lambda c: _("Recovery case #%(id)s opened. Limitation deadline: %(d)s.", id=c.id,
                            d=c.limitation_deadline.isoformat()),
        field_names=lambda k: "counterparty_name" if k == "counterparty" else "handler" if k.startswith("handler_") else k,
        flash_refusals=False)
    if outcome == DONE:
        return redirect(url_for("subrogation.case", recovery_id=case.id))
    return render_template("subrogation/new_case.html", form=form,
                           years=services.limitation_years()), 422 if form.errors else 200


def _audit(entity, entity_id):
    return audit_trail(entity, entity_id)


@bp.route("/cases/<int:recovery_id>", methods=["GET"])
@login_required
def case(recovery_id, receipt_form=None, handler_form=None, transition_form=None, status=200):
    _require_reader()
    try:
        case = services.get_visible_recovery(recovery_id, current_user)
    except PortalError:
        abort(404)
    receipt_form = receipt_form or ReceiptForm(formdata=None, received_on=services.today())
    handler_form = handler_form or HandlerForm(formdata=None)
    handler_form.handler.choices = handler_choices() if current_user.is_insurer else []
    if case.handler_user_id and not handler_form.handler.data:
        handler_form.handler.data = f"u{case.handler_user_id}"
    elif case.handler_organization_id and not handler_form.handler.data:
        handler_form.handler.data = f"o{case.handler_organization_id}"
    return render_template("subrogation/case.html", case=case, receipt_form=receipt_form,
                           handler_form=handler_form, transition_form=transition_form or TransitionForm(formdata=None),
                           moves=services.RECOVERY_FLOW.actions_from(case.status),
                           can_work=services.can_work(case, current_user), is_legal=_is_legal(),
                           flagged=services.is_flagged(case), days_left=services.days_to_limitation(case),
                           audit=_audit("recovery", case.id), status_labels=STATUS_LABELS,
                           closed_as_labels=CLOSED_AS_LABELS, method_labels=METHOD_LABELS,
                           reversed=reversals.reversed_ids(case), documents=documents.DOCUMENTS.listed(case)), status


def _case_or_404(recovery_id):
    _require_reader()
    try:
        return services.get_visible_recovery(recovery_id, current_user)
    except PortalError:
        abort(404)


@bp.route("/cases/<int:recovery_id>/receipts", methods=["POST"])
@login_required
def add_receipt(recovery_id):
    rc = _case_or_404(recovery_id)
    form = ReceiptForm()
    outcome, _done = run_form(form, lambda: services.record_receipt(
        rc, current_user, amount=form.amount.data, received_on=form.received_on.data, method=form.method.data,
        reference=form.reference.data), success=_("Receipt booked."))
    if outcome != INVALID:
        return redirect(url_for("subrogation.case", recovery_id=recovery_id))
    db.session.expire_all()
    return case(recovery_id, receipt_form=form, status=422)


@bp.route("/cases/<int:recovery_id>/receipts/<int:receipt_id>/reverse", methods=["POST"])
@login_required
def reverse_receipt(recovery_id, receipt_id):
    """A counter-entry for a receipt, with its reason; a refusal is a message on the case."""
    rc = _case_or_404(recovery_id)
    return _case_step(recovery_id, lambda: reversals.reverse_receipt(
        rc, current_user, receipt_id, reason=request.form.get("reason", "")), _("Receipt #%(id)s reversed.", id=receipt_id))


def _case_step(recovery_id, run, done):
    """Run one change of the case and commit; a refusal is a message on the case page."""
    return case_step(run, done, url_for("subrogation.case", recovery_id=recovery_id))


document_pages(bp, "/cases/<int:recovery_id>/documents", documents.DOCUMENTS, _case_or_404, "subrogation.case")


@bp.route("/cases/<int:recovery_id>/transitions", methods=["POST"])
@login_required
def move(recovery_id):
    rc = _case_or_404(recovery_id)
    form = TransitionForm()
    outcome, _done = run_form(form, lambda: services.move_recovery(
        rc, current_user, form.to.data, form.closed_as.data or None, request.form.get("version", type=int)),
        success=lambda _r: _("Status: %(s)s.", s=STATUS_LABELS.get(rc.status, rc.status)))
    if outcome == INVALID:
        db.session.expire_all()
        return case(recovery_id, transition_form=form, status=422)
    return redirect(url_for("subrogation.case", recovery_id=recovery_id))


@bp.route("/cases/<int:recovery_id>/handler", methods=["POST"])
@login_required
def assign(recovery_id):
    rc = _case_or_404(recovery_id)
    if not _is_legal():
        abort(403)
    form = HandlerForm()
    form.handler.choices = handler_choices()
    if form.validate_on_submit():
        try:
            services.assign_handler(rc, current_user, expected_version=request.form.get("version", type=int),
                                    **parse_handler(form.handler.data))
            db.session.commit()
        except PortalError as exc:
            db.session.rollback()
            flash(exc.message if not isinstance(exc, Invalid) else _("Choose an in-house legal user or a law firm."),
                  "danger")
        else:
            flash(_("Handler changed to %(name)s.", name=rc.handler_name), "success")
    return redirect(url_for("subrogation.case", recovery_id=recovery_id))


# --------------------------------------------------------------------------- ledger


@bp.route("/ledger", methods=["GET", "POST"])
@login_required
def ledger():
    if not current_user.is_insurer:
        abort(404)
    form = TargetForm()
    if request.method == "POST":
        if not _is_legal():
            abort(403)
        outcome, _done = run_form(form, lambda: services.set_target(form.period.data.strip(), form.amount.data,
                                                                    current_user),
                                  success=_("Target saved."), flash_refusals=False)
        if outcome == DONE:
            return redirect(url_for("subrogation.ledger", **request.args))
    args = _filters()
    period_error = None
    try:
        stmt = ledger_stmt(current_user, args)
    except Invalid:
        period_error = _("Use YYYY-MM or YYYY-Qn.")
        args.pop("period", None)
        stmt = ledger_stmt(current_user, args)
    rows = db.session.scalars(stmt.limit(500)).unique().all()
    targets = services.attainment()
    chart = [(t["period"], round(float(t["attainment"] * 100), 1) if t["attainment"] is not None else 0)
             for t in targets]
    by_handler = db.session.execute(
        sa.select(RecoveryCase.handler_organization_id, RecoveryCase.handler_user_id,
                  sa.func.count(), sa.func.sum(RecoveryCase.amount_sought))
        .where(RecoveryCase.id.in_(sa.select(stmt.order_by(None).subquery().c.id)))
        .group_by(RecoveryCase.handler_organization_id, RecoveryCase.handler_user_id)).all()
    return render_template("subrogation/ledger.html", rows=rows, args=args, totals=services.ledger_totals(stmt),
                           targets=targets, chart=chart, form=form, is_legal=_is_legal(), statuses=STATUSES,
                           status_labels=STATUS_LABELS, handlers=handler_choices(), period_error=period_error,
                           by_handler=len(by_handler), today=services.today()), 422 if form.errors else 200


@bp.route("/ledger.xlsx")
@login_required
def ledger_xlsx():
    return cases_xlsx()


# --------------------------------------------------------------------------- for the core's pages


def dashboard_widgets(user) -> list[Widget]:
    if not (user.is_insurer or user.org_kind == "law_firm"):
        return []
    if user.is_insurer and not user.has_role("legal", "admin", "supervisor"):
        return []
    stmt = services.visible_recoveries_stmt(user)
    totals = services.ledger_totals(stmt.where(RecoveryCase.status != "closed"))
    widgets = [
        Widget(_l("Limitation flags"), value=flagged_count(user), tone="danger", order=30,
               url=url_for("subrogation.cases", flagged=1),
               subtitle=_l("Open recovery cases within %(n)s days of the limitation deadline, no lawsuit",
                           n=services.flag_days())),
        Widget(_l("Recovery outstanding"), value=f"¥{totals['outstanding']:,.2f}", order=31,
               url=url_for("subrogation.cases"),
               subtitle=_l("%(n)s open cases", n=totals["cases"])),
    ]
    if user.is_insurer:
        targets = services.attainment(limit=6)
        if targets:
            widgets.append(Widget(_l("Recovery attainment"), kind="bar", order=32, url=url_for("subrogation.ledger"),
                                  data=[(t["period"], round(float(t["attainment"] * 100), 1)
                                         if t["attainment"] is not None else 0) for t in targets],
                                  subtitle=_l("Recovered in the period ÷ target, %")))
    return widgets


def claim_section(claim, user) -> list[ClaimSection]:
    if not (user.is_insurer or user.org_kind == "law_firm"):
        return []
    cases = db.session.scalars(services.visible_recoveries_stmt(user).where(RecoveryCase.claim_id == claim.id)
                               .order_by(RecoveryCase.id)).unique().all()
    if not cases and not user.is_insurer:
        return []
    rows = [{"case": f"#{c.id}", "counterparty": c.counterparty_name, "status": str(STATUS_LABELS.get(c.status)),
             "sought": f"¥{c.amount_sought:,.2f}", "recovered": f"¥{c.recovered:,.2f}",
             "deadline": c.limitation_deadline.isoformat(), "url": url_for("subrogation.case", recovery_id=c.id)}
            for c in cases]
    return [ClaimSection(_l("Subrogation"), rows=rows, order=70,
                         columns=[("case", _l("Case")), ("counterparty", _l("Liable party")),
                                  ("status", _l("Status")), ("sought", _l("Sought")),
                                  ("recovered", _l("Recovered")), ("deadline", _l("Limitation deadline"))],
                         url=url_for("subrogation.new_case", claim_no=claim.claim_no)
                         if user.is_insurer and user.has_role("legal", "admin") else None,
                         empty=_l("No recovery case on this claim."))]


