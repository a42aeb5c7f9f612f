"""garages: re-inspection (复勘) per replaced line, the insurer's result and over-payment

Revision ID: garages_0006
Revises: garages_0005
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = 'garages_0006'
down_revision = 'garages_0005'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
