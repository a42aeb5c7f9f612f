"""garages: a finding's parameters (the numbers and names of its sentence), so that it is
written at display time in the reader's language (plugins/garages/finding_texts.py)

Revision ID: garages_0011
Revises: garages_0010
"""
import sqlalchemy as sa
from alembic import op

revision = 'garages_0011'
down_revision = 'garages_0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('garages_findings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('params', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('garages_findings', schema=None) as batch_op:
        batch_op.drop_column('params')
