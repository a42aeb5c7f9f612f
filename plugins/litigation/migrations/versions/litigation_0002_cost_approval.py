"""litigation: a law firm's legal cost above the approval amount waits for legal staff

Revision ID: litigation_0002
Revises: litigation_0001
"""
import sqlalchemy as sa
from alembic import op

from portal.timeutil import AwareDateTime

revision = 'litigation_0002'
down_revision = 'litigation_0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('litigation_costs', schema=None) as batch_op:   # no triggers on it
        batch_op.add_column(sa.Column('status', sa.String(length=16), server_default='approved', nullable=False))
        batch_op.add_column(sa.Column('decided_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('decided_at', AwareDateTime(), nullable=True))
        batch_op.add_column(sa.Column('decision_note', sa.String(length=200), nullable=True))
        batch_op.create_foreign_key(op.f('fk_litigation_costs_decided_by_id_users'), 'users', ['decided_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('litigation_costs', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_litigation_costs_decided_by_id_users'), type_='foreignkey')
        batch_op.drop_column('decision_note')
        batch_op.drop_column('decided_at')
        batch_op.drop_column('decided_by_id')
        batch_op.drop_column('status')
