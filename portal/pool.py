"""Connections checked before use only after they have rested (连接检活).

A pooled connection to PostgreSQL can die while it waits in the pool (the server
restarted, a firewall forgot it). SQLAlchemy's ``pool_pre_ping`` asks the server on every
checkout — one more round trip on every request, a tenth of the review queue's time under
load. A connection checked in a moment ago cannot have gone stale unnoticed: like
HikariCP's bypass window, this pings only a connection that has rested longer than
``POOL_PING_AFTER_IDLE_SECONDS`` (default 1 s). A failed ping throws the connection away
and the pool takes another (SQLAlchemy's pessimistic disconnect handling); a connection
that dies within the window fails its statement, which answers 503 and invalidates the
pool, so the next request connects afresh (``tests/core/test_db_outage.py``).
"""
from __future__ import annotations

import time

import sqlalchemy as sa

_USED_AT = "portal_used_at"


def install(engine, idle_seconds: float | None) -> None:
    if engine.dialect.name == "sqlite" or idle_seconds is None:
        return

    @sa.event.listens_for(engine, "connect")
    def _connected(dbapi_connection, record):
        record.info[_USED_AT] = time.monotonic()

    @sa.event.listens_for(engine, "checkin")
    def _rested(dbapi_connection, record):
        if record is not None:
            record.info[_USED_AT] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _check(dbapi_connection, record, proxy):
        if time.monotonic() - record.info.get(_USED_AT, 0.0) <= idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise sa.exc.DisconnectionError(f"the connection did not answer: {exc}") from exc
        record.info[_USED_AT] = time.monotonic()
