"""The engine's tuning: SQLite's pragmas and transaction start, and PostgreSQL connections
checked before use only after they have rested (连接检活).

SQLite: foreign keys on, WAL, a busy timeout, and transactions that begin immediately
(``BEGIN IMMEDIATE``: take the write lock first) so two writers queue instead of
deadlocking — except in the requests of safe methods (GET, HEAD, OPTIONS), which only
read: their transactions begin deferred, so readers never queue behind one another or a
writer (WAL). With ``SQLITE_WRITE_QUEUE``, writers wait for their turn in a fair queue
before ``BEGIN IMMEDIATE`` (``sqlite_queue.py``).

PostgreSQL:

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
from flask import has_request_context, request

from . import sqlite_queue

_USED_AT = "portal_used_at"


def tune_sqlite(engine, write_queue: bool = True) -> None:
    if engine.dialect.name != "sqlite":
        return

    if write_queue:
        @sa.event.listens_for(engine, "do_connect")
        def _do_connect(_dialect, _record, _cargs, cparams):
            cparams.setdefault("factory", sqlite_queue.QueuedConnection)

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
        except Exception:  # noqa: BLE001 - in-memory databases have no WAL
            pass
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn):
        if has_request_context() and request.method in ("GET", "HEAD", "OPTIONS"):
            conn.exec_driver_sql("BEGIN")
            return
        with sqlite_queue.write_turn(conn.connection.dbapi_connection):
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def ping_after_idle(engine, idle_seconds: float | None) -> None:
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
