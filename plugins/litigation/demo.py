"""Demo data: a lawsuit on a recovery case with a hearing next week, and a complaint."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa

from portal.plugin import LOCAL_TZ, db, local_now

from . import services
from .models import Complaint, Lawsuit


def load_demo(demo) -> list[str]:
    if db.session.scalar(sa.select(sa.func.count()).select_from(Lawsuit)):
        return ["litigation: lawsuits already there"]
    legal, firm = demo.users.get("legal"), demo.orgs.get("lawfirm1")
    claims = list(demo.claims.values())
    if legal is None or firm is None:
        return ["litigation: no legal user or law firm in the demo"]
    recovery_id = None
    handled = sorted(ref.id for ref in services.recovery_cases(handler_organization_id=firm.id))
    if handled:
        recovery_id = handled[0]
    claim_no = claims[0].claim_no if claims else None
    suit = services.register_lawsuit(legal, services.LawsuitInput(
        court="上海市浦东新区人民法院", case_no=f"({local_now():%Y})沪0115民初1234号", cause="保险人代位求偿权纠纷",
        role="plaintiff", amount_in_dispute=Decimal("86400.00"), claim_no=claim_no if recovery_id is None else None,
        recovery_id=recovery_id, counsel_organization_id=firm.id, stage="filed"))
    services.move_lawsuit(suit, legal, "first_instance")
    next_week = local_now().date() + timedelta(days=7)
    services.schedule_hearing(suit, legal, scheduled_at=datetime.combine(next_week, time(9, 30), tzinfo=LOCAL_TZ),
                              court_room="第十二法庭", kind="开庭审理")
    services.record_cost(suit, legal, kind="court_fee", amount=Decimal("1880.00"),
                         incurred_on=local_now().date() - timedelta(days=30), note="案件受理费")
    big = services.register_lawsuit(legal, services.LawsuitInput(
        court="上海市第一中级人民法院", case_no=None, cause="机动车交通事故责任纠纷", role="defendant",
        amount_in_dispute=Decimal("620000.00"), claim_no=claims[1].claim_no if len(claims) > 1 else claim_no,
        counsel_user_id=legal.id))
    if not db.session.scalar(sa.select(sa.func.count()).select_from(Complaint)):
        c = services.register_complaint(legal, kind="complaint", complainant="张先生", contact="138****5678",
                                        description="修理厂维修周期过长，多次催促未果，要求尽快交车。",
                                        claim_no=claim_no,
                                        against_organization_id=demo.orgs["garage2"].id if "garage2" in demo.orgs else None)
        services.act_on_complaint(c, legal, "assign", assignee_user_id=legal.id)
    return [f"litigation: 2 lawsuits (#{suit.id} with a hearing on {next_week}, #{big.id} major), 1 complaint"
            + ("" if claims else " (no demo claims: lawsuits without a claim)")]
