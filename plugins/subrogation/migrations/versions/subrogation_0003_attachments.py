"""subrogation: documents of a recovery case; receipt reversals (a counter-entry naming the receipt, with a reason)

Revision ID: subrogation_0003_attachments
Revises: subrogation_0001
"""
import sqlalchemy as sa
from alembic import op

import portal.timeutil

revision = 'subrogation_0003_attachments'
down_revision = 'subrogation_0001'


def upgrade():
    op.create_table(
        'subrogation_documents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('recovery_id', sa.Integer(), nullable=False),
        sa.Column('stored_name', sa.String(length=80), nullable=False),
        sa.Column('original_name', sa.String(length=200), nullable=True),
        sa.Column('content_type', sa.String(length=32), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('organization_id', sa.Integer(), nullable=True),
        sa.Column('created_at', portal.timeutil.AwareDateTime(), nullable=False),
        sa.Column('hidden_at', portal.timeutil.AwareDateTime(), nullable=True),
        sa.Column('hidden_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['recovery_id'], ['subrogation_recoveries.id'],
                                name='fk_subrogation_documents_recovery_id_subrogation_recoveries'),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name='fk_subrogation_documents_uploaded_by_id_users'),
        sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'],
                                name='fk_subrogation_documents_organization_id_organizations'),
        sa.ForeignKeyConstraint(['hidden_by_id'], ['users.id'], name='fk_subrogation_documents_hidden_by_id_users'),
        sa.PrimaryKeyConstraint('id', name='pk_subrogation_documents'),
        sa.UniqueConstraint('stored_name', name='uq_subrogation_documents_stored_name'),
    )
    op.create_index('ix_subrogation_documents_recovery_id', 'subrogation_documents', ['recovery_id'])
    with op.batch_alter_table('subrogation_receipts') as batch:
        batch.add_column(sa.Column('reverses_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('reason', sa.Text(), nullable=True))
        batch.create_unique_constraint('uq_subrogation_receipts_reverses_id', ['reverses_id'])
        batch.create_foreign_key('fk_subrogation_receipts_reverses_id_subrogation_receipts', 'subrogation_receipts',
                                 ['reverses_id'], ['id'])


def downgrade():
    op.drop_index('ix_subrogation_documents_recovery_id', table_name='subrogation_documents')
    op.drop_table('subrogation_documents')
    with op.batch_alter_table('subrogation_receipts') as batch:
        batch.drop_constraint('fk_subrogation_receipts_reverses_id_subrogation_receipts', type_='foreignkey')
        batch.drop_constraint('uq_subrogation_receipts_reverses_id', type_='unique')
        batch.drop_column('reason')
        batch.drop_column('reverses_id')
