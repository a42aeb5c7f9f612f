"""salvage: what a bidder needs on the lot (VIN, mileage, keys, documents, starts/drives, damage)

Revision ID: salvage_0003_bidder_facts
Revises: salvage_0002_updated_at
"""
import sqlalchemy as sa
from alembic import op

revision = 'salvage_0003_bidder_facts'
down_revision = 'salvage_0002_updated_at'
branch_labels = None
depends_on = None

COLUMNS = (
    ('vin', sa.String(length=17)), ('mileage_km', sa.Integer()), ('keys_present', sa.Boolean()),
    ('driving_licence', sa.Boolean()), ('registration_certificate', sa.Boolean()), ('starts', sa.Boolean()),
    ('drives', sa.Boolean()), ('damage', sa.Text()),
)


def upgrade():
    with op.batch_alter_table('salvage_lots') as batch:
        for name, type_ in COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))


def downgrade():
    with op.batch_alter_table('salvage_lots') as batch:
        for name, _type in reversed(COLUMNS):
            batch.drop_column(name)
