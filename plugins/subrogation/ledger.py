"""The recovery ledger (追偿台帐): one filtered query for the list, the page, the totals
and the XLSX workbook."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from portal.plugin import Claim, xlsx_response

from . import services
from .models import RecoveryCase

STATUS_ZH = {"open": "立案", "demand_sent": "已发函", "negotiating": "协商中", "in_litigation": "诉讼中",
             "closed": "已结案"}
CLOSED_AS_ZH = {"recovered": "全额追回", "partially_recovered": "部分追回", "written_off": "核销"}

LEDGER_COLUMNS = [
    ("案件编号", "number"), ("赔案号", "text"), ("对方当事人", "text"), ("对方保险公司", "text"),
    ("追偿依据", "text"), ("已赔付金额", "money"), ("追偿金额", "money"), ("已追回金额", "money"),
    ("未追回金额", "money"), ("时效起算日", "date"), ("时效届满日", "date"), ("距时效天数", "number"),
    ("已起诉", "text"), ("处理人", "text"), ("外部律所", "text"), ("状态", "text"), ("结案方式", "text"),
    ("立案日期", "date"),
]


def ledger_stmt(user, args: dict):
    """The cases ``user`` may see, filtered by ``args`` (status, handler, claim, period of
    opening, limitation window, free text), newest first."""
    stmt = services.visible_recoveries_stmt(user)
    if args.get("status"):
        stmt = stmt.where(RecoveryCase.status == args["status"])
    if args.get("handler_user_id"):
        stmt = stmt.where(RecoveryCase.handler_user_id == args["handler_user_id"])
    if args.get("handler_organization_id"):
        stmt = stmt.where(RecoveryCase.handler_organization_id == args["handler_organization_id"])
    if args.get("claim_no"):
        stmt = stmt.where(RecoveryCase.claim_id.in_(sa.select(Claim.id).where(Claim.claim_no == args["claim_no"])))
    if args.get("opened_from"):
        stmt = stmt.where(RecoveryCase.opened_on >= args["opened_from"])
    if args.get("opened_to"):
        stmt = stmt.where(RecoveryCase.opened_on <= args["opened_to"])
    if args.get("period"):
        start, end = services.period_bounds(args["period"])
        stmt = stmt.where(RecoveryCase.opened_on >= start, RecoveryCase.opened_on < end)
    if args.get("limitation_within_days") is not None:
        stmt = stmt.where(services.flagged_condition(int(args["limitation_within_days"])))
    if args.get("q"):
        like = f"%{args['q'].strip()}%"
        stmt = stmt.where(sa.or_(RecoveryCase.counterparty_name.ilike(like),
                                 RecoveryCase.counterparty_insurer.ilike(like),
                                 RecoveryCase.claim_id.in_(sa.select(Claim.id).where(Claim.claim_no.ilike(like)))))
    order = (RecoveryCase.limitation_deadline.asc() if args.get("limitation_within_days") is not None
             else RecoveryCase.id.desc())
    return stmt.order_by(order, RecoveryCase.id.desc())


def ledger_rows(cases, on: date | None = None):
    on = on or services.today()
    for c in cases:
        yield [c.id, c.claim_no, c.counterparty_name, c.counterparty_insurer, c.basis, c.amount_paid,
               c.amount_sought, c.recovered, c.outstanding, c.limitation_starts_on, c.limitation_deadline,
               (c.limitation_deadline - on).days, "是" if c.lawsuit_filed else "否",
               c.handler_user.name if c.handler_user else None,
               c.handler_organization.name if c.handler_organization else None,
               STATUS_ZH.get(c.status, c.status), CLOSED_AS_ZH.get(c.closed_as, c.closed_as), c.opened_on]


def ledger_workbook(stmt):
    from portal.plugin import db

    cases = db.session.scalars(stmt).unique().all()
    name = f"追偿台帐-{services.today():%Y%m%d}.xlsx"
    return xlsx_response(name, LEDGER_COLUMNS, list(ledger_rows(cases)), title="追偿台帐")


