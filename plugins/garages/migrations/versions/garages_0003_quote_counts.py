"""garages: quote counts per garage and status, kept by triggers

The triggers and the refill are written out here as they were when this revision was made
(frozen: later changes to ``plugins/garages/quote_counts.py`` belong to later revisions).
On PostgreSQL the trigger is a plain row trigger, run in the statement; garages_0004 makes
it deferred to the commit.

Revision ID: garages_0003
Revises: garages_0002
"""
import sqlalchemy as sa
from alembic import op

revision = 'garages_0003'
down_revision = 'garages_0002'
branch_labels = None
depends_on = None

REFILL_SQL = ("INSERT INTO garages_quote_counts (garage_id, status, n) "
              "SELECT garage_id, status, count(*) FROM garages_quotes GROUP BY garage_id, status")

COUNTS_TRIGGERS = {
    "sqlite": [
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
    ],
    # one function; the two rows of a status change are touched in a fixed order so that two
    # transitions the other way round cannot deadlock
    "postgresql": [
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
    CREATE TRIGGER garages_quote_counts_keep AFTER INSERT OR UPDATE OF status, garage_id OR DELETE
    ON garages_quotes FOR EACH ROW EXECUTE FUNCTION garages_quote_counts_keep()
    """,
    ],
}

COUNTS_DROP = {
    "sqlite": ["DROP TRIGGER IF EXISTS garages_quote_counts_ins", "DROP TRIGGER IF EXISTS garages_quote_counts_upd",
               "DROP TRIGGER IF EXISTS garages_quote_counts_del"],
    "postgresql": ["DROP TRIGGER IF EXISTS garages_quote_counts_keep ON garages_quotes",
                   "DROP FUNCTION IF EXISTS garages_quote_counts_keep()",
                   "DROP FUNCTION IF EXISTS garages_quote_count_add(integer, varchar, integer)"],
}


def _run(statements):
    bind = op.get_bind()
    for statement in statements.get(bind.dialect.name, []):
        bind.exec_driver_sql(statement)


def upgrade():
    op.create_table('garages_quote_counts',
    sa.Column('garage_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['garage_id'], ['organizations.id'], name=op.f('fk_garages_quote_counts_garage_id_organizations')),
    sa.PrimaryKeyConstraint('garage_id', 'status', name=op.f('pk_garages_quote_counts'))
    )
    op.execute(REFILL_SQL)
    _run(COUNTS_TRIGGERS)


def downgrade():
    _run(COUNTS_DROP)
    op.drop_table('garages_quote_counts')
