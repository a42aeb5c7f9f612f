"""Audit sampling (稽查): the day's approved quotes drawn for re-inspection (复勘), and the
re-inspection's result recorded."""
from __future__ import annotations

import hashlib
import hmac
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from portal.plugin import LOCAL_TZ, Forbidden, Invalid, NotFound, Period, db, has_permission, record_audit, utcnow

from .. import rules as R
from ..models import AuditSample, Quote
from .quotes import SYSTEM


def day_seed(day: date) -> str:
    """The seed of a day's draw: the same for every run of that day (so a day that drew
    nothing draws nothing again, whoever runs it and however often), unknowable to a partner
    (keyed by the portal's secret)."""
    key = str(current_app.config.get("SECRET_KEY") or "").encode()
    return hmac.new(key, f"audit-sample:{day.isoformat()}".encode(), hashlib.sha256).hexdigest()[:16]


def sample_quotes(day: date, seed: str | None = None, actor=SYSTEM) -> list[AuditSample]:
    """Draw the day's approved quotes for re-inspection (复勘): a base share, a higher one
    for C/D garages and for large amounts; the seed and reason are recorded. A day is drawn
    once: running it again for the same day draws nothing new (by default the day's own seed,
    :func:`day_seed`, so a day whose draw found nothing finds nothing again)."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(AuditSample).where(AuditSample.sample_date == day)):
        return []
    cfg = R.rules()
    seed = seed or day_seed(day)
    rng = random.Random(f"{day.isoformat()}:{seed}")
    period = Period.day(day)
    quotes = db.session.scalars(
        sa.select(Quote).where(Quote.status == "approved", Quote.decided_at >= period.start,
                               Quote.decided_at < period.end,
                               ~Quote.id.in_(sa.select(AuditSample.quote_id)))
        .order_by(Quote.id)).all()
    base = Decimal(str(cfg["sampling_share"]))
    grade_shares = {k: Decimal(str(v)) for k, v in cfg["sampling_grade_shares"].items()}
    amount_threshold = Decimal(str(cfg["sampling_amount_threshold"]))
    amount_share = Decimal(str(cfg["sampling_amount_share"]))
    drawn = []
    for quote in quotes:
        candidates = [(base, "random")]
        if quote.garage.grade in grade_shares:
            candidates.append((grade_shares[quote.garage.grade], "grade"))
        if (quote.total_approved or 0) >= amount_threshold:
            candidates.append((amount_share, "amount"))
        share, reason = max(candidates, key=lambda c: c[0])
        draw = Decimal(str(round(rng.random(), 8)))
        if draw < share:
            sample = AuditSample(quote_id=quote.id, sample_date=day, reason=reason, seed=seed, share=share,
                                 draw=draw, rules_version=R.rules_version())
            db.session.add(sample)
            quote.sampled, quote.sample_reason, quote.sample_seed = True, reason, seed
            drawn.append(sample)
    db.session.flush()
    for sample in drawn:
        record_audit("quote", sample.quote_id, "audit_sampled",
                     {"reason": sample.reason, "seed": seed, "share": sample.share, "draw": sample.draw}, actor=actor)
    return drawn


@dataclass(frozen=True)
class Draw:
    """What drawing today's sample did: the day of approvals drawn, the quotes drawn now, and
    whether that day had been drawn before (nothing new then)."""

    day: date
    drawn: list
    already: bool


def draw_todays_sample(user) -> Draw:
    """Today's draw, asked for by a person (the sampling page's button) instead of waiting for
    the scheduled job: the same draw of the same day (:func:`yesterday_local`, the approvals of
    the day before, which the job draws on its first run after midnight), once per day. Only
    those with the ``quotes.sample`` permission (supervisors, admins) may ask."""
    if not user.is_insurer:
        raise NotFound()
    if not has_permission(user, "quotes.sample"):
        raise Forbidden("Only a supervisor draws the audit sample.")
    day = yesterday_local()
    already = bool(db.session.scalar(sa.select(sa.func.count()).select_from(AuditSample)
                                     .where(AuditSample.sample_date == day)))
    return Draw(day, [] if already else sample_quotes(day, actor=user), already)


def draw_schedule() -> int:
    """Every how many minutes the worker runs the scheduled jobs, the draw among them
    (``WORKER_JOBS_MINUTES``, read as ``portal.worker`` reads it)."""
    return max(1, int(current_app.config.get("WORKER_JOBS_MINUTES") or 5))


INSPECTION_RESULTS = ("confirmed", "overpaid", "fraud_suspected")


def record_inspection(sample: AuditSample, user, result: str, note: str | None) -> AuditSample:
    if not user.is_insurer:
        raise NotFound()
    if result not in INSPECTION_RESULTS:
        raise Invalid({"result": [f"One of: {', '.join(INSPECTION_RESULTS)}."]})
    before = sample.result
    sample.result, sample.result_note = result, (note or "").strip() or None
    sample.inspected_by_id, sample.inspected_at = user.id, utcnow()
    record_audit("quote", sample.quote_id, "reinspection", {"result": [before, result], "note": sample.result_note},
                 actor=user)
    return sample


def yesterday_local() -> date:
    return (datetime.now(LOCAL_TZ) - timedelta(days=1)).date()
