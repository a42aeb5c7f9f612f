"""litigation: documents of a lawsuit (诉讼材料: the complaint, the judgment, evidence)

Revision ID: litigation_0005_attachments
Revises: litigation_0003
"""
import sqlalchemy as sa
from alembic import op

import portal.timeutil

revision = 'litigation_0005_attachments'
down_revision = 'litigation_0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'litigation_documents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('lawsuit_id', sa.Integer(), nullable=False),
        sa.Column('stored_name', sa.String(length=80), nullable=False),
        sa.Column('original_name', sa.String(length=200), nullable=True),
        sa.Column('content_type', sa.String(length=32), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('organization_id', sa.Integer(), nullable=True),
        sa.Column('created_at', portal.timeutil.AwareDateTime(), nullable=False),
        sa.Column('hidden_at', portal.timeutil.AwareDateTime(), nullable=True),
        sa.Column('hidden_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['lawsuit_id'], ['litigation_lawsuits.id'],
                                name='fk_litigation_documents_lawsuit_id_litigation_lawsuits'),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name='fk_litigation_documents_uploaded_by_id_users'),
        sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'],
                                name='fk_litigation_documents_organization_id_organizations'),
        sa.ForeignKeyConstraint(['hidden_by_id'], ['users.id'], name='fk_litigation_documents_hidden_by_id_users'),
        sa.PrimaryKeyConstraint('id', name='pk_litigation_documents'),
        sa.UniqueConstraint('stored_name', name='uq_litigation_documents_stored_name'),
    )
    op.create_index('ix_litigation_documents_lawsuit_id', 'litigation_documents', ['lawsuit_id'])


def downgrade():
    op.drop_index('ix_litigation_documents_lawsuit_id', table_name='litigation_documents')
    op.drop_table('litigation_documents')
