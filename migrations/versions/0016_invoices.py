"""invoices: partners' invoices (发票) against approved work, their items, and payments (付款)

Revision ID: 0016_invoices
Revises: 0012_api_keys
"""
import sqlalchemy as sa
from alembic import op

import portal.money
import portal.timeutil

revision = '0016_invoices'
down_revision = '0012_api_keys'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'invoices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=20), nullable=False),
        sa.Column('code', sa.String(length=12), nullable=True),
        sa.Column('issued_on', sa.Date(), nullable=False),
        sa.Column('amount', portal.money.Money(), nullable=False),
        sa.Column('tax_rate', sa.Numeric(precision=5, scale=4), nullable=False),
        sa.Column('tax', portal.money.Money(), nullable=False),
        sa.Column('paid', portal.money.Money(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('scan_name', sa.String(length=64), nullable=False),
        sa.Column('scan_type', sa.String(length=32), nullable=False),
        sa.Column('submitted_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', portal.timeutil.AwareDateTime(), nullable=False),
        sa.Column('updated_at', portal.timeutil.AwareDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['organization_id'], ['organizations.id']),
        sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('organization_id', 'number', name='uq_invoices_org_number'),
    )
    op.create_index('ix_invoices_organization_id', 'invoices', ['organization_id'])
    op.create_index('ix_invoices_status', 'invoices', ['status'])
    op.create_index('ix_invoices_updated_at', 'invoices', ['updated_at'])
    op.create_table(
        'invoice_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('invoice_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('amount', portal.money.Money(), nullable=False),
        sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_invoice_items_invoice_id', 'invoice_items', ['invoice_id'])
    op.create_index('ix_invoice_items_item', 'invoice_items', ['kind', 'item_id'])
    op.create_table(
        'payments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('invoice_id', sa.Integer(), nullable=False),
        sa.Column('amount', portal.money.Money(), nullable=False),
        sa.Column('value_date', sa.Date(), nullable=False),
        sa.Column('reference', sa.String(length=64), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', portal.timeutil.AwareDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id']),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_payments_invoice_id', 'payments', ['invoice_id'])


def downgrade():
    op.drop_index('ix_payments_invoice_id', table_name='payments')
    op.drop_table('payments')
    op.drop_index('ix_invoice_items_item', table_name='invoice_items')
    op.drop_index('ix_invoice_items_invoice_id', table_name='invoice_items')
    op.drop_table('invoice_items')
    op.drop_index('ix_invoices_updated_at', table_name='invoices')
    op.drop_index('ix_invoices_status', table_name='invoices')
    op.drop_index('ix_invoices_organization_id', table_name='invoices')
    op.drop_table('invoices')
