"""Controls at the level of the claim (案件层面的管控, ``docs/review-controls.md``).

Authority is about the case, not the document ("发现案件金额超过自己的职责权限必须…调度相应级别的
领导"): the authority limit (审批权限), four eyes on a major case (大要案) and fast track (小额快赔)
are judged on the claim's *repair total* (案件核损总额) after the decision — what is approved
plus, by default, what is pending decision, over every quote and supplement of every garage
or specialist repairer on the claim — never on one quote alone. A garage keeps one quote chain
per claim (the first quote, then supplements), so no control can be passed by splitting.

Every change that judges the claim's total first takes the claim's row lock
(:func:`lock_claim`): two assessors approving two quotes of one claim at once are decided one
after the other, the second seeing the first's approval.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from portal.plugin import Claim, Money, db, quantize

from . import rules as R
from .models import AuditSample, Quote

# awaiting a decision (待核损): counted in the claim's repair total by default
PENDING = ("submitted", "escalated", "awaiting_second_approval", "on_hold", "under_investigation")
# a garage's chain on the claim is open while a quote of it is in one of these
OPEN = ("draft", "returned") + PENDING
COUNTS = ("approved_and_pending", "approved")
BAD_REINSPECTION = ("overpaid", "fraud_suspected", "failed")


def lock_claim(claim_id: int) -> None:
    """Hold the claim's row until the transaction ends (PostgreSQL ``FOR UPDATE``). SQLite
    serializes every write transaction already (``BEGIN IMMEDIATE``, portal.db.sqlite_queue)."""
    if db.session.get_bind().dialect.name != "sqlite":
        db.session.execute(sa.select(Claim.id).where(Claim.id == claim_id).with_for_update())


def _counted_amount():
    """The amount a quote adds to its claim's repair total, as a SQL expression."""
    counted = [(Quote.status == "approved", Quote.total_approved)]
    if R.rules().get("claim_total_counts", "approved_and_pending") != "approved":
        counted.append((Quote.status.in_(PENDING), sa.func.coalesce(Quote.total_approved, Quote.total_submitted)))
    return sa.case(*counted, else_=0)


@dataclass(frozen=True)
class ClaimStanding:
    """A claim as its controls see it, read in one statement."""

    total: Decimal            # the claim's repair total: approved plus pending, every repairer
    others: Decimal           # the same without the quote asked about
    trouble: tuple            # EARLIER_REJECTED / EARLIER_RETURNED / EARLIER_REINSPECTION_FAILED


def standing(claim_id: int, quote_id: int | None = None, *, garage_id: int | None = None) -> ClaimStanding:
    """``garage_id``: only that repairer's quotes (what a partner is shown: never a
    competitor's figures on the same claim). Inside :func:`standing_kept` the answer for a
    quote is read once (its ``others`` and ``trouble`` do not change while it is submitted)."""
    kept = db.session.info.get(_KEPT)
    key = (claim_id, quote_id, garage_id)
    if kept is not None and quote_id is not None and key in kept:
        return kept[key]
    amount = _counted_amount()
    money = lambda e: sa.type_coerce(sa.func.coalesce(sa.func.sum(e), 0), Money())   # noqa: E731
    row = db.session.execute(
        sa.select(money(amount), money(sa.case((Quote.id != (quote_id or 0), amount), else_=0)),
                  sa.func.count().filter(Quote.status == "rejected"),
                  sa.func.count().filter(Quote.return_count > 0),
                  sa.func.count().filter(AuditSample.result.in_(BAD_REINSPECTION)))
        .select_from(Quote).outerjoin(AuditSample, AuditSample.quote_id == Quote.id)
        .where(Quote.claim_id == claim_id, Quote.purpose.in_(("repair", "specialist_repair")),
               *([Quote.garage_id == garage_id] if garage_id is not None else []))).one()
    trouble = tuple(code for code, n in zip(("EARLIER_REJECTED", "EARLIER_RETURNED", "EARLIER_REINSPECTION_FAILED"),
                                            row[2:]) if n)
    answer = ClaimStanding(quantize(Decimal(row[0] or 0)), quantize(Decimal(row[1] or 0)), trouble)
    if kept is not None and quote_id is not None:
        kept[key] = answer
    return answer


_KEPT = "garages.claim_standing"


@contextmanager
def standing_kept():
    """Within the block, :func:`standing` of a quote is read once: for a submission, whose checks
    and fast-track verdict both ask for the claim's other quotes (no other quote changes meanwhile:
    the claim is locked). Only ``others`` and ``trouble`` may be relied on in it."""
    db.session.info[_KEPT] = {}
    try:
        yield
    finally:
        db.session.info.pop(_KEPT, None)


def claim_repair_total(claim_id: int) -> Decimal:
    return standing(claim_id).total


def repair_totals(claim_ids=None):
    """``SELECT claim_id, 'repair', repair total`` per claim (``None``: every claim with a quote)."""
    stmt = (sa.select(Quote.claim_id, sa.literal("repair"), sa.func.sum(_counted_amount()))
            .where(Quote.purpose.in_(("repair", "specialist_repair"))).group_by(Quote.claim_id))
    return stmt if claim_ids is None else stmt.where(Quote.claim_id.in_(claim_ids))


@dataclass(frozen=True)
class ApprovalCheck:
    """What an approval of ``amount`` by ``user`` would do to the claim (shown before it)."""

    claim_total: Decimal          # the claim's repair total after the approval
    limit: Decimal | None         # the approver's limit; None: unlimited
    within_limit: bool
    major: bool                   # above the major threshold: a second, different approver

    def message(self, gettext) -> str | None:
        if self.within_limit:
            return None
        return gettext("Claim repair total %(total)s is above your authority limit of %(limit)s.",
                       total=f"¥{self.claim_total:,.2f}", limit=f"¥{(self.limit or 0):,.2f}")


def approval_check(quote: Quote, user, amount: Decimal, claim: ClaimStanding | None = None) -> ApprovalCheck:
    claim = claim or standing(quote.claim_id, quote.id)
    total = quantize(claim.others + Decimal(amount))
    limit = None if user.unlimited_authority else (user.authority_limit or Decimal("0"))
    return ApprovalCheck(claim_total=total, limit=limit, within_limit=user.can_approve(total),
                         major=total > R.dec("major_threshold"))


def _chain_heads(garage_id: int):
    """The garage's first quotes that are open or approved: the heads of its chains."""
    return sa.select(Quote).where(Quote.garage_id == garage_id, Quote.supplement_to.is_(None),
                                  Quote.status.in_(OPEN + ("approved",)))


def open_chain(claim_id: int, garage_id: int) -> Quote | None:
    """The garage's first quote on the claim that is open or approved (its chain), if any."""
    return db.session.scalar(_chain_heads(garage_id).where(Quote.claim_id == claim_id).order_by(Quote.id).limit(1))


def open_chains(claim_ids, garage_id: int) -> dict[int, Quote]:
    """:func:`open_chain` of many claims in one query: ``{claim_id: chain head}``."""
    out: dict[int, Quote] = {}
    if claim_ids:
        for quote in db.session.scalars(_chain_heads(garage_id).where(Quote.claim_id.in_(list(claim_ids)))
                                        .order_by(Quote.id.desc())):
            out[quote.claim_id] = quote   # the first (lowest id) wins, as in open_chain
    return out


def pending_amount(quote: Quote) -> Decimal:
    """What the quote stands at while in review: the first approver's (or the escalating
    reviewer's) adjusted total when there is one, else what was submitted."""
    return quote.total_approved if quote.total_approved is not None else (quote.total_submitted or Decimal(0))


INSURERS_OWN = ("hold", "investigate", "resume")   # their reason and note are the insurer's


def _as_partner_sees(decision):
    if decision.action not in INSURERS_OWN:
        return decision
    from types import SimpleNamespace

    keys = ("action", "user_id", "at", "amount", "automatic", "rules_version", "from_status", "to_status",
            "claim_total", "authority_limit")
    return SimpleNamespace(**{k: getattr(decision, k) for k in keys}, comment=None, rule=None)


def annotate(quote: Quote, user) -> Quote:
    """Give a quote's answer what it shows of the claim: ``claim_repair_total`` (to a partner,
    over its own quotes on the claim only), and to staff while it is in review what approving
    it would do (``approval``: the claim's total after it, the caller's limit, and why it
    would escalate)."""
    from flask_babel import gettext

    claim = standing(quote.claim_id, quote.id, garage_id=None if user.is_insurer else quote.garage_id)
    quote.claim_repair_total = claim.total
    quote.approval = quote.hold = None
    quote.assignee_role = "supervisor" if quote.status in PENDING and quote.desk == "supervisor" else \
        ("assessor" if quote.status in PENDING else None)
    if user.is_insurer:
        quote.assignee_id = quote.assigned_reviewer_id
    quote._shown_decisions = None if user.is_insurer else [_as_partner_sees(d) for d in quote.decisions]
    quote._shown_photos = None if user.is_insurer else [p for p in quote.photos if p.kind != "reinspection"]
    if user.is_insurer and quote.hold_reason:   # the insurer's: never shown to the garage
        quote.hold = {"reason": quote.hold_reason, "note": quote.hold_note, "held_by_id": quote.held_by_id,
                      "held_at": quote.held_at, "held_from": quote.held_from}
    if user.is_insurer and quote.status in PENDING:
        check = approval_check(quote, user, pending_amount(quote), claim)
        quote.approval = {"claim_total": check.claim_total, "limit": check.limit,
                          "within_limit": check.within_limit, "needs_second_approver": check.major,
                          "message": check.message(gettext)}
    return quote
