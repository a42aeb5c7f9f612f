"""The lists people work from: the assessor's review queue (核损队列) and the garage's own
quotes. Plate and vehicle beside each quote, search by plate / claim number / VIN (exact and
prefix), the time left to the review deadline in words and colour (Beijing time), sorting
by a whitelist, and a supervisor's escalations first. Both pages read a fixed number of
statements whatever the number of rows or the search."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.plugin import (LOCAL_TZ, Claim, Organization, User, db, local_datetime, utcnow, visible_claims_stmt,
                          xlsx_response)

from . import services
from .assignment import scope_filter
from .controls import PENDING, open_chains
from .models import HELD, IN_REVIEW, VISIBLE_STATUSES, Quote
from .services.review import review_scope
from .views import _partner, _staff, bp

AMOUNT_BANDS = {"small": (None, Decimal("5000")), "medium": (Decimal("5000"), Decimal("20000")),
                "large": (Decimal("20000"), Decimal("50000")), "major": (Decimal("50000"), None)}
# the queue's orders (anything else asked for is the default, "due")
SORTS = {"due": (Quote.due_at.is_(None), Quote.due_at, Quote.id),
         "amount": (Quote.total_submitted.desc(), Quote.id),
         "submitted": (Quote.submitted_at.is_(None), Quote.submitted_at, Quote.id)}
SEARCH_MAX = 64   # the longest claim number; more typed is cut, never an error


def search_term(raw) -> str | None:
    """The search box as the claims store their numbers: no spaces or separators, capitals."""
    term = re.sub(r"[\s\x00-\x1f\x7f·•]", "", str(raw or "")).upper()[:SEARCH_MAX]
    return term or None


def _prefix(column, term: str):
    """``column`` starts with ``term`` (the exact value included). On SQLite (binary order) a
    range the column's index reads as well; the LIKE keeps it exact on any collation."""
    cond = column.startswith(term, autoescape=True)
    if db.session.get_bind().dialect.name == "sqlite":
        cond = sa.and_(column >= term, column < term + "\U0010ffff", cond)
    return cond


def _bare_plate(column):
    """A plate as typed without its separators ("沪B·7D336" is found as 沪B7D336)."""
    for sep in ("·", "•", " ", "-"):
        column = sa.func.replace(column, sep, "")
    return column


def searched(term: str):
    """The quotes whose claim's number, VIN or plate starts with ``term``: the claim number
    (unique) and the VIN are read through their indexes; the plate has none on the claims
    table (and is compared without its separators), so it is the one read through the claims."""
    plate = term.replace("-", "")
    ids = sa.union(sa.select(Claim.id).where(_prefix(Claim.claim_no, term)),
                   sa.select(Claim.id).where(_prefix(Claim.vin, term)),
                   sa.select(Claim.id).where(_bare_plate(Claim.plate).startswith(plate, autoescape=True)
                                             if plate else sa.false()))
    return Quote.claim_id.in_(sa.select(ids.subquery().c.id))


def _filtered(stmt, args, skip=()):
    now = utcnow()
    today = datetime.now(LOCAL_TZ).date()
    end_today = local_datetime(today + timedelta(days=1), datetime.min.time())
    if "color" not in skip and args.get("color"):
        stmt = stmt.where(Claim.risk_color == args["color"])
    if "status" not in skip and args.get("status"):
        stmt = stmt.where(Quote.status == args["status"])
    if "due" not in skip and args.get("due") == "overdue":
        stmt = stmt.where(Quote.status.in_(IN_REVIEW), Quote.due_at < now)
    if "due" not in skip and args.get("due") == "today":
        stmt = stmt.where(Quote.status.in_(IN_REVIEW), Quote.due_at >= now, Quote.due_at < end_today)
    if "garage" not in skip and args.get("garage", type=int):
        stmt = stmt.where(Quote.garage_id == args.get("garage", type=int))
    if "band" not in skip and args.get("band") in AMOUNT_BANDS:
        lo, hi = AMOUNT_BANDS[args["band"]]
        if lo is not None:
            stmt = stmt.where(Quote.total_submitted > lo)
        if hi is not None:
            stmt = stmt.where(Quote.total_submitted <= hi)
    term = search_term(args.get("q"))
    if term:
        stmt = stmt.where(searched(term))
    return stmt


def _counts(base, column, args, skip):
    stmt = _filtered(base, args, skip=(skip,))
    return dict(db.session.execute(stmt.with_only_columns(column, sa.func.count()).group_by(column)).all())


def _span(delta: timedelta) -> str:
    """A length of time in words, its two largest units: "2 d 3 h", "45 min"."""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [(days, _("%(n)s d", n=days)), (hours, _("%(n)s h", n=hours)), (mins, _("%(n)s min", n=mins))]
    shown = [text for n, text in parts if n][:2]
    if len(shown) == 2:
        return _("%(first)s %(second)s", first=shown[0], second=shown[1])
    return shown[0] if shown else _("under a minute")


def clock(quote, now: datetime, end_today: datetime) -> tuple[str, str] | None:
    """The time left to the review deadline in words and its tone: past it ``danger`` (red),
    due before the end of today in Beijing (the "Due today" filter) ``warning`` (amber),
    later ``ok``; a held review's clock is stopped; out of review, none."""
    if quote.status in HELD:
        return _("Clock stopped"), "stopped"
    if quote.status not in IN_REVIEW or quote.due_at is None:
        return None
    if quote.due_at < now:
        return _("overdue by %(time)s", time=_span(now - quote.due_at)), "danger"
    return _("%(time)s left", time=_span(quote.due_at - now)), "warning" if quote.due_at < end_today else "ok"


@bp.route("/queue")
@login_required
def queue():
    """The assessor's queue (待核损) with counts per filter; supervisors see overdue/due today.

    Scopes (一人终审, docs/review-controls.md): ``mine`` (the open reviews I own), ``unassigned`` (open and
    owned by no one), ``team`` (everyone's); by default ``mine`` for an assessor who owns open
    reviews, else ``team``. Without a status filter a scope shows what is on the desks
    (``review_scope`` plus the held reviews: 问题件 / 案件调查); ``scope=all`` shows every quote.
    ``q`` searches by plate, claim number or VIN; ``sort`` is one of :data:`SORTS`; a
    supervisor sees the escalations first (those assigned to them, then the others)."""
    _staff()
    args = request.args
    scopes = ("mine", "unassigned", "team")
    everything = sa.select(Quote).join(Claim, Claim.id == Quote.claim_id).where(Quote.status != "deleted")
    scope = args.get("scope")
    if scope not in scopes + ("all",):
        scope = "team"
        if current_user.has_role("assessor") and db.session.scalar(
                sa.select(sa.func.count()).select_from(Quote).where(
                    scope_filter(current_user, "mine"), Quote.status.in_(PENDING))):
            scope = "mine"
    on_desks = sa.or_(review_scope(current_user), Quote.status.in_(HELD))

    def scoped(name):
        """The condition of a scope tab: its owner filter, and without a status filter what is open."""
        cond = scope_filter(current_user, name)
        if not args.get("status"):
            cond = sa.and_(cond, Quote.status.in_(PENDING)) if name == "mine" else \
                (on_desks if cond is None else sa.and_(cond, on_desks))
        return cond

    cond = None if scope == "all" else scoped(scope)
    base = everything if cond is None else everything.where(cond)
    tab_conds = {name: scoped(name) for name in scopes}
    tabs = dict(zip(scopes, db.session.execute(_filtered(everything, args).with_only_columns(
        *[sa.func.count() if c is None else sa.func.count().filter(c) for c in tab_conds.values()])).one()))
    owner_only = None if scope == "all" else scope_filter(current_user, scope)
    now = utcnow()
    today_end = local_datetime(datetime.now(LOCAL_TZ).date() + timedelta(days=1), datetime.min.time())
    counts = {
        "color": _counts(base, Claim.risk_color, args, "color"),
        "status": _counts(everything if owner_only is None else everything.where(owner_only),
                          Quote.status, args, "status"),
        "due": {k: db.session.scalar(_filtered(base, args, skip=("due",)).where(Quote.status.in_(IN_REVIEW), cond)
                                     .with_only_columns(sa.func.count())) or 0
                for k, cond in (("overdue", Quote.due_at < now),
                                ("today", sa.and_(Quote.due_at >= now, Quote.due_at < today_end)))},
        "band": {k: db.session.scalar(_filtered(base, args, skip=("band",)).where(
            *([Quote.total_submitted > lo] if lo is not None else []),
            *([Quote.total_submitted <= hi] if hi is not None else [])).with_only_columns(sa.func.count())) or 0
            for k, (lo, hi) in AMOUNT_BANDS.items()},
        "scope": tabs,
    }
    garages = db.session.execute(_filtered(base, args, skip=("garage",)).with_only_columns(
        Quote.garage_id, sa.func.count()).group_by(Quote.garage_id)).all()
    names = dict(db.session.execute(sa.select(Organization.id, Organization.name).where(
        Organization.id.in_([g for g, _n in garages]))).all()) if garages else {}
    sort = args.get("sort") if args.get("sort") in SORTS else "due"
    first = []
    if current_user.has_role("supervisor", "admin"):   # the supervisor's escalations first
        first = [sa.case((sa.and_(Quote.status == "escalated", Quote.assigned_reviewer_id == current_user.id), 0),
                         (Quote.status == "escalated", 1), else_=2)]
    stmt = _filtered(base, args).order_by(*first, *SORTS[sort])

    def owners_of(rows):
        ids = {q.assigned_reviewer_id for q in rows if q.assigned_reviewer_id}
        return dict(db.session.execute(sa.select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}

    if args.get("export") == "xlsx":
        rows = db.session.scalars(stmt.limit(10000)).all()
        owners = owners_of(rows)
        return xlsx_response("review-queue.xlsx", [
            (_("Quote"), "number"), (_("Claim"), "text"), (_("Colour"), "text"), (_("Garage"), "text"),
            (_("Status"), "text"), (_("Desk"), "text"), (_("Owner"), "text"), (_("Submitted amount"), "money"),
            (_("Approved amount"), "money"), (_("Submitted at"), "datetime"), (_("Due"), "datetime"),
            (_("Plate"), "text"), (_("Vehicle"), "text")],
            [(q.id, q.claim.claim_no, _(q.claim.risk_color), q.garage.name, _(q.status), _(q.desk or "—"),
              owners.get(q.assigned_reviewer_id, _("unassigned") if q.status in PENDING else "—"),
              q.total_submitted, q.total_approved, q.submitted_at, q.due_at, q.claim.plate, q.claim.model)
             for q in rows], title=_("Review queue"))
    page = max(args.get("page", 1, type=int), 1)
    total = db.session.scalar(stmt.with_only_columns(sa.func.count()).order_by(None))
    quotes = db.session.scalars(stmt.limit(50).offset((page - 1) * 50)).all()
    return render_template("garages/queue.html", quotes=quotes, counts=counts, garages=garages, names=names,
                           total=total, page=page, statuses=VISIBLE_STATUSES, now=now, scope=scope,
                           scopes=scopes, owners=owners_of(quotes), held=HELD, pending=PENDING, sort=sort,
                           search=search_term(args.get("q")),
                           clocks={q.id: clock(q, now, today_end) for q in quotes})


@bp.route("/quotes")
@login_required
def my_quotes():
    """The garage's quotes: plate and vehicle, status, whose desk, until when (search by plate,
    claim number or VIN); and its claims to quote on, each with the one next step the chain
    rule allows (``controls.open_chain``: new quote, supplement, continue or answer)."""
    _partner()
    stmt = services.visible_quotes_stmt(current_user).order_by(Quote.id.desc())
    if request.args.get("status") in VISIBLE_STATUSES:
        stmt = stmt.where(Quote.status == request.args["status"])
    term = search_term(request.args.get("q"))
    if term:
        stmt = stmt.where(searched(term))
    counts = dict(db.session.execute(sa.select(Quote.status, sa.func.count()).where(
        Quote.garage_id == current_user.organization_id, Quote.status != "deleted").group_by(Quote.status)).all())
    quotes = db.session.scalars(stmt.limit(500)).all()
    if request.args.get("export") == "xlsx":
        return xlsx_response("quotes.xlsx", [
            (_("Quote"), "number"), (_("Claim"), "text"), (_("Status"), "text"), (_("Desk"), "text"),
            (_("Submitted amount"), "money"), (_("Approved amount"), "money"), (_("Due"), "datetime"),
            (_("Plate"), "text"), (_("Vehicle"), "text")],
            [(q.id, q.claim.claim_no, _(q.status), _(q.desk or "—"), q.total_submitted, q.total_approved, q.due_at,
              q.claim.plate, q.claim.model) for q in quotes], title=_("Quotes"))
    claims = db.session.scalars(visible_claims_stmt(current_user).order_by(Claim.id.desc()).limit(100)).all()
    now = utcnow()
    today_end = local_datetime(datetime.now(LOCAL_TZ).date() + timedelta(days=1), datetime.min.time())
    return render_template("garages/my_quotes.html", quotes=quotes, counts=counts, claims=claims,
                           statuses=VISIBLE_STATUSES, search=term,
                           chains=open_chains([c.id for c in claims], current_user.organization_id),
                           clocks={q.id: clock(q, now, today_end) for q in quotes})
