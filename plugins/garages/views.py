"""Web pages: the assessor's review screen (核损), the garage's editor, audit sampling (the
review queue and the garage's quote list: ``queue_views``). Every rule is in ``services``;
every change is a form of ``forms`` run by ``run_form`` (shown again with what was typed
when it is refused a field)."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask import (Blueprint, abort, current_app, flash, get_flashed_messages, get_template_attribute, jsonify, redirect,
                   render_template, request, url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.plugin import (DONE, INVALID, Invalid, InvalidState, db, get_visible_claim, has_permission, run_form, term,
                           xlsx_response)

from . import rules as R
from . import services
from .assessment_sheet import check_may_download, may_download, pdf_response
from .controls import annotate
from .finding_texts import finding_text
from .forms import ConfirmForm, InspectionForm, PhotoForm, QuoteForm, VersionForm, decision_form, template_row
from .models import PHOTO_KINDS, AuditSample
from .services import rounds
from .services.evidence import MISSING_PHOTOS, damage_photos, gallery
from .services.photos import photo_response, thumbnail_response
from .services.review import approve_preview

bp = Blueprint("garages", __name__, url_prefix="/garages", template_folder="templates",
               static_folder="static")   # /garages/static/quote-editor.js
# a finding's sentence in the reader's language (finding_texts.py)
bp.add_app_template_global(finding_text, "finding_text")


def _staff():
    if not current_user.is_insurer:
        abort(404)


def _partner():
    if current_user.org_kind not in ("garage", "specialist_repairer"):
        abort(404)


def flash_errors(form) -> None:
    """A form with nothing typed to show again (a button, a hidden version): its errors, flashed."""
    flash(" ".join(str(m) for msgs in form.errors.values() for m in msgs), "danger")


def _line_data(ln) -> dict:
    return {"id": ln.id, "kind": ln.kind, "part_no": ln.part_no, "name": ln.name, "quality": ln.quality,
            "quantity": ln.quantity, "unit_price": ln.unit_price, "comment": ln.garage_comment,
            "source_line_id": ln.source_line_id, "accept": ln.answer_kind == "accept"}


def _quote_form(quote) -> QuoteForm:
    """The editor's form as the quote stands."""
    return QuoteForm(formdata=None, data={"lines": [_line_data(ln) for ln in quote.lines], "version": quote.version})


def _editor(claim, quote, form: QuoteForm, photo_form: PhotoForm | None = None, status: int = 200):
    """The editor: the rows as the form has them (typed, or the quote's) with empty rows to
    write more in; beside a saved line its amounts, findings and photos."""
    form.leave_room()
    findings = {}
    for f in quote.findings if quote is not None else ():
        findings.setdefault(f.line_id, []).append(f)
    verdict = services.fast_track_verdict(quote, quote.findings) if quote is not None and quote.findings else None
    return render_template("garages/editor.html", claim=claim, quote=quote, form=form, template_row=template_row(),
                           photo_form=photo_form or PhotoForm(formdata=None), findings=findings, verdict=verdict,
                           saved={ln.id: ln for ln in quote.lines} if quote is not None else {},
                           supplement_to=quote.supplement_to if quote is not None else form.supplement_to.data,
                           photo_kinds=PHOTO_KINDS,
                           gallery=gallery(quote, current_user) if quote is not None else None,
                           round_now=rounds.current_round(quote) if quote is not None else {}), status


@bp.route("/claims/<claim_no>/quotes/new", methods=["GET", "POST"])
@login_required
def new_quote(claim_no):
    _partner()
    purpose = services.PURPOSE_BY_KIND[current_user.org_kind]
    claim = get_visible_claim(claim_no, current_user, purposes=(purpose,))
    if request.method == "GET":   # a specialist repairer starts from the lines routed to it (外加工)
        routed = [{"kind": "repair", "name": ln.name, "part_no": ln.part_no, "quantity": Decimal(1),
                   "source_line_id": ln.id} for ln in services.routed_lines(claim)] \
            if purpose == "specialist_repair" else []
        return _editor(claim, None, QuoteForm(data={"lines": routed,
                                                    "supplement_to": request.args.get("supplement_to", type=int)}))
    form = QuoteForm()
    outcome, quote = run_form(form, lambda: services.create_quote(
        claim_no, current_user, form.line_dicts(), submit=False, supplement_to=form.supplement_to.data),
        success=_("Draft saved. Add photos, run the pre-check, then submit."), field_names=form.field_name)
    if outcome == DONE:
        return redirect(url_for("garages.edit_quote", quote_id=quote.id))
    return _editor(claim, None, form, status=422 if outcome == INVALID else 409)   # 409: refused, said above


def _save(quote, form: QuoteForm):
    services.replace_lines(quote, current_user, form.line_dicts(), expected_version=form.version.data)
    if form.action.data == "precheck":
        services.precheck(quote, current_user)
    elif form.action.data == "submit":
        try:
            services.submit_quote(quote, current_user)
        except Invalid as exc:   # the minimum of damage photos, in the reader's language
            if "photos" in (exc.details or {}):
                need, have = damage_photos(quote)
                exc.details["photos"] = [_(MISSING_PHOTOS, need=need, have=have)]
            raise
    return quote


def _saved(action: str):
    def message(quote) -> str:
        if action == "submit":
            return _("Quote submitted.") if quote.status != "approved" else \
                _("Quote approved automatically (fast track).")
        return _("Pre-check done: see the findings beside the lines.") if action == "precheck" else _("Draft saved.")
    return message


@bp.route("/quotes/<int:quote_id>/edit", methods=["GET", "POST"])
@login_required
def edit_quote(quote_id):
    _partner()
    quote = services.load_quote_for_display(quote_id, current_user)
    form = QuoteForm() if request.method == "POST" else _quote_form(quote)
    if request.method == "POST":
        outcome, _result = run_form(form, lambda: _save(quote, form), success=_saved(form.action.data),
                                    field_names=form.field_name)
        if outcome == DONE and form.action.data == "submit":
            return redirect(url_for("garages.quote_detail", quote_id=quote_id))
        if outcome == DONE:
            return redirect(url_for("garages.edit_quote", quote_id=quote_id))
        quote = services.load_quote_for_display(quote_id, current_user)   # refused (said above): typed rows kept
    if quote.status not in ("draft", "returned"):
        return redirect(url_for("garages.quote_detail", quote_id=quote_id))
    status = 200 if request.method != "POST" else (422 if outcome == INVALID else 409)
    return _editor(quote.claim, quote, form, status=status)


@bp.route("/quotes/<int:quote_id>/photos", methods=["POST"])
@login_required
def upload_photo(quote_id):
    """The garage's photos, one or several files (``multiple``). Sent by ``static/photos.js``
    (``X-Requested-With: fetch``): answered in JSON with each new photo's gallery card, so the
    page is not reloaded and nothing typed in the editor is lost; else the page again."""
    _partner()
    in_place = request.headers.get("X-Requested-With") == "fetch"
    quote = services.get_quote(quote_id, current_user)
    form = PhotoForm()
    files = [f for f in request.files.getlist("file") if f and f.filename] or [form.file.data]
    outcome, added = run_form(form, lambda: [services.add_photo(
        quote, current_user, f, form.kind.data, form.line_id.data) for f in files],
        success=_("Photo added.") if len(files) == 1 else _("%(n)d photos added.", n=len(files)))
    if in_place:
        messages = [m for _c, m in get_flashed_messages(with_categories=True)]   # said here, not on the next page
        if outcome == DONE:
            quote = services.load_quote_for_display(quote_id, current_user)
            card = get_template_attribute("garages/_lines.html", "photo_card")
            mini = get_template_attribute("garages/_lines.html", "photo_links")
            shown = gallery(quote, current_user)
            return jsonify(photos=[{"id": p.id, "line_id": p.line_id, "html": str(card(quote, p, shown)),
                                    "mini": str(mini(quote, [p]))} for p in added],
                           message=" ".join(messages)), 201
        errors = [str(m) for msgs in form.errors.values() for m in msgs] + list(form.form_errors) + messages
        return jsonify(errors=errors or [_("The photo was not added.")]), 422 if outcome == INVALID else 409
    editable = quote.status in ("draft", "returned")
    if outcome == INVALID and editable:   # the editor again, the error beside the file
        quote = services.load_quote_for_display(quote_id, current_user)
        return _editor(quote.claim, quote, _quote_form(quote), photo_form=form, status=422)
    if outcome == INVALID:
        flash_errors(form)
    return redirect(url_for("garages.edit_quote" if editable else "garages.quote_detail", quote_id=quote_id))


@bp.route("/quotes/<int:quote_id>/photos/<int:photo_id>/delete", methods=["POST"])
@login_required
def delete_photo(quote_id, photo_id):
    """The garage deletes a photo it added since the last submission: hidden, kept, audited."""
    _partner()
    quote = services.get_quote(quote_id, current_user)
    form = ConfirmForm()
    outcome, _photo = run_form(form, lambda: services.delete_photo(quote, photo_id, current_user),
                               success=_("Photo deleted."))
    if request.headers.get("X-Requested-With") == "fetch":
        messages = [m for _c, m in get_flashed_messages(with_categories=True)]
        return jsonify(deleted=outcome == DONE, message=" ".join(messages)), 200 if outcome == DONE else 409
    if outcome == INVALID:
        flash_errors(form)
    editable = quote.status in ("draft", "returned")
    return redirect(url_for("garages.edit_quote" if editable else "garages.quote_detail", quote_id=quote_id))


@bp.route("/quotes/<int:quote_id>/photos/<int:photo_id>")
@login_required
def photo(quote_id, photo_id):
    quote = services.get_quote(quote_id, current_user)
    return photo_response(services.get_photo(quote, photo_id, current_user))


@bp.route("/quotes/<int:quote_id>/photos/<int:photo_id>/thumbnail")
@login_required
def photo_thumbnail(quote_id, photo_id):
    quote = services.get_quote(quote_id, current_user)
    return thumbnail_response(services.get_photo(quote, photo_id, current_user))


@bp.route("/quotes/<int:quote_id>/sheet.pdf")
@login_required
def assessment_sheet(quote_id):
    """定损单 as PDF (staff always; the garage once approved, else back to the quote with why)."""
    quote = services.load_quote_for_display(quote_id, current_user)
    try:
        check_may_download(quote, current_user)
    except InvalidState:
        flash(_("The assessment sheet is issued once the quote is approved."), "warning")
        return redirect(url_for("garages.quote_detail", quote_id=quote_id))
    return pdf_response(quote, current_user)


@bp.route("/quotes/<int:quote_id>", methods=["GET"])
@login_required
def quote_detail(quote_id):
    """Staff: the review screen. Garage: the decision line by line and what to do next."""
    return _quote_page(services.load_quote_for_display(quote_id, current_user))


def _quote_page(quote, form=None, status: int = 200):
    """The quote's page; to staff with the review form (``form``: as typed, shown again)."""
    findings = {}
    for f in quote.findings:
        findings.setdefault(f.line_id, []).append(f)
    annotate(quote, current_user)   # the claim's repair total; to staff, what approving would do
    photos = {}
    for p in quote.shown_photos:
        photos.setdefault(p.line_id, []).append(p)
    from portal.plugin import User
    user_ids = {d.user_id for d in quote.decisions if d.user_id} | (
        {quote.assigned_reviewer_id} if quote.assigned_reviewer_id and current_user.is_insurer else set())
    users = {}
    for uid, name, org_id in (db.session.execute(sa.select(User.id, User.name, User.organization_id)
                                                 .where(User.id.in_(user_ids))).all() if user_ids else []):
        # a partner reads its own people by name; the insurer's by role, unless configured (一人终审)
        users[uid] = name if (current_user.is_insurer or org_id == current_user.organization_id
                              or R.rules().get("show_reviewer_names_to_partners")) else _("Insurer reviewer")
    ctx = dict(quote=quote, findings=findings, photos=photos, users=users, gallery=gallery(quote, current_user),
               owner_name=users.get(quote.assigned_reviewer_id) if current_user.is_insurer else None, reasons=R.rules()["reduction_reasons"],
               photo_kinds=PHOTO_KINDS, hold_reasons=R.rules()["hold_reasons"],
               may_print_sheet=may_download(quote, current_user),
               rounds=rounds.rounds_of(quote) if quote.return_count else [], delta=rounds.supplement_delta(quote))
    if current_user.is_insurer and current_user.has_role("supervisor", "admin"):
        from .assignment import reviewers_for_choice

        ctx["reviewers"] = reviewers_for_choice()
    if current_user.is_insurer:
        actions = services.allowed_actions(quote, current_user)
        ctx.update(history=services.vin_history(quote), actions=actions,
                   preview=approve_preview(quote, current_user) if "approve" in actions else None,
                   verdict=services.fast_track_verdict(quote, quote.findings),
                   salvage_url=url_for("salvage.new_lot", claim_no=quote.claim.claim_no)
                   if "salvage.new_lot" in current_app.view_functions else None,
                   feedback=("parts_suppliers.new_feedback" in current_app.view_functions),
                   sample=db.session.scalar(sa.select(AuditSample).where(AuditSample.quote_id == quote.id)),
                   form=form or decision_form(quote, formdata=None,
                                              data={f"reason_{ln.id}": ln.reason for ln in quote.lines}))
        return render_template("garages/review.html", **ctx), status
    return render_template("garages/garage_quote.html", **ctx), status


@bp.route("/quotes/<int:quote_id>/withdraw", methods=["POST"])
@login_required
def withdraw(quote_id):
    """The garage withdraws a quote before a decision (撤回), or deletes a draft."""
    _partner()
    quote = services.get_quote(quote_id, current_user)
    form = VersionForm()
    deleting = quote.status == "draft"
    change = services.delete_draft if deleting else services.withdraw_quote
    outcome, _quote = run_form(form, lambda: change(quote, current_user, expected_version=form.version.data),
                               success=_("Draft deleted.") if deleting else _("Quote withdrawn."))
    if outcome == DONE and deleting:
        return redirect(url_for("garages.my_quotes"))
    if outcome == INVALID:
        flash_errors(form)
    return redirect(url_for("garages.quote_detail", quote_id=quote_id))


@bp.route("/quotes/<int:quote_id>/decide", methods=["POST"])
@login_required
def decide(quote_id):
    _staff()
    quote = services.get_quote(quote_id, current_user)
    form = decision_form(quote)
    outcome, _quote = run_form(form, lambda: services.decide(
        quote, current_user, form.action.data, form.version.data, form.comment.data, form.adjustments(),
        reason=form.hold_reason.data or None, assignee_id=form.assignee_id.data),
        success=lambda decided: _("Decision recorded: %(status)s.", status=term("quote.status", decided.status)),
        field_names=form.field_name)
    if outcome != DONE:   # the review screen again, what was typed and why beside it (a refusal: said above)
        return _quote_page(services.load_quote_for_display(quote_id, current_user), form,
                           422 if outcome == INVALID else 409)
    return redirect(url_for("garages.quote_detail", quote_id=quote_id))


def _sample(sample_id: int) -> AuditSample:
    sample = db.session.get(AuditSample, sample_id)
    if sample is None:
        abort(404)
    return sample


@bp.route("/samples", methods=["GET", "POST"])
@login_required
def samples():
    """Audit sampling (稽查): the drawn quotes, why, the seed; re-inspection results."""
    _staff()
    form = InspectionForm()
    if request.method == "POST":
        outcome, _done = run_form(form, lambda: services.record_inspection(
            _sample(form.sample_id.data), current_user, form.result.data, form.note.data),
            success=_("Re-inspection recorded."))
        if outcome != INVALID:
            return redirect(url_for("garages.samples"))
    rows = db.session.scalars(sa.select(AuditSample).order_by(AuditSample.sample_date.desc(), AuditSample.id)
                              .limit(500)).all()
    if request.args.get("export") == "xlsx":
        return xlsx_response("audit-samples.xlsx", [
            (_("Date"), "date"), (_("Quote"), "number"), (_("Reason"), "text"), (_("Seed"), "text"),
            (_("Share"), "percent"), (_("Result"), "text")],
            [(s.sample_date, s.quote_id, _(s.reason), s.seed, s.share, _(s.result or "pending")) for s in rows])
    return render_template("garages/samples.html", samples=rows, results=services.INSPECTION_RESULTS,
                           form=form, draw_form=ConfirmForm(formdata=None), every=services.draw_schedule(),
                           may_draw=has_permission(current_user, "quotes.sample"),
                           day=services.yesterday_local()), 422 if request.method == "POST" else 200


def _drawn(draw) -> str:
    if draw.already:
        return _("The sample of the quotes approved on %(day)s was drawn already; nothing new drawn.", day=draw.day)
    if not draw.drawn:
        return _("Nothing drawn from the quotes approved on %(day)s (the day's draw is the same however often it "
                 "runs).", day=draw.day)
    return _("Sample drawn: %(n)s of the quotes approved on %(day)s.", n=len(draw.drawn), day=draw.day)


@bp.route("/samples/draw", methods=["POST"])
@login_required
def draw_sample():
    """Draw today's sample now (the scheduled job's draw, once per day; supervisors only)."""
    _staff()
    form = ConfirmForm()
    outcome, _draw = run_form(form, lambda: services.draw_todays_sample(current_user), success=_drawn)
    if outcome == INVALID:
        flash_errors(form)
    return redirect(url_for("garages.samples"))
