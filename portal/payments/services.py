"""Invoices against approved work and the payments reported on them (直赔结算).

Tax rule (增值税): ``tax`` must equal ``round_half_up(amount × rate / (1 + rate))`` within 0.01,
with ``amount`` the gross invoice amount (价税合计) and ``rate`` one of the VAT rates below.
Invoice shapes: a 20-digit all-electronic number (全电发票) without a code, or a 10/12-digit code
with an 8-digit number. The amounts billed on an invoice fall on its items in the order given,
each up to what is approved and not yet invoiced; payments fall on the items in the same order.
"""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from ..audit.services import record_audit
from ..auth.models import Organization
from ..errors import Invalid, InvalidState, NotFound
from ..events import emit
from ..extensions import db
from ..money import ZERO, MoneyError, parse_money, quantize, request_decimal
from ..plugins import flatten, hook
from ..statemachine import StateMachine, T
from ..timeutil import local_now, utcnow
from ..uploads import IMAGES, PDF, store_upload
from .models import Invoice, InvoiceItem, Payment

PAYMENTS_WRITE_SCOPE = "payments:write"   # the API-key scope that may record payments
INVOICES_WRITE_SCOPE = "invoices:write"   # the API-key scope that may send a partner's invoices
VAT_RATES = (Decimal(0), Decimal("0.01"), Decimal("0.03"), Decimal("0.05"), Decimal("0.06"),
             Decimal("0.09"), Decimal("0.13"))
ITEM_KINDS = ("quote", "legal_cost")
PARTNER_KINDS_INVOICING = ("garage", "specialist_repairer", "salvage_vendor", "law_firm")
UPLOAD_AREA = "invoices"

INVOICE_FLOW = StateMachine("invoice", Invoice, [
    T("submitted", "pay_part", "partly_paid"),
    T("submitted", "pay_full", "paid"),
    T("partly_paid", "pay_part", "partly_paid"),
    T("partly_paid", "pay_full", "paid"),
    T("partly_paid", "reverse_part", "partly_paid"),
    T("partly_paid", "reverse_all", "submitted"),
    T("paid", "reverse_part", "partly_paid"),
    T("paid", "reverse_all", "submitted"),
])


def payable_items(organization_id=None, kind=None, item_id=None, claim_no=None) -> list[dict]:
    """Approved items from every plugin (the ``portal_payable_items`` hook)."""
    return list(flatten(hook().portal_payable_items(organization_id=organization_id, kind=kind, item_id=item_id,
                                                    claim_no=claim_no)))


def _date(value, field: str, errors: dict):
    try:
        return date.fromisoformat(str(value))
    except (TypeError, ValueError):
        errors[field] = ["Not a valid date (YYYY-MM-DD)."]


def _money(value, field: str, errors: dict, **kw):
    try:
        return parse_money(value, **kw)
    except (MoneyError, ValueError) as exc:
        errors[field] = [str(exc) or "Not a valid amount."]


def check_invoice_fields(data: dict) -> dict:
    """The invoice fields, checked (shape of number and code, tax consistent with the rate)."""
    if not isinstance(data, dict):
        raise Invalid({"data": ["Send the invoice fields as a JSON object."]})
    errors: dict = {}
    number = str(data.get("number") or "").strip()
    code = str(data.get("code") or "").strip() or None
    if code is None and not re.fullmatch(r"\d{20}", number):
        errors["number"] = ["An all-electronic invoice number has 20 digits (or give the code and 8-digit number)."]
    elif code is not None and not re.fullmatch(r"\d{10}|\d{12}", code):
        errors["code"] = ["An invoice code has 10 or 12 digits."]
    elif code is not None and not re.fullmatch(r"\d{8}", number):
        errors["number"] = ["With an invoice code, the number has 8 digits."]
    issued_on = _date(data.get("issued_on"), "issued_on", errors)
    if issued_on and issued_on > local_now().date():
        errors["issued_on"] = ["The issue date is in the future."]
    amount = _money(data.get("amount"), "amount", errors, allow_zero=False)
    tax = _money(data.get("tax"), "tax", errors)
    try:
        rate = request_decimal(data.get("tax_rate"))
        if rate not in VAT_RATES:
            raise ValueError
    except ValueError:
        rate = None
        errors["tax_rate"] = ["A VAT rate: " + ", ".join(str(r) for r in VAT_RATES) + "."]
    if amount is not None and tax is not None and rate is not None:
        expected = quantize(amount * rate / (1 + rate))
        if abs(tax - expected) > Decimal("0.01"):
            errors["tax"] = [f"The tax at {rate} on {amount} is {expected} (within 0.01)."]
    items = data.get("items")
    wanted = []
    if not isinstance(items, list) or not items:
        errors["items"] = ["Pick at least one approved item."]
    else:
        for it in items:
            if (not isinstance(it, dict) or it.get("kind") not in ITEM_KINDS or isinstance(it.get("id"), bool)
                    or not isinstance(it.get("id"), int)):
                errors["items"] = ["Each item is {kind: quote|legal_cost, id: integer}."]
                break
            if (it["kind"], it["id"]) not in wanted:
                wanted.append((it["kind"], it["id"]))
    if errors:
        raise Invalid(errors)
    return {"number": number, "code": code, "issued_on": issued_on, "amount": amount, "tax": tax,
            "tax_rate": rate, "items": wanted}


def invoiced_amounts(keys) -> dict:
    """(kind, id) → amount already invoiced."""
    if not keys:
        return {}
    cond = sa.or_(*[sa.and_(InvoiceItem.kind == k, InvoiceItem.item_id == i) for k, i in keys])
    rows = db.session.execute(sa.select(InvoiceItem.kind, InvoiceItem.item_id, sa.func.sum(InvoiceItem.amount))
                              .where(cond).group_by(InvoiceItem.kind, InvoiceItem.item_id)).all()
    return {(k, i): v for k, i, v in rows}  # sum() keeps the Money type: Decimal yuan


def submit_invoice(user, data: dict, scan: bytes) -> Invoice:
    """A partner's invoice against its approved items; the amount falls on them in order."""
    fields = check_invoice_fields(data)
    # one partner's invoices one at a time (PostgreSQL row lock; SQLite serialises writers):
    # two invoices sent at once cannot both take what remains of an item
    db.session.execute(sa.select(Organization.id).where(Organization.id == user.organization_id).with_for_update())
    approved = {}
    for kind, item_id in fields["items"]:
        found = payable_items(user.organization_id, kind, item_id)
        if not found:
            raise Invalid({"items": [f"{kind} {item_id} is not an approved item of yours."]})
        approved[(kind, item_id)] = found[0]
    invoiced = invoiced_amounts(list(approved))
    left = fields["amount"]
    parts = []
    for key, item in approved.items():
        remaining = item["approved_amount"] - invoiced.get(key, ZERO)
        part = min(left, max(remaining, ZERO))
        parts.append((key, part))
        left -= part
    if left > ZERO:
        raise Invalid({"amount": [f"More than approved and not yet invoiced, by {left:.2f}."],
                       "difference": [f"{left:.2f}"]})
    if db.session.scalar(sa.select(Invoice.id).where(Invoice.organization_id == user.organization_id,
                                                     Invoice.number == fields["number"])):
        raise InvalidState("You have already sent an invoice with this number.", {"number": fields["number"]})
    stored = store_upload(scan, UPLOAD_AREA, organization_id=user.organization_id, accept=IMAGES + (PDF,),
                          refused="Only a PDF, JPEG, PNG or WebP scan is accepted.")
    invoice = Invoice(organization_id=user.organization_id, number=fields["number"], code=fields["code"],
                      issued_on=fields["issued_on"], amount=fields["amount"], tax_rate=fields["tax_rate"],
                      tax=fields["tax"], paid=ZERO, status="submitted", scan_name=stored.stored_name,
                      scan_type=stored.content_type, submitted_by_id=user.id)
    db.session.add(invoice)
    db.session.flush()
    for (kind, item_id), part in parts:
        if part > ZERO:
            db.session.add(InvoiceItem(invoice_id=invoice.id, kind=kind, item_id=item_id, amount=part))
    db.session.flush()
    record_audit("invoice", invoice.id, "submit", {"number": [None, invoice.number],
                                                   "amount": [None, str(invoice.amount)]}, actor=user)
    emit("invoice.submitted", {"invoice_id": invoice.id, "organization_id": invoice.organization_id,
                               "organization_ids": [invoice.organization_id],
                               "amount": str(invoice.amount), "number": invoice.number})
    return invoice


def visible_invoice(invoice_id: int, user) -> Invoice:
    invoice = db.session.get(Invoice, invoice_id)
    if invoice is None or (not user.is_insurer and invoice.organization_id != user.organization_id):
        raise NotFound()
    return invoice


def invoices_stmt(user, status=None, updated_since=None):
    stmt = sa.select(Invoice).order_by(Invoice.id.desc())
    if not user.is_insurer:
        stmt = stmt.where(Invoice.organization_id == user.organization_id)
    if status:
        stmt = stmt.where(Invoice.status == status)
    if updated_since is not None:
        stmt = stmt.where(Invoice.updated_at >= updated_since)
    return stmt


def _status_for(paid: Decimal, amount: Decimal) -> str:
    return "submitted" if paid <= ZERO else ("paid" if paid >= amount else "partly_paid")


def record_payment(user, data: dict) -> Payment:
    """A payment (or, negative, a reversal of an earlier one by its reference) on an invoice."""
    errors: dict = {}
    amount = _money(data.get("amount"), "amount", errors, allow_negative=True, allow_zero=False)
    value_date = _date(data.get("value_date"), "value_date", errors)
    reference = str(data.get("reference") or "").strip()
    if not reference or len(reference) > 64:
        errors["reference"] = ["The payment reference (1–64 characters)."]
    invoice_id = data.get("invoice_id")
    if isinstance(invoice_id, bool) or not isinstance(invoice_id, int):
        errors["invoice_id"] = ["An invoice id."]
    if errors:
        raise Invalid(errors)
    invoice = db.session.get(Invoice, invoice_id)
    if invoice is None:
        raise Invalid({"invoice_id": ["No such invoice."]})
    same_ref = [p.amount for p in invoice.payments if p.reference == reference]
    if amount > ZERO:
        if same_ref:
            raise InvalidState("A payment with this reference is already recorded.", {"reference": reference})
        if invoice.paid + amount > invoice.amount:
            raise Invalid({"amount": [f"More than outstanding ({invoice.amount - invoice.paid:.2f})."]})
    else:
        reversible = sum(same_ref, ZERO)
        if not same_ref or -amount > reversible or invoice.paid + amount < ZERO:
            raise Invalid({"amount": [f"A reversal needs an earlier payment with this reference "
                                      f"(reversible: {reversible:.2f})."]})
    new_paid = invoice.paid + amount
    target = _status_for(new_paid, invoice.amount)
    action = ("pay_" if amount > ZERO else "reverse_") + {"paid": "full", "submitted": "all"}.get(target, "part")
    payment = Payment(invoice_id=invoice.id, amount=amount, value_date=value_date, reference=reference,
                      recorded_by_id=user.id)
    db.session.add(payment)
    db.session.flush()
    INVOICE_FLOW.apply(invoice, action, user, values={"paid": new_paid, "updated_at": utcnow()},
                       audit={"paid": [str(invoice.paid), str(new_paid)]})
    record_audit("payment", payment.id, "reverse" if amount < ZERO else "record",
                 {"invoice_id": [None, invoice.id], "amount": [None, str(amount)], "reference": [None, reference]},
                 actor=user)
    payload = {"invoice_id": invoice.id, "organization_id": invoice.organization_id,
               "organization_ids": [invoice.organization_id], "amount": str(amount),
               "reference": reference, "value_date": value_date.isoformat()}
    emit("payment.reversed" if amount < ZERO else "payment.recorded", payload)
    if target == "paid":
        emit("invoice.paid", {**payload, "number": invoice.number, "amount": str(invoice.amount)})
    db.session.refresh(invoice)
    return payment
