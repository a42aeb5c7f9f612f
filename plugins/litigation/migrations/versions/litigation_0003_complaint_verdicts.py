"""litigation: a complaint's verdict (有责 / 无责 / 撤回), its referrer and the feedback sent back

Revision ID: litigation_0003
Revises: litigation_0002
"""
import sqlalchemy as sa
from alembic import op

revision = 'litigation_0003'
down_revision = 'litigation_0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('litigation_complaints', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verdict', sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column('referred_by', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('referrer_feedback', sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f('ix_litigation_complaints_verdict'), ['verdict'], unique=False)


def downgrade():
    with op.batch_alter_table('litigation_complaints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_litigation_complaints_verdict'))
        batch_op.drop_column('referrer_feedback')
        batch_op.drop_column('referred_by')
        batch_op.drop_column('verdict')
