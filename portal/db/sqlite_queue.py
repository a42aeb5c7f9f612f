"""A fair queue for SQLite writers, across threads and processes.

Why: SQLite lets one writer at a time. A writer whose ``BEGIN IMMEDIATE`` finds the write
lock taken waits in SQLite's busy handler, which sleeps in growing steps (1, 2, 5, 10 ...
up to 100 ms, then 100 ms again and again) and retries: it wakes up late, and a newcomer
can take the lock ahead of a writer that has waited for a second. Under load that made the
slowest write requests several times slower than the typical one.

How: before ``BEGIN IMMEDIATE`` a connection takes the *write queue*: first a
``threading.Lock`` of this process (for its threads), then an exclusive ``flock`` on the
*lock file* ``<database file>-writelock`` beside the database (for the other processes).
Whoever waits for either is woken the moment it is released: the lock is never left free
while writers sleep, and writers hardly ever meet in SQLite's busy handler. (Neither lock
promises strict first-come-first-served order, but a newcomer no longer overtakes writers
that sleep.) The connection gives the queue back once its
transaction has ended: when ``commit()`` or ``rollback()`` has returned (or raised), when
``BEGIN IMMEDIATE`` itself fails, and when the connection is closed or garbage-collected.
A process that dies loses its ``flock`` with it.

Readers (transactions begun with a deferred ``BEGIN``) never take the queue. Neither do
in-memory databases. A thread that already holds the queue through another connection goes
on without it (SQLite's busy timeout then decides, as it did before the queue).

Setting: ``SQLITE_WRITE_QUEUE`` (default True); False leaves writers to SQLite's busy
handler alone. The application installs the queue in ``engine.tune_sqlite``:
``QueuedConnection`` is the ``factory`` of its ``sqlite3`` connections, and ``write_turn``
wraps the ``BEGIN IMMEDIATE`` of a write transaction.
"""
from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from contextlib import contextmanager
from urllib.parse import parse_qs, unquote, urlsplit

# A thread waiting longer than SQLite's busy timeout for the other threads of its process
# goes on without the queue rather than wait forever.
THREAD_WAIT_SECONDS = 30


def lock_path(database, uri: bool = False) -> str | None:
    """The lock file of a database (as given to ``sqlite3.connect``); None when in memory."""
    database = os.fsdecode(database)
    if uri and database.startswith("file:"):
        parts = urlsplit(database)
        if "memory" in parse_qs(parts.query).get("mode", []):
            return None
        database = unquote(parts.path)
    if database in ("", ":memory:"):
        return None
    return os.path.abspath(database) + "-writelock"


class _WriteQueue:
    """The queue of one database in one process."""

    def __init__(self, path: str):
        self.pid = os.getpid()
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        self.thread_lock = threading.Lock()
        self.owner: int | None = None  # the thread holding it

    def acquire(self) -> bool:
        """Wait for our turn; False if this thread goes on without the queue."""
        me = threading.get_ident()
        if self.owner == me or not self.thread_lock.acquire(timeout=THREAD_WAIT_SECONDS):
            return False
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        except BaseException:
            self.thread_lock.release()
            raise
        self.owner = me
        return True

    def release(self) -> None:
        if os.getpid() != self.pid:  # a copy inherited through fork: the lock is the parent's
            return
        self.owner = None
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        self.thread_lock.release()


_queues: dict[str, _WriteQueue] = {}
_queues_lock = threading.Lock()


def _queue_for(path: str) -> _WriteQueue:
    with _queues_lock:
        queue = _queues.get(path)
        if queue is None or queue.pid != os.getpid():
            if queue is not None:
                # inherited through fork: the file (and any flock on it) is shared with the
                # parent, so it cannot queue us behind the parent; closing it leaves the
                # parent's lock alone
                os.close(queue.fd)
            queue = _queues[path] = _WriteQueue(path)
        return queue


class QueuedConnection(sqlite3.Connection):
    """A ``sqlite3`` connection that gives the write queue back when its transaction ends."""

    def __init__(self, database, *args, **kwargs):
        super().__init__(database, *args, **kwargs)
        self._lock_path = lock_path(database, kwargs.get("uri", False))
        self._queue: _WriteQueue | None = None  # set while this connection holds the queue

    def take_write_queue(self) -> bool:
        """Wait for our turn; True if this call took the queue (never twice: a flag)."""
        if self._queue is not None or self._lock_path is None:
            return False
        queue = _queue_for(self._lock_path)
        if not queue.acquire():
            return False
        self._queue = queue
        return True

    def release_write_queue(self) -> None:
        queue, self._queue = getattr(self, "_queue", None), None
        if queue is not None:
            queue.release()

    def commit(self):
        try:
            super().commit()
        finally:
            self.release_write_queue()

    def rollback(self):
        try:
            super().rollback()
        finally:
            self.release_write_queue()

    def close(self):
        try:
            super().close()
        finally:
            self.release_write_queue()

    def __del__(self):
        self.release_write_queue()


@contextmanager
def write_turn(dbapi_connection):
    """Around ``BEGIN IMMEDIATE``: wait for our turn first; give it back if the BEGIN fails."""
    if not isinstance(dbapi_connection, QueuedConnection):
        yield
        return
    taken = dbapi_connection.take_write_queue()
    try:
        yield
    except BaseException:
        if taken:
            dbapi_connection.release_write_queue()
        raise
