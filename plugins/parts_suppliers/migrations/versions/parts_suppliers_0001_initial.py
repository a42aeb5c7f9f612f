"""parts_suppliers: price lists, reference prices, rates

Revision ID: parts_suppliers_0001
Revises: (branch parts_suppliers; depends on 0001_core)
Create Date: 2026-11-21 23:13:12.882807
"""
from alembic import op
import sqlalchemy as sa
import portal.money
import portal.timeutil

revision = 'parts_suppliers_0001'
down_revision = None
branch_labels = ('parts_suppliers',)
depends_on = '0001_core'


def upgrade():
    op.create_table('parts_labor_rates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('garage_id', sa.Integer(), nullable=False),
    sa.Column('rate', portal.money.Money(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', portal.timeutil.AwareDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_parts_labor_rates_approved_by_id_users')),
    sa.ForeignKeyConstraint(['garage_id'], ['organizations.id'], name=op.f('fk_parts_labor_rates_garage_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parts_labor_rates'))
    )
    with op.batch_alter_table('parts_labor_rates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_parts_labor_rates_garage_id'), ['garage_id'], unique=False)

    op.create_table('parts_localized_prices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('part_no', sa.String(length=64), nullable=False),
    sa.Column('quality', sa.String(length=16), nullable=False),
    sa.Column('region', sa.String(length=64), nullable=False),
    sa.Column('price', portal.money.Money(), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('set_at', portal.timeutil.AwareDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_parts_localized_prices_set_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parts_localized_prices'))
    )
    with op.batch_alter_table('parts_localized_prices', schema=None) as batch_op:
        batch_op.create_index('ix_parts_localized_lookup', ['part_no', 'quality', 'region'], unique=False)

    op.create_table('parts_price_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('part_no', sa.String(length=64), nullable=False),
    sa.Column('quality', sa.String(length=16), nullable=False),
    sa.Column('region', sa.String(length=64), nullable=False),
    sa.Column('quote_id', sa.Integer(), nullable=True),
    sa.Column('reference_price', portal.money.Money(), nullable=True),
    sa.Column('reference_supplier_id', sa.Integer(), nullable=True),
    sa.Column('suggested_price', portal.money.Money(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('from_user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', portal.timeutil.AwareDateTime(), nullable=True),
    sa.Column('created_at', portal.timeutil.AwareDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_parts_price_feedback_answered_by_id_users')),
    sa.ForeignKeyConstraint(['from_user_id'], ['users.id'], name=op.f('fk_parts_price_feedback_from_user_id_users')),
    sa.ForeignKeyConstraint(['reference_supplier_id'], ['organizations.id'], name=op.f('fk_parts_price_feedback_reference_supplier_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parts_price_feedback'))
    )
    with op.batch_alter_table('parts_price_feedback', schema=None) as batch_op:
        batch_op.create_index('ix_parts_feedback_status', ['status', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_parts_price_feedback_part_no'), ['part_no'], unique=False)

    op.create_table('parts_price_lists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('list_version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('source_filename', sa.String(length=255), nullable=True),
    sa.Column('base_list_id', sa.Integer(), nullable=True),
    sa.Column('diff_summary', sa.JSON(), nullable=True),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', portal.timeutil.AwareDateTime(), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', portal.timeutil.AwareDateTime(), nullable=True),
    sa.Column('decision_note', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_parts_price_lists_approved_by_id_users')),
    sa.ForeignKeyConstraint(['base_list_id'], ['parts_price_lists.id'], name=op.f('fk_parts_price_lists_base_list_id_parts_price_lists')),
    sa.ForeignKeyConstraint(['supplier_id'], ['organizations.id'], name=op.f('fk_parts_price_lists_supplier_id_organizations')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_parts_price_lists_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parts_price_lists')),
    sa.UniqueConstraint('supplier_id', 'list_version', name='uq_parts_price_lists_supplier_version')
    )
    with op.batch_alter_table('parts_price_lists', schema=None) as batch_op:
        batch_op.create_index('ix_parts_price_lists_status_supplier', ['status', 'supplier_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_parts_price_lists_supplier_id'), ['supplier_id'], unique=False)

    op.create_table('parts_regional_standards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region', sa.String(length=64), nullable=False),
    sa.Column('labor_rate', portal.money.Money(), nullable=True),
    sa.Column('towing_fee', portal.money.Money(), nullable=True),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('set_at', portal.timeutil.AwareDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_parts_regional_standards_set_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parts_regional_standards'))
    )
    with op.batch_alter_table('parts_regional_standards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_parts_regional_standards_region'), ['region'], unique=False)

    op.create_table('parts_price_list_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('price_list_id', sa.Integer(), nullable=False),
    sa.Column('source_row', sa.Integer(), nullable=False),
    sa.Column('part_no', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('quality', sa.String(length=16), nullable=False),
    sa.Column('make', sa.String(length=100), nullable=True),
    sa.Column('model', sa.String(length=200), nullable=True),
    sa.Column('unit_price', portal.money.Money(), nullable=False),
    sa.Column('min_order', sa.Integer(), nullable=True),
    sa.Column('lead_time_days', sa.Integer(), nullable=True),
    sa.Column('family', sa.String(length=16), nullable=True),
    sa.Column('assembly_no', sa.String(length=64), nullable=True),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['price_list_id'], ['parts_price_lists.id'], name=op.f('fk_parts_price_list_items_price_list_id_parts_price_lists')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parts_price_list_items'))
    )
    with op.batch_alter_table('parts_price_list_items', schema=None) as batch_op:
        batch_op.create_index('ix_parts_items_assembly', ['assembly_no', 'is_current'], unique=False)
        batch_op.create_index('ix_parts_items_list_part', ['price_list_id', 'part_no', 'quality'], unique=False)
        batch_op.create_index('ix_parts_items_lookup', ['part_no', 'quality', 'is_current'], unique=False)



def downgrade():
    with op.batch_alter_table('parts_price_list_items', schema=None) as batch_op:
        batch_op.drop_index('ix_parts_items_lookup')
        batch_op.drop_index('ix_parts_items_list_part')
        batch_op.drop_index('ix_parts_items_assembly')

    op.drop_table('parts_price_list_items')
    with op.batch_alter_table('parts_regional_standards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parts_regional_standards_region'))

    op.drop_table('parts_regional_standards')
    with op.batch_alter_table('parts_price_lists', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parts_price_lists_supplier_id'))
        batch_op.drop_index('ix_parts_price_lists_status_supplier')

    op.drop_table('parts_price_lists')
    with op.batch_alter_table('parts_price_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parts_price_feedback_part_no'))
        batch_op.drop_index('ix_parts_feedback_status')

    op.drop_table('parts_price_feedback')
    with op.batch_alter_table('parts_localized_prices', schema=None) as batch_op:
        batch_op.drop_index('ix_parts_localized_lookup')

    op.drop_table('parts_localized_prices')
    with op.batch_alter_table('parts_labor_rates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parts_labor_rates_garage_id'))

    op.drop_table('parts_labor_rates')
