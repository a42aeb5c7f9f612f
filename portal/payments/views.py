"""Invoices and payments pages (发票与付款): the partner's payment clock with filters and
an XLSX export, and the invoice form (a partner picks approved items, types the fields,
attaches the scan; nothing typed is lost on an error)."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..errors import Invalid, PortalError
from ..exports import xlsx_response
from ..extensions import db
from . import services
from .clock import payment_clock

bp = Blueprint("payments", __name__, url_prefix="/payments")
CLOCK_STATUSES = ("approved", "invoiced", "partly_paid", "paid")
FIELDS = ("number", "code", "issued_on", "amount", "tax_rate", "tax")


def _day(name):
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


@bp.route("/")
@login_required
def clock():
    if current_user.is_insurer:
        partner_id = request.args.get("partner_id", type=int)
        if partner_id is None:
            return render_template("payments/clock.html", rows=[], statuses=CLOCK_STATUSES, staff=True)
    elif current_user.organization.kind in services.PARTNER_KINDS_INVOICING:
        partner_id = current_user.organization_id
    else:
        abort(404)
    rows = payment_clock(partner_id)
    status, start, end = request.args.get("status"), _day("from"), _day("to")
    rows = [r for r in rows if (not status or r["status"] == status)
            and (start is None or (r["approved_on"] and r["approved_on"] >= start))
            and (end is None or (r["approved_on"] and r["approved_on"] <= end))]
    if request.args.get("format") == "xlsx":
        columns = [(_("Item"), "text"), (_("Claim"), "text"), (_("Approved"), "money"), (_("Invoiced"), "money"),
                   (_("Paid"), "money"), (_("Approved on"), "date"), (_("Invoiced on"), "date"),
                   (_("Paid on"), "date"), (_("Days waiting"), "number"), (_("Status"), "text")]
        data = ([f"{r['item']['kind']} {r['item']['id']}", r["item"]["claim_no"], r["item"]["approved_amount"],
                 r["item"]["invoiced"], r["item"]["paid"], r["approved_on"], r["invoiced_on"], r["paid_on"],
                 r["days_waiting"], r["status"]] for r in rows)
        return xlsx_response("payment-clock.xlsx", columns, data, title=_("Payment clock"))
    return render_template("payments/clock.html", rows=rows, statuses=CLOCK_STATUSES, staff=current_user.is_insurer,
                           status=status)


@bp.route("/invoices/new", methods=["GET", "POST"])
@login_required
def new_invoice():
    if current_user.is_insurer or current_user.organization.kind not in services.PARTNER_KINDS_INVOICING:
        abort(404)
    open_items = [r for r in payment_clock(current_user.organization_id)
                  if r["item"]["invoiced"] < r["item"]["approved_amount"]]
    values = {name: request.form.get(name, "") for name in FIELDS}
    picked = set(request.form.getlist("items"))
    errors: dict = {}
    if request.method == "POST":
        items = []
        for token in request.form.getlist("items"):
            kind, _sep, item_id = token.partition(":")
            if item_id.isdigit():
                items.append({"kind": kind, "id": int(item_id)})
        upload = request.files.get("file")
        try:
            invoice = services.submit_invoice(current_user, {**values, "items": items},
                                              upload.read() if upload else b"")
            db.session.commit()
            flash(_("Invoice %(number)s sent.", number=invoice.number), "success")
            return redirect(url_for("payments.clock"))
        except PortalError as exc:
            db.session.rollback()
            errors = exc.details if isinstance(exc, Invalid) else {"number": [exc.message]}
    return render_template("payments/invoice_form.html", values=values, picked=picked, errors=errors,
                           open_items=open_items, rates=services.VAT_RATES), (422 if errors else 200)
