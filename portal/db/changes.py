"""Change marks (变更标记): a random mark per watched table and key, renewed by the database
itself whenever a watched row changes — whichever code path wrote it (the workflow, an
import, a migration, an SQL console).

A list page is a pure function of the rows it shows; :mod:`portal.db.page_cache` keeps a
dumped page beside the marks it was read under and hands it out again only while the
marks read by the next request are the same. An area declares what its pages read with
:func:`watch` — the table, the scope of its marks, and the column that keys them (a
garage's quotes: ``garage_id``; ``None``: one mark for the whole table) — and reads the
fingerprint of the scopes a page depends on with :func:`fingerprint`. The watch renders
its triggers for SQLite and PostgreSQL from that one description; a migration that
introduces a watch carries the rendered SQL (``create_sql``) as frozen text.

A mark is a fresh random 40-bit number, not a counter, so a database restored from a
backup or recreated by a test cannot come back to a fingerprint a running worker has
already seen with other contents; a fingerprint over several keys is their count and sum.
On PostgreSQL the triggers are deferred to the commit (constraint triggers), so a shared
mark row is locked for the commit only, not from the change to the end of its transaction.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import g, has_request_context
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

MARKS_TABLE = "change_marks"
_SQLITE_NEW_MARK = "abs(random() % 1099511627776)"

# The one function every PostgreSQL watch calls (created with the table).
PG_RENEW_SQL = f"""
CREATE OR REPLACE FUNCTION change_mark_renew(s varchar, k bigint) RETURNS void AS $$
BEGIN
    INSERT INTO {MARKS_TABLE} AS m (scope, key, mark) VALUES (s, k, floor(random() * 1099511627776)::bigint)
    ON CONFLICT (scope, key) DO UPDATE SET mark = EXCLUDED.mark;
END;
$$ LANGUAGE plpgsql
"""


class ChangeMark(db.Model):
    """The current mark of one watched key (``key`` 0: the whole table)."""

    __tablename__ = MARKS_TABLE

    scope: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    key: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    mark: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)


@sa.event.listens_for(ChangeMark.__table__, "after_create")
def _renew_function(target, connection, **kw):
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(PG_RENEW_SQL)


@dataclass(frozen=True)
class Watch:
    """What one area's pages read from one table: any insert, delete or update of a row
    renews the mark of ``(scope, the row's key_column)`` (``key_column`` ``None``: key 0)."""

    table: str
    scope: str
    key_column: str | None = None

    @property
    def name(self) -> str:
        return f"{MARKS_TABLE}_{self.table}"

    def _key(self, row: str) -> str:
        return f"{row}.{self.key_column}" if self.key_column else "0"

    def _sqlite(self) -> list[str]:
        def renew(row):
            return (f"INSERT OR REPLACE INTO {MARKS_TABLE} (scope, key, mark) "
                    f"VALUES ('{self.scope}', {self._key(row)}, {_SQLITE_NEW_MARK});")

        on_update = renew("NEW") if not self.key_column else f"{renew('OLD')}\n    {renew('NEW')}"
        return [f"CREATE TRIGGER {self.name}_ins AFTER INSERT ON {self.table} BEGIN\n    {renew('NEW')}\nEND",
                f"CREATE TRIGGER {self.name}_upd AFTER UPDATE ON {self.table} BEGIN\n    {on_update}\nEND",
                f"CREATE TRIGGER {self.name}_del AFTER DELETE ON {self.table} BEGIN\n    {renew('OLD')}\nEND"]

    def _postgresql(self) -> list[str]:
        def renew(row):
            return f"PERFORM change_mark_renew('{self.scope}', {self._key(row)});"

        if self.key_column:   # both keys of a row that moved, in a fixed order (no deadlock)
            k = self.key_column
            on_update = (f"IF OLD.{k} IS DISTINCT FROM NEW.{k} AND OLD.{k} < NEW.{k} THEN {renew('OLD')} END IF;\n"
                         f"        {renew('NEW')}\n"
                         f"        IF OLD.{k} IS DISTINCT FROM NEW.{k} AND OLD.{k} > NEW.{k} THEN {renew('OLD')} END IF;")
        else:
            on_update = renew("NEW")
        function = (f"CREATE OR REPLACE FUNCTION {self.name}() RETURNS trigger AS $$\nBEGIN\n"
                    f"    IF TG_OP = 'INSERT' THEN\n        {renew('NEW')}\n"
                    f"    ELSIF TG_OP = 'DELETE' THEN\n        {renew('OLD')}\n"
                    f"    ELSE\n        {on_update}\n    END IF;\n    RETURN NULL;\nEND;\n$$ LANGUAGE plpgsql")
        trigger = (f"CREATE CONSTRAINT TRIGGER {self.name} AFTER INSERT OR UPDATE OR DELETE ON {self.table}\n"
                   f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {self.name}()")
        return [function, trigger]

    def create_sql(self, dialect: str) -> list[str]:
        """The statements that create this watch's triggers (frozen into its migration)."""
        return {"sqlite": self._sqlite, "postgresql": self._postgresql}[dialect]()


WATCHES: dict[str, Watch] = {}


def watch(table: str, scope: str, key_column: str | None = None) -> Watch:
    """Declare that ``scope``'s pages read ``table``: its triggers are created with the
    tables (``db.create_all``) and must be created by the migration that adds the watch."""
    declared = Watch(table, scope, key_column)
    if WATCHES.setdefault(declared.name, declared) != declared:
        raise ValueError(f"{table} is watched twice")

    @sa.event.listens_for(db.metadata, "after_create")
    def _with_the_tables(target, connection, tables=(), **kw):
        if {table, MARKS_TABLE} <= {t.name for t in tables}:
            for statement in declared.create_sql(connection.dialect.name):
                connection.exec_driver_sql(statement)

    return declared


def fingerprint(*reads: tuple[str, int | None]) -> tuple[int, int]:
    """The count and sum of the marks ``reads`` name, in one statement: each read is
    ``(scope, key)`` — one key — or ``(scope, None)`` — every key of the scope. Changes
    whenever a watched row behind one of them changes. The statement is built once per
    shape of the reads (a busy list reads its marks on every request). Marks this request
    still has to confirm (:func:`confirm_later`) are read in the same statement."""
    pending = _pending()
    confirm = pending.reads if pending is not None else ()
    stmt = _marks_statement(tuple((scope, key is None) for scope, key in reads), tuple(s for s, _k in confirm))
    params = {f"k{i}": key for i, (_scope, key) in enumerate(reads) if key is not None}
    params.update({f"c{i}": key for i, (_scope, key) in enumerate(confirm)})
    count, total, *confirmed = db.session.connection().execute(stmt, params).one()
    if pending is not None:
        pending.held = tuple(confirmed) == pending.expected
    return int(count), int(total)


def _marks_statement(page: tuple[tuple[str, bool], ...], checks: tuple[str, ...]):
    """One statement for the count and sum of a page's marks (``(scope, whole scope?)``
    each, keys bound as ``k<i>``) and the mark of each ``checks`` scope (key ``c<i>``);
    built once per shape."""
    stmt = _FINGERPRINTS.get((page, checks))
    if stmt is None:
        m = ChangeMark.__table__.c
        wanted = sa.or_(*[m.scope == scope if whole else sa.and_(m.scope == scope, m.key == sa.bindparam(f"k{i}"))
                          for i, (scope, whole) in enumerate(page)]) if page else None
        singles = [sa.and_(m.scope == scope, m.key == sa.bindparam(f"c{i}")) for i, scope in enumerate(checks)]
        columns = [sa.func.count(sa.case((wanted, m.mark))), sa.func.coalesce(sa.func.sum(sa.case((wanted, m.mark))), 0)] \
            if page else []
        stmt = (sa.select(*columns, *[sa.func.max(sa.case((single, m.mark))) for single in singles])
                .where(sa.or_(*([wanted] if page else []), *singles)))
        _FINGERPRINTS[(page, checks)] = stmt
    return stmt


_FINGERPRINTS: dict = {}


@dataclass
class PendingMarks:
    """Marks a request took something on trust under (a worker's kept principal) and must
    confirm before it answers: ``held`` is ``None`` until read, then whether they held."""

    reads: tuple[tuple[str, int], ...]
    expected: tuple[int | None, ...]
    held: bool | None = None


def confirm_later(reads, expected) -> None:
    """This request relies on the marks ``reads`` (one key each) still being ``expected``:
    the next :func:`fingerprint` reads them in its own statement, or :func:`settle` does."""
    g.portal_pending_marks = PendingMarks(tuple(reads), tuple(expected))


def _pending() -> PendingMarks | None:
    if not has_request_context():
        return None
    pending = g.get("portal_pending_marks")
    return pending if pending is not None and pending.held is None else None


def settle() -> bool:
    """Whether the marks this request relies on still hold (one statement if no
    fingerprint has read them yet); ``True`` when it relies on none."""
    pending = g.get("portal_pending_marks") if has_request_context() else None
    if pending is None:
        return True
    if pending.held is None:
        stmt = _marks_statement((), tuple(scope for scope, _key in pending.reads))
        params = {f"c{i}": key for i, (_scope, key) in enumerate(pending.reads)}
        pending.held = tuple(db.session.connection().execute(stmt, params).one()) == pending.expected
    return pending.held


def forget_pending() -> None:
    if has_request_context():
        g.portal_pending_marks = None
