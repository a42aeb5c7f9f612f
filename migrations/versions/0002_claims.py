"""core: claims (赔案) with policy cover and place, assignments to partners, working-calendar overrides

Revision ID: 0002_claims
Revises: 0001_core
Create Date: 2026-11-21 23:06:59.547760
"""
from alembic import op
import sqlalchemy as sa
import portal.money
import portal.timeutil

revision = '0002_claims'
down_revision = '0001_core'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_overrides',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('working', sa.Boolean(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=True),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('set_at', portal.timeutil.AwareDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_calendar_overrides_set_by_id_users')),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_calendar_overrides'))
    )
    op.create_table('claims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_no', sa.String(length=64), nullable=False),
    sa.Column('policy_no', sa.String(length=64), nullable=False),
    sa.Column('policy_start', sa.Date(), nullable=False),
    sa.Column('policy_end', sa.Date(), nullable=False),
    sa.Column('insured_name', sa.String(length=200), nullable=False),
    sa.Column('plate', sa.String(length=16), nullable=False),
    sa.Column('vin', sa.String(length=17), nullable=False),
    sa.Column('model', sa.String(length=120), nullable=False),
    sa.Column('first_registration', sa.Date(), nullable=True),
    sa.Column('actual_value', portal.money.Money(), nullable=True),
    sa.Column('policy_cover', portal.money.Money(), nullable=True),
    sa.Column('accident_at', portal.timeutil.AwareDateTime(), nullable=False),
    sa.Column('reported_at', portal.timeutil.AwareDateTime(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=True),
    sa.Column('region', sa.String(length=64), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('estimated_loss', portal.money.Money(), nullable=True),
    sa.Column('property_loss', portal.money.Money(), nullable=True),
    sa.Column('loss_ratio', sa.Numeric(precision=6, scale=4), nullable=True),
    sa.Column('claims_in_year', sa.Integer(), nullable=True),
    sa.Column('flags', sa.JSON(), nullable=False),
    sa.Column('risk_color', sa.String(length=8), nullable=False),
    sa.Column('risk_reasons', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.timeutil.AwareDateTime(), nullable=False),
    sa.Column('updated_at', portal.timeutil.AwareDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_claims_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claims')),
    sa.UniqueConstraint('claim_no', name=op.f('uq_claims_claim_no'))
    )
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claims_policy_no'), ['policy_no'], unique=False)
        batch_op.create_index(batch_op.f('ix_claims_region'), ['region'], unique=False)
        batch_op.create_index(batch_op.f('ix_claims_risk_color'), ['risk_color'], unique=False)
        batch_op.create_index(batch_op.f('ix_claims_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_claims_vin'), ['vin'], unique=False)

    op.create_table('claim_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=32), nullable=False),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.timeutil.AwareDateTime(), nullable=False),
    sa.Column('ended_at', portal.timeutil.AwareDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['users.id'], name=op.f('fk_claim_assignments_assigned_by_id_users')),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_claim_assignments_claim_id_claims')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_claim_assignments_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_assignments'))
    )
    with op.batch_alter_table('claim_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_assignments_claim_id'), ['claim_id'], unique=False)
        batch_op.create_index('ix_claim_assignments_org_active', ['organization_id', 'ended_at'], unique=False)



def downgrade():
    with op.batch_alter_table('claim_assignments', schema=None) as batch_op:
        batch_op.drop_index('ix_claim_assignments_org_active')
        batch_op.drop_index(batch_op.f('ix_claim_assignments_claim_id'))

    op.drop_table('claim_assignments')
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claims_vin'))
        batch_op.drop_index(batch_op.f('ix_claims_status'))
        batch_op.drop_index(batch_op.f('ix_claims_risk_color'))
        batch_op.drop_index(batch_op.f('ix_claims_region'))
        batch_op.drop_index(batch_op.f('ix_claims_policy_no'))

    op.drop_table('claims')
    op.drop_table('calendar_overrides')
