"""Major-case pages (大案): the register, a case with its milestones, the weekly summary
(page and XLSX). Insurer staff only; a partner gets 404."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..api.pagination import count_rows
from ..audit.services import audit_trail
from ..errors import Invalid, PortalError
from ..exports import xlsx_response
from ..extensions import db
from ..timeutil import as_aware, utcnow
from . import register, weekly
from .api import filtered
from .labels import BASIS_LABELS, MILESTONE_LABELS, STATUS_LABELS, band_label
from .register import MANAGERS

bp = Blueprint("major_cases", __name__)
PER_PAGE = 25


@bp.before_request
@login_required
def _staff_only():
    if not register.may_see(current_user):
        abort(404)


@bp.context_processor
def _labels():
    return {"MILESTONE_LABELS": MILESTONE_LABELS, "BASIS_LABELS": BASIS_LABELS, "STATUS_LABELS": STATUS_LABELS,
            "band_label": band_label, "overdue": register.overdue}


@bp.route("/major-cases")
def index():
    args = {"status": request.args.get("status") if request.args.get("status") in ("open", "closed") else None,
            "overdue": request.args.get("overdue") == "1", "mine": request.args.get("mine") == "1"}
    stmt = filtered(args, current_user)
    total = count_rows(stmt)
    page = max(1, request.args.get("page", 1, type=int) or 1)
    cases = db.session.scalars(stmt.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).unique().all()
    late_count = count_rows(sa.select(register.MajorCase).where(register.overdue_filter()))
    return render_template("major_cases/index.html", cases=cases, total=total, page=page, per_page=PER_PAGE,
                           f=args, late_count=late_count, now=utcnow())


def _detail(case, status=200, errors=None, typed=None):
    manager = bool(set(MANAGERS) & set(current_user.roles))
    people = register.candidates(case.band, case.amount) if manager else []
    return render_template("major_cases/detail.html", case=case, may_act=register.may_act(case, current_user),
                           manager=manager, people=people, errors=errors or {}, typed=typed or {},
                           audit=audit_trail("major_case", case.id), late=register.overdue(case)), status


@bp.route("/major-cases/<int:case_id>")
def detail(case_id):
    return _detail(register.get_case(case_id, current_user))


def _at(text: str | None):
    """A ``datetime-local`` value in Asia/Shanghai, or None; bad text is a field error."""
    from datetime import datetime

    if not text:
        return None
    try:
        return as_aware(datetime.strptime(text, "%Y-%m-%dT%H:%M"))
    except ValueError:
        raise Invalid({"at": [_("A date and time such as 2026-12-03T09:30.")]}) from None


@bp.route("/major-cases/<int:case_id>/milestones", methods=["POST"])
def milestone(case_id):
    case = register.get_case(case_id, current_user)
    form = request.form
    try:
        register.record_milestone(case, form.get("kind", ""), current_user, text=form.get("text"),
                                  at=_at(form.get("at")))
        db.session.commit()
    except Invalid as exc:
        db.session.rollback()
        return _detail(register.get_case(case_id, current_user), 422, exc.details, dict(form))
    except PortalError as exc:
        db.session.rollback()
        flash(_(exc.message), "danger")
        return redirect(url_for("major_cases.detail", case_id=case_id))
    flash(_("Recorded: %(what)s.", what=MILESTONE_LABELS.get(form.get("kind"), "")), "success")
    return redirect(url_for("major_cases.detail", case_id=case_id))


@bp.route("/major-cases/<int:case_id>/responsible", methods=["POST"])
def responsible(case_id):
    case = register.get_case(case_id, current_user)
    try:
        register.reassign(case, request.form.get("user_id", type=int) or 0, request.form.get("reason", ""),
                          current_user)
        db.session.commit()
    except Invalid as exc:
        db.session.rollback()
        return _detail(register.get_case(case_id, current_user), 422, exc.details, dict(request.form))
    except PortalError as exc:
        db.session.rollback()
        flash(_(exc.message), "danger")
        return redirect(url_for("major_cases.detail", case_id=case_id))
    flash(_("The responsible person was changed."), "success")
    return redirect(url_for("major_cases.detail", case_id=case_id))


@bp.route("/major-cases/<int:case_id>/transitions", methods=["POST"])
def transition(case_id):
    case = register.get_case(case_id, current_user)
    try:
        register.transition(case, request.form.get("action", ""), current_user, request.form.get("reason"))
        db.session.commit()
    except PortalError as exc:
        db.session.rollback()
        messages = sum(exc.details.values(), []) if isinstance(exc, Invalid) and exc.details else [exc.message]
        for message in messages:
            flash(_(str(message)), "danger")
    return redirect(url_for("major_cases.detail", case_id=case_id))


def _week_arg() -> str:
    try:
        return weekly.parse_week(request.args.get("week"))
    except Invalid:
        abort(404)


@bp.route("/major-cases/weekly")
def week():
    code = _week_arg()
    return render_template("major_cases/weekly.html", s=weekly.summary(code), week=code,
                           prev_week=weekly.previous_week(code), next_week=weekly.next_week(code))


@bp.route("/major-cases/weekly.xlsx")
def week_export():
    code = _week_arg()
    s = weekly.summary(code)
    columns = [(_("Claim number"), "text"), (_("Amount band"), "text"), (_("Basis"), "text"),
               (_("Amount"), "money"), (_("Responsible"), "text"), (_("Entered"), "text"), (_("On site"), "text"),
               (_("Investigation report"), "text"), (_("Status this week"), "text"), (_("Late milestones"), "text"),
               (_("Closed"), "text")]
    rows = [[r["claim_no"], band_label(r["band"]), str(BASIS_LABELS.get(r["basis"], r["basis"])), r["amount"],
             r["responsible"] or _("No one yet"), r["opened_at"], r["on_site_at"] or "—", r["report_at"] or "—",
             r["status_line"] or "—", "、".join(str(MILESTONE_LABELS[m]) for m in r["overdue"]) or "—",
             _("Yes") if r["closed"] else _("No")] for r in s["cases"]]
    return xlsx_response(f"major-cases-{code}.xlsx", columns, rows, title=_("Major cases %(week)s", week=code))
