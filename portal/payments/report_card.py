"""The insurer's report card (保险公司成绩单), shown to each partner beside its own scorecard.

For a set of partner organizations (the partner itself, or all partners of its kind in its
region but itself), from facts the plugins give (the ``portal_report_card_facts`` hook) and the
payment clock (``portal/payments/clock.py``):

- **review time** (核损时长), median and p90 in *working hours*: the time from the submission
  of a review round to its decision that falls on working days of the working calendar
  (``portal/calendar/working_days.py``; a working day counts all its 24 local hours, a weekend
  or a public holiday none, a make-up working day all of them);
- **late share**: decisions made after the round's review deadline, over the decisions whose
  deadline is known;
- **payment days**: calendar days from an item's approval to the value date of the payment
  that paid it in full (items fully paid only), median and p90;
- **restored share**: of the adjusted lines the partner answered, those the assessor then
  restored (in part or in full);
- **upheld share**: of the decided disputes, those upheld.

Median: the middle value, or the mean of the two middle values. p90: the nearest rank, the
⌈0.9·n⌉-th smallest value, so always a value that occurred. Shares are exact ratios rounded
half-up to four places. Peers are shown only when there are at least ``MIN_PEERS`` of them
(``k``-anonymity); a partner never sees one peer's figure nor an assessor's name: teams only.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from ..auth.models import Organization
from ..calendar.working_days import is_working_day
from ..extensions import db
from ..plugins import hook
from ..timeutil import LOCAL_TZ
from .clock import payment_clock

MIN_PEERS = 5
HOURS = Decimal("0.01")
RATIO = Decimal("0.0001")
FIGURES = ("review_median_hours", "review_p90_hours", "late_share", "payment_median_days", "payment_p90_days",
           "restored_share", "upheld_share")


def working_hours(start: datetime, end: datetime) -> Decimal:
    """Hours between ``start`` and ``end`` that fall on working days (local days)."""
    if end <= start:
        return Decimal("0.00")
    start, end = start.astimezone(LOCAL_TZ), end.astimezone(LOCAL_TZ)
    seconds = 0
    day: date = start.date()
    while day <= end.date():
        if is_working_day(day):
            lo = max(start, datetime.combine(day, time(0), LOCAL_TZ))
            hi = min(end, datetime.combine(day + timedelta(days=1), time(0), LOCAL_TZ))
            seconds += max(0, int((hi - lo).total_seconds()))
        day += timedelta(days=1)
    return (Decimal(seconds) / 3600).quantize(HOURS, ROUND_HALF_UP)


def median(values: list) -> Decimal | None:
    if not values:
        return None
    s, n = sorted(values), len(values)
    mid = Decimal(s[n // 2]) if n % 2 else (Decimal(s[n // 2 - 1]) + Decimal(s[n // 2])) / 2
    return mid.quantize(HOURS, ROUND_HALF_UP)


def p90(values: list) -> Decimal | None:
    if not values:
        return None
    s = sorted(values)
    return Decimal(s[(9 * len(s) + 9) // 10 - 1]).quantize(HOURS, ROUND_HALF_UP)


def share(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / whole).quantize(RATIO, ROUND_HALF_UP) if whole else None


def facts(organization_ids) -> dict[str, list[dict]]:
    """Every plugin's facts, merged by key."""
    merged: dict[str, list[dict]] = defaultdict(list)
    for answer in hook().portal_report_card_facts(organization_ids=organization_ids):
        for key, rows in (answer or {}).items():
            merged[key].extend(rows)
    return merged


def figures(found: dict[str, list[dict]], payment_days: list[int]) -> dict:
    """The report card's figures over the given facts and payment days."""
    reviews = found.get("reviews", [])
    hours = [working_hours(r["submitted_at"], r["decided_at"]) for r in reviews]
    timed = [r for r in reviews if r.get("due_at")]
    lines, disputes = found.get("lines", []), found.get("disputes", [])
    return {"reviews": len(reviews), "review_median_hours": median(hours), "review_p90_hours": p90(hours),
            "late_share": share(sum(r["decided_at"] > r["due_at"] for r in timed), len(timed)),
            "payments": len(payment_days), "payment_median_days": median(payment_days),
            "payment_p90_days": p90(payment_days),
            "answered_lines": len(lines), "restored_share": share(sum(x["restored"] for x in lines), len(lines)),
            "disputes": len(disputes), "upheld_share": share(sum(x["upheld"] for x in disputes), len(disputes))}


def _payment_days(organization_ids) -> list[int]:
    return [r["days_waiting"] for org_id in organization_ids for r in payment_clock(org_id)
            if r["status"] == "paid" and r["days_waiting"] is not None]


def peers_of(org: Organization) -> list[int]:
    """Active partners of the same kind in the same region, ``org`` left out."""
    return list(db.session.scalars(sa.select(Organization.id).where(
        Organization.kind == org.kind, Organization.region == org.region, Organization.id != org.id,
        Organization.status == "active").order_by(Organization.id)))


def partner_card(org: Organization) -> dict:
    """The partner's own figures and its region's peers' (``None`` below ``MIN_PEERS`` peers)."""
    own = figures(facts([org.id]), _payment_days([org.id]))
    peer_ids = peers_of(org)
    peers = figures(facts(peer_ids), _payment_days(peer_ids)) if len(peer_ids) >= MIN_PEERS else None
    return {"organization_id": org.id, "region": org.region, "kind": org.kind, "own": own,
            "peer_count": len(peer_ids), "min_peers": MIN_PEERS, "peers": peers}


def team_cards() -> list[dict]:
    """Staff's view: the same figures per assessor team (payment days are the insurer's, not a team's)."""
    by_team: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for key, rows in facts(None).items():
        for row in rows:
            by_team[row.get("team") or ""][key].append(row)
    return [{"team": team, **figures(found, [])} for team, found in sorted(by_team.items())]
