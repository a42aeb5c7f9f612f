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
    # added in place, never by a batch copy of the table: on SQLite a copy would drop the
    # quote counts' and change marks' triggers (tests/contract/test_frozen_triggers.py)
    op.add_column('garages_quotes', sa.Column('updated_at', portal.timeutil.AwareDateTime(), nullable=False,
                                              server_default=sa.text("'1970-01-01 00:00:00'")))
    postgres = op.get_context().dialect.name == "postgresql"
    if postgres:   # the quote counts' and marks' deferred triggers fire now, not at the commit:
        op.execute("SET CONSTRAINTS ALL IMMEDIATE")   # PostgreSQL refuses an ALTER with events pending
    # the latest of the times the quote already knows (all stored the same way, UTC)
    op.execute("UPDATE garages_quotes SET updated_at = COALESCE(decided_at, submitted_at, created_at) "
               "WHERE COALESCE(decided_at, submitted_at, created_at) IS NOT NULL")
    op.execute("UPDATE garages_quotes SET updated_at = held_at WHERE held_at IS NOT NULL AND held_at > updated_at")
    if postgres:
        op.execute("SET CONSTRAINTS ALL DEFERRED")
    if op.get_context().dialect.name != "sqlite":
        op.alter_column('garages_quotes', 'updated_at', server_default=None)
    op.create_index('ix_garages_quotes_updated_at', 'garages_quotes', ['updated_at'], unique=False)


def downgrade():
    op.drop_index('ix_garages_quotes_updated_at', table_name='garages_quotes')
    op.drop_column('garages_quotes', 'updated_at')
