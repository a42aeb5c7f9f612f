"""The fair queue of SQLite writers (``portal.db.sqlite_queue``): a writer waits for the one
ahead of it and is woken as soon as that one's transaction ends, across threads and
processes; readers never wait in it."""
from __future__ import annotations

import fcntl
import multiprocessing
import os
import sqlite3
import threading
import time

import pytest
import sqlalchemy as sa

from tests.conftest import base_config, database_kind

pytestmark = [pytest.mark.skipif(database_kind() != "sqlite", reason="SQLite file databases only"),
              pytest.mark.no_db]

HOLD = 0.3        # how long the first writer keeps its transaction open
PROMPT = 0.15     # the queue wakes the next writer well within this after a commit
PATIENCE = 10     # a thread that should finish has finished by then


@pytest.fixture
def make_app(tmp_path):
    """A fresh app on its own SQLite file with a table ``t``; its engine and database file."""
    from portal import create_app
    from portal.extensions import db

    engines = []

    def make(**extra):
        db_file = tmp_path / f"queue{len(engines)}.sqlite3"
        app = create_app(base_config(f"sqlite:///{db_file}", tmp_path, PLUGINS={}, **extra))
        with app.app_context():
            engine = db.engine
        engines.append(engine)
        with app.test_request_context("/", method="POST"), engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        return app, engine, db_file

    yield make
    for engine in engines:
        engine.dispose()


def queue_taken(db_file) -> bool:
    """Whether some connection holds the write queue of ``db_file`` (tried, never waited for)."""
    fd = os.open(f"{db_file}-writelock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # also lets go of the probe's own lock
    return False


def begins_issued(engine) -> dict:
    """When each thread (by name) sent its BEGIN to SQLite."""
    issued = {}

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _record(_conn, _cursor, statement, *_):
        if statement.startswith("BEGIN"):
            issued[threading.current_thread().name] = time.monotonic()

    return issued


def start(target, name):
    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    return thread


def test_next_writer_waits_in_the_queue_and_is_woken_at_the_commit(make_app):
    app, engine, db_file = make_app()
    issued = begins_issued(engine)
    a_holds = threading.Event()
    times = {}

    def writer_a():
        with app.test_request_context("/", method="POST"), engine.connect() as conn:
            conn.begin()
            conn.exec_driver_sql("INSERT INTO t VALUES (1)")
            a_holds.set()
            time.sleep(HOLD)
            times["a_commit"] = time.monotonic()
            conn.commit()
            times["a_committed"] = time.monotonic()

    def writer_b():
        a_holds.wait(PATIENCE)
        with app.test_request_context("/", method="PUT"), engine.connect() as conn:
            times["b_asks"] = time.monotonic()
            conn.begin()
            times["b_began"] = time.monotonic()
            conn.exec_driver_sql("INSERT INTO t VALUES (2)")
            conn.commit()

    threads = [start(writer_a, "A"), start(writer_b, "B")]
    for thread in threads:
        thread.join(PATIENCE)
    assert not any(thread.is_alive() for thread in threads)
    assert times["a_commit"] - times["b_asks"] > HOLD / 2         # B really came while A wrote
    # B waited in the queue, not in SQLite's busy handler: its BEGIN went out after A's commit
    assert issued["B"] > times["a_commit"]
    assert times["b_began"] - times["a_committed"] < PROMPT, times
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT x FROM t ORDER BY rowid").scalars().all() == [1, 2]
    assert not queue_taken(db_file)


def test_rollback_failed_statement_and_failed_begin_give_the_queue_back(make_app):
    from portal.db.sqlite_queue import write_turn

    app, engine, db_file = make_app()
    with app.test_request_context("/", method="POST"):
        with engine.connect() as conn:
            conn.begin()
            assert queue_taken(db_file)
            conn.rollback()
            assert not queue_taken(db_file)

        with pytest.raises(sa.exc.OperationalError), engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO missing VALUES (1)")
        assert not queue_taken(db_file)

        # a BEGIN IMMEDIATE that fails (someone outside the queue writes; no busy timeout)
        outsider, raw = engine.raw_connection(), engine.raw_connection()
        try:
            outsider.driver_connection.execute("BEGIN IMMEDIATE")
            raw.driver_connection.execute("PRAGMA busy_timeout=0")
            with pytest.raises(sqlite3.OperationalError, match="locked"), write_turn(raw.driver_connection):
                raw.driver_connection.execute("BEGIN IMMEDIATE")
            assert not queue_taken(db_file)
        finally:
            outsider.close()
            raw.invalidate()

        # the next writer goes straight through
        with engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO t VALUES (1)")
    assert not queue_taken(db_file)


def test_failed_commit_gives_the_queue_back(make_app):
    app, engine, db_file = make_app()
    with app.test_request_context("/", method="POST"), engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
        conn.exec_driver_sql("CREATE TABLE child (p INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)")
    with app.test_request_context("/", method="POST"):
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO child VALUES (42)")   # refused only at COMMIT
        assert not queue_taken(db_file)
        with engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO t VALUES (1)")


def test_closed_or_collected_connection_gives_the_queue_back(make_app):
    import gc

    from portal.db.sqlite_queue import QueuedConnection

    _app, _engine, db_file = make_app()
    conn = sqlite3.connect(db_file, factory=QueuedConnection, isolation_level=None)
    assert conn.take_write_queue() and not conn.take_write_queue()     # never twice
    conn.close()
    assert not queue_taken(db_file)
    conn = sqlite3.connect(db_file, factory=QueuedConnection, isolation_level=None)
    conn.take_write_queue()
    del conn
    gc.collect()
    assert not queue_taken(db_file)


def test_readers_never_wait_in_the_queue(make_app):
    app, engine, db_file = make_app()
    writer_holds, reader_done = threading.Event(), threading.Event()

    def writer():
        with app.test_request_context("/", method="POST"), engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO t VALUES (1)")
            writer_holds.set()
            reader_done.wait(PATIENCE)

    def reader():
        writer_holds.wait(PATIENCE)
        with app.test_request_context("/", method="GET"), engine.begin() as conn:
            conn.exec_driver_sql("SELECT count(*) FROM t").scalar()
        reader_done.set()

    threads = [start(writer, "writer"), start(reader, "reader")]
    assert writer_holds.wait(PATIENCE) and queue_taken(db_file)
    assert reader_done.wait(PATIENCE)      # it read while the writer still held the queue
    for thread in threads:
        thread.join(PATIENCE)
    assert not queue_taken(db_file)


def _write_in_child(app, engine, holds, commit_at):
    engine.dispose(close=False)  # never use the parent's connections
    with app.test_request_context("/", method="POST"), engine.connect() as conn:
        conn.begin()
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        holds.set()
        time.sleep(HOLD)
        commit_at.value = time.monotonic()
        conn.commit()


def test_a_writer_of_another_process_holds_the_queue(make_app):
    app, engine, db_file = make_app()   # this process has used the queue before the fork
    issued = begins_issued(engine)
    ctx = multiprocessing.get_context("fork")
    holds, commit_at = ctx.Event(), ctx.Value("d", 0.0)
    child = ctx.Process(target=_write_in_child, args=(app, engine, holds, commit_at))
    child.start()
    try:
        assert holds.wait(PATIENCE)
        assert queue_taken(db_file)
        with app.test_request_context("/", method="POST"), engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO t VALUES (2)")
        began = issued[threading.current_thread().name]
        assert commit_at.value and began > commit_at.value     # it waited for the child's commit
    finally:
        child.join(PATIENCE)
    assert child.exitcode == 0
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT x FROM t ORDER BY rowid").scalars().all() == [1, 2]


def test_switched_off_no_queue(make_app):
    from portal.db.sqlite_queue import QueuedConnection

    app, engine, db_file = make_app(SQLITE_WRITE_QUEUE=False)
    fd = os.open(f"{db_file}-writelock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)            # the queue is taken: a queued writer would wait
    done = threading.Event()

    def writer():
        with app.test_request_context("/", method="POST"), engine.begin() as conn:
            assert not isinstance(conn.connection.dbapi_connection, QueuedConnection)
            conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        done.set()

    thread = start(writer, "writer")
    try:
        assert done.wait(PATIENCE)
    finally:
        os.close(fd)
        thread.join(PATIENCE)


def test_in_memory_database_has_no_queue(tmp_path):
    from portal import create_app
    from portal.extensions import db
    from portal.db.sqlite_queue import lock_path

    assert lock_path(":memory:") is None and lock_path("") is None
    assert lock_path("file:x?mode=memory&cache=shared", uri=True) is None
    assert lock_path("file:/srv/portal.sqlite3?mode=rwc", uri=True) == "/srv/portal.sqlite3-writelock"
    app = create_app(base_config("sqlite://", tmp_path, PLUGINS={}))
    with app.app_context():
        with app.test_request_context("/", method="POST"), db.engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
            conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT x FROM t").scalar() == 1
        db.engine.dispose()
    assert not list(tmp_path.rglob("*-writelock"))
