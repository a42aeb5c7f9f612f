"""Salvage pages: the desk's lots by status (损余物资管理) and the vendors' auction
(竞价大厅): open lots, their bids, their won lots with next steps."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.plugin import (DONE, Claim, Invalid, Labels, InvalidState, StaleVersion, apply_errors, audit_trail,
                          count_rows, db, local_now, local_time, money, month_start, run_form, send_upload,
                          utcnow, xlsx_response)

from . import present, services
from .api import filtered_lots_stmt
from .forms import BidForm, DisposalForm, LotForm, PhotoForm, PickupForm, ProceedsForm, ReopenForm
from .models import STATUSES, SalvageBid, SalvageLot

bp = Blueprint("salvage", __name__, url_prefix="/salvage", template_folder="templates")
PER_PAGE = 50


def _staff_only():
    if not services.is_staff(current_user):
        abort(403)


def time_left(closes_at, now=None) -> str:
    now = now or utcnow()
    if closes_at is None or closes_at <= now:
        return _("Bidding closed")
    delta = closes_at - now
    days, hours, minutes = delta.days, delta.seconds // 3600, (delta.seconds % 3600) // 60
    if days:
        return _("%(d)d d %(h)d h", d=days, h=hours)
    if hours:
        return _("%(h)d h %(m)d min", h=hours, m=minutes)
    return _("%(m)d min", m=minutes)


@bp.app_template_global("salvage_time_left")
def _time_left(closes_at):
    return time_left(closes_at)


STATUS_LABELS = Labels("salvage_lot.status")   # the glossary's words (竞价中 … 已结算)


@bp.app_template_global("salvage_status")
def _status_label(status):
    """The lot's status in the viewer's language, from the glossary."""
    return STATUS_LABELS.get(status, status)


@bp.app_template_global("chart_rows")
def _chart_rows(periods):
    """Bar-chart rows ``[(month, net recovery)]`` of :func:`services.recovery_by_month`."""
    return [(p.period, p.net) for p in periods]


@bp.app_template_global("money_short")
def _money_short(value):
    return f"¥{value:,.0f}"


# --------------------------------------------------------------------------- staff desk


@bp.route("/")
@login_required
def lots():
    """Staff: lots by status with counts, queues, net recovery per period."""
    if not services.is_staff(current_user):
        return redirect(url_for("salvage.market"))
    services.close_due_lots()
    status = request.args.get("status") if request.args.get("status") in STATUSES else None
    queue = request.args.get("queue") if request.args.get("queue") in ("overdue_pickups", "unbooked_proceeds") else None
    claim_no = (request.args.get("claim_no") or "").strip() or None
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    counts = dict(db.session.execute(sa.select(SalvageLot.status, sa.func.count()).group_by(SalvageLot.status)).all())
    overdue = db.session.scalar(sa.select(sa.func.count()).select_from(services.overdue_pickups_stmt().subquery()))
    unbooked = counts.get("picked_up", 0) + counts.get("disposed", 0)
    stmt = filtered_lots_stmt(current_user, status, claim_no, queue)
    total = count_rows(stmt)
    rows = db.session.scalars(stmt.order_by(SalvageLot.id.desc()).limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    today = local_now().date()
    periods = services.recovery_by_month(month_start(today, -5), month_start(today, 1))
    return render_template("salvage/lots.html", lots=rows, counts=counts, overdue=overdue, unbooked=unbooked,
                           status=status, queue=queue, claim_no=claim_no, page=page, per_page=PER_PAGE, total=total,
                           periods=periods, now=utcnow(), statuses=STATUSES)


EXPORT_COLUMNS_STAFF = [
    ("Lot", "number"), ("Claim", "text"), ("Description", "text"), ("Source", "text"), ("Status", "text"),
    ("Estimated value", "money"), ("Reserve", "money"), ("Bids", "number"), ("Closes at", "datetime"),
    ("Winner", "text"), ("Winning bid", "money"), ("Pickup due", "datetime"), ("Picked up", "datetime"),
    ("Disposal", "text"), ("Proceeds", "money"), ("Booked on", "date"), ("Costs", "money"),
    ("Net recovery", "money"), ("Below estimate", "text"),
]


@bp.route("/export.xlsx")
@login_required
def export():
    """Every list page exports: staff the filtered lots; a vendor the lots it may see."""
    status = request.args.get("status") if request.args.get("status") in STATUSES else None
    queue = request.args.get("queue") if request.args.get("queue") in ("overdue_pickups", "unbooked_proceeds") else None
    stmt = filtered_lots_stmt(current_user, status, request.args.get("claim_no") or None, queue)
    lots_ = db.session.scalars(stmt.order_by(SalvageLot.id.desc())).all()
    rows = []
    for lot in present.lot_list(list(lots_), current_user):
        winner = next((x.winner.name for x in lots_ if x.id == lot["id"] and x.winner and lot["winner_id"]), None)
        rows.append([lot["id"], lot["claim_no"], lot["description"], lot["source"], lot["status"],
                     lot["estimated_value"], lot["reserve_price"], lot["bid_count"], lot["bidding_closes_at"],
                     winner, lot["amount"], lot["pickup_due_at"], lot["picked_up_at"], lot["disposal"],
                     lot["proceeds_amount"], lot["booked_on"], lot["costs"], lot["net_recovery"],
                     "" if lot["below_estimate"] is None else ("yes" if lot["below_estimate"] else "no")])
    columns = EXPORT_COLUMNS_STAFF
    if not services.is_staff(current_user):
        drop = {"Reserve", "Bids"}
        keep = [i for i, (h, _k) in enumerate(columns) if h not in drop]
        columns = [columns[i] for i in keep]
        rows = [[r[i] for i in keep] for r in rows]
    return xlsx_response(f"salvage-lots-{local_now():%Y%m%d}.xlsx", columns, rows, title="Salvage lots")


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new_lot():
    """Open a lot; ``?claim_no=`` prefills the claim (linked from a TOTAL_LOSS_SUSPECTED finding)."""
    _staff_only()
    form = LotForm()
    if request.method == "GET":
        form.claim_no.data = request.args.get("claim_no", "")
        if not form.bidding_closes_at.data:
            form.bidding_closes_at.data = (local_now() + timedelta(days=3)).replace(
                hour=17, minute=0, second=0, microsecond=0, tzinfo=None)
        claim = db.session.scalar(sa.select(Claim).where(Claim.claim_no == form.claim_no.data)) if form.claim_no.data else None
        if claim is not None and not form.description.data:
            form.description.data = f"{claim.model} {claim.plate}"
            form.vin.data = claim.vin
    outcome, lot = run_form(form, lambda: services.create_lot(
        actor=current_user, claim_no=form.claim_no.data, description=form.description.data,
        estimated_value=form.estimated_value.data, reserve_price=form.reserve_price.data,
        bidding_closes_at=form.bidding_closes_at.aware, source=form.source.data, location=form.location.data,
        facts=form.facts()),
        success=lambda lot: _("Lot #%(id)s is open for bids.", id=lot.id), flash_refusals=False)
    if outcome == DONE:
        return redirect(url_for("salvage.lot", lot_id=lot.id))
    return render_template("salvage/new_lot.html", form=form), 422 if request.method == "POST" else 200


# --------------------------------------------------------------------------- vendors


@bp.route("/market")
@login_required
def market():
    """A vendor's auction: open lots, its bids, its won lots with the next step."""
    if services.is_staff(current_user):
        return redirect(url_for("salvage.lots"))
    if current_user.org_kind != "salvage_vendor":
        abort(403)
    services.close_due_lots()
    org_id = current_user.organization_id
    eligible = services.vendor_is_eligible(current_user.organization)
    open_stmt = sa.select(SalvageLot).where(SalvageLot.status == "open") if eligible else sa.select(SalvageLot).where(sa.false())
    bid_stmt = sa.select(SalvageLot).where(SalvageLot.id.in_(sa.select(SalvageBid.lot_id).where(SalvageBid.vendor_id == org_id)))
    won_stmt = sa.select(SalvageLot).where(SalvageLot.winner_id == org_id)
    stmts = {"open": open_stmt, "bids": bid_stmt, "won": won_stmt}
    tab = request.args.get("tab") if request.args.get("tab") in stmts else "open"
    counts = {k: db.session.scalar(sa.select(sa.func.count()).select_from(s.subquery())) for k, s in stmts.items()}
    order = SalvageLot.bidding_closes_at if tab == "open" else SalvageLot.id.desc()
    lots_ = db.session.scalars(stmts[tab].order_by(order).limit(200)).all()
    best = present.own_best_bids([lot.id for lot in lots_], org_id)
    return render_template("salvage/market.html", lots=lots_, best=best, tab=tab, counts=counts, eligible=eligible,
                           now=utcnow(), org_id=org_id)


# --------------------------------------------------------------------------- one lot


def _lot_page(lot, status=200, **forms):
    user = current_user
    staff = services.is_staff(user)
    winner = services.is_winner(lot, user)
    bids = services.visible_bids(lot, user)
    my_best = None
    if not staff:
        current = [b.amount for b in bids if b.round == lot.round]
        my_best = max(current) if current else None
    audit = []
    if staff:
        audit = audit_trail(services.ENTITY, lot.id)
    ctx = {
        "lot": lot, "staff": staff, "winner": winner, "bids": bids, "my_best": my_best,
        "photos": services.lot_photos(lot, user), "audit": audit, "now": utcnow(),
        "can_bid": (not staff and lot.status == "open" and services.vendor_is_eligible(user.organization)),
        "bid_form": forms.get("bid_form") or BidForm(formdata=None),
        "reopen_form": forms.get("reopen_form") or ReopenForm(formdata=None),
        "photo_form": forms.get("photo_form") or PhotoForm(formdata=None),
        "pickup_form": forms.get("pickup_form") or PickupForm(formdata=None),
        "disposal_form": forms.get("disposal_form") or DisposalForm(formdata=None),
        "proceeds_form": forms.get("proceeds_form") or ProceedsForm(formdata=None),
        "leading": services.winning_bid(lot) if staff and lot.status == "closed" else None,
    }
    return render_template("salvage/lot.html", **ctx), status


@bp.route("/lots/<int:lot_id>")
@login_required
def lot(lot_id):
    """The lot; ``?amount=`` puts back the bid typed before its confirmation step."""
    bid_form = BidForm(formdata=None)
    if request.args.get("amount"):
        bid_form.amount.process_formdata([request.args["amount"]])
    return _lot_page(services.get_visible_lot(lot_id, current_user), bid_form=bid_form)


def _confirm_page(lot_, *, title, lines, action, confirm, hidden=None, back=None, danger=False):
    """A server-rendered confirmation step: what is about to happen, then one button."""
    return render_template("salvage/confirm.html", lot=lot_, title=title, lines=lines, action=action,
                           confirm=confirm, hidden=hidden or {}, danger=danger,
                           back=back or url_for("salvage.lot", lot_id=lot_.id))


@bp.route("/lots/<int:lot_id>/bid/confirm", methods=["POST"])
@login_required
def bid_confirm(lot_id):
    """Before a sealed bid lands: the amount and what it commits the vendor to."""
    services.require_eligible_vendor(current_user)
    lot_ = services.get_visible_lot(lot_id, current_user)
    form = BidForm()
    if not form.validate_on_submit():
        return _lot_page(lot_, 422, bid_form=form)
    if lot_.status != "open":
        flash(_("Bidding on this lot has closed."), "warning")
        return redirect(url_for("salvage.lot", lot_id=lot_id))
    amount = form.amount.data
    days = int(services.setting("SALVAGE_PICKUP_WORKING_DAYS"))
    return _confirm_page(lot_, title=_("Confirm your sealed bid"), lines=[
        _("You bid %(amount)s on lot #%(id)s (%(what)s).", amount=money(amount), id=lot_.id, what=lot_.description),
        _("Nobody sees your amount before the close at %(at)s. You may raise it until then, not lower or withdraw it.",
          at=local_time(lot_.bidding_closes_at)),
        _("If it is the highest bid at or above the reserve, you win the lot: you pay %(amount)s and pick it up "
          "within %(days)s working days of the award.", amount=money(amount), days=days),
    ], action=url_for("salvage.bid", lot_id=lot_id), hidden={"amount": f"{amount:.2f}"},
        confirm=_("Place sealed bid of %(amount)s", amount=money(amount)),
        back=url_for("salvage.lot", lot_id=lot_id, amount=f"{amount:.2f}"))


def _staff_lot_in(lot_id, status):
    """The lot for a staff confirmation step; one no longer in ``status`` sends back to the lot."""
    _staff_only()
    lot_ = services.get_visible_lot(lot_id, current_user)
    if lot_.status != status:
        abort(redirect(url_for("salvage.lot", lot_id=lot_id)))
    return lot_


@bp.route("/lots/<int:lot_id>/close/confirm")
@login_required
def close_confirm(lot_id):
    """Before staff end the bidding early."""
    lot_ = _staff_lot_in(lot_id, "open")
    return _confirm_page(lot_, title=_("Close bidding now?"), lines=[
        _("Bidding on lot #%(id)s was to close at %(at)s; closing now ends it early.", id=lot_.id,
          at=local_time(lot_.bidding_closes_at)),
        _("%(n)s sealed bids are in; no vendor can bid or raise a bid afterwards. The award is the next step.",
          n=lot_.bid_count),
    ], action=url_for("salvage.close", lot_id=lot_id), hidden={"version": lot_.version},
        confirm=_("Close bidding now"), danger=True)


@bp.route("/lots/<int:lot_id>/award/confirm")
@login_required
def award_confirm(lot_id):
    """Before staff award the lot: to whom, at what amount, and what follows."""
    lot_ = _staff_lot_in(lot_id, "closed")
    best = services.winning_bid(lot_)
    if best is None:
        lines = [_("No bid reached the reserve of %(reserve)s: the lot becomes a no sale and comes back to the desk "
                   "for a new round.", reserve=money(lot_.reserve_price))]
        label = _("Record no sale")
    else:
        days = int(services.setting("SALVAGE_PICKUP_WORKING_DAYS"))
        lines = [_("Award lot #%(id)s to %(name)s at %(amount)s (reserve %(reserve)s, %(n)s bids).", id=lot_.id,
                   name=best.vendor.name, amount=money(best.amount), reserve=money(lot_.reserve_price),
                   n=lot_.bid_count),
                 _("%(name)s is told it won and must pick the lot up within %(days)s working days; the other "
                   "bidders are told they did not win, without amounts. An award cannot be undone.",
                   name=best.vendor.name, days=days)]
        label = _("Award to %(name)s at %(amount)s", name=best.vendor.name, amount=money(best.amount))
    return _confirm_page(lot_, title=_("Award the lot?"), lines=lines, action=url_for("salvage.award", lot_id=lot_id),
                         hidden={"version": lot_.version}, confirm=label)


def _act(lot_id, form_name, form, action):
    """Run a form-backed action: field errors stay on the page (422); a state that
    moved on is explained with a message."""
    lot_ = services.get_visible_lot(lot_id, current_user)
    if form is not None and not form.validate_on_submit():
        return _lot_page(lot_, 422, **{form_name: form})
    try:
        message = action(lot_)
        db.session.commit()
    except Invalid as exc:
        db.session.rollback()
        if form is None:
            flash("; ".join(str(m) for msgs in exc.details.values() for m in msgs), "error")
            return redirect(url_for("salvage.lot", lot_id=lot_id))
        apply_errors(form, exc)
        return _lot_page(services.find_lot(lot_id), 422, **{form_name: form})
    except (InvalidState, StaleVersion) as exc:
        db.session.rollback()
        flash(_("This lot changed meanwhile: %(msg)s", msg=exc.message), "warning")
        return redirect(url_for("salvage.lot", lot_id=lot_id))
    flash(message, "success")
    return redirect(url_for("salvage.lot", lot_id=lot_id))


@bp.route("/lots/<int:lot_id>/bid", methods=["POST"])
@login_required
def bid(lot_id):
    services.require_eligible_vendor(current_user)
    form = BidForm()
    return _act(lot_id, "bid_form", form, lambda lot_: (
        services.place_bid(lot_, current_user, form.amount.data),
        _("Your sealed bid of ¥%(amount)s is in.", amount=f"{form.amount.data:,.2f}"))[1])


def _version():
    return request.form.get("version", type=int)


@bp.route("/lots/<int:lot_id>/close", methods=["POST"])
@login_required
def close(lot_id):
    _staff_only()
    return _act(lot_id, None, None, lambda lot_: (
        services.close_lot(lot_, current_user, expected_version=_version()), _("Bidding closed."))[1])


@bp.route("/lots/<int:lot_id>/award", methods=["POST"])
@login_required
def award(lot_id):
    _staff_only()

    def do(lot_):
        services.award_lot(lot_, current_user, expected_version=_version())
        if lot_.status == "awarded":
            return _("Awarded to %(name)s at ¥%(amount)s.", name=lot_.winner.name, amount=f"{lot_.amount:,.2f}")
        return _("No bid at or above the reserve: the lot is back with the desk (no sale).")
    return _act(lot_id, None, None, do)


@bp.route("/lots/<int:lot_id>/reopen", methods=["POST"])
@login_required
def reopen(lot_id):
    _staff_only()
    form = ReopenForm()
    return _act(lot_id, "reopen_form", form, lambda lot_: (
        services.reopen_lot(lot_, current_user, form.bidding_closes_at.aware, form.reserve_price.data,
                            expected_version=_version()), _("The lot is open for a new round of bids."))[1])


@bp.route("/lots/<int:lot_id>/photo", methods=["POST"])
@login_required
def photo(lot_id):
    form = PhotoForm()

    def do(lot_):
        upload = request.files.get("file")
        services.add_photo(lot_, current_user, upload.read() if upload else b"", upload.filename if upload else None)
        return _("Photo uploaded.")
    return _act(lot_id, "photo_form", form, do)


@bp.route("/lots/<int:lot_id>/photos/<int:photo_id>")
@login_required
def photo_file(lot_id, photo_id):
    lot_ = services.get_visible_lot(lot_id, current_user)
    photo_, path = services.get_photo(lot_, photo_id, current_user)
    return send_upload(services.PHOTO_AREA, photo_.stored_name, photo_.content_type, photo_.original_name)


@bp.route("/lots/<int:lot_id>/pickup", methods=["POST"])
@login_required
def pickup(lot_id):
    form = PickupForm()
    return _act(lot_id, "pickup_form", form, lambda lot_: (
        services.record_pickup(lot_, current_user, form.picked_up_at.aware), _("Pickup recorded."))[1])


@bp.route("/lots/<int:lot_id>/disposal", methods=["POST"])
@login_required
def disposal(lot_id):
    form = DisposalForm()
    return _act(lot_id, "disposal_form", form, lambda lot_: (
        services.record_disposal(lot_, current_user, form.kind.data, form.at.aware), _("Disposal recorded."))[1])


@bp.route("/lots/<int:lot_id>/proceeds", methods=["POST"])
@login_required
def proceeds(lot_id):
    form = ProceedsForm()

    def do(lot_):
        services.book_proceeds(lot_, current_user, form.amount.data, form.booked_on.data, form.costs.data)
        return _("Proceeds booked: net recovery ¥%(net)s.", net=f"{lot_.net_recovery:,.2f}")
    return _act(lot_id, "proceeds_form", form, do)
