"""garages: a quote's ``updated_at`` (its last change, or that of anything on it), for partners'
``updated_since``; existing quotes take their latest known time

Revision ID: garages_0012_updated_at
Revises: garages_0011
"""
import sqlalchemy as sa
from alembic import op

import portal.timeutil

revision = 'garages_0012_updated_at'
down_revision = 'garages_0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('garages_quotes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('updated_at', portal.timeutil.AwareDateTime(), nullable=True))
    # the latest of the times the quote already knows (all stored the same way, UTC)
    op.execute("UPDATE garages_quotes SET updated_at = COALESCE(decided_at, submitted_at, created_at)")
    op.execute("UPDATE garages_quotes SET updated_at = held_at WHERE held_at IS NOT NULL AND held_at > updated_at")
    op.execute("UPDATE garages_quotes SET updated_at = CURRENT_TIMESTAMP WHERE updated_at IS NULL")
    with op.batch_alter_table('garages_quotes', schema=None) as batch_op:
        batch_op.alter_column('updated_at', existing_type=portal.timeutil.AwareDateTime(), nullable=False)
        batch_op.create_index('ix_garages_quotes_updated_at', ['updated_at'], unique=False)


def downgrade():
    with op.batch_alter_table('garages_quotes', schema=None) as batch_op:
        batch_op.drop_index('ix_garages_quotes_updated_at')
        batch_op.drop_column('updated_at')
