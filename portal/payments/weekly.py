"""The weekly approved-unpaid list (已决未付赔款清单) by age band, per partner and per office,
and the days from approval to payment (median and p90).

Age: whole days from the approval date to the list's date (local dates). Bands: 0–7, 8–15,
16–30 and more than 30 days. An item is unpaid while less than its approved amount is paid;
the unpaid amount is approved − paid. The list is generated on the week's first working day
(Monday, or the next working day when Monday is a holiday; portal/calendar) once per week,
and on demand; each week's list is stored so that past weeks can be re-read.

Percentiles (days from approval to payment, over fully paid items): the median is the middle
value (the mean of the two middle values for an even count); p90 is the nearest rank, the
value at position ⌈0.9·n⌉ of the sorted days.
"""
from __future__ import annotations

import math
import statistics
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from ..auth.models import Organization
from ..calendar.working_days import is_working_day
from ..claims.models import Claim
from ..extensions import db
from ..money import ZERO
from ..timeutil import local_now
from .clock import payment_clock
from .models import UnpaidList
from .services import payable_items

BANDS = (("0-7", 0, 7), ("8-15", 8, 15), ("16-30", 16, 30), (">30", 31, None))


def band_of(days: int) -> str:
    for name, low, high in BANDS:
        if days >= low and (high is None or days <= high):
            return name
    return BANDS[0][0]


def _clock_rows(today: date) -> list[dict]:
    """Every partner's clock rows, with the partner's id."""
    org_ids = sorted({i["organization_id"] for i in payable_items()})
    out = []
    for org_id in org_ids:
        out += [{**r, "organization_id": org_id} for r in payment_clock(org_id, today=today)]
    return out


def unpaid_lines(today: date) -> list[dict]:
    """The approved-unpaid items on ``today``, each with its partner, office, age and band."""
    rows = [r for r in _clock_rows(today) if r["status"] != "paid" and r["approved_on"]
            and r["approved_on"] <= today]
    names = dict(db.session.execute(sa.select(Organization.id, Organization.name)).all())
    claim_nos = {r["item"]["claim_no"] for r in rows}
    regions = dict(db.session.execute(sa.select(Claim.claim_no, Claim.region)
                                      .where(Claim.claim_no.in_(claim_nos))).all()) if claim_nos else {}
    lines = []
    for r in rows:
        days = (today - r["approved_on"]).days
        lines.append({"kind": r["item"]["kind"], "id": r["item"]["id"], "claim_no": r["item"]["claim_no"],
                      "organization_id": r["organization_id"], "partner": names.get(r["organization_id"], ""),
                      "office": regions.get(r["item"]["claim_no"], ""), "approved_on": r["approved_on"].isoformat(),
                      "days": days, "band": band_of(days),
                      "unpaid": f"{r['item']['approved_amount'] - r['item']['paid']:.2f}"})
    return lines


def summarise(lines: list[dict], by: str) -> list[dict]:
    """Unpaid amount and count per band, grouped by ``partner`` or ``office``."""
    groups: dict = {}
    for line in lines:
        g = groups.setdefault(line[by], {"name": line[by], "total": ZERO, "count": 0,
                                         **{b[0]: ZERO for b in BANDS}, **{f"n{b[0]}": 0 for b in BANDS}})
        amount = Decimal(line["unpaid"])
        g[line["band"]] += amount
        g[f"n{line['band']}"] += 1
        g["total"] += amount
        g["count"] += 1
    return [groups[k] for k in sorted(groups)]


def first_working_day(week_start: date) -> date | None:
    for n in range(7):
        day = week_start + timedelta(days=n)
        if is_working_day(day):
            return day
    return None


def generate(today: date | None = None) -> UnpaidList:
    """This week's list, made now (on demand: replaces this week's stored list)."""
    today = today or local_now().date()
    week_start = today - timedelta(days=today.weekday())
    stored = db.session.scalar(sa.select(UnpaidList).where(UnpaidList.week_start == week_start))
    if stored is None:
        stored = UnpaidList(week_start=week_start)
        db.session.add(stored)
    stored.list_date = today
    stored.lines = unpaid_lines(today)
    db.session.flush()
    return stored


def weekly_job(today: date | None = None) -> str:
    """The scheduler's job: on or after the week's first working day, once per week."""
    today = today or local_now().date()
    week_start = today - timedelta(days=today.weekday())
    first = first_working_day(week_start)
    if first is None or today < first:
        return "not yet"
    if db.session.scalar(sa.select(UnpaidList.id).where(UnpaidList.week_start == week_start)):
        return "already made"
    made = generate(today)
    db.session.commit()
    return f"{len(made.lines)} unpaid items"


def percentile_days(values: list[int]) -> dict:
    """Median and p90 (nearest rank) of ``values``; None for an empty list."""
    if not values:
        return {"count": 0, "median": None, "p90": None}
    ordered = sorted(values)
    return {"count": len(ordered), "median": statistics.median(ordered),
            "p90": ordered[math.ceil(0.9 * len(ordered)) - 1]}


def payment_days(today: date | None = None) -> dict:
    """Days from approval to payment over every fully paid item."""
    today = today or local_now().date()
    return percentile_days([(r["paid_on"] - r["approved_on"]).days for r in _clock_rows(today)
                            if r["status"] == "paid" and r["paid_on"] and r["approved_on"]])
