"""The back room (数据库层): every connection and transaction concern in one package.

- ``engine.py``: SQLite's pragmas and transaction start; PostgreSQL's ping after idle;
- ``sqlite_queue.py``: the fair queue SQLite writers wait in (the dev and bench database);
- ``read_only.py``: API reads without a transaction on PostgreSQL, writes refused there;
- ``records.py``: ``update_record``, the conditional ``UPDATE … RETURNING``;
- ``page_cache.py``: list pages kept per worker while their change marks hold.

``install(app)`` sets the first three up once, from ``create_app``.
"""
from __future__ import annotations

from flask import Flask

from ..extensions import db


def install(app: Flask) -> None:
    from . import engine, read_only

    with app.app_context():
        engine.tune_sqlite(db.engine, write_queue=app.config["SQLITE_WRITE_QUEUE"])
        engine.ping_after_idle(db.engine, app.config.get("POOL_PING_AFTER_IDLE_SECONDS"))
    read_only.install(app)
