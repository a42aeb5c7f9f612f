"""The re-inspection page (复勘): per replaced line what staff found, their own photos, the
result and over-payment, and the confirmation that opens a recovery against the garage.
Rules are in ``reinspection``; this page only collects (``forms``, run by ``run_form``) and shows."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.plugin import INVALID, run_form

from . import reinspection, services
from .forms import ConfirmForm, ReinspectionPhotoForm, reinspection_form
from .views import flash_errors

bp = Blueprint("garages_reinspection", __name__, url_prefix="/garages/reinspection", template_folder="templates")


def _quote(quote_id: int):
    if not current_user.is_insurer:
        abort(404)
    return services.load_quote_for_display(quote_id, current_user)


def _recorded_form(quote):
    """The form as the re-inspection stands (what was recorded, if anything)."""
    sample = reinspection.sample_of(quote)
    data = {}
    for rl in sample.lines if sample else ():
        data.update({f"outcome_{rl.line_id}": rl.outcome, f"fair_amount_{rl.line_id}": rl.fair_amount,
                     f"note_{rl.line_id}": rl.note})
    return reinspection_form(reinspection.replaced_lines(quote), formdata=None, data=data)


def _page(quote, form, photo_form=None, status: int = 200):
    return render_template("garages/reinspection.html", quote=quote, sample=reinspection.sample_of(quote),
                           lines=reinspection.replaced_lines(quote), form=form,
                           photo_form=photo_form or ReinspectionPhotoForm(formdata=None),
                           photos=[p for p in quote.photos if p.kind == "reinspection"],
                           can_confirm=current_user.has_role(*reinspection.CONFIRMERS)), status


@bp.route("/<int:quote_id>", methods=["GET", "POST"])
@login_required
def page(quote_id):
    quote = _quote(quote_id)
    if request.method == "GET":
        return _page(quote, _recorded_form(quote))
    form = reinspection_form(reinspection.replaced_lines(quote))
    outcome, _sample = run_form(form, lambda: reinspection.record(
        quote, current_user, form.lines_in(), fraud_suspected=form.fraud_suspected.data, note=form.note.data),
        success=_("Re-inspection recorded."), field_names=form.field_name)
    if outcome == INVALID:   # the page again with what was typed, the error beside its line
        return _page(_quote(quote_id), form, status=422)
    return redirect(url_for("garages_reinspection.page", quote_id=quote_id))


def _add_photos(quote, form) -> int:
    files = [f for f in form.file.data if f and f.filename]
    for f in files:
        services.add_photo(quote, current_user, f, "reinspection", form.line_id.data)
    return len(files)


@bp.route("/<int:quote_id>/photos", methods=["POST"])
@login_required
def photos(quote_id):
    quote = _quote(quote_id)
    form = ReinspectionPhotoForm()
    outcome, _count = run_form(form, lambda: _add_photos(quote, form),
                               success=lambda n: _("%(n)d re-inspection photo(s) added.", n=n))
    if outcome == INVALID:
        quote = _quote(quote_id)
        return _page(quote, _recorded_form(quote), photo_form=form, status=422)
    return redirect(url_for("garages_reinspection.page", quote_id=quote_id))


@bp.route("/<int:quote_id>/recovery", methods=["POST"])
@login_required
def recovery(quote_id):
    quote = _quote(quote_id)
    form = ConfirmForm()
    outcome, _ref = run_form(form, lambda: reinspection.confirm_recovery(quote, current_user),
                             success=lambda ref: _("Recovery opened against the garage: %(ref)s.", ref=ref))
    if outcome == INVALID:
        flash_errors(form)
    return redirect(url_for("garages_reinspection.page", quote_id=quote_id))
