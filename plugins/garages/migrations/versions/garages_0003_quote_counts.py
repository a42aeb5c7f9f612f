"""garages: quote counts per garage and status, kept by triggers

Revision ID: garages_0003
Revises: garages_0002
"""
import sqlalchemy as sa
from alembic import op

revision = 'garages_0003'
down_revision = 'garages_0002'
branch_labels = None
depends_on = None


def upgrade():
    from plugins.garages.quote_counts import REFILL_SQL, create_triggers

    op.create_table('garages_quote_counts',
    sa.Column('garage_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['garage_id'], ['organizations.id'], name=op.f('fk_garages_quote_counts_garage_id_organizations')),
    sa.PrimaryKeyConstraint('garage_id', 'status', name=op.f('pk_garages_quote_counts'))
    )
    op.execute(REFILL_SQL)
    create_triggers(op.get_bind())


def downgrade():
    from plugins.garages.quote_counts import drop_triggers

    drop_triggers(op.get_bind())
    op.drop_table('garages_quote_counts')
