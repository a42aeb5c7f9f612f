"""subrogation: recovery cases, receipts, targets

Revision ID: subrogation_0001
Revises:
Create Date: 2026-11-22 10:00:00
"""
from alembic import op
import sqlalchemy as sa
import portal.money
import portal.timeutil

revision = 'subrogation_0001'
down_revision = None
branch_labels = ('subrogation',)
depends_on = '0002_claims'  # the claims table (FK claim_id) is created there


def upgrade():
    op.create_table('subrogation_recoveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('amount_paid', portal.money.Money(), nullable=False),
    sa.Column('amount_sought', portal.money.Money(), nullable=False),
    sa.Column('basis', sa.Text(), nullable=True),
    sa.Column('counterparty_name', sa.String(length=200), nullable=False),
    sa.Column('counterparty_insurer', sa.String(length=200), nullable=True),
    sa.Column('counterparty_contact', sa.String(length=200), nullable=True),
    sa.Column('limitation_starts_on', sa.Date(), nullable=False),
    sa.Column('limitation_deadline', sa.Date(), nullable=False),
    sa.Column('handler_user_id', sa.Integer(), nullable=True),
    sa.Column('handler_organization_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('closed_as', sa.String(length=24), nullable=True),
    sa.Column('closed_at', portal.timeutil.AwareDateTime(), nullable=True),
    sa.Column('lawsuit_filed', sa.Boolean(), nullable=False),
    sa.Column('limitation_flagged_on', sa.Date(), nullable=True),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.timeutil.AwareDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_subrogation_recoveries_claim_id_claims')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_subrogation_recoveries_created_by_id_users')),
    sa.ForeignKeyConstraint(['handler_organization_id'], ['organizations.id'], name=op.f('fk_subrogation_recoveries_handler_organization_id_organizations')),
    sa.ForeignKeyConstraint(['handler_user_id'], ['users.id'], name=op.f('fk_subrogation_recoveries_handler_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subrogation_recoveries'))
    )
    with op.batch_alter_table('subrogation_recoveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subrogation_recoveries_claim_id'), ['claim_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subrogation_recoveries_handler_organization_id'), ['handler_organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subrogation_recoveries_handler_user_id'), ['handler_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subrogation_recoveries_limitation_deadline'), ['limitation_deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_subrogation_recoveries_opened_on'), ['opened_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_subrogation_recoveries_status'), ['status'], unique=False)

    op.create_table('subrogation_receipts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recovery_id', sa.Integer(), nullable=False),
    sa.Column('amount', portal.money.Money(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('method', sa.String(length=40), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.timeutil.AwareDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_subrogation_receipts_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['recovery_id'], ['subrogation_recoveries.id'], name=op.f('fk_subrogation_receipts_recovery_id_subrogation_recoveries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subrogation_receipts'))
    )
    with op.batch_alter_table('subrogation_receipts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subrogation_receipts_received_on'), ['received_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_subrogation_receipts_recovery_id'), ['recovery_id'], unique=False)

    op.create_table('subrogation_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('amount', portal.money.Money(), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', portal.timeutil.AwareDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_subrogation_targets_set_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subrogation_targets')),
    sa.UniqueConstraint('period', name=op.f('uq_subrogation_targets_period'))
    )


def downgrade():
    op.drop_table('subrogation_targets')
    with op.batch_alter_table('subrogation_receipts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subrogation_receipts_recovery_id'))
        batch_op.drop_index(batch_op.f('ix_subrogation_receipts_received_on'))
    op.drop_table('subrogation_receipts')
    with op.batch_alter_table('subrogation_recoveries', schema=None) as batch_op:
        for name in ('status', 'opened_on', 'limitation_deadline', 'handler_user_id', 'handler_organization_id',
                     'claim_id'):
            batch_op.drop_index(batch_op.f(f'ix_subrogation_recoveries_{name}'))
    op.drop_table('subrogation_recoveries')
