"""API requests that only read (GET, HEAD, OPTIONS) read without a transaction on PostgreSQL.

PostgreSQL runs at READ COMMITTED: every statement already sees what was committed when it
began, inside a transaction or not, so a read-only request gains nothing from ``BEGIN`` and
``ROLLBACK`` but two round trips and the server's work for them — a third of the review
queue's time. Such requests to ``/api/v1`` — the partners' systems and the load that
polls — take their session's connection in autocommit mode; the web pages keep their
transactions (their XLSX exports stream through server-side cursors, which need one).

A GET never writes through the request's session: a statement other than a ``SELECT``
(or ``WITH``/``SHOW``) on that connection raises :class:`WriteInReadOnlyRequest` before
it reaches the database. What a request must record whatever its method (a web session's
last-seen time) goes to a short transaction of its own on its own connection. A
server-side cursor is refused the same way (it needs a transaction).

SQLite keeps its transactions (begun deferred for these requests, see ``engine.py``): there
a transaction gives the request one snapshot, and a deferred ``BEGIN`` costs nothing.
``READ_ONLY_AUTOCOMMIT`` (default True) turns this off.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, g, request

from ..api.blueprint import API_PREFIX
from ..extensions import db

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
_READS = ("SELECT", "WITH", "SHOW")


class WriteInReadOnlyRequest(RuntimeError):
    """A statement that writes, on a read-only request's autocommit connection."""


def install(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql" or not app.config.get("READ_ONLY_AUTOCOMMIT", True):
        return

    def _read_without_transaction():
        if request.method in SAFE_METHODS and request.path.startswith(API_PREFIX + "/") \
                and not db.session().in_transaction():
            db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT", "portal_read_only": True})
            g.portal_read_only = True

    # first of the request's functions: the token look-up already reads this way
    app.before_request_funcs.setdefault(None, []).insert(0, _read_without_transaction)

    @app.teardown_request
    def _give_back(_exc):
        """The autocommit connection never outlives its request: the session gives it back
        (nothing to roll back on it), so a session kept beyond the request (a test's) goes
        on in ordinary transactions."""
        if g.pop("portal_read_only", False):
            db.session.rollback()

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _refuse_writes(conn, cursor, statement, parameters, context, executemany):
        if not conn.get_execution_options().get("portal_read_only"):
            return
        if not statement.lstrip()[:6].upper().startswith(_READS):
            raise WriteInReadOnlyRequest(f"a read-only request tried to write: {statement[:80]}")
        if context is not None and context.execution_options.get("stream_results"):
            raise WriteInReadOnlyRequest("a server-side cursor (yield_per, stream_results) needs a transaction: "
                                         "commit the read-only one first")
