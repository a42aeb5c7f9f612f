"""garages: indexes for the review queue and a garage's own list

Revision ID: garages_0002
Revises: garages_0001
"""
from alembic import op

revision = 'garages_0002'
down_revision = 'garages_0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('garages_quotes', schema=None) as batch_op:
        batch_op.create_index('ix_garages_quotes_queue', ['status', 'due_at', 'id'], unique=False)
        batch_op.create_index('ix_garages_quotes_garage_list', ['garage_id', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('garages_quotes', schema=None) as batch_op:
        batch_op.drop_index('ix_garages_quotes_garage_list')
        batch_op.drop_index('ix_garages_quotes_queue')
