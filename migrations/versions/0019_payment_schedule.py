"""unpaid lists: the weekly approved-unpaid list (已决未付清单), one per week

Revision ID: 0019_payment_schedule
Revises: 0017_metric_volume
"""
import sqlalchemy as sa
from alembic import op

import portal.timeutil

revision = '0019_payment_schedule'
down_revision = '0017_metric_volume'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'unpaid_lists',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('week_start', sa.Date(), nullable=False),
        sa.Column('list_date', sa.Date(), nullable=False),
        sa.Column('lines', sa.JSON(), nullable=False),
        sa.Column('created_at', portal.timeutil.AwareDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('week_start', name='uq_unpaid_lists_week_start'),
    )


def downgrade():
    op.drop_table('unpaid_lists')
