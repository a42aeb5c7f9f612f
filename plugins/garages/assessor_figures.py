"""Per-assessor figures by period (一人终审责任制的考核, docs/review-controls.md, issue 18 part 3).

For each insurer reviewer, over a period of local (Asia/Shanghai) days:

- **decisions** (throughput): the reviewer's ``approve`` / ``first_approve`` / ``return`` /
  ``reject`` / ``escalate`` decisions made in the period (never the system's fast track);
- **time to decision**, median and p90 in hours: from the start of the quote's review round
  to the decision. A round starts with the ``submit`` decision (a resubmission after a
  return starts a new one) or with a ``resume`` after a hold, which restarts the review and its
  clock (``holds.resume`` sets a new ``submitted_at`` and deadline); the round of a decision
  is the last such row *before it* (by id: the order in which they were written). A
  supervisor deciding an escalated quote is timed from the same start: the review is one.
  p90 is the nearest rank (the ⌈0.9·n⌉-th smallest), so it is always a time that occurred;
- **share decided after the deadline** (超时限交案率): the decisions made after the review
  deadline of their round, over the decisions whose deadline is known. The deadline of a
  round is the one the portal set at its start, read from the append-only audit trail: the
  ``submit`` and ``resume`` transitions record ``due_at`` (``[None, due]``). ``Quote.due_at``
  alone would be wrong for every round but the last — a return clears it, a resubmission or
  a resume replaces it — and the calendar can change after the fact, so recomputing the
  deadline could be wrong too. The n-th round start of a quote in the decisions pairs with
  its n-th in the audit trail; a quote whose two records disagree in number (data written
  outside the workflow) has no known deadline and is left out of the share (counted as
  ``unknown_deadline``), never guessed. The target (≤ 10%) is ``GARAGES_RULES
  ["overdue_share_target"]``; a reviewer is above it when the share is strictly greater;
- **reduction rate** (核减率): 1 − Σ approved / Σ submitted over the reviewer's approvals
  (``approve`` and ``first_approve``: what each of them signed), the submitted amount being
  the one of the round's submission.

Reviews still open and past their deadline are not decisions and would flatter the share of a
reviewer who sits on them: ``open_overdue`` shows them, assigned to each reviewer, as of now.

Everything is read in four set-based statements, however many reviewers and decisions.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from portal.plugin import (LOCAL_TZ, UTC, AuditEntry, Organization, Period, User, db, month_start, parse_roles,
                          utcnow)

from . import rules as R
from .models import IN_REVIEW, Decision, Quote

DECIDING = ("approve", "first_approve", "return", "reject", "escalate")
APPROVING = ("approve", "first_approve")
ROUND_STARTS = ("submit", "resume")
REVIEWER_ROLES = ("assessor", "supervisor")
MAX_DAYS = 366
HOUR = Decimal(3600)
CENT = Decimal("0.01")
RATIO = Decimal("0.0001")


def month_period(today: date | None = None) -> Period:
    """The local calendar month of ``today`` (default: now in Asia/Shanghai)."""
    today = today or datetime.now(LOCAL_TZ).date()
    first = month_start(today)
    return Period.of_days(first, month_start(today, 1) - timedelta(days=1))


def parse_period(start: str | None, end: str | None, today: date | None = None) -> tuple[Period, dict]:
    """The period of ``?from=&to=`` (ISO dates, both included). A missing bound takes the
    default month's; a wrong one gives the default month and an error per field."""
    default = month_period(today)
    errors: dict[str, str] = {}
    values = {}
    for key, text, fallback in (("from", start, default.first_day), ("to", end, default.last_day)):
        try:
            values[key] = date.fromisoformat(text.strip()) if text and text.strip() else fallback
        except ValueError:
            errors[key] = "A date as YYYY-MM-DD."
    if errors:
        return default, errors
    if values["to"] < values["from"]:
        return default, {"to": "The end is before the start."}
    if (values["to"] - values["from"]).days >= MAX_DAYS:
        return default, {"to": f"At most {MAX_DAYS} days."}
    return Period.of_days(values["from"], values["to"]), {}


@dataclass
class AssessorRow:
    user_id: int
    name: str
    roles: tuple[str, ...]
    active: bool = True
    decisions: int = 0
    by_action: dict = field(default_factory=lambda: dict.fromkeys(DECIDING, 0))
    hours: list = field(default_factory=list)        # time to each decision with a known round start
    timed: int = 0                                   # decisions whose deadline is known
    overdue: int = 0                                 # of those, made after the deadline
    approvals: int = 0
    submitted: Decimal = Decimal("0.00")             # of the approved rounds
    approved: Decimal = Decimal("0.00")
    open_overdue: int = 0                            # open reviews past their deadline, now
    target: Decimal = Decimal("0.10")

    @property
    def median_hours(self) -> Decimal | None:
        if not self.hours:
            return None
        s, n = sorted(self.hours), len(self.hours)
        mid = s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2
        return mid.quantize(CENT, ROUND_HALF_UP)

    @property
    def p90_hours(self) -> Decimal | None:
        if not self.hours:
            return None
        s = sorted(self.hours)
        return s[(9 * len(s) + 9) // 10 - 1].quantize(CENT, ROUND_HALF_UP)   # nearest rank: ⌈0.9·n⌉

    @property
    def overdue_share(self) -> Decimal | None:
        return (Decimal(self.overdue) / self.timed).quantize(RATIO, ROUND_HALF_UP) if self.timed else None

    @property
    def above_target(self) -> bool:
        """Strictly above the target, judged exactly (never on a rounded share)."""
        return bool(self.timed) and Decimal(self.overdue) > self.target * self.timed

    @property
    def reduction_rate(self) -> Decimal | None:
        if not self.submitted:
            return None
        return (1 - self.approved / self.submitted).quantize(RATIO, ROUND_HALF_UP)


@dataclass
class Figures:
    period: Period
    target: Decimal
    rows: list[AssessorRow]
    unknown_deadline: int = 0     # decisions left out of the overdue share: no recorded deadline

    @property
    def target_index(self) -> int | None:
        """Where the target line is drawn: before the first row above the target."""
        return next((i for i, r in enumerate(self.rows) if r.above_target), None)


def target() -> Decimal:
    return Decimal(str(R.rules().get("overdue_share_target", "0.10")))


def _hours(delta: timedelta) -> Decimal:
    micros = (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds
    return Decimal(micros) / 1_000_000 / HOUR


def _due(changes) -> datetime | None:
    due = (changes or {}).get("due_at")
    value = due[1] if isinstance(due, list) and len(due) == 2 else None
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def figures(period: Period, now: datetime | None = None) -> Figures:
    """The figures of every insurer reviewer over ``period``, ranked: the lowest share
    decided after the deadline first (then the most decisions); reviewers without a
    decision in the period last."""
    lo, hi = period.start, period.end
    goal = target()
    in_period = sa.and_(Decision.at >= lo, Decision.at < hi, Decision.action.in_(DECIDING),
                        Decision.user_id.is_not(None), Decision.automatic.is_(False))
    decided_quotes = sa.select(Decision.quote_id).where(in_period)
    # 1. the period's decisions, with every round start of their quotes (any time)
    rows = db.session.execute(
        sa.select(Decision.id, Decision.quote_id, Decision.user_id, Decision.action, Decision.at, Decision.amount)
        .where(sa.or_(in_period, sa.and_(Decision.action.in_(ROUND_STARTS), Decision.quote_id.in_(decided_quotes))))
        .order_by(Decision.quote_id, Decision.id)).all()
    # 2. the deadlines the portal set at each round start (the audit trail, in order)
    dues: dict[int, list] = defaultdict(list)
    for entity_id, changes in db.session.execute(
            sa.select(AuditEntry.entity_id, AuditEntry.changes)
            .where(AuditEntry.entity == "quote", AuditEntry.action.in_(ROUND_STARTS),
                   AuditEntry.entity_id.in_(sa.select(sa.cast(Decision.quote_id, sa.String)).where(in_period)))
            .order_by(AuditEntry.entity_id, AuditEntry.id)):
        dues[int(entity_id)].append(_due(changes))
    # 3. the reviewers: everyone who decided, and every active assessor or supervisor
    people = db.session.execute(
        sa.select(User.id, User.name, User.roles_text, User.active)
        .join(Organization, Organization.id == User.organization_id)
        .where(Organization.kind == "insurer",
               sa.or_(User.id.in_(sa.select(Decision.user_id).where(in_period)),
                      sa.and_(User.active.is_(True), sa.or_(*[User.roles_text.contains(r) for r in REVIEWER_ROLES]))))
        .order_by(User.id)).all()
    # 4. open reviews past their deadline, per owner, now
    open_overdue = dict(db.session.execute(
        sa.select(Quote.assigned_reviewer_id, sa.func.count())
        .where(Quote.status.in_(IN_REVIEW), Quote.due_at < (now or utcnow()), Quote.assigned_reviewer_id.is_not(None))
        .group_by(Quote.assigned_reviewer_id)).all())

    deciders = {r.user_id for r in rows if r.action in DECIDING}
    by_user: dict[int, AssessorRow] = {}
    for uid, name, roles_text, active in people:
        roles = tuple(parse_roles(roles_text))
        if uid in deciders or set(roles) & set(REVIEWER_ROLES):   # "contains" matched a role's name exactly
            by_user[uid] = AssessorRow(uid, name, roles, active, open_overdue=open_overdue.get(uid, 0), target=goal)
    starts_of: dict[int, int] = defaultdict(int)
    for r in rows:
        if r.action in ROUND_STARTS:
            starts_of[r.quote_id] += 1
    unknown = 0
    quote_id, start, submitted, k = None, None, None, 0
    for r in rows:
        if r.quote_id != quote_id:
            quote_id, start, submitted, k = r.quote_id, None, None, 0
        if r.action in ROUND_STARTS:
            start, k = r.at, k + 1
            if r.action == "submit" and r.amount is not None:
                submitted = r.amount
            continue
        row = by_user.get(r.user_id)
        if row is None:   # not an insurer's user (never expected): not an assessor's figure
            continue
        row.decisions += 1
        row.by_action[r.action] += 1
        if start is not None:
            row.hours.append(_hours(r.at - start))
        recorded = dues.get(r.quote_id, [])
        due = recorded[k - 1] if k and len(recorded) == starts_of[r.quote_id] else None
        if due is None:
            unknown += 1
        else:
            row.timed += 1
            row.overdue += r.at > due
        if r.action in APPROVING and r.amount is not None and submitted:
            row.approvals += 1
            row.submitted += submitted
            row.approved += r.amount

    ranked = sorted(by_user.values(), key=lambda a: (
        not a.decisions, a.overdue_share is None, a.overdue_share or 0, -a.decisions, a.name, a.user_id))
    return Figures(period, goal, ranked, unknown)
