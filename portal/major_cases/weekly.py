"""The weekly summary of major cases (大案周报), due every Friday at 17:00 Asia/Shanghai; when
Friday is not a working day (the working calendar decides: holidays, 调休), the working day
before it. The summary covers the time since the previous week's due moment.

Until its due moment a week's summary is a draft computed live; the job
``major_cases.weekly_summary`` publishes it once the moment has passed (the figures as they
stood then are stored and supervisors are notified). A published week never changes.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa

from ..calendar.working_days import is_working_day
from ..errors import Invalid
from ..extensions import db
from ..money import format_money
from ..timeutil import LOCAL_TZ, isoformat, local_now, to_local, utcnow
from .models import MajorCase, MajorCaseLine, MajorCaseWeek
from .register import settings

WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


def week_code(d: date) -> str:
    year, week, _ = d.isocalendar()
    return f"{year}-W{week:02d}"


def parse_week(text: str | None) -> str:
    """A valid ISO week code; ``None`` or empty: the current week (Asia/Shanghai)."""
    if not text:
        return week_code(local_now().date())
    m = WEEK_RE.match(text.strip())
    if not m:
        raise Invalid({"week": ["A week such as 2026-W49."]})
    year, week = int(m.group(1)), int(m.group(2))
    try:
        date.fromisocalendar(year, week, 1)
    except ValueError:
        raise Invalid({"week": ["No such week."]}) from None
    if not 2000 <= year <= 2200:
        raise Invalid({"week": ["The year must be between 2000 and 2200."]})
    return f"{year}-W{week:02d}"


def _monday(week: str) -> date:
    year, number = (int(x) for x in WEEK_RE.match(week).groups())
    return date.fromisocalendar(year, number, 1)


def due_at(week: str) -> datetime:
    """Friday (``weekly_weekday``) 17:00 of the week, moved back to the previous working day
    while that day is not one (a whole holiday week moves into the week before)."""
    cfg = settings()
    day = _monday(week) + timedelta(days=int(cfg["weekly_weekday"]))
    for _ in range(31):
        if is_working_day(day):
            break
        day -= timedelta(days=1)
    return datetime.combine(day, time.fromisoformat(cfg["weekly_time"]), tzinfo=LOCAL_TZ)


def previous_week(week: str) -> str:
    return week_code(_monday(week) - timedelta(days=7))


def next_week(week: str) -> str:
    return week_code(_monday(week) + timedelta(days=7))


def build(week: str, as_of: datetime | None = None) -> dict:
    """The figures of ``week``: every case open at some time of its period, with its milestones
    as they stood at the due moment (or ``as_of`` when earlier: a draft)."""
    end = due_at(week)
    start = due_at(previous_week(week))
    moment = min(end, as_of or utcnow())
    cases = db.session.scalars(
        sa.select(MajorCase).where(MajorCase.opened_at <= moment,
                                   sa.or_(MajorCase.closed_at.is_(None), MajorCase.closed_at > start))
        .order_by(MajorCase.opened_at, MajorCase.id)).all()
    lines = _status_lines([c.id for c in cases], moment)
    rows, totals = [], {"cases": 0, "new": 0, "closed": 0, "overdue": 0, "amount": "0.00", "by_band": {}}
    amount_sum, by_band = Decimal("0"), {}
    for case in cases:
        closed_now = case.closed_at is not None and case.closed_at <= moment
        mine = lines.get(case.id, [])
        statuses = [x.at for x in mine if x.kind == "status"]
        late = [] if closed_now else _overdue_at(case, moment, statuses[-1] if statuses else None)
        in_period = [x for x in mine if x.at > start]
        line = in_period[-1] if in_period else None
        rows.append({
            "case_id": case.id, "claim_no": case.claim.claim_no, "band": case.band, "basis": case.basis,
            "amount": format_money(case.amount),
            "responsible": case.responsible.name if case.responsible else None,
            "opened_at": isoformat(case.opened_at),
            "on_site_at": isoformat(case.on_site_at) if case.on_site_at and case.on_site_at <= moment else None,
            "report_at": isoformat(case.report_at) if case.report_at and case.report_at <= moment else None,
            "status_line": line.text if line else None,
            "status_line_at": isoformat(line.at) if line else None,
            "overdue": late, "closed": closed_now,
        })
        totals["cases"] += 1
        totals["new"] += int(case.opened_at > start)
        totals["closed"] += int(closed_now)
        totals["overdue"] += int(bool(late))
        amount_sum += case.amount
        count, total = by_band.get(case.band, (0, Decimal("0")))
        by_band[case.band] = (count + 1, total + case.amount)
    totals["amount"] = format_money(amount_sum)
    totals["by_band"] = {str(b): {"cases": n, "amount": format_money(a)} for b, (n, a) in sorted(by_band.items())}
    return {"week": week, "period_start": isoformat(start), "due_at": isoformat(end), "as_of": isoformat(moment),
            "draft": moment < end, "totals": totals, "cases": rows}


def _overdue_at(case: MajorCase, moment: datetime, last_status: datetime | None) -> list[str]:
    """Overdue milestones as they stood at ``moment``: one done only later was late then."""
    days = timedelta(days=int(settings()["status_days"]))
    late = []
    if not (case.on_site_at and case.on_site_at <= moment) and moment > case.on_site_due:
        late.append("on_site")
    if not (case.report_at and case.report_at <= moment) and moment > case.report_due:
        late.append("investigation_report")
    if moment > (last_status or case.opened_at) + days:
        late.append("status")
    return late


def _status_lines(case_ids: list[int], moment: datetime) -> dict[int, list[MajorCaseLine]]:
    """The status lines and reports of the cases up to ``moment``, oldest first."""
    out: dict[int, list[MajorCaseLine]] = {}
    if not case_ids:
        return out
    for line in db.session.scalars(sa.select(MajorCaseLine).where(
            MajorCaseLine.case_id.in_(case_ids), MajorCaseLine.kind.in_(("status", "investigation_report")),
            MajorCaseLine.at <= moment).order_by(MajorCaseLine.at, MajorCaseLine.id)):
        out.setdefault(line.case_id, []).append(line)
    return out


def summary(week: str, now: datetime | None = None) -> dict:
    """The published figures of ``week`` if it was published, else a live draft."""
    published = db.session.scalar(sa.select(MajorCaseWeek).where(MajorCaseWeek.week == week))
    if published is not None:
        return {**published.figures, "published_at": isoformat(published.published_at)}
    return {**build(week, now), "published_at": None}


def publish_due(now: datetime | None = None) -> list[str]:
    """Publish this week's and last week's summaries whose due moment has passed (once each)."""
    now = now or utcnow()
    this = week_code(to_local(now).date())
    done = []
    for week in (previous_week(this), this):
        if now < due_at(week):
            continue
        if db.session.scalar(sa.select(MajorCaseWeek.id).where(MajorCaseWeek.week == week)) is not None:
            continue
        figures = build(week, now)
        db.session.add(MajorCaseWeek(week=week, due_at=due_at(week), published_at=now, figures=figures))
        db.session.flush()
        done.append(week)
    return done

