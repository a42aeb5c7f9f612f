"""Event receivers (after commit): notifications of the garages plugin (定损报价通知).

Titles and bodies are written Chinese first, then English, as in the other areas; money
is shown as people read it (¥1,234.50, Babel's CNY format). A garage learns that its quote is held, never why
(the reason belongs to the insurer)."""
from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency

from portal.plugin import notify, quantize

DECISIONS = {
    "quote.approved": ("已核定", "approved"),
    "quote.returned": ("已退回修改", "returned for changes"),
    "quote.rejected": ("已拒绝", "rejected"),
}


def quote_url(quote_id) -> str:
    return f"/garages/quotes/{quote_id}"


def _money(value) -> str:
    if value in (None, ""):
        return "—"
    return format_currency(quantize(Decimal(str(value))), "CNY", locale="zh_CN")


def on_event(name: str, payload: dict) -> None:
    if not name.startswith("quote."):
        return
    qid, claim_no = payload.get("quote_id"), payload.get("claim_no")
    url = quote_url(qid)
    garage = payload.get("garage_id")
    if name in DECISIONS:
        zh, en = DECISIONS[name]
        body = f"案件 {claim_no} 的报价 #{qid}{zh}。"
        if payload.get("total_approved"):
            body += f"核定金额 {_money(payload['total_approved'])}。"
        if payload.get("comment"):
            body += f"意见：{payload['comment']}"
        notify(kind=name, title=f"报价 #{qid}{zh}（案件 {claim_no}）/ Quote {qid} {en}", body=body, url=url,
               organization_id=garage)
    elif name == "quote.escalated":
        from . import services

        amount = Decimal(payload.get("total_approved") or payload.get("total_submitted") or "0")
        notify(kind=name, title=f"报价 #{qid} 已上报，请您审批（案件 {claim_no}）/ Quote {qid} escalated to you",
               body=f"报价 #{qid} 金额 {_money(amount)}，超出核损员权限，需主管审批。", url=url,
               user_ids=services.supervisors_covering(amount))
    elif name == "quote.awaiting_second_approval":
        notify(kind=name, title=f"报价 #{qid} 待第二人复核（案件 {claim_no}）/ Quote {qid} needs a second approver",
               body=f"大额报价 #{qid} 已由一人核定，须由另一位审批人确认。", url=url, roles=("supervisor",))
    elif name == "quote.held":
        notify(kind=name, title=f"报价 #{qid} 暂缓审核（案件 {claim_no}）/ Quote {qid} held for further checks",
               body=f"保险公司正在进一步核实案件 {claim_no}，报价 #{qid} 的审核时限暂停计算 (review deadline paused)。",
               url=url, organization_id=garage)
    elif name == "quote.resumed":
        notify(kind=name, title=f"报价 #{qid} 恢复审核（案件 {claim_no}）/ Quote {qid} back in review",
               body=f"报价 #{qid} 已恢复审核，审核时限重新计算。", url=url, organization_id=garage)
    elif name == "quote.submitted":
        notify(kind=name, title=f"报价 #{qid} 待审核（案件 {claim_no}）/ Quote {qid} submitted",
               body=f"报价 #{qid} 金额 {_money(payload.get('total_submitted'))}，等待核损。", url=url,
               roles=("assessor",))
