"""The register (大案登记): which claims are major, who is responsible, the milestones.

A claim enters when the largest of its amounts — the repair total, salvage, recovery or a
lawsuit, each given by the area that knows it through ``portal_claim_exposures`` — reaches
``MAJOR_CASES["threshold"]``. It never leaves by itself: a later lower amount is recorded,
the entry stays for the auditor. The band (50,000–120,000 / above 120,000 by default) decides
the role of the responsible person; a claim moving up a band gets a person of the new band.

Milestones from the seeds: on site within 24 h (到达现场), an investigation report within
72 h (调查报告), a status line every week (周报进展); each due time counts from the entry.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from ..audit.services import record_audit
from ..auth.models import User
from ..errors import Forbidden, Invalid, NotFound, StaleVersion
from ..extensions import db
from ..money import Money, format_money, quantize
from ..db.records import update_record
from ..statemachine import StateMachine, T
from ..timeutil import utcnow
from .models import BASES, MajorCase, MajorCaseLine

MILESTONES = ("on_site", "investigation_report", "status")
MANAGERS = ("supervisor", "admin")       # may reassign, close and act on any case

# A major case's life: open → closed (结案归档, the report must be in) → reopened.
MAJOR_CASE_FLOW = StateMachine("major_case", MajorCase, [
    T("open", "close", "closed", *MANAGERS),
    T("closed", "reopen", "open", *MANAGERS),
])


def settings() -> dict:
    return current_app.config["MAJOR_CASES"]


def threshold() -> Decimal:
    return Decimal(str(settings()["threshold"]))


def band_of(amount: Decimal) -> int:
    """1-based band of ``amount``: the first whose upper bound (included) holds it."""
    bands = settings()["bands"]
    for index, band in enumerate(bands, start=1):
        if band.get("upper") is None or amount <= Decimal(str(band["upper"])):
            return index
    return len(bands)


def band_role(band: int) -> str:
    return settings()["bands"][band - 1]["role"]


def band_bounds(band: int) -> tuple[Decimal, Decimal | None]:
    """(lower, upper) of a band; the lower bound of the first is the threshold."""
    bands = settings()["bands"]
    lower = threshold() if band == 1 else Decimal(str(bands[band - 2]["upper"]))
    upper = bands[band - 1].get("upper")
    return lower, Decimal(str(upper)) if upper is not None else None


# --------------------------------------------------------------------------- entering the register


def exposures(claim_ids=None) -> tuple[dict[int, dict[str, Decimal]], set[int]]:
    """``({claim_id: {basis: amount}}, {claim ids already in the register})`` from every area's
    select (``portal_claim_exposures``), in one statement. ``claim_ids``: ids, a ``SELECT`` of
    ids, or ``None`` (every claim)."""
    from ..plugins import flatten, hook

    selects = list(flatten(hook().portal_claim_exposures(claim_ids=claim_ids)))
    if not selects:
        return {}, set()
    u = sa.union_all(*selects).subquery()
    claim_id, basis, amount = list(u.c)
    stmt = (sa.select(claim_id, basis, sa.type_coerce(sa.func.sum(amount), Money()), MajorCase.id)
            .select_from(u).outerjoin(MajorCase, MajorCase.claim_id == claim_id)
            .group_by(claim_id, basis, MajorCase.id))
    out: dict[int, dict[str, Decimal]] = {}
    registered = set()
    for cid, b, total, case_id in db.session.execute(stmt):
        if case_id is not None:
            registered.add(cid)
        if b in BASES and total:
            out.setdefault(cid, {})[b] = quantize(Decimal(total))
    return out, registered


def _open_counts() -> dict[int, int]:
    rows = db.session.execute(sa.select(MajorCase.responsible_id, sa.func.count())
                              .where(MajorCase.status == "open", MajorCase.responsible_id.is_not(None))
                              .group_by(MajorCase.responsible_id)).all()
    return dict(rows)


def candidates(band: int, amount: Decimal) -> list[User]:
    """Active insurer users of the band's role whose authority covers the amount, the one
    with the fewest open major cases first."""
    from ..auth.services import insurer_organization

    insurer = insurer_organization()
    if insurer is None:
        return []
    role = band_role(band)
    users = db.session.scalars(sa.select(User).where(User.organization_id == insurer.id, User.active.is_(True))
                               .order_by(User.id)).all()
    fit = [u for u in users if role in u.roles
           and (u.unlimited_authority or (u.authority_limit is not None and u.authority_limit >= amount))]
    load = _open_counts()
    return sorted(fit, key=lambda u: (load.get(u.id, 0), u.id))


def _largest(amounts: dict[str, Decimal]) -> tuple[str, Decimal]:
    basis = max(amounts, key=lambda b: (amounts[b], -BASES.index(b)))
    return basis, amounts[basis]


def sync(claim_ids=None, now: datetime | None = None) -> list[MajorCase]:
    """Enter the claims that reached the threshold and follow the amounts of those already in.
    Returns the cases entered or moved to a higher band (the caller commits)."""
    now = now or utcnow()
    found, registered = exposures(claim_ids)
    limit = threshold()
    wanted = {cid for cid, amounts in found.items() if cid in registered or max(amounts.values()) >= limit}
    if not wanted:
        return []       # the usual change: one statement, nothing to enter or follow
    existing = {c.claim_id: c for c in db.session.scalars(
        sa.select(MajorCase).where(MajorCase.claim_id.in_(sorted(registered & wanted))))} if registered else {}
    cfg, touched = settings(), []
    for claim_id in sorted(wanted):
        amounts = found[claim_id]
        basis, amount = _largest(amounts)
        seen = {b: format_money(a) for b, a in sorted(amounts.items())}
        case = existing.get(claim_id)
        if case is None:
            if amount < limit:
                continue
            band = band_of(amount)
            people = candidates(band, amount)
            case = MajorCase(claim_id=claim_id, amount=amount, basis=basis, amounts=seen, band=band,
                             responsible_id=people[0].id if people else None, opened_at=now,
                             on_site_due=now + timedelta(hours=int(cfg["on_site_hours"])),
                             report_due=now + timedelta(hours=int(cfg["report_hours"])),
                             status_due=now + timedelta(days=int(cfg["status_days"])), status="open", version=1)
            db.session.add(case)
            db.session.flush()
            record_audit("major_case", case.id, "enter", {
                "claim_id": claim_id, "amount": [None, format_money(amount)], "basis": basis, "band": band,
                "responsible_id": [None, case.responsible_id]}, actor=None)
            touched.append(case)
            continue
        if seen == (case.amounts or {}):
            continue
        changes = {"amount": [format_money(case.amount), format_money(amount)], "amounts": seen}
        case.amount, case.basis, case.amounts = amount, basis, seen
        band = band_of(amount)
        if band > case.band:     # a higher band: its role takes the case over
            changes["band"] = [case.band, band]
            case.band = band
            holder = db.session.get(User, case.responsible_id) if case.responsible_id else None
            if holder is None or band_role(band) not in holder.roles:
                people = candidates(band, amount)
                if people:
                    changes["responsible_id"] = [case.responsible_id, people[0].id]
                    case.responsible_id = people[0].id
            touched.append(case)
        case.version += 1
        record_audit("major_case", case.id, "amount", changes, actor=None)
    db.session.flush()
    return touched


# --------------------------------------------------------------------------- reading


def overdue(case: MajorCase, now: datetime | None = None) -> list[str]:
    """The milestones past their due time (none once the case is closed)."""
    now = now or utcnow()
    if case.status != "open":
        return []
    late = []
    if case.on_site_at is None and now > case.on_site_due:
        late.append("on_site")
    if case.report_at is None and now > case.report_due:
        late.append("investigation_report")
    if now > case.status_due:
        late.append("status")
    return late


def overdue_filter(now: datetime | None = None):
    """The same as :func:`overdue` (any milestone), as a SQL condition."""
    now = now or utcnow()
    return sa.and_(MajorCase.status == "open", sa.or_(
        sa.and_(MajorCase.on_site_at.is_(None), MajorCase.on_site_due < now),
        sa.and_(MajorCase.report_at.is_(None), MajorCase.report_due < now),
        MajorCase.status_due < now))


def may_see(user) -> bool:
    return bool(user and user.is_insurer)


def may_act(case: MajorCase, user) -> bool:
    return bool(user and user.is_insurer and (case.responsible_id == user.id or set(MANAGERS) & set(user.roles)))


def get_case(case_id: int, user) -> MajorCase:
    case = db.session.get(MajorCase, case_id)
    if case is None or not may_see(user):
        raise NotFound()
    return case


# --------------------------------------------------------------------------- acting


def record_milestone(case: MajorCase, kind: str, actor, *, text: str | None = None,
                     at: datetime | None = None, now: datetime | None = None) -> MajorCaseLine:
    """On site (a time, not in the future), the investigation report (its text) or a weekly
    status line (its text; the next one is due a week later)."""
    now = now or utcnow()
    if not may_act(case, actor):
        raise Forbidden("Only the responsible person or a supervisor records the milestones of a major case.")
    if case.status != "open":
        raise Invalid({"kind": ["The case is closed; reopen it first."]})
    text = (text or "").strip() or None
    errors = {}
    if kind not in MILESTONES:
        errors["kind"] = [f"One of: {', '.join(MILESTONES)}."]
    if kind in ("investigation_report", "status") and not text:
        errors["text"] = ["Write what was found or what happened."]
    at = at or now
    if at > now + timedelta(minutes=5):
        errors["at"] = ["Cannot be in the future."]
    elif kind == "on_site" and at < case.claim.accident_at:
        errors["at"] = ["Cannot be before the accident."]
    if kind == "on_site" and case.on_site_at is not None:
        errors["kind"] = ["Arrival on site is already recorded."]
    if kind == "investigation_report" and case.report_at is not None:
        errors["kind"] = ["The investigation report is already in; add a status line instead."]
    if errors:
        raise Invalid(errors)
    changes = {"kind": kind, "at": at.isoformat()}
    if kind == "on_site":
        values = {"on_site_at": at}
    elif kind == "investigation_report":
        values = {"report_at": at, "report_text": text}
    else:
        values = {"status_due": at + timedelta(days=int(settings()["status_days"]))}
        changes["status_due"] = [case.status_due.isoformat(), values["status_due"].isoformat()]
    _write(case, values)
    line = MajorCaseLine(case_id=case.id, kind=kind, at=at, text=text, author_id=actor.id, created_at=now)
    db.session.add(line)
    db.session.flush()
    record_audit("major_case", case.id, kind, changes, actor=actor)
    return line


def _write(case: MajorCase, values: dict) -> None:
    """One conditional UPDATE on the version read: two people recording at once cannot both
    pass the checks above (the second gets 409 ``stale_version`` and reads the case again)."""
    if not update_record(case, MajorCase.version == case.version, values={**values, "version": case.version + 1}):
        raise StaleVersion(details={"reloaded": True})


def reassign(case: MajorCase, user_id: int, reason: str, actor) -> MajorCase:
    """A supervisor or admin names the responsible person (of the band's role, with authority
    covering the amount), with a reason; audited."""
    if not (actor and set(MANAGERS) & set(actor.roles)):
        raise Forbidden("Only a supervisor or an admin names the responsible person.")
    reason = (reason or "").strip()
    fit = {u.id for u in candidates(case.band, case.amount)}
    errors = {}
    if user_id not in fit:
        errors["user_id"] = ["Not a person of this band's role whose authority covers the case."]
    if not reason:
        errors["reason"] = ["Say why."]
    if errors:
        raise Invalid(errors)
    before = case.responsible_id
    _write(case, {"responsible_id": user_id})
    record_audit("major_case", case.id, "reassign", {"responsible_id": [before, user_id], "reason": reason},
                 actor=actor)
    return case


def transition(case: MajorCase, action: str, actor, reason: str | None = None) -> MajorCase:
    """Close (the investigation report must be in) or reopen."""
    if action == "close" and case.report_at is None:
        raise Invalid({"action": ["A major case closes only with its investigation report."]})
    values = {"closed_at": utcnow() if action == "close" else None}
    MAJOR_CASE_FLOW.apply(case, action, actor, values=values, audit={"reason": (reason or "").strip() or None})
    return case
