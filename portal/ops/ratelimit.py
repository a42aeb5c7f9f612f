"""Request rate limits that hold across gunicorn workers and machines.

A fixed-window counter per key (e.g. ``login-ip:203.0.113.5``): in Redis when
``RATELIMIT_REDIS_URL`` is set (``INCR`` + ``EXPIRE``), else in the database (one row
per key and window, incremented with a conditional upsert). Exceeding the limit raises
:class:`portal.errors.RateLimited` (429 ``rate_limited``).

API calls (:func:`count_api_call`) are counted per caller — an API key, else a user — per
minute: in Redis likewise, else in one row per caller (:class:`ApiCallCount`) moved to the
current window and incremented by a single upsert that returns the count: one statement
per call, in a short transaction of its own (a GET's stays read-only).
"""
from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column

from ..errors import RateLimited
from ..extensions import db
from ..timeutil import UTC, AwareDateTime

log = logging.getLogger(__name__)


class RateLimitHit(db.Model):
    __tablename__ = "rate_limit_hits"

    key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(AwareDateTime(), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


def _redis():
    url = current_app.config.get("RATELIMIT_REDIS_URL")
    if not url:
        return None
    client = current_app.extensions.get("portal_redis")
    if client is None:
        import redis

        client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        current_app.extensions["portal_redis"] = client
    return client


def hit(key: str, limit: int, window_seconds: int) -> int:
    """Count one hit for ``key``; raise :class:`RateLimited` past ``limit`` per window."""
    now = time.time()
    window = int(now // window_seconds) * window_seconds
    count = _redis_count(key, window, window_seconds)
    if count is None:
        count = _db_hit(key, datetime.fromtimestamp(window, UTC))
    if count > limit:
        raise RateLimited(details={"retry_after_seconds": int(window + window_seconds - now) + 1})
    return count


def _db_hit(key: str, window_start: datetime) -> int:
    """Increment and commit at once (callers commit nothing else before), so the count
    holds whatever the request does next."""
    table = RateLimitHit.__table__
    insert = _dialect_insert(db.session.get_bind().dialect.name)
    stmt = insert(table).values(key=key, window_start=window_start, count=1)
    stmt = stmt.on_conflict_do_update(index_elements=["key", "window_start"], set_={"count": table.c.count + 1})
    db.session.execute(stmt)
    count = db.session.scalar(sa.select(table.c.count).where(table.c.key == key,
                                                             table.c.window_start == window_start))
    db.session.execute(sa.delete(table).where(table.c.window_start < window_start - timedelta(hours=1)))
    db.session.commit()
    return int(count)


class ApiCallCount(db.Model):
    """The calls of one caller in its current one-minute window (``window_start``: epoch seconds)."""

    __tablename__ = "api_call_counts"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    window_start: Mapped[int] = mapped_column(sa.BigInteger)
    count: Mapped[int] = mapped_column(default=0)


@dataclass(frozen=True)
class Allowance:
    """What the ``RateLimit-*`` headers of an answer say."""

    limit: int
    remaining: int
    reset: int   # seconds until the window ends

    def headers(self) -> dict[str, str]:
        return {"RateLimit-Limit": str(self.limit), "RateLimit-Remaining": str(self.remaining),
                "RateLimit-Reset": str(self.reset)}


API_WINDOW_SECONDS = 60


def count_api_call(key: str, limit: int) -> Allowance:
    """Count one API call of ``key``; :class:`RateLimited` (with the allowance in
    ``details``) past ``limit`` in the current minute."""
    now = time.time()
    window = int(now // API_WINDOW_SECONDS) * API_WINDOW_SECONDS
    count = _redis_count(f"api:{key}", window, API_WINDOW_SECONDS)
    if count is None:
        count = _db_count(key, window)
    reset = max(1, math.ceil(window + API_WINDOW_SECONDS - now))
    allowance = Allowance(limit, max(0, limit - count), reset)
    if count > limit:
        raise RateLimited(details={"retry_after_seconds": reset, "limit": limit})
    return allowance


def _redis_count(key: str, window: int, seconds: int) -> int | None:
    client = _redis()
    if client is None:
        return None
    try:
        redis_key = f"portal:rl:{key}:{window}"
        pipe = client.pipeline()
        pipe.incr(redis_key)
        pipe.expire(redis_key, seconds + 5)
        return int(pipe.execute()[0])
    except Exception:  # noqa: BLE001 - fall back to the database, never fail open silently
        log.warning("rate limit: Redis unavailable, using the database")
        return None


def _db_count(key: str, window: int) -> int:
    table = ApiCallCount.__table__
    with db.engine.begin() as conn:
        insert = _dialect_insert(conn.dialect.name)
        stmt = insert(table).values(key=key, window_start=window, count=1)
        same_window = table.c.window_start == stmt.excluded.window_start
        stmt = stmt.on_conflict_do_update(index_elements=["key"], set_={
            "count": sa.case((same_window, table.c.count + 1), else_=1),
            "window_start": stmt.excluded.window_start,
        }).returning(table.c.count)
        return int(conn.execute(stmt).scalar_one())


def _dialect_insert(name: str):
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def _login_key(ip: str | None) -> str:
    return f"login-fail-ip:{ip or 'unknown'}"


def check_login_address(ip: str | None) -> None:
    """Refuse a login from an address that failed ``RATELIMIT_LOGIN_PER_IP`` times in the window
    (failures only: an office behind one address logs in all day)."""
    cfg = current_app.config
    seconds = cfg["RATELIMIT_LOGIN_WINDOW_SECONDS"]
    now = time.time()
    window = int(now // seconds) * seconds
    if peek(_login_key(ip), window) >= cfg["RATELIMIT_LOGIN_PER_IP"]:
        raise RateLimited(details={"retry_after_seconds": int(window + seconds - now) + 1})


def count_login_failure(ip: str | None) -> None:
    cfg = current_app.config
    try:
        hit(_login_key(ip), cfg["RATELIMIT_LOGIN_PER_IP"], cfg["RATELIMIT_LOGIN_WINDOW_SECONDS"])
    except RateLimited:
        pass   # this failure is answered as such; the next try from there is refused


def peek(key: str, window: int) -> int:
    """The count of ``key`` in the window starting at ``window`` (epoch seconds), unchanged."""
    client = _redis()
    if client is not None:
        try:
            return int(client.get(f"portal:rl:{key}:{window}") or 0)
        except Exception:  # noqa: BLE001 - the database then
            log.warning("rate limit: Redis unavailable, using the database")
    table = RateLimitHit.__table__
    return int(db.session.scalar(sa.select(table.c.count).where(
        table.c.key == key, table.c.window_start == datetime.fromtimestamp(window, UTC))) or 0)
