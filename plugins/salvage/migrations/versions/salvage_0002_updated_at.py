"""salvage: a lot's ``updated_at`` (its last change, or a bid's or photo's on it), for vendors'
``updated_since``; existing lots take their latest known time

Revision ID: salvage_0002_updated_at
Revises: salvage_0001
"""
import sqlalchemy as sa
from alembic import op

import portal.timeutil

revision = 'salvage_0002_updated_at'
down_revision = 'salvage_0001'
branch_labels = None
depends_on = None


def upgrade():
    # added in place (no batch copy of the table, which would drop its triggers on SQLite)
    op.add_column('salvage_lots', sa.Column('updated_at', portal.timeutil.AwareDateTime(), nullable=False,
                                            server_default=sa.text("'1970-01-01 00:00:00'")))
    op.execute("UPDATE salvage_lots SET updated_at = COALESCE(settled_at, disposed_at, picked_up_at, awarded_at, "
               "closed_at, created_at) WHERE created_at IS NOT NULL")
    op.execute("UPDATE salvage_lots SET updated_at = (SELECT MAX(b.created_at) FROM salvage_bids b "
               "WHERE b.lot_id = salvage_lots.id) WHERE (SELECT MAX(b.created_at) FROM salvage_bids b "
               "WHERE b.lot_id = salvage_lots.id) > updated_at")
    if op.get_context().dialect.name != "sqlite":
        op.alter_column('salvage_lots', 'updated_at', server_default=None)
    op.create_index('ix_salvage_lots_updated_at', 'salvage_lots', ['updated_at'], unique=False)


def downgrade():
    op.drop_index('ix_salvage_lots_updated_at', table_name='salvage_lots')
    op.drop_column('salvage_lots', 'updated_at')
