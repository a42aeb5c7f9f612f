"""subrogation: receipt reversals (a counter-entry naming the receipt, with a reason)

Revision ID: subrogation_0003_attachments
Revises: subrogation_0001
"""
import sqlalchemy as sa
from alembic import op

revision = 'subrogation_0003_attachments'
down_revision = 'subrogation_0001'


def upgrade():
    with op.batch_alter_table('subrogation_receipts') as batch:
        batch.add_column(sa.Column('reverses_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('reason', sa.Text(), nullable=True))
        batch.create_unique_constraint('uq_subrogation_receipts_reverses_id', ['reverses_id'])
        batch.create_foreign_key('fk_subrogation_receipts_reverses_id_subrogation_receipts', 'subrogation_receipts',
                                 ['reverses_id'], ['id'])


def downgrade():
    with op.batch_alter_table('subrogation_receipts') as batch:
        batch.drop_constraint('fk_subrogation_receipts_reverses_id_subrogation_receipts', type_='foreignkey')
        batch.drop_constraint('uq_subrogation_receipts_reverses_id', type_='unique')
        batch.drop_column('reason')
        batch.drop_column('reverses_id')
