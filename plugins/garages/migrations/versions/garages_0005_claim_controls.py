"""garages: controls on the claim (SPEC §3a) — the claim total and limit an approval was judged
on, one owner per review (indexed), holds and investigations

Columns are added in place (no table copy: on SQLite a copy of ``garages_quotes`` would lose
the triggers that keep its counts and change marks).

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
        from plugins.garages import quote_counts, quote_marks

        quote_marks.drop_triggers(bind)
        quote_counts.drop_triggers(bind)
        with op.batch_alter_table('garages_quotes', schema=None) as batch_op:
            for column in ('held_from', 'held_at', 'held_by_id', 'hold_note', 'hold_reason'):
                batch_op.drop_column(column)
        quote_counts.create_triggers(bind)
        quote_marks.create_triggers(bind)
    else:
        op.drop_constraint(FK, 'garages_quotes', type_='foreignkey')
        for column in ('held_from', 'held_at', 'held_by_id', 'hold_note', 'hold_reason'):
            op.drop_column('garages_quotes', column)
    op.drop_column('garages_decisions', 'authority_limit')
    op.drop_column('garages_decisions', 'claim_total')
