"""garages: a quote's updated_at (change detection for partners' systems), filled from its
last known change

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
    # a plain ADD COLUMN: no table rebuild on SQLite, so the quote counts' and change marks'
    # triggers on garages_quotes stay as they are
    op.add_column('garages_quotes', sa.Column('updated_at', portal.timeutil.AwareDateTime(), nullable=True))
    op.execute("UPDATE garages_quotes SET updated_at = COALESCE(decided_at, submitted_at, created_at)")
    op.create_index('ix_garages_quotes_updated_at', 'garages_quotes', ['updated_at'])


def downgrade():
    op.drop_index('ix_garages_quotes_updated_at', table_name='garages_quotes')
    op.execute("ALTER TABLE garages_quotes DROP COLUMN updated_at")   # SQLite ≥ 3.35 too: no rebuild
