"""users: an insurer reviewer's region (claims of that region come to them first, 一人终审)

Revision ID: 0008_user_region
Revises: 0007_major_cases
"""
import sqlalchemy as sa
from alembic import op

revision = '0008_user_region'
down_revision = '0007_major_cases'
branch_labels = None
depends_on = None


def upgrade():
    # in place (no table copy: every table's foreign keys point at users)
    op.add_column('users', sa.Column('region', sa.String(length=64), nullable=True))


def downgrade():
    op.drop_column('users', 'region')
