"""garages: nothing (the major-case register, 大案登记, was built in the core instead:
migrations/versions/0007_major_cases.py); kept so that databases already at this revision go on

Revision ID: garages_0007
Revises: garages_0006
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = 'garages_0007'
down_revision = 'garages_0006'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
