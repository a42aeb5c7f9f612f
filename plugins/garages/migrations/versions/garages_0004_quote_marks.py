"""garages: change marks per garage, renewed by triggers (the key of cached list pages); PostgreSQL: the quote counts' trigger deferred to the commit

The triggers, the fill and the counts' trigger are written out here as this revision made
them (frozen: later changes to ``plugins/garages/quote_marks.py`` or ``quote_counts.py``
belong to later revisions). On PostgreSQL the marks' triggers are constraint triggers
deferred to the commit, and the counts' trigger of garages_0003 is made again so; the
downgrade puts garages_0003's plain trigger back.

Revision ID: garages_0004
Revises: garages_0003
"""
import sqlalchemy as sa
from alembic import op

revision = 'garages_0004'
down_revision = 'garages_0003'
branch_labels = None
depends_on = None

FILL_SQL = {   # the garages that already have quotes, each with a fresh mark
    "sqlite": "INSERT INTO garages_quote_marks (garage_id, mark) "
              "SELECT g.garage_id, abs(random() % 1099511627776) FROM (SELECT DISTINCT garage_id FROM garages_quotes) AS g",
    "postgresql": "INSERT INTO garages_quote_marks (garage_id, mark) "
                  "SELECT g.garage_id, floor(random() * 1099511627776)::bigint "
                  "FROM (SELECT DISTINCT garage_id FROM garages_quotes) AS g",
}

MARKS_TRIGGERS = {
    "sqlite": [
        """
    CREATE TRIGGER garages_quote_marks_ins AFTER INSERT ON garages_quotes BEGIN
        INSERT OR REPLACE INTO garages_quote_marks (garage_id, mark) VALUES (NEW.garage_id, abs(random() % 1099511627776));
    END
    """,
        """
    CREATE TRIGGER garages_quote_marks_upd AFTER UPDATE ON garages_quotes BEGIN
        INSERT OR REPLACE INTO garages_quote_marks (garage_id, mark) VALUES (OLD.garage_id, abs(random() % 1099511627776));
        INSERT OR REPLACE INTO garages_quote_marks (garage_id, mark) VALUES (NEW.garage_id, abs(random() % 1099511627776));
    END
    """,
        """
    CREATE TRIGGER garages_quote_marks_del AFTER DELETE ON garages_quotes BEGIN
        INSERT OR REPLACE INTO garages_quote_marks (garage_id, mark) VALUES (OLD.garage_id, abs(random() % 1099511627776));
    END
    """,
        """
    CREATE TRIGGER garages_quote_marks_claim AFTER UPDATE OF claim_no, risk_color ON claims
    WHEN OLD.claim_no IS NOT NEW.claim_no OR OLD.risk_color IS NOT NEW.risk_color BEGIN
        INSERT OR REPLACE INTO garages_quote_marks (garage_id, mark)
            SELECT g.garage_id, abs(random() % 1099511627776)
            FROM (SELECT DISTINCT garage_id FROM garages_quotes WHERE claim_id = NEW.id) AS g;
    END
    """,
    ],
    # deferred to the commit (constraint triggers): a garage's mark row, shared by all of its
    # quotes' transactions, is locked for the commit only
    "postgresql": [
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
    ],
}

MARKS_DROP = {
    "sqlite": ["DROP TRIGGER IF EXISTS garages_quote_marks_ins", "DROP TRIGGER IF EXISTS garages_quote_marks_upd",
               "DROP TRIGGER IF EXISTS garages_quote_marks_del", "DROP TRIGGER IF EXISTS garages_quote_marks_claim"],
    "postgresql": ["DROP TRIGGER IF EXISTS garages_quote_marks_keep ON garages_quotes",
                   "DROP TRIGGER IF EXISTS garages_quote_marks_claim ON claims",
                   "DROP FUNCTION IF EXISTS garages_quote_marks_keep()",
                   "DROP FUNCTION IF EXISTS garages_quote_marks_claim()",
                   "DROP FUNCTION IF EXISTS garages_quote_mark_renew(integer)"],
}

# The quote counts' trigger on PostgreSQL (SQLite's are not changed by this revision).
_PG_COUNT_ADD = """
    CREATE OR REPLACE FUNCTION garages_quote_count_add(g integer, s varchar, d integer) RETURNS void AS $$
    BEGIN
        INSERT INTO garages_quote_counts AS c (garage_id, status, n) VALUES (g, s, d)
        ON CONFLICT (garage_id, status) DO UPDATE SET n = c.n + d;
    END;
    $$ LANGUAGE plpgsql
    """
_PG_COUNTS_KEEP = """
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
    """
PG_COUNTS_DEFERRED = [   # this revision's: a constraint trigger, run at the commit
    _PG_COUNT_ADD,
    _PG_COUNTS_KEEP,
    """
    CREATE CONSTRAINT TRIGGER garages_quote_counts_keep AFTER INSERT OR UPDATE OF status, garage_id OR DELETE
    ON garages_quotes DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION garages_quote_counts_keep()
    """,
]
PG_COUNTS_0003 = [   # garages_0003's, put back by the downgrade: a plain row trigger
    _PG_COUNT_ADD,
    _PG_COUNTS_KEEP,
    """
    CREATE TRIGGER garages_quote_counts_keep AFTER INSERT OR UPDATE OF status, garage_id OR DELETE
    ON garages_quotes FOR EACH ROW EXECUTE FUNCTION garages_quote_counts_keep()
    """,
]
PG_COUNTS_DROP = ["DROP TRIGGER IF EXISTS garages_quote_counts_keep ON garages_quotes",
                  "DROP FUNCTION IF EXISTS garages_quote_counts_keep()",
                  "DROP FUNCTION IF EXISTS garages_quote_count_add(integer, varchar, integer)"]


def _run(statements):
    bind = op.get_bind()
    for statement in statements:
        bind.exec_driver_sql(statement)


def upgrade():
    op.create_table('garages_quote_marks',
    sa.Column('garage_id', sa.Integer(), nullable=False),
    sa.Column('mark', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['garage_id'], ['organizations.id'], name=op.f('fk_garages_quote_marks_garage_id_organizations')),
    sa.PrimaryKeyConstraint('garage_id', name=op.f('pk_garages_quote_marks'))
    )
    dialect = op.get_bind().dialect.name
    op.execute(FILL_SQL[dialect])
    _run(MARKS_TRIGGERS.get(dialect, []))
    if dialect == "postgresql":
        _run(PG_COUNTS_DROP)
        _run(PG_COUNTS_DEFERRED)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        _run(PG_COUNTS_DROP)
        _run(PG_COUNTS_0003)
    _run(MARKS_DROP.get(dialect, []))
    op.drop_table('garages_quote_marks')
