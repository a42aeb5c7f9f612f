"""Quote statistics (报价统计), kept by the database itself: how many quotes each garage has in
each status, and the change mark of each garage's quotes.

Counts: the review queue and a garage's list answer ``total`` with every page; counting
20,000 quotes in review on each request costs more than the page itself.
``garages_quote_counts`` holds one row per (garage, status), changed by triggers in the same
transaction as the quote, whatever writes it (the workflow, imports, the load bench's seed)
— so the figure is exact, never a cache that can go stale. On PostgreSQL the counts change
at the commit (a deferred trigger), so a transaction does not see its own changes in them;
every other transaction sees them exactly when it sees the quotes. Lists with other filters
(overdue, claim) count the rows as before.

Marks: a garage's quote list page is kept (``cached_page``) while the fingerprint of what
it shows holds — the mark of that garage's quotes (``QUOTES_WATCH``, kept by the core's
change marks) and the claims' mark (the core's ``CLAIMS_WATCH``: a page shows each quote's
claim number and colour). ``SUMMARY_SOURCES`` names the tables a list row reads; a
contract test ties them to the watches, so a column added to the summary cannot serve a
stale page.

The counts' triggers are created with the table (``db.create_all``) and by the migration
``garages_0003`` (as later amended); a migration that rebuilds ``garages_quotes`` on SQLite
(``batch_alter_table``) drops them and must create them again.
"""
from __future__ import annotations

import sqlalchemy as sa

from portal.plugin import db, fingerprint, watch

from .models import QuoteCount

QUOTES_WATCH = watch("garages_quotes", scope="garages.quotes", key_column="garage_id")
# the tables a row of the quote lists reads, and the scope of the marks that cover each
SUMMARY_SOURCES = {"garages_quotes": "garages.quotes", "claims": "claims"}


def list_fingerprint(garage_id: int | None) -> tuple[int, int]:
    """The marks behind a quote list of one garage (or of every garage: ``None``), in one
    statement: the garage's quotes' mark and the whole mark of every other source."""
    return fingerprint(*[(scope, garage_id if scope == QUOTES_WATCH.scope else None)
                         for scope in SUMMARY_SOURCES.values()])


SQLITE_TRIGGERS = [
    """
    CREATE TRIGGER garages_quote_counts_ins AFTER INSERT ON garages_quotes BEGIN
        INSERT OR IGNORE INTO garages_quote_counts (garage_id, status, n) VALUES (NEW.garage_id, NEW.status, 0);
        UPDATE garages_quote_counts SET n = n + 1 WHERE garage_id = NEW.garage_id AND status = NEW.status;
    END
    """,
    """
    CREATE TRIGGER garages_quote_counts_upd AFTER UPDATE OF status, garage_id ON garages_quotes
    WHEN OLD.status IS NOT NEW.status OR OLD.garage_id IS NOT NEW.garage_id BEGIN
        UPDATE garages_quote_counts SET n = n - 1 WHERE garage_id = OLD.garage_id AND status = OLD.status;
        INSERT OR IGNORE INTO garages_quote_counts (garage_id, status, n) VALUES (NEW.garage_id, NEW.status, 0);
        UPDATE garages_quote_counts SET n = n + 1 WHERE garage_id = NEW.garage_id AND status = NEW.status;
    END
    """,
    """
    CREATE TRIGGER garages_quote_counts_del AFTER DELETE ON garages_quotes BEGIN
        UPDATE garages_quote_counts SET n = n - 1 WHERE garage_id = OLD.garage_id AND status = OLD.status;
    END
    """,
]

# PostgreSQL: one function; the two rows of a status change are touched in a fixed order
# (by status name) so that two transitions the other way round cannot deadlock. The trigger
# is deferred to the commit (a constraint trigger): a garage's count rows are shared by all
# of its quotes' transactions, and are then locked for the commit only, not from the
# quote's change to the end of its transaction (garages_0004 recreates it so).
PG_TRIGGERS = [
    """
    CREATE OR REPLACE FUNCTION garages_quote_count_add(g integer, s varchar, d integer) RETURNS void AS $$
    BEGIN
        INSERT INTO garages_quote_counts AS c (garage_id, status, n) VALUES (g, s, d)
        ON CONFLICT (garage_id, status) DO UPDATE SET n = c.n + d;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE OR REPLACE FUNCTION garages_quote_counts_keep() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            PERFORM garages_quote_count_add(NEW.garage_id, NEW.status, 1);
        ELSIF TG_OP = 'DELETE' THEN
            PERFORM garages_quote_count_add(OLD.garage_id, OLD.status, -1);
        ELSIF OLD.status IS DISTINCT FROM NEW.status OR OLD.garage_id IS DISTINCT FROM NEW.garage_id THEN
            IF (OLD.garage_id, OLD.status) < (NEW.garage_id, NEW.status) THEN
                PERFORM garages_quote_count_add(OLD.garage_id, OLD.status, -1);
                PERFORM garages_quote_count_add(NEW.garage_id, NEW.status, 1);
            ELSE
                PERFORM garages_quote_count_add(NEW.garage_id, NEW.status, 1);
                PERFORM garages_quote_count_add(OLD.garage_id, OLD.status, -1);
            END IF;
        END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE CONSTRAINT TRIGGER garages_quote_counts_keep AFTER INSERT OR UPDATE OF status, garage_id OR DELETE
    ON garages_quotes DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION garages_quote_counts_keep()
    """,
]

COUNTS_TABLES = {"garages_quotes", "garages_quote_counts"}


@sa.event.listens_for(db.metadata, "after_create")
def _counts_with_the_tables(target, connection, tables=(), **kw):
    if COUNTS_TABLES <= {t.name for t in tables}:
        for statement in {"sqlite": SQLITE_TRIGGERS, "postgresql": PG_TRIGGERS}.get(connection.dialect.name, []):
            connection.exec_driver_sql(statement)


def count_quotes(*, garage_id: int | None = None, status: str | None = None) -> int:
    """How many quotes there are, of one garage and/or in one status — from the counts."""
    key = (garage_id is not None, status is not None)
    stmt = _COUNT_STMTS.get(key)
    if stmt is None:   # built once per shape of filter (a busy list asks this on every page)
        stmt = sa.select(sa.func.coalesce(sa.func.sum(QuoteCount.n), 0)).where(QuoteCount.status != "deleted")
        if garage_id is not None:
            stmt = stmt.where(QuoteCount.garage_id == sa.bindparam("garage_id"))
        if status is not None:
            stmt = stmt.where(QuoteCount.status == sa.bindparam("status"))
        _COUNT_STMTS[key] = stmt
    return int(db.session.connection().scalar(stmt, {"garage_id": garage_id, "status": status}))


_COUNT_STMTS: dict = {}
