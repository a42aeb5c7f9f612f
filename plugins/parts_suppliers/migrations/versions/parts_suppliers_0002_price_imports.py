"""parts_suppliers: price files imported by the background worker, with their progress

Revision ID: parts_suppliers_0002
Revises: parts_suppliers_0001
"""
import sqlalchemy as sa
from alembic import op

import portal.timeutil

revision = 'parts_suppliers_0002'
down_revision = 'parts_suppliers_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'parts_price_imports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('supplier_id', sa.Integer(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('filename', sa.String(length=255), nullable=True),
        sa.Column('stored_name', sa.String(length=64), nullable=True),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('rows_read', sa.Integer(), nullable=False),
        sa.Column('price_list_id', sa.Integer(), nullable=True),
        sa.Column('message', sa.String(length=500), nullable=True),
        sa.Column('errors', sa.JSON(), nullable=True),
        sa.Column('created_at', portal.timeutil.AwareDateTime(), nullable=False),
        sa.Column('started_at', portal.timeutil.AwareDateTime(), nullable=True),
        sa.Column('finished_at', portal.timeutil.AwareDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['price_list_id'], ['parts_price_lists.id']),
        sa.ForeignKeyConstraint(['supplier_id'], ['organizations.id']),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_parts_price_imports_supplier_id', 'parts_price_imports', ['supplier_id'])
    op.create_index('ix_parts_price_imports_status', 'parts_price_imports', ['status'])


def downgrade():
    op.drop_index('ix_parts_price_imports_status', table_name='parts_price_imports')
    op.drop_index('ix_parts_price_imports_supplier_id', table_name='parts_price_imports')
    op.drop_table('parts_price_imports')
