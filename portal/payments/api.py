"""Invoices and payments API (直赔: payment to partners): partners' invoices, the payment system's payments,
the partner's payment clock."""
from __future__ import annotations

import json

from flask import request
from marshmallow import Schema, fields, validate

from ..api import ApiBlueprint
from ..api.access import api_user, authenticated, org_kinds, roles, write_scope
from ..api.changes import apply_changes, changes_query
from ..api.fields import DecimalString, LocalDateTime, MoneyField
from ..api.pagination import page_of
from ..errors import Invalid, NotFound
from ..extensions import db
from ..uploads import send_upload
from . import services
from .clock import payment_clock, reconciliation
from .models import Invoice

blp = ApiBlueprint("payments_api", __name__, description="Invoices (发票) against approved work, payments (直赔付款) "
                                                         "and the partner's payment clock")


class InvoiceItemRef(Schema):
    kind = fields.String(attribute="kind")
    id = fields.Integer(attribute="item_id")
    amount = MoneyField()


class PaymentOut(Schema):
    amount = MoneyField(allow_negative=True)
    value_date = fields.Date()
    reference = fields.String()


class InvoiceLine(Schema):
    kind = fields.String()
    id = fields.Integer()
    approved = MoneyField(allow_none=True)
    invoiced = MoneyField()
    paid = MoneyField()
    difference = MoneyField(allow_negative=True)


class InvoiceOut(Schema):
    id = fields.Integer()
    organization_id = fields.Integer()
    number = fields.String()
    code = fields.String(allow_none=True)
    issued_on = fields.Date()
    amount = MoneyField()
    tax_rate = DecimalString(places=4)
    tax = MoneyField()
    status = fields.String()
    items = fields.List(fields.Nested(InvoiceItemRef))
    paid = MoneyField()
    outstanding = fields.Function(lambda o: f"{o.amount - o.paid:.2f}")
    created_at = LocalDateTime()
    updated_at = LocalDateTime()


class InvoiceDetail(InvoiceOut):
    payments = fields.List(fields.Nested(PaymentOut))
    lines = fields.Method("_lines")

    def _lines(self, invoice):
        return InvoiceLine(many=True).dump(reconciliation(invoice))


class InvoicePage(Schema):
    items = fields.List(fields.Nested(InvoiceOut))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class InvoiceFilters(Schema):
    status = fields.String(validate=validate.OneOf(sorted(services.INVOICE_FLOW.states)))


InvoiceQuery = changes_query("InvoiceQuery", InvoiceFilters, "newest invoice first (id descending)")


class PaymentIn(Schema):
    invoice_id = fields.Raw(required=True)
    amount = fields.Raw(required=True)
    value_date = fields.Raw(required=True)
    reference = fields.Raw(required=True)


class PaymentCreated(PaymentOut):
    id = fields.Integer()
    invoice_id = fields.Integer()


class PaymentClockItem(Schema):
    kind = fields.String()
    id = fields.Integer()
    claim_no = fields.String(allow_none=True)
    approved_amount = MoneyField()
    invoiced = MoneyField()
    paid = MoneyField()


class PaymentClockRow(Schema):
    item = fields.Nested(PaymentClockItem)
    approved_on = fields.Date(allow_none=True)
    invoiced_on = fields.Date(allow_none=True)
    paid_on = fields.Date(allow_none=True)
    days_waiting = fields.Integer(allow_none=True)
    status = fields.String()


class PaymentClockQuery(Schema):
    partner_id = fields.Integer()


@blp.route("/invoices", methods=["POST"])
@blp.response(201, InvoiceOut)
@org_kinds(*services.PARTNER_KINDS_INVOICING)
@write_scope(services.INVOICES_WRITE_SCOPE)   # a partner key of its billing system: "invoices:write"
def submit_invoice():
    """Send an invoice (multipart: ``file`` the scan, ``data`` the fields as a JSON string)."""
    upload = request.files.get("file")
    try:
        data = json.loads(request.form.get("data") or "")
    except ValueError:
        raise Invalid({"data": ["The invoice fields as a JSON string."]}) from None
    if upload is None:
        raise Invalid({"file": ["Attach the invoice scan (PDF or photo)."]})
    invoice = services.submit_invoice(api_user(), data, upload.read())
    db.session.commit()
    return invoice, 201


@blp.route("/invoices", methods=["GET"])
@blp.arguments(InvoiceQuery, location="query")
@blp.response(200, InvoicePage)
@authenticated
def list_invoices(args):
    """Invoices: a partner its own, staff all."""
    stmt = services.invoices_stmt(api_user(), args.get("status"))
    return page_of(apply_changes(stmt, args, Invoice.updated_at, Invoice.id))


@blp.route("/invoices/<int:invoice_id>", methods=["GET"])
@blp.response(200, InvoiceDetail)
@authenticated
def get_invoice(invoice_id):
    """One invoice with its payments, paid, outstanding and the reconciliation per item."""
    return services.visible_invoice(invoice_id, api_user())


@blp.route("/invoices/<int:invoice_id>/scan", methods=["GET"])
@blp.response(200)
@authenticated
def invoice_scan(invoice_id):
    """The invoice's scan (PDF or image), to the partner who sent it and to staff only."""
    invoice = services.visible_invoice(invoice_id, api_user())
    return send_upload(services.UPLOAD_AREA, invoice.scan_name, invoice.scan_type,
                       download_name=f"invoice-{invoice.number}.{invoice.scan_name.rsplit('.', 1)[-1]}")


@blp.route("/payments", methods=["POST"])
@blp.arguments(PaymentIn)
@blp.response(201, PaymentCreated)
@roles("admin")
@write_scope(services.PAYMENTS_WRITE_SCOPE)   # an insurer key of the payment system: "payments:write"
def record_payment(data):
    """A payment reported by the payment system; a negative amount reverses an earlier one."""
    payment = services.record_payment(api_user(), data)
    db.session.commit()
    return payment, 201


@blp.route("/payment-clock", methods=["GET"])
@blp.arguments(PaymentClockQuery, location="query")
@blp.response(200, PaymentClockRow(many=True))
@authenticated
def clock(args):
    """The partner's approved items: approved → invoiced → paid, with the days waited."""
    user = api_user()
    if user.is_insurer:
        org_id = args.get("partner_id")
        if org_id is None:
            raise Invalid({"partner_id": ["Name the partner."]})
    else:
        org_id = user.organization_id
        if args.get("partner_id") not in (None, org_id):
            raise NotFound()
    return payment_clock(org_id)
