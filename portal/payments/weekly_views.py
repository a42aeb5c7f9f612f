"""Staff's weekly approved-unpaid list page (已决未付清单): stored weeks, made on demand,
downloadable as XLSX, with the days from approval to payment (median, p90)."""
from __future__ import annotations

from datetime import date

import click
import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..exports import xlsx_response
from ..extensions import db
from .models import UnpaidList
from .views import bp
from .weekly import BANDS, generate, payment_days, summarise


def _staff_only():
    if not current_user.is_insurer:
        abort(404)


@bp.route("/unpaid", methods=["GET", "POST"])
@login_required
def unpaid():
    _staff_only()
    if request.method == "POST":
        made = generate()
        db.session.commit()
        flash(_("The approved-unpaid list of the week of %(week)s is made.", week=made.week_start.isoformat()),
              "success")
        return redirect(url_for("payments.unpaid", week=made.week_start.isoformat()))
    weeks = db.session.scalars(sa.select(UnpaidList).order_by(UnpaidList.week_start.desc())).all()
    try:
        wanted = date.fromisoformat(request.args["week"]) if request.args.get("week") else None
    except ValueError:
        abort(404)
    shown = next((w for w in weeks if wanted is None or w.week_start == wanted), None)
    if wanted is not None and shown is None:
        abort(404)
    lines = shown.lines if shown else []
    partners, offices = summarise(lines, "partner"), summarise(lines, "office")
    if request.args.get("format") == "xlsx":
        if shown is None:
            abort(404)
        columns = [(_("Group"), "text"), (_("Name"), "text")] + [(b[0], "money") for b in BANDS] + \
                  [(_("Total"), "money"), (_("Items"), "number")]
        data = [[label, g["name"]] + [g[b[0]] for b in BANDS] + [g["total"], g["count"]]
                for label, groups in ((_("Partner"), partners), (_("Office"), offices)) for g in groups]
        return xlsx_response(f"unpaid-{shown.week_start.isoformat()}.xlsx", columns, data,
                             title=_("Approved unpaid"))
    return render_template("payments/unpaid.html", weeks=weeks, shown=shown, partners=partners, offices=offices,
                           bands=[b[0] for b in BANDS], days=payment_days())


@click.command("unpaid-list")
@with_appcontext
def unpaid_list_command():
    """Make this week's approved-unpaid list now."""
    made = generate()
    db.session.commit()
    click.echo(f"{made.week_start.isoformat()}: {len(made.lines)} unpaid items")
