"""garages: re-inspection (复勘) per replaced line, the insurer's result and over-payment; decisions
indexed by time (the reviewers' figures by period)

Revision ID: garages_0006
Revises: garages_0005
"""
import sqlalchemy as sa
from alembic import op

from portal.money import Money
from portal.timeutil import AwareDateTime

revision = 'garages_0006'
down_revision = 'garages_0005'
branch_labels = None
depends_on = None

FK = 'fk_garages_audit_samples_recovery_confirmed_by_id_users'


def upgrade():
    op.create_table('garages_reinspection_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sample_id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=24), nullable=False),
    sa.Column('fair_amount', Money(), nullable=True),
    sa.Column('over_payment', Money(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['line_id'], ['garages_quote_lines.id'], name=op.f('fk_garages_reinspection_lines_line_id_garages_quote_lines')),
    sa.ForeignKeyConstraint(['sample_id'], ['garages_audit_samples.id'], name=op.f('fk_garages_reinspection_lines_sample_id_garages_audit_samples')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_garages_reinspection_lines')),
    sa.UniqueConstraint('sample_id', 'line_id', name=op.f('uq_garages_reinspection_lines_sample_id'))
    )
    op.create_index(op.f('ix_garages_reinspection_lines_sample_id'), 'garages_reinspection_lines', ['sample_id'],
                    unique=False)
    op.create_index(op.f('ix_garages_decisions_at'), 'garages_decisions', ['at'], unique=False)
    with op.batch_alter_table('garages_audit_samples', schema=None) as batch_op:   # no triggers on it
        batch_op.add_column(sa.Column('over_payment', Money(), nullable=True))
        batch_op.add_column(sa.Column('recovery_ref', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('recovery_confirmed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('recovery_confirmed_at', AwareDateTime(), nullable=True))
        batch_op.create_foreign_key(op.f(FK), 'users', ['recovery_confirmed_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('garages_audit_samples', schema=None) as batch_op:
        batch_op.drop_constraint(op.f(FK), type_='foreignkey')
        batch_op.drop_column('recovery_confirmed_at')
        batch_op.drop_column('recovery_confirmed_by_id')
        batch_op.drop_column('recovery_ref')
        batch_op.drop_column('over_payment')
    op.drop_index(op.f('ix_garages_decisions_at'), table_name='garages_decisions')
    op.drop_index(op.f('ix_garages_reinspection_lines_sample_id'), table_name='garages_reinspection_lines')
    op.drop_table('garages_reinspection_lines')
