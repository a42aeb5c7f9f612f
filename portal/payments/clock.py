"""The partner's payment clock (付款时钟): for each approved item, where its money is, and the
reconciliation of an invoice line by line against the approved amounts."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from ..extensions import db
from ..money import ZERO
from ..timeutil import local_date, local_now
from .models import Invoice, InvoiceItem, Payment
from .services import payable_items


def _spread(paid: Decimal, parts: list[Decimal]) -> list[Decimal]:
    """An invoice's paid amount over its items, in their order."""
    out = []
    for part in parts:
        share = min(part, max(paid, ZERO))
        out.append(share)
        paid -= share
    return out


def reconciliation(invoice: Invoice) -> list[dict]:
    """Per item: approved, invoiced here, paid, difference (invoiced − paid)."""
    lines = []
    shares = _spread(invoice.paid, [it.amount for it in invoice.items])
    for it, paid in zip(invoice.items, shares):
        found = payable_items(None, it.kind, it.item_id)
        approved = found[0]["approved_amount"] if found else None
        lines.append({"kind": it.kind, "id": it.item_id, "approved": approved, "invoiced": it.amount,
                      "paid": paid, "difference": it.amount - paid})
    return lines


def payment_clock(organization_id: int, today=None) -> list[dict]:
    """The partner's approved items with the dates their money moved and the days waited."""
    today = today or local_now().date()
    items = payable_items(organization_id)
    rows = db.session.execute(
        sa.select(InvoiceItem.kind, InvoiceItem.item_id, InvoiceItem.amount, InvoiceItem.id, Invoice.id,
                  Invoice.paid, Invoice.created_at)
        .join(Invoice, Invoice.id == InvoiceItem.invoice_id)
        .where(Invoice.organization_id == organization_id).order_by(Invoice.id, InvoiceItem.id)).all()
    by_invoice: dict[int, list] = {}
    for r in rows:
        by_invoice.setdefault(r[4], []).append(r)
    last_paid = dict(db.session.execute(
        sa.select(Payment.invoice_id, sa.func.max(Payment.value_date)).join(Invoice, Invoice.id == Payment.invoice_id)
        .where(Invoice.organization_id == organization_id, Payment.amount > 0).group_by(Payment.invoice_id)).all())
    per_item: dict = {}
    for invoice_id, parts in by_invoice.items():
        shares = _spread(parts[0][5], [p[2] for p in parts])
        for p, share in zip(parts, shares):
            acc = per_item.setdefault((p[0], p[1]), {"invoiced": ZERO, "paid": ZERO, "invoiced_on": None,
                                                     "paid_on": None, "references": []})
            acc["invoiced"] += p[2]
            acc["paid"] += share
            day = local_date(p[6])
            acc["invoiced_on"] = min(filter(None, (acc["invoiced_on"], day)))
            if share > ZERO and last_paid.get(invoice_id):
                acc["paid_on"] = max(filter(None, (acc["paid_on"], last_paid[invoice_id])))
    out = []
    for item in items:
        acc = per_item.get((item["kind"], item["id"]), {"invoiced": ZERO, "paid": ZERO, "invoiced_on": None,
                                                       "paid_on": None})
        approved = item["approved_amount"]
        if acc["paid"] >= approved and approved > ZERO:
            status = "paid"
        elif acc["paid"] > ZERO:
            status = "partly_paid"
        elif acc["invoiced"] > ZERO:
            status = "invoiced"
        else:
            status = "approved"
        paid_on = acc["paid_on"] if status == "paid" else None
        end = paid_on or today
        out.append({"item": {"kind": item["kind"], "id": item["id"], "claim_no": item["claim_no"],
                             "approved_amount": approved, "invoiced": acc["invoiced"], "paid": acc["paid"]},
                    "approved_on": item["approved_on"], "invoiced_on": acc["invoiced_on"], "paid_on": paid_on,
                    "days_waiting": (end - item["approved_on"]).days if item["approved_on"] else None,
                    "status": status})
    return out


def claim_payments(claim_no: str) -> list[dict]:
    """The claim's approved items with what is invoiced and paid on each (the net cost's payments)."""
    items = payable_items(claim_no=claim_no)
    if not items:
        return []
    keys = {(i["kind"], i["id"]) for i in items}
    rows = db.session.execute(
        sa.select(InvoiceItem.kind, InvoiceItem.item_id, InvoiceItem.amount, Invoice.id, Invoice.paid)
        .join(Invoice, Invoice.id == InvoiceItem.invoice_id)
        .where(InvoiceItem.invoice_id.in_(sa.select(InvoiceItem.invoice_id).where(
            sa.or_(*[sa.and_(InvoiceItem.kind == k, InvoiceItem.item_id == i) for k, i in keys]))))
        .order_by(Invoice.id, InvoiceItem.id)).all()
    by_invoice: dict[int, list] = {}
    for r in rows:
        by_invoice.setdefault(r[3], []).append(r)
    paid: dict = {}
    invoiced: dict = {}
    for parts in by_invoice.values():
        for p, share in zip(parts, _spread(parts[0][4], [p[2] for p in parts])):
            invoiced[(p[0], p[1])] = invoiced.get((p[0], p[1]), ZERO) + p[2]
            paid[(p[0], p[1])] = paid.get((p[0], p[1]), ZERO) + share
    return [{"kind": i["kind"], "id": i["id"], "approved": i["approved_amount"],
             "invoiced": invoiced.get((i["kind"], i["id"]), ZERO), "paid": paid.get((i["kind"], i["id"]), ZERO)}
            for i in items]
