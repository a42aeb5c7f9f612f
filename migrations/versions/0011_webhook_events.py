"""webhook_events: stable event ids on deliveries, the previous secret during a rotation

A delivery carries its event's id (``evt_…``), the same on retries and replays; an endpoint
keeps its previous secret (sealed) until ``previous_secret_until`` so that deliveries are
signed with both during the overlap (``portal/ops/webhooks.py``).

Revision ID: 0011_webhook_events
Revises: 0010_principal_marks
"""
import sqlalchemy as sa
from alembic import op

from portal.timeutil import AwareDateTime

revision = '0011_webhook_events'
down_revision = '0010_principal_marks'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("webhook_deliveries") as batch:
        batch.add_column(sa.Column("event_id", sa.String(length=40), nullable=True))
        batch.create_index("ix_webhook_deliveries_event_id", ["event_id"])
    with op.batch_alter_table("webhook_endpoints") as batch:
        batch.add_column(sa.Column("previous_secret", sa.String(length=400), nullable=True))
        batch.add_column(sa.Column("previous_secret_until", AwareDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("webhook_endpoints") as batch:
        batch.drop_column("previous_secret_until")
        batch.drop_column("previous_secret")
    with op.batch_alter_table("webhook_deliveries") as batch:
        batch.drop_index("ix_webhook_deliveries_event_id")
        batch.drop_column("event_id")
