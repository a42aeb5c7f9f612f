"""Data for the shell: nav badges, dashboard widgets, the claim page's section and costs."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _

from portal.plugin import Claim, ClaimSection, Money, Period, Widget, db, local_now, utcnow

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
    if not user.is_insurer and user.org_kind not in ("garage", "specialist_repairer"):
        return []  # a salvage vendor or a law firm has no business with the repair quotes
    stmt = sa.select(Quote).where(Quote.claim_id == claim.id).order_by(Quote.id)
    if not user.is_insurer:
        stmt = stmt.where(Quote.garage_id == user.organization_id)
    quotes = db.session.scalars(stmt).all()
    rows = [{"id": q.id, "garage": q.garage.name, "kind": _("Supplement") if q.supplement_to else _("Quote"),
             "status": _(q.status), "total_submitted": q.total_submitted, "total_approved": q.total_approved,
             "due_at": q.due_at, "url": url_for("garages.quote_detail", quote_id=q.id)} for q in quotes]
    return [ClaimSection(_("Repair quotes"), rows=rows,
                         columns=[("id", _("No.")), ("garage", _("Garage")), ("kind", _("Kind")),
                                  ("status", _("Status")), ("total_submitted", _("Submitted")),
                                  ("total_approved", _("Approved")), ("due_at", _("Due"))],
                         empty=_("No repair quote yet."), order=20)]


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
