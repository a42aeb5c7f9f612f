"""Change marks (变更标记): one random mark per garage, renewed by the database itself
whenever one of that garage's quotes — or a claim one of them is on — changes.

The quote lists (the review queue above all) are read far more often than quotes change.
A page of a list is a pure function of the quotes and claims it shows and of the time
(``overdue``); :mod:`portal.api.page_cache` keeps a dumped page beside the marks it was
read under, and hands it out again only while the marks read by the new request are the
same — so a page is never a minute, or a request, out of date, whichever code path wrote
(the workflow, imports, a migration, an SQL console).

A mark is a fresh random 40-bit number, not a counter, so a database restored from a
backup or recreated by a test cannot come back to a fingerprint a running worker has
already seen with other contents; a list over several garages is keyed by the count and
the sum of their marks. Kept by triggers created with the table (``db.create_all``) and by
the migration ``garages_0004``; like ``quote_counts``, a later SQLite migration that
rebuilds ``garages_quotes`` or ``claims`` must create them again.
"""
from __future__ import annotations

import sqlalchemy as sa

from portal.auth.models import Organization, User
from portal.extensions import db

from .models import QuoteMark
from .triggers import TriggerSet

_SQLITE_NEW_MARK = "abs(random() % 1099511627776)"

SQLITE_TRIGGERS = [
    f"""
    CREATE TRIGGER garages_quote_marks_ins AFTER INSERT ON garages_quotes BEGIN
        INSERT OR REPLACE INTO garages_quote_marks (garage_id, mark) VALUES (NEW.garage_id, {_SQLITE_NEW_MARK});
    END
    """,
    f"""
    CREATE TRIGGER garages_quote_marks_upd AFTER UPDATE ON garages_quotes BEGIN
        INSERT OR REPLACE INTO garages_quote_marks (garage_id, mark) VALUES (OLD.garage_id, {_SQLITE_NEW_MARK});
        INSERT OR REPLACE INTO garages_quote_marks (garage_id, mark) VALUES (NEW.garage_id, {_SQLITE_NEW_MARK});
    END
    """,
    f"""
    CREATE TRIGGER garages_quote_marks_del AFTER DELETE ON garages_quotes BEGIN
        INSERT OR REPLACE INTO garages_quote_marks (garage_id, mark) VALUES (OLD.garage_id, {_SQLITE_NEW_MARK});
    END
    """,
    f"""
    CREATE TRIGGER garages_quote_marks_claim AFTER UPDATE OF claim_no, risk_color ON claims
    WHEN OLD.claim_no IS NOT NEW.claim_no OR OLD.risk_color IS NOT NEW.risk_color BEGIN
        INSERT OR REPLACE INTO garages_quote_marks (garage_id, mark)
            SELECT g.garage_id, {_SQLITE_NEW_MARK}
            FROM (SELECT DISTINCT garage_id FROM garages_quotes WHERE claim_id = NEW.id) AS g;
    END
    """,
]

# PostgreSQL: deferred to the commit (constraint triggers), so a garage's mark row — shared
# by all of its quotes' transactions — is locked for the commit only (see quote_counts).
PG_TRIGGERS = [
    """
    CREATE OR REPLACE FUNCTION garages_quote_mark_renew(g integer) RETURNS void AS $$
    BEGIN
        INSERT INTO garages_quote_marks AS m (garage_id, mark)
        VALUES (g, floor(random() * 1099511627776)::bigint)
        ON CONFLICT (garage_id) DO UPDATE SET mark = EXCLUDED.mark;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE OR REPLACE FUNCTION garages_quote_marks_keep() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            PERFORM garages_quote_mark_renew(NEW.garage_id);
        ELSIF TG_OP = 'DELETE' THEN
            PERFORM garages_quote_mark_renew(OLD.garage_id);
        ELSE
            IF OLD.garage_id IS DISTINCT FROM NEW.garage_id AND OLD.garage_id < NEW.garage_id THEN
                PERFORM garages_quote_mark_renew(OLD.garage_id);
            END IF;
            PERFORM garages_quote_mark_renew(NEW.garage_id);
            IF OLD.garage_id IS DISTINCT FROM NEW.garage_id AND OLD.garage_id > NEW.garage_id THEN
                PERFORM garages_quote_mark_renew(OLD.garage_id);
            END IF;
        END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE CONSTRAINT TRIGGER garages_quote_marks_keep AFTER INSERT OR UPDATE OR DELETE
    ON garages_quotes DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION garages_quote_marks_keep()
    """,
    """
    CREATE OR REPLACE FUNCTION garages_quote_marks_claim() RETURNS trigger AS $$
    BEGIN
        PERFORM garages_quote_mark_renew(g.garage_id)
        FROM (SELECT DISTINCT garage_id FROM garages_quotes WHERE claim_id = NEW.id ORDER BY garage_id) AS g;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE CONSTRAINT TRIGGER garages_quote_marks_claim AFTER UPDATE OF claim_no, risk_color ON claims
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.claim_no IS DISTINCT FROM NEW.claim_no OR OLD.risk_color IS DISTINCT FROM NEW.risk_color)
    EXECUTE FUNCTION garages_quote_marks_claim()
    """,
]

DROP_SQL = {
    "sqlite": ["DROP TRIGGER IF EXISTS garages_quote_marks_ins", "DROP TRIGGER IF EXISTS garages_quote_marks_upd",
               "DROP TRIGGER IF EXISTS garages_quote_marks_del", "DROP TRIGGER IF EXISTS garages_quote_marks_claim"],
    "postgresql": ["DROP TRIGGER IF EXISTS garages_quote_marks_keep ON garages_quotes",
                   "DROP TRIGGER IF EXISTS garages_quote_marks_claim ON claims",
                   "DROP FUNCTION IF EXISTS garages_quote_marks_keep()",
                   "DROP FUNCTION IF EXISTS garages_quote_marks_claim()",
                   "DROP FUNCTION IF EXISTS garages_quote_mark_renew(integer)"],
}

FILL_SQL = {   # the garages that already have quotes, each with a fresh mark (the migration)
    "sqlite": f"INSERT INTO garages_quote_marks (garage_id, mark) "
              f"SELECT g.garage_id, {_SQLITE_NEW_MARK} FROM (SELECT DISTINCT garage_id FROM garages_quotes) AS g",
    "postgresql": "INSERT INTO garages_quote_marks (garage_id, mark) "
                  "SELECT g.garage_id, floor(random() * 1099511627776)::bigint "
                  "FROM (SELECT DISTINCT garage_id FROM garages_quotes) AS g",
}


TRIGGERS = TriggerSet({"sqlite": SQLITE_TRIGGERS, "postgresql": PG_TRIGGERS}, DROP_SQL,
                      {"garages_quote_marks", "garages_quotes", "claims"})
TRIGGERS.with_tables(db.metadata)
create_triggers, drop_triggers = TRIGGERS.create, TRIGGERS.drop   # the migrations' names


# The marks of what a caller sees by default — staff every garage, a partner its own — read
# with the caller's token (``portal.api.access.read_with_token``): no round trip of their own.
_CALLERS = sa.or_(Organization.kind == "insurer", QuoteMark.garage_id == User.organization_id)
CALLER_MARKS = {
    "garages_marks_count": sa.select(sa.func.count(QuoteMark.mark)).where(_CALLERS).scalar_subquery(),
    "garages_marks_sum": sa.select(sa.func.coalesce(sa.func.sum(QuoteMark.mark), 0)).where(_CALLERS)
    .scalar_subquery(),
}


def caller_marks(extras: dict) -> tuple[int, int]:
    """The fingerprint :data:`CALLER_MARKS` read with the token, as :func:`marks` gives it."""
    return int(extras["garages_marks_count"]), int(extras["garages_marks_sum"])


_ALL = sa.select(sa.func.count(QuoteMark.mark), sa.func.coalesce(sa.func.sum(QuoteMark.mark), 0))
_ONE = _ALL.where(QuoteMark.garage_id == sa.bindparam("garage_id"))


def marks(garage_id: int | None = None) -> tuple[int, int]:
    """The fingerprint of the quotes of one garage, or of all garages (``None``): changes
    whenever any of those quotes, or a claim they are on, changes."""
    stmt, params = (_ALL, {}) if garage_id is None else (_ONE, {"garage_id": garage_id})
    count, total = db.session.connection().execute(stmt, params).one()
    return int(count), int(total)
