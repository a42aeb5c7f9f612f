"""Data for the shell: nav badges, dashboard widgets, the claim page's section and costs."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _

from portal.plugin import (Claim, ClaimAction, ClaimSection, Money, Period, Widget, db, local_now, quantize, term,
                          to_local, utcnow)

from .models import IN_REVIEW, Quote, QuoteLine
from .quote_stats import count_quotes
from .services.review import review_scope


def open_review_count(user) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Quote).where(review_scope(user))) or 0


def garage_action_count(user) -> int:
    """Returned quotes waiting on the garage (from the quote counts: one row read, not the
    garage's quotes counted on every page)."""
    return count_quotes(garage_id=user.organization_id, status="returned")


def widgets_for(user) -> list[Widget]:
    if user.is_insurer and user.has_role("assessor", "supervisor", "admin"):
        rows = db.session.execute(
            sa.select(Claim.risk_color, sa.func.count()).select_from(Quote).join(Claim, Claim.id == Quote.claim_id)
            .where(Quote.status.in_(IN_REVIEW)).group_by(Claim.risk_color)).all()
        by_color = dict(rows)
        today = Period.day(local_now().date())
        now = utcnow()
        overdue = db.session.scalar(sa.select(sa.func.count()).select_from(Quote).where(
            Quote.status.in_(IN_REVIEW), Quote.due_at < now)) or 0
        due_today = db.session.scalar(sa.select(sa.func.count()).select_from(Quote).where(
            Quote.status.in_(IN_REVIEW), Quote.due_at >= now, Quote.due_at < today.end)) or 0
        since = utcnow() - timedelta(days=30)
        approved, fast = db.session.execute(sa.select(
            sa.func.count(), sa.func.sum(sa.case((Quote.fast_tracked.is_(True), 1), else_=0)))
            .where(Quote.status == "approved", Quote.decided_at >= since)).one()
        share = f"{(Decimal(fast or 0) / approved * 100):.0f}%" if approved else "—"
        colors = [(_("Red"), by_color.get("red", 0), "chart-risk-red"),
                  (_("Yellow"), by_color.get("yellow", 0), "chart-risk-yellow"),
                  (_("Blue"), by_color.get("blue", 0), "chart-risk-blue")]
        return [
            Widget(_("Quotes in review by colour"), value=sum(row[1] for row in colors), kind="bar", data=colors,
                   url=url_for("garages.queue", scope="team"), order=10),   # team-wide figures: the team's tab
            Widget(_("Overdue reviews"), value=overdue, url=url_for("garages.queue", scope="team", due="overdue"),
                   tone="danger" if overdue else "success", subtitle=_("past the review deadline"), order=11),
            Widget(_("Due today"), value=due_today, url=url_for("garages.queue", scope="team", due="today"),
                   tone="warning",
                   subtitle=_("review deadline 17:00 today"), order=12),
            Widget(_("Fast-track share (30 days)"), value=share, subtitle=_("approved automatically (小额快赔)"),
                   url=url_for("garages.queue", scope="team", status="approved"), tone="info", order=13),
        ]
    if user.org_kind in ("garage", "specialist_repairer"):
        rows = dict(db.session.execute(sa.select(Quote.status, sa.func.count()).where(
            Quote.garage_id == user.organization_id).group_by(Quote.status)).all())
        return [
            Widget(_("Quotes to answer"), value=rows.get("returned", 0), tone="warning",
                   url=url_for("garages.my_quotes", status="returned"), subtitle=_("returned by the assessor"), order=10),
            Widget(_("Quotes in review"), value=sum(rows.get(s, 0) for s in IN_REVIEW),
                   url=url_for("garages.my_quotes"), order=11),
            Widget(_("Quotes approved"), value=rows.get("approved", 0), tone="success",
                   url=url_for("garages.my_quotes", status="approved"), order=12),
        ]
    return []


def claim_sections(claim, user) -> list[ClaimSection]:
    """The claim page's repair quotes: each quote linked, its status in words and its amounts;
    to the garage, what it may do on the claim by the one chain rule of the service
    (``controls.open_chain``): a new quote only without an open or approved chain, else a
    supplement to the approved chain, or the open quote continued or answered; and per quote
    the draft's delete and the submitted quote's withdrawal."""
    if not user.is_insurer and user.org_kind not in ("garage", "specialist_repairer"):
        return []  # a salvage vendor or a law firm has no business with the repair quotes
    stmt = sa.select(Quote).where(Quote.claim_id == claim.id, Quote.status != "deleted").order_by(Quote.id)
    partner = not user.is_insurer
    if partner:
        stmt = stmt.where(Quote.garage_id == user.organization_id)
    quotes = db.session.scalars(stmt).all()
    rows = [{"id": f"#{q.id}", "garage": q.garage.name,
             "kind": _("Supplement to #%(id)s", id=q.supplement_to) if q.supplement_to else _("Quote"),
             "status": term("quote.status", q.status), "total_submitted": _money(q.total_submitted),
             "total_approved": _money(q.total_approved), "due_at": _when(q.due_at),
             "url": url_for("garages.quote_detail", quote_id=q.id),
             **({"actions": _quote_actions(q)} if partner else {})} for q in quotes]
    actions, note = _chain_actions(claim, user) if partner else ([], None)
    return [ClaimSection(_("Repair quotes"), rows=rows,
                         columns=[("id", _("No.")), ("garage", _("Garage")), ("kind", _("Kind")),
                                  ("status", _("Status")), ("total_submitted", _("Submitted")),
                                  ("total_approved", _("Approved")), ("due_at", _("Due"))],
                         empty=_("No repair quote yet."), order=20, actions=actions, note=note)]


def _money(value) -> str | None:
    return None if value is None else f"¥{quantize(value):,.2f}"


def _when(value) -> str | None:
    return None if value is None else to_local(value).strftime("%Y-%m-%d %H:%M")


def _chain_actions(claim, user) -> tuple[list, str | None]:
    """The garage's next step on the claim: the one rule of ``create_quote`` (``open_chain``)."""
    from .controls import PENDING, open_chain

    if claim.status != "open":
        return [], _("The claim is closed: it takes no more quotes.")
    chain = open_chain(claim.id, user.organization_id)
    if chain is None:
        return [ClaimAction(_("New quote"), url_for("garages.new_quote", claim_no=claim.claim_no), tone="primary",
                            name="new-quote")], None
    if chain.status == "approved":
        return [ClaimAction(_("Add supplement"), url_for("garages.new_quote", claim_no=claim.claim_no,
                                                          supplement_to=chain.id), tone="primary", name="supplement")], \
            _("Quote #%(id)s is approved: further damage goes as a supplement to it.", id=chain.id)
    edit = url_for("garages.edit_quote", quote_id=chain.id)
    if chain.status == "draft":
        return [ClaimAction(_("Continue quote #%(id)s", id=chain.id), edit, tone="primary", name="continue")], \
            _("Quote #%(id)s is a draft: continue it (one quote per claim; more damage later goes as a supplement).",
              id=chain.id)
    if chain.status == "returned":
        return [ClaimAction(_("Answer quote #%(id)s", id=chain.id), edit, tone="primary", name="answer")], \
            _("Quote #%(id)s was returned: answer the adjusted lines and resubmit it.", id=chain.id)
    if chain.status in PENDING:
        return [], _("Quote #%(id)s is with the insurer (%(status)s): wait for the decision, or withdraw it.",
                     id=chain.id, status=_(chain.status))
    return [], None


def _quote_actions(q) -> list[ClaimAction]:
    """A garage's own quote: continue or answer it, delete a draft, withdraw before a decision
    (the routes and the rules of ``services.delete_draft`` / ``services.withdraw_quote``)."""
    withdraw = url_for("garages.withdraw", quote_id=q.id)
    version = {"version": q.version}
    if q.status == "draft":
        return [ClaimAction(_("Edit and submit"), url_for("garages.edit_quote", quote_id=q.id), name="edit"),
                ClaimAction(_("Delete draft"), withdraw, "post", version, _("Delete this draft?"), "outline-danger",
                            "delete-draft")]
    if q.status == "returned":
        return [ClaimAction(_("Answer and resubmit"), url_for("garages.edit_quote", quote_id=q.id), name="edit"),
                ClaimAction(_("Withdraw quote"), withdraw, "post", version,
                            _("Withdraw this quote? The insurer will not review it."), "outline-danger", "withdraw")]
    if q.status == "submitted":
        return [ClaimAction(_("Withdraw quote"), withdraw, "post", version,
                            _("Withdraw this quote? The insurer will not review it."), "outline-danger", "withdraw")]
    return []


@dataclass
class _Cost:
    code: str
    label: str
    amount: Decimal
    sign: int = 1


def claim_costs(claim) -> list:
    """Approved repair (excluding towing) and approved towing (施救费) on the claim."""
    try:
        from portal.plugin import CostComponent
    except ImportError:  # the claims area's dataclass is not there: duck typing
        CostComponent = _Cost
    is_rescue = QuoteLine.kind == "rescue"
    approved = sa.func.coalesce(QuoteLine.approved_amount, 0)
    repair, towing = db.session.execute(
        sa.select(sa.type_coerce(sa.func.coalesce(sa.func.sum(sa.case((is_rescue, 0), else_=approved)), 0), Money()),
                  sa.type_coerce(sa.func.coalesce(sa.func.sum(sa.case((is_rescue, approved), else_=0)), 0), Money()))
        .join(Quote, Quote.id == QuoteLine.quote_id)
        .where(Quote.claim_id == claim.id, Quote.status == "approved")).one()
    out = []
    if repair:
        out.append(CostComponent("approved_repair", _("Approved repair"), Decimal(repair), 1))
    if towing:
        out.append(CostComponent("towing", _("Towing (施救费)"), Decimal(towing), 1))
    return out
