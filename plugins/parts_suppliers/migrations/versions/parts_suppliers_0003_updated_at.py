"""parts_suppliers: a price list's ``updated_at`` (its last change), for suppliers' ``updated_since``;
existing lists take their approval or upload time

Revision ID: parts_suppliers_0003_updated_at
Revises: parts_suppliers_0002
"""
import sqlalchemy as sa
from alembic import op

import portal.timeutil

revision = 'parts_suppliers_0003_updated_at'
down_revision = 'parts_suppliers_0002'
branch_labels = None
depends_on = None


def upgrade():
    # added in place (no batch copy of the table, which would drop its triggers on SQLite)
    op.add_column('parts_price_lists', sa.Column('updated_at', portal.timeutil.AwareDateTime(), nullable=False,
                                                 server_default=sa.text("'1970-01-01 00:00:00'")))
    op.execute("UPDATE parts_price_lists SET updated_at = COALESCE(approved_at, uploaded_at) "
               "WHERE COALESCE(approved_at, uploaded_at) IS NOT NULL")
    if op.get_context().dialect.name != "sqlite":
        op.alter_column('parts_price_lists', 'updated_at', server_default=None)
    op.create_index('ix_parts_price_lists_updated_at', 'parts_price_lists', ['updated_at'], unique=False)


def downgrade():
    op.drop_index('ix_parts_price_lists_updated_at', table_name='parts_price_lists')
    op.drop_column('parts_price_lists', 'updated_at')
