"""claims: the facts of seed 002's red and blue rules — who reported the claim, the vehicle's
use (使用性质), domestic or imported, a rare model. Old claims keep NULL (unknown).

Revision ID: 0006_claim_seed_facts
Revises: 0005_sealed_secrets
"""
import sqlalchemy as sa
from alembic import op

revision = '0006_claim_seed_facts'
down_revision = '0005_sealed_secrets'
branch_labels = None
depends_on = None


def upgrade():
    # added in place (no table copy: other tables' foreign keys point at claims)
    op.add_column('claims', sa.Column('reported_by', sa.String(length=16), nullable=True))
    op.add_column('claims', sa.Column('vehicle_use', sa.String(length=16), nullable=True))
    op.add_column('claims', sa.Column('origin', sa.String(length=16), nullable=True))
    op.add_column('claims', sa.Column('rare_model', sa.Boolean(), nullable=True))


def downgrade():
    # in place as well (SQLite 3.35+ drops a plain column without copying the table)
    for name in ('rare_model', 'origin', 'vehicle_use', 'reported_by'):
        op.drop_column('claims', name)
