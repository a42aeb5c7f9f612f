"""Pages of the parts-suppliers plugin (blueprint ``parts_suppliers``, under ``/parts``)."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.plugin import (DONE, Invalid, NotFound, Organization, PortalError, StaleVersion, TooLarge, User,
                          apply_errors, count_rows, db, run_form, xlsx_response)

from . import figures as fig
from . import forms, imports, price_import, services, supplier_views
from .catalog import PriceCatalog
from .models import LaborRate, LocalizedPrice, PriceFeedback, PriceList, PriceListItem, RegionalStandard

bp = Blueprint("parts_suppliers", __name__, url_prefix="/parts", template_folder="templates",
               static_folder="static", static_url_path="/static/parts_suppliers")
PER_PAGE = 50


def _is_pricing() -> bool:
    return current_user.is_insurer and current_user.has_role("pricing")


def _require(condition: bool) -> None:
    if not condition:
        abort(403)


def _page() -> int:
    return max(request.args.get("page", 1, type=int) or 1, 1)


def _wants_xlsx() -> bool:
    return request.args.get("export") == "xlsx"


def _lock(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


# --------------------------------------------------------------------------- price lists


@bp.route("/price-lists")
@login_required
def price_lists():
    """A supplier's versions, or every supplier's for insurer staff; counts per status."""
    _require(current_user.is_insurer or current_user.org_kind == "parts_supplier")
    base = services.visible_price_lists_stmt(current_user)
    status = request.args.get("status") or None
    counts = dict(db.session.execute(base.with_only_columns(PriceList.status, sa.func.count())
                                     .group_by(PriceList.status)).all())
    stmt = base.order_by(PriceList.id.desc())
    if status:
        stmt = stmt.where(PriceList.status == status)
    if _wants_xlsx():
        rows = [(pl.supplier.name, pl.list_version, _(pl.status), pl.rows, pl.source_filename, pl.uploaded_at,
                 pl.approved_at, (pl.diff_summary or {}).get("added"), (pl.diff_summary or {}).get("removed"),
                 (pl.diff_summary or {}).get("up"), (pl.diff_summary or {}).get("down"))
                for pl in db.session.scalars(stmt)]
        return xlsx_response(_("price-lists") + ".xlsx", [
            (_("Supplier"), "text"), (_("Version"), "number"), (_("Status"), "text"), (_("Lines"), "number"),
            (_("File"), "text"), (_("Uploaded"), "datetime"), (_("Decided"), "datetime"), (_("Added"), "number"),
            (_("Removed"), "number"), (_("Price up"), "number"), (_("Price down"), "number")], rows,
            title=_("Price lists"))
    page = _page()
    total = count_rows(stmt)
    lists = db.session.scalars(stmt.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).unique().all()
    return render_template("parts_suppliers/price_lists.html", lists=lists, counts=counts, status=status,
                           page=page, per_page=PER_PAGE, total=total, is_pricing=_is_pricing())


@bp.route("/price-lists/upload", methods=["GET", "POST"])
@login_required
def upload():
    _require(current_user.org_kind == "parts_supplier")
    form = forms.UploadForm()
    row_errors, status = [], 200
    if form.validate_on_submit():
        f = form.file.data
        try:
            if imports.stream_size(f.stream) > imports.background_threshold():
                job = imports.start(current_user.organization, f.stream, f.filename, actor=current_user)
                db.session.commit()
                imports.queue(job)
                return redirect(url_for("parts_suppliers.price_import_progress", import_id=job.id), 303)
            pl = price_import.import_price_list(current_user.organization, f.stream, f.filename, actor=current_user)
            db.session.commit()
        except TooLarge as exc:
            db.session.rollback()
            form.form_errors.append(_(exc.message))
            status = 413
        except Invalid as exc:
            db.session.rollback()
            row_errors = (exc.details or {}).get("rows") or []
            form.form_errors.append(exc.message)
            for key, msgs in (exc.details or {}).items():
                if key not in ("rows", "error_count"):
                    form.form_errors.extend(str(m) for m in msgs)
            status = 422
        else:
            flash(_("Version %(v)s uploaded: %(n)s lines, pending approval.", v=pl.list_version, n=pl.rows), "success")
            return redirect(url_for("parts_suppliers.price_list", list_id=pl.id), 303)
    elif request.method == "POST":
        status = 422
    return render_template("parts_suppliers/upload.html", form=form, row_errors=row_errors,
                           pending=services.pending_list(current_user.organization_id)), status


@bp.route("/price-lists/imports/<int:import_id>")
@login_required
def price_import_progress(import_id):
    """A background import's progress; the page asks again every two seconds until it ends."""
    job = imports.visible(import_id, current_user)
    if request.args.get("format") == "json":
        return imports.as_dict(job)
    return render_template("parts_suppliers/import_progress.html", job=job, IMPORT_LABELS=imports.IMPORT_LABELS)


@bp.route("/price-lists/<int:list_id>")
@login_required
def price_list(list_id):
    """One version: summary, its diff in tabs (biggest moves first) and its lines."""
    try:
        pl = services.get_visible_price_list(list_id, current_user)
    except (NotFound, PortalError):
        abort(404)
    tab = request.args.get("tab") or "up"
    page = _page()
    diff = pl.diff_summary or {"added": 0, "removed": 0, "up": 0, "down": 0}
    if tab == "items":
        stmt = sa.select(PriceListItem).where(PriceListItem.price_list_id == pl.id)
        total = pl.rows
        if _wants_xlsx():
            return _items_xlsx(pl)
        rows = db.session.scalars(stmt.order_by(PriceListItem.source_row)
                                  .limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    else:
        if tab not in services.DIFF_KINDS:
            abort(404)
        total = diff.get(tab, 0)
        if _wants_xlsx():
            changes = services.diff_changes(pl, tab, limit=1_000_000)
            return xlsx_response(f"price-list-{pl.id}-{tab}.xlsx", [
                (_("Part number"), "text"), (_("Quality"), "text"), (_("Part name"), "text"),
                (_("Old price"), "money"), (_("New price"), "money"), (_("Change"), "money"),
                (_("Change %"), "percent")],
                [(c["part_no"], _(c["quality"]), c["name"], c["old_price"], c["new_price"], c["change"],
                  c["change_ratio"]) for c in changes])
        rows = services.diff_changes(pl, tab, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    can_decide = _is_pricing() and pl.status == "pending"
    from portal.plugin import audit_trail

    trail = audit_trail("price_list", pl.id)
    users = dict(db.session.execute(sa.select(User.id, User.name).where(
        User.id.in_([e.actor_id for e in trail if e.actor_id] + [x for x in (pl.uploaded_by_id, pl.approved_by_id) if x])
    )).all())
    return render_template("parts_suppliers/price_list.html", pl=pl, diff=diff, tab=tab, rows=rows, page=page,
                           per_page=PER_PAGE, total=total, can_decide=can_decide, form=forms.DecisionForm(),
                           can_withdraw=pl.status == "pending" and current_user.organization_id == pl.supplier_id,
                           trail=trail, users=users)


def _items_xlsx(pl: PriceList):
    stmt = (sa.select(PriceListItem.part_no, PriceListItem.name, PriceListItem.quality, PriceListItem.make,
                      PriceListItem.model, PriceListItem.unit_price, PriceListItem.min_order,
                      PriceListItem.lead_time_days, PriceListItem.family, PriceListItem.assembly_no)
            .where(PriceListItem.price_list_id == pl.id).order_by(PriceListItem.source_row))
    rows = db.session.execute(stmt.execution_options(yield_per=5000))
    return xlsx_response(f"price-list-{pl.supplier_id}-v{pl.list_version}.xlsx", [
        ("part_no", "text"), ("name", "text"), ("quality", "text"), ("make", "text"), ("model", "text"),
        ("unit_price", "money"), ("min_order", "number"), ("lead_time_days", "number"), ("family", "text"),
        ("assembly_no", "text")], rows, title=f"v{pl.list_version}")


@bp.route("/price-lists/<int:list_id>/approve", methods=["POST"])
@login_required
def approve(list_id):
    return _decide(list_id, "approve")


@bp.route("/price-lists/<int:list_id>/reject", methods=["POST"])
@login_required
def reject(list_id):
    return _decide(list_id, "reject")


def _decide(list_id: int, action: str):
    _require(_is_pricing())
    form = forms.DecisionForm()
    pl = db.session.get(PriceList, list_id) or abort(404)
    lock, note = _lock(form.lock_version.data), form.note.data or None
    if action == "approve":
        return _step(pl, lambda: services.approve_price_list(pl, current_user, expected_version=lock, note=note),
                     _("Version %(v)s is now current.", v=pl.list_version))
    return _step(pl, lambda: services.reject_price_list(pl, current_user, note=note, expected_version=lock),
                 _("Version %(v)s rejected.", v=pl.list_version))


def _step(pl: PriceList, run, done: str):
    """Run one step of a list's life and commit; a refusal is a message on its page."""
    try:
        run()
        db.session.commit()
    except StaleVersion:
        db.session.rollback()
        flash(_("Someone else decided this version meanwhile; here is its current state."), "warning")
    except PortalError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        flash(done, "success")
    return redirect(url_for("parts_suppliers.price_list", list_id=pl.id), 303)


# --------------------------------------------------------------------------- supplier: my prices


@bp.route("/my-prices")
@login_required
def my_prices():
    """The supplier's current prices beside the reference price of its region."""
    _require(current_user.org_kind == "parts_supplier")
    current = services.current_list(current_user.organization_id)
    region = current_user.organization.region
    rows, total, page = [], 0, _page()
    if current is not None:
        stmt = sa.select(PriceListItem).where(PriceListItem.price_list_id == current.id)
        q = (request.args.get("q") or "").strip().upper()
        if q:
            stmt = stmt.where(PriceListItem.part_no.contains(q, autoescape=True))
        total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))
        if _wants_xlsx():
            items = db.session.scalars(stmt.order_by(PriceListItem.source_row)).all()
        else:
            items = db.session.scalars(stmt.order_by(PriceListItem.source_row)
                                       .limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
        refs = {}
        for k in range(0, len(items), 900):
            refs.update(PriceCatalog().reference_prices([(i.part_no, i.quality) for i in items[k:k + 900]], region))
        for item in items:
            ref = refs.get((item.part_no, item.quality))
            ratio = ((item.unit_price / ref.price) - 1).quantize(Decimal("0.0001")) if ref else None
            if ref is None:
                position = "none"
            elif ref.source == "supplier" and ref.supplier_id == current_user.organization_id:
                position = "reference"
            elif ratio > 0:
                position = "above"
            elif ratio < 0:
                position = "below"
            else:
                position = "equal"
            # a competitor's list price (and the exact gap, which gives it away) stays hidden: the
            # position says how this price compares (security review M5)
            rival = ref is not None and ref.source == "supplier" and ref.supplier_id != current_user.organization_id
            rows.append({"item": item, "ref": ref, "ratio": None if rival else ratio, "position": position,
                         "price": None if rival or ref is None else ref.price})
        if _wants_xlsx():
            return xlsx_response(_("my-prices") + ".xlsx", [
                (_("Part number"), "text"), (_("Part name"), "text"), (_("Quality"), "text"),
                (_("My price"), "money"), (_("Reference price"), "money"), (_("Source"), "text"),
                (_("Against reference"), "percent"), (_("Position"), "text")],
                [(r["item"].part_no, r["item"].name, _(r["item"].quality), r["item"].unit_price,
                  r["price"], _(r["ref"].source) if r["ref"] else None, r["ratio"],
                  _(r["position"])) for r in rows])
    return render_template("parts_suppliers/my_prices.html", current=current, rows=rows, total=total, page=page,
                           per_page=PER_PAGE, region=region)


# --------------------------------------------------------------------------- pricing staff


@bp.route("/localized", methods=["GET", "POST"])
@login_required
def localized_prices():
    _require(_is_pricing())
    form = forms.LocalizedPriceForm()
    outcome, _done = run_form(form, lambda: services.set_localized_price(
        form.part_no.data, form.quality.data, form.region.data, form.price.data, current_user),
        success=_("Localized price saved."), flash_refusals=False)
    if outcome == DONE:
        return redirect(url_for("parts_suppliers.localized_prices"), 303)
    q = (request.args.get("q") or "").strip().upper()
    region = request.args.get("region") or None
    stmt = services.current_localized_stmt().order_by(LocalizedPrice.region, LocalizedPrice.part_no)
    if q:
        stmt = stmt.where(LocalizedPrice.part_no.contains(q, autoescape=True))
    if region:
        stmt = stmt.where(LocalizedPrice.region == region)
    if _wants_xlsx():
        return xlsx_response(_("localized-prices") + ".xlsx", [
            (_("Part number"), "text"), (_("Quality"), "text"), (_("Region"), "text"), (_("Price"), "money"),
            (_("Set at"), "datetime")],
            [(r.part_no, _(r.quality), r.region, r.price, r.set_at) for r in db.session.scalars(stmt)])
    page = _page()
    total = count_rows(stmt)
    rows = db.session.scalars(stmt.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    regions = db.session.execute(sa.select(LocalizedPrice.region, sa.func.count(sa.distinct(
        LocalizedPrice.part_no + "|" + LocalizedPrice.quality))).group_by(LocalizedPrice.region)).all()
    history = db.session.scalars(sa.select(LocalizedPrice).order_by(LocalizedPrice.id.desc()).limit(10)).all()
    return render_template("parts_suppliers/localized.html", form=form, rows=rows, total=total, page=page,
                           per_page=PER_PAGE, regions=regions, region=region, history=history), \
        422 if form.errors else 200


@bp.route("/labor-rates", methods=["GET", "POST"])
@login_required
def labor_rates():
    _require(_is_pricing())
    garages = db.session.scalars(sa.select(Organization).where(Organization.kind == "garage")
                                 .order_by(Organization.name)).all()
    form = forms.LaborRateForm()
    form.garage_id.choices = [(g.id, f"{g.name} · {g.region}") for g in garages]
    if request.method == "GET" and request.args.get("garage_id", type=int):
        form.garage_id.data = request.args.get("garage_id", type=int)
    if form.validate_on_submit():
        try:
            services.set_labor_rate(form.garage_id.data, form.rate.data, current_user, form.effective_from.data)
            db.session.commit()
        except (Invalid, NotFound) as exc:
            db.session.rollback()
            apply_errors(form, exc if isinstance(exc, Invalid) else Invalid.field("garage_id", exc.message))
        else:
            flash(_("Labour rate approved."), "success")
            return redirect(url_for("parts_suppliers.labor_rates"), 303)
    history = db.session.scalars(sa.select(LaborRate).order_by(LaborRate.id.desc()).limit(500)).all()
    current: dict[int, LaborRate] = {}
    from portal.plugin import local_now

    today = local_now().date()
    for r in sorted(history, key=lambda r: (r.effective_from, r.id)):
        if r.effective_from <= today:
            current[r.garage_id] = r
    standards = {s.region: s for s in db.session.scalars(services.current_standards_stmt())}
    rows = [{"garage": g, "rate": current.get(g.id), "standard": standards.get(g.region)} for g in garages]
    if _wants_xlsx():
        return xlsx_response(_("labour-rates") + ".xlsx", [
            (_("Garage"), "text"), (_("Region"), "text"), (_("Approved rate"), "money"),
            (_("Effective from"), "date"), (_("Regional standard"), "money")],
            [(r["garage"].name, r["garage"].region, r["rate"].rate if r["rate"] else None,
              r["rate"].effective_from if r["rate"] else None,
              r["standard"].labor_rate if r["standard"] else None) for r in rows])
    return render_template("parts_suppliers/labor_rates.html", form=form, rows=rows, history=history[:20]), \
        422 if form.errors else 200


@bp.route("/standards", methods=["GET", "POST"])
@login_required
def standards():
    _require(_is_pricing())
    form = forms.StandardForm()
    if request.method == "GET" and request.args.get("region"):
        form.region.data = request.args["region"]
    outcome, _done = run_form(form, lambda: services.set_regional_standard(
        form.region.data, current_user, form.labor_rate.data or None, form.towing_fee.data or None),
        success=_("Regional standards saved."), flash_refusals=False)
    if outcome == DONE:
        return redirect(url_for("parts_suppliers.standards"), 303)
    rows = db.session.scalars(services.current_standards_stmt()).all()
    if _wants_xlsx():
        return xlsx_response(_("regional-standards") + ".xlsx", [
            (_("Region"), "text"), (_("Standard labour rate"), "money"), (_("Towing fee"), "money"),
            (_("Set at"), "datetime")], [(r.region, r.labor_rate, r.towing_fee, r.set_at) for r in rows])
    history = db.session.scalars(sa.select(RegionalStandard).order_by(RegionalStandard.id.desc()).limit(20)).all()
    return render_template("parts_suppliers/standards.html", form=form, rows=rows, history=history), \
        422 if form.errors else 200


# --------------------------------------------------------------------------- price feedback


@bp.route("/feedback")
@login_required
def feedback_queue():
    """Pricing staff: the queue with counts and answer forms; assessors: their own."""
    _require(current_user.is_insurer and current_user.has_role("pricing", "assessor", "supervisor"))
    base = sa.select(PriceFeedback)
    if not _is_pricing():
        base = base.where(PriceFeedback.from_user_id == current_user.id)
    counts = dict(db.session.execute(base.with_only_columns(PriceFeedback.status, sa.func.count())
                                     .group_by(PriceFeedback.status)).all())
    status = request.args.get("status") or None
    stmt = base.order_by(PriceFeedback.status.desc(), PriceFeedback.id.desc())
    if status:
        stmt = stmt.where(PriceFeedback.status == status)
    if _wants_xlsx():
        rows = db.session.scalars(stmt).all()
    else:
        page = _page()
        total = count_rows(stmt)
        rows = db.session.scalars(stmt.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    ids = {r.from_user_id for r in rows} | {r.answered_by_id for r in rows if r.answered_by_id}
    users = dict(db.session.execute(sa.select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}
    org_ids = {r.reference_supplier_id for r in rows if r.reference_supplier_id}
    orgs = dict(db.session.execute(sa.select(Organization.id, Organization.name)
                                   .where(Organization.id.in_(org_ids))).all()) if org_ids else {}
    if _wants_xlsx():
        return xlsx_response(_("price-feedback") + ".xlsx", [
            (_("Sent"), "datetime"), (_("Part number"), "text"), (_("Quality"), "text"), (_("Region"), "text"),
            (_("Reference price"), "money"), (_("Suggested price"), "money"), (_("Comment"), "text"),
            (_("From"), "text"), (_("Status"), "text"), (_("Answer"), "text")],
            [(r.created_at, r.part_no, _(r.quality), r.region, r.reference_price, r.suggested_price, r.comment,
              users.get(r.from_user_id), _(r.status), r.answer) for r in rows])
    return render_template("parts_suppliers/feedback.html", rows=rows, counts=counts, status=status, page=page,
                           per_page=PER_PAGE, total=total, users=users, orgs=orgs, is_pricing=_is_pricing(),
                           answer_form=forms.AnswerForm())


@bp.route("/feedback/<int:feedback_id>/answer", methods=["POST"])
@login_required
def answer_feedback(feedback_id):
    _require(_is_pricing())
    form = forms.AnswerForm()
    fb = db.session.get(PriceFeedback, feedback_id) or abort(404)
    try:
        services.answer_feedback(fb, form.answer.data, current_user, expected_version=_lock(form.version.data))
        db.session.commit()
    except PortalError as exc:
        db.session.rollback()
        flash(exc.message if not isinstance(exc, Invalid) else " ".join(
            str(m) for msgs in exc.details.values() for m in msgs), "danger")
    else:
        flash(_("Answer sent."), "success")
    return redirect(url_for("parts_suppliers.feedback_queue", status="open"), 303)


@bp.route("/feedback/new", methods=["GET", "POST"])
@login_required
def new_feedback():
    """Price feedback from the review screen: part, grade, region and quote prefilled."""
    _require(current_user.is_insurer and current_user.has_role("assessor", "supervisor"))
    form = forms.FeedbackForm(data=None if request.method == "POST" else {
        "part_no": request.args.get("part_no", ""), "quality": request.args.get("quality", "genuine"),
        "region": request.args.get("region") or current_user.organization.region,
        "quote_id": request.args.get("quote_id", type=int)})
    ref = None
    if form.part_no.data and form.quality.data in ("genuine", "equivalent", "recycled") and form.region.data:
        ref = PriceCatalog().reference_prices([(form.part_no.data, form.quality.data)], form.region.data) \
            .get((form.part_no.data, form.quality.data))
    outcome, _done = run_form(form, lambda: services.create_feedback(
        current_user, part_no=form.part_no.data, quality=form.quality.data, region=form.region.data,
        quote_id=form.quote_id.data, comment=form.comment.data or "",
        suggested_price=form.suggested_price.data or None),
        success=_("Thank you: pricing staff will look at this price."), flash_refusals=False)
    if outcome == DONE:
        back = request.args.get("next")
        if back and back.startswith("/") and not back.startswith("//"):
            return redirect(back, 303)
        return redirect(url_for("parts_suppliers.feedback_queue"), 303)
    return render_template("parts_suppliers/feedback_new.html", form=form, ref=ref), 422 if form.errors else 200


@bp.route("/figures")
@login_required
def figures():
    _require(_is_pricing())
    quotes = fig.quote_figures(90)
    spread = fig.price_spread(limit=50)
    current = db.session.execute(sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(PriceList.rows), 0))
                                 .where(PriceList.status == "current")).one()
    localized = db.session.scalar(sa.select(sa.func.count()).select_from(services.current_localized_stmt().subquery()))
    if _wants_xlsx():
        return xlsx_response(_("price-spread") + ".xlsx", [
            (_("Part number"), "text"), (_("Quality"), "text"), (_("Part name"), "text"),
            (_("Suppliers"), "number"), (_("Lowest"), "money"), (_("Highest"), "money"), (_("Max/min"), "number")],
            [(s["part_no"], _(s["quality"]), s["name"], s["suppliers"], s["min"], s["max"], s["ratio"])
             for s in spread])
    chart = [(g["name"], round(float(g["custom_rate"] or 0) * 100, 1)) for g in (quotes or {}).get("garages", [])[:12]]
    return render_template("parts_suppliers/figures.html", quotes=quotes, chart=chart, spread=spread, current_lists=current[0],
                           current_lines=current[1], localized=localized)


supplier_views.register(bp, _step)   # the supplier's own steps, on this blueprint
