"""garages: controls on the claim — the claim total and limit an approval was judged
on, one owner per review (indexed), holds and investigations

Columns are added in place (no table copy: on SQLite a copy of ``garages_quotes`` would lose
the triggers that keep its counts and change marks). The downgrade drops a column with a
foreign key by such a copy on SQLite, so it drops those triggers and makes them again, as they
stood at this revision (written out here, frozen).

Revision ID: garages_0005
Revises: garages_0004
"""
import sqlalchemy as sa
from alembic import op

from portal.money import Money
from portal.timeutil import AwareDateTime

revision = 'garages_0005'
down_revision = 'garages_0004'
branch_labels = None
depends_on = None

FK = 'fk_garages_quotes_held_by_id_users'

# SQLite's triggers on garages_quotes and claims as garages_0003 (counts) and garages_0004
# (change marks) made them, unchanged at this revision; dropped in this order, made again in
# the reverse one.
SQLITE_COUNTS_TRIGGERS = [
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
SQLITE_MARKS_TRIGGERS = [
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
]
SQLITE_MARKS_DROP = ["DROP TRIGGER IF EXISTS garages_quote_marks_ins", "DROP TRIGGER IF EXISTS garages_quote_marks_upd",
                     "DROP TRIGGER IF EXISTS garages_quote_marks_del", "DROP TRIGGER IF EXISTS garages_quote_marks_claim"]
SQLITE_COUNTS_DROP = ["DROP TRIGGER IF EXISTS garages_quote_counts_ins", "DROP TRIGGER IF EXISTS garages_quote_counts_upd",
                      "DROP TRIGGER IF EXISTS garages_quote_counts_del"]


def upgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.add_column('garages_decisions', sa.Column('claim_total', Money(), nullable=True))
    op.add_column('garages_decisions', sa.Column('authority_limit', Money(), nullable=True))
    op.add_column('garages_quotes', sa.Column('hold_reason', sa.String(length=32), nullable=True))
    op.add_column('garages_quotes', sa.Column('hold_note', sa.Text(), nullable=True))
    if sqlite:   # SQLite takes a foreign key only with the column (ALTER TABLE … ADD COLUMN … REFERENCES)
        op.execute(f"ALTER TABLE garages_quotes ADD COLUMN held_by_id INTEGER CONSTRAINT {FK} REFERENCES users (id)")
    else:
        op.add_column('garages_quotes', sa.Column('held_by_id', sa.Integer(), nullable=True))
        op.create_foreign_key(FK, 'garages_quotes', 'users', ['held_by_id'], ['id'])
    op.add_column('garages_quotes', sa.Column('held_at', AwareDateTime(), nullable=True))
    op.add_column('garages_quotes', sa.Column('held_from', sa.String(length=32), nullable=True))
    op.create_index(op.f('ix_garages_quotes_assigned_reviewer_id'), 'garages_quotes', ['assigned_reviewer_id'],
                    unique=False)


def downgrade():
    bind = op.get_bind()
    op.drop_index(op.f('ix_garages_quotes_assigned_reviewer_id'), table_name='garages_quotes')
    if bind.dialect.name == "sqlite":
        # a column with a foreign key is dropped by a copy of the table: its triggers go with
        # it, so they are dropped first and made again on the copy
        for statement in SQLITE_MARKS_DROP + SQLITE_COUNTS_DROP:
            bind.exec_driver_sql(statement)
        with op.batch_alter_table('garages_quotes', schema=None) as batch_op:
            for column in ('held_from', 'held_at', 'held_by_id', 'hold_note', 'hold_reason'):
                batch_op.drop_column(column)
        for statement in SQLITE_COUNTS_TRIGGERS + SQLITE_MARKS_TRIGGERS:
            bind.exec_driver_sql(statement)
    else:
        op.drop_constraint(FK, 'garages_quotes', type_='foreignkey')
        for column in ('held_from', 'held_at', 'held_by_id', 'hold_note', 'hold_reason'):
            op.drop_column('garages_quotes', column)
    op.drop_column('garages_decisions', 'authority_limit')
    op.drop_column('garages_decisions', 'claim_total')
