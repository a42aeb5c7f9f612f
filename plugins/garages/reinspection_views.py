"""The re-inspection page (复勘): per replaced line what staff found, their own photos, the
result and over-payment, and the confirmation that opens a recovery against the garage.
Rules are in ``reinspection``; this page only collects and shows."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.plugin import Invalid, PortalError, db

from . import reinspection, services

bp = Blueprint("garages_reinspection", __name__, url_prefix="/garages/reinspection", template_folder="templates")


def _quote(quote_id: int):
    if not current_user.is_insurer:
        abort(404)
    return services.load_quote_for_display(quote_id, current_user)


@bp.route("/<int:quote_id>", methods=["GET", "POST"])
@login_required
def page(quote_id):
    quote = _quote(quote_id)
    errors, entered = {}, {}
    if request.method == "POST":
        lines = []
        for ln in reinspection.replaced_lines(quote):
            entered[ln.id] = {k: request.form.get(f"{k}-{ln.id}", "").strip() for k in ("outcome", "fair_amount", "note")}
            lines.append({"line_id": ln.id, "outcome": entered[ln.id]["outcome"] or None,
                          "fair_amount": entered[ln.id]["fair_amount"] or None, "note": entered[ln.id]["note"]})
        try:
            reinspection.record(quote, current_user, lines, fraud_suspected=bool(request.form.get("fraud_suspected")),
                                note=request.form.get("note"))
            db.session.commit()
        except Invalid as exc:
            db.session.rollback()
            errors = exc.details
        except PortalError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            return redirect(url_for("garages_reinspection.page", quote_id=quote_id))
        else:
            flash(_("Re-inspection recorded."), "success")
            return redirect(url_for("garages_reinspection.page", quote_id=quote_id))
        quote = _quote(quote_id)
    sample = reinspection.sample_of(quote)
    recorded = {rl.line_id: rl for rl in sample.lines} if sample else {}
    positions = {ln.id: i for i, ln in enumerate(reinspection.replaced_lines(quote))}
    return render_template("garages/reinspection.html", quote=quote, sample=sample, recorded=recorded,
                           lines=reinspection.replaced_lines(quote), outcomes=reinspection.OUTCOMES, errors=errors,
                           entered=entered, positions=positions,
                           photos=[p for p in quote.photos if p.kind == "reinspection"],
                           can_confirm=current_user.has_role(*reinspection.CONFIRMERS)), 422 if errors else 200


@bp.route("/<int:quote_id>/photos", methods=["POST"])
@login_required
def photos(quote_id):
    quote = _quote(quote_id)
    files = [f for f in request.files.getlist("file") if f and f.filename]
    try:
        if not files:
            raise Invalid({"file": [_("Choose a file.")]})
        for f in files:
            services.add_photo(quote, current_user, f, "reinspection", request.form.get("line_id", type=int))
        db.session.commit()
        flash(_("%(n)d re-inspection photo(s) added.", n=len(files)), "success")
    except PortalError as exc:
        db.session.rollback()
        flash(exc.message + "".join(f" {m}" for v in (exc.details or {}).values() if isinstance(v, list) for m in v),
              "danger")
    return redirect(url_for("garages_reinspection.page", quote_id=quote_id))


@bp.route("/<int:quote_id>/recovery", methods=["POST"])
@login_required
def recovery(quote_id):
    quote = _quote(quote_id)
    try:
        ref = reinspection.confirm_recovery(quote, current_user)
        db.session.commit()
        flash(_("Recovery opened against the garage: %(ref)s.", ref=ref), "success")
    except PortalError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    return redirect(url_for("garages_reinspection.page", quote_id=quote_id))
