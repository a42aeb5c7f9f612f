"""The supervisor's page of per-assessor figures (一人终审责任制的考核): the reviewers ranked by
their share decided after the deadline, the target line, a period filter and an XLSX export.
The figures are computed in ``assessor_figures``; this page only shows them."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.plugin import Period, month_start, xlsx_response

from . import assessor_figures as F

bp = Blueprint("garages_figures", __name__, url_prefix="/garages/figures", template_folder="templates")

ROLE_ORDER = ("supervisor", "assessor", "admin")


def _supervisor():
    """Supervisors and admins of the insurer; everyone else is told the page does not exist."""
    if not (current_user.is_insurer and current_user.has_role("supervisor", "admin")):
        abort(404)


def _role(row) -> str:
    return next((_(r) for r in ROLE_ORDER if r in row.roles), "—")


@bp.route("/")
@login_required
def page():
    _supervisor()
    period, errors = F.parse_period(request.args.get("from"), request.args.get("to"))
    figures = F.figures(period)
    if request.args.get("export") == "xlsx":
        return xlsx_response(f"assessor-figures-{period.first_day}-{period.last_day}.xlsx", [
            (_("Rank"), "number"), (_("Reviewer"), "text"), (_("Role"), "text"), (_("Decisions made"), "number"),
            (_("Approvals"), "number"), (_("Returns"), "number"), (_("Rejections"), "number"),
            (_("Escalations"), "number"), (_("Median hours to decision"), "number"),
            (_("P90 hours to decision"), "number"), (_("Decided after the deadline"), "number"),
            (_("Decisions with a deadline"), "number"), (_("Share decided after the deadline"), "percent"),
            (_("Target share"), "percent"), (_("Above the target"), "text"), (_("Reduction rate"), "percent"),
            (_("Submitted amount"), "money"), (_("Approved amount"), "money"),
            (_("Open reviews overdue now"), "number")],
            [(i, r.name, _role(r), r.decisions, r.by_action["approve"] + r.by_action["first_approve"],
              r.by_action["return"], r.by_action["reject"], r.by_action["escalate"], r.median_hours, r.p90_hours,
              r.overdue, r.timed, r.overdue_share, figures.target,
              _("Above the target") if r.above_target else _("Within the target"),
              r.reduction_rate, r.submitted, r.approved, r.open_overdue)
             for i, r in enumerate(figures.rows, start=1)],
            title=_("Assessor figures"))
    this_month = F.month_period()
    previous = month_start(this_month.first_day, -1)
    shortcuts = [(_("This month"), this_month),
                 (_("Last month"), Period.of_days(previous, this_month.first_day - timedelta(days=1)))]
    return render_template("garages/figures.html", figures=figures, period=period, errors=errors,
                           shortcuts=shortcuts, role_of=_role)
