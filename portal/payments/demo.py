"""Demo invoices and payments (``flask --app portal demo``): on the partners' approved items, one
invoice each; the oldest paid in full after more than 30 days (late), the next paid in part,
then paid and reversed (冲正) — so the payment clock and the report card show real numbers."""
from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal

import sqlalchemy as sa

from ..extensions import db
from ..money import quantize
from ..timeutil import local_datetime, local_now
from .models import Invoice
from .services import payable_items, record_payment, submit_invoice

DEMO_SCAN = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
RATE = Decimal("0.13")


def load(demo) -> list[str]:
    if db.session.scalar(sa.select(sa.func.count()).select_from(Invoice)):
        return ["invoices and payments: already there"]
    admin = demo.users.get("admin")
    by_org = {u.organization_id: u for u in demo.users.values() if not u.is_insurer}
    items = sorted((i for i in payable_items() if i["organization_id"] in by_org and i["approved_on"]),
                   key=lambda i: (i["approved_on"], i["kind"], i["id"]))
    today = local_now().date()
    invoices = payments = 0
    for n, item in enumerate(items):
        amount = item["approved_amount"]
        invoice = submit_invoice(by_org[item["organization_id"]], {
            "number": f"2611{item['organization_id']:04d}{n:012d}", "code": None,
            "issued_on": min(item["approved_on"] + timedelta(days=1), today).isoformat(),
            "amount": str(amount), "tax_rate": str(RATE), "tax": str(quantize(amount * RATE / (1 + RATE))),
            "items": [{"kind": item["kind"], "id": item["id"]}]}, DEMO_SCAN)
        invoice.created_at = local_datetime(invoice.issued_on, time(10))   # sent on its issue date
        invoices += 1
        if admin is None:
            continue
        if n % 2 == 0:     # paid in full, late: 35 days after approval (or today)
            plan = [(amount, min(item["approved_on"] + timedelta(days=35), today), "A")]
        else:              # paid in part, then the rest, and that rest reversed
            part = quantize(amount * Decimal("0.6"))
            plan = [(part, today, "A"), (amount - part, today, "B"), (part - amount, today, "B")]
        for value, day, ref in plan:
            record_payment(admin, {"invoice_id": invoice.id, "amount": str(value), "value_date": day.isoformat(),
                                   "reference": f"DEMO-{invoice.number[-6:]}-{ref}"})
            payments += 1
    db.session.flush()
    return [f"invoices: {invoices}, payments: {payments}"]
