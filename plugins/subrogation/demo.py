"""Demo data: two recovery cases (one with the demo law firm, one in-house), receipts, a target."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from portal.plugin import db

from . import services
from .models import Receipt, RecoveryCase, Target


def load_demo(demo) -> list[str]:
    claims = list(demo.claims.values())
    if len(claims) < 1:
        return ["subrogation: no demo claims, no recovery cases added"]
    if db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCase)):
        return ["subrogation: recovery cases already there"]
    legal, firm = demo.users.get("legal"), demo.orgs.get("lawfirm1")
    if legal is None or firm is None:
        return ["subrogation: no legal user or law firm in the demo"]
    today = services.today()
    first = claims[0]
    second = claims[1] if len(claims) > 1 else claims[0]
    a = services.open_recovery(legal, services.CaseInput(
        claim_no=first.claim_no, amount_paid=Decimal("86400.00"), amount_sought=Decimal("86400.00"),
        counterparty_name="上海顺丰物流有限公司", counterparty_insurer="中国人民财产保险股份有限公司上海分公司",
        counterparty_contact="理赔部 021-5888 0000", basis="对方车辆追尾，交警认定对方全责（道路交通事故认定书）",
        limitation_starts_on=today - timedelta(days=400), handler_organization_id=firm.id))
    services.move_recovery(a, legal, "demand_sent")
    services.record_receipt(a, legal, amount=Decimal("30000.00"), received_on=today - timedelta(days=20),
                            method="bank_transfer", reference="CMB20260301-0042")
    b = services.open_recovery(legal, services.CaseInput(
        claim_no=second.claim_no, amount_paid=Decimal("12800.00"), amount_sought=Decimal("12800.00"),
        counterparty_name="王建国", counterparty_insurer="太平洋财产保险上海分公司",
        basis="对方车辆变道未让行，负主要责任（70%）",
        limitation_starts_on=services.add_years(today, -3) + timedelta(days=45), handler_user_id=legal.id))
    services.move_recovery(b, legal, "demand_sent")
    services.move_recovery(b, legal, "negotiating")
    period = f"{today:%Y-%m}"
    if not db.session.scalar(sa.select(Target).where(Target.period == period)):
        services.set_target(period, Decimal("50000.00"), legal)
    db.session.flush()
    n = db.session.scalar(sa.select(sa.func.count()).select_from(Receipt))
    return [f"subrogation: 2 recovery cases, {n} receipt(s), target {period}"]


