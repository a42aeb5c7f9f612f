"""Count the SQL statements a block runs (the suite asserts counts, never timings)."""
from __future__ import annotations

from contextlib import contextmanager

import sqlalchemy as sa


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def __repr__(self):
        return f"<{self.count} queries>\n" + "\n".join(self.statements)


@contextmanager
def count_queries(engine=None):
    from portal.extensions import db

    engine = engine or db.engine
    counter = QueryCounter()

    def before(conn, cursor, statement, parameters, context, executemany):
        s = statement.strip().upper()
        if s.startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA")):
            return
        counter.statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
