"""scorecard metric volume: the records behind a metric's value and whether it counted

Revision ID: 0017_metric_volume
Revises: 0016_invoices
"""
import sqlalchemy as sa
from alembic import op

revision = '0017_metric_volume'
down_revision = '0016_invoices'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('scorecard_metrics', schema=None) as batch_op:
        batch_op.add_column(sa.Column('volume', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('counted', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    with op.batch_alter_table('scorecard_metrics', schema=None) as batch_op:
        batch_op.drop_column('counted')
        batch_op.drop_column('volume')
