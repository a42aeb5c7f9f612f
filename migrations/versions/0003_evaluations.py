"""core: evaluations (考核) — versioned rules, scorecards and their metrics, disputes

Revision ID: 0003_evaluations
Revises: 0002_claims
Create Date: 2026-11-21 23:30:00.000000
"""
from alembic import op
import sqlalchemy as sa
import portal.timeutil

revision = '0003_evaluations'
down_revision = '0002_claims'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('evaluation_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('config', sa.JSON(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('created_at', portal.timeutil.AwareDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_evaluation_rules_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_rules')),
    sa.UniqueConstraint('version', name=op.f('uq_evaluation_rules_version'))
    )
    op.create_table('scorecards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('org_kind', sa.String(length=32), nullable=False),
    sa.Column('region', sa.String(length=64), nullable=False),
    sa.Column('total', sa.Numeric(precision=7, scale=2), nullable=False),
    sa.Column('grade', sa.String(length=1), nullable=False),
    sa.Column('rules_version', sa.Integer(), nullable=False),
    sa.Column('computed_at', portal.timeutil.AwareDateTime(), nullable=False),
    sa.Column('previous_grade', sa.String(length=1), nullable=True),
    sa.Column('previous_total', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_scorecards_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scorecards')),
    sa.UniqueConstraint('organization_id', 'period', name='uq_scorecards_organization_period')
    )
    with op.batch_alter_table('scorecards', schema=None) as batch_op:
        batch_op.create_index('ix_scorecards_period_kind_region', ['period', 'org_kind', 'region'], unique=False)

    op.create_table('scorecard_metrics',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scorecard_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=80), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('higher_is_better', sa.Boolean(), nullable=False),
    sa.Column('value', sa.Numeric(precision=18, scale=6), nullable=True),
    sa.Column('points', sa.Numeric(precision=7, scale=2), nullable=False),
    sa.Column('weight', sa.Numeric(precision=7, scale=2), nullable=False),
    sa.Column('weighted_points', sa.Numeric(precision=9, scale=4), nullable=False),
    sa.ForeignKeyConstraint(['scorecard_id'], ['scorecards.id'], name=op.f('fk_scorecard_metrics_scorecard_id_scorecards'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scorecard_metrics'))
    )
    with op.batch_alter_table('scorecard_metrics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scorecard_metrics_scorecard_id'), ['scorecard_id'], unique=False)

    op.create_table('metric_disputes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scorecard_metric_id', sa.Integer(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('metric_code', sa.String(length=80), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', portal.timeutil.AwareDateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', portal.timeutil.AwareDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_metric_disputes_answered_by_id_users')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_metric_disputes_organization_id_organizations')),
    sa.ForeignKeyConstraint(['scorecard_metric_id'], ['scorecard_metrics.id'], name=op.f('fk_metric_disputes_scorecard_metric_id_scorecard_metrics'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_metric_disputes_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_metric_disputes'))
    )
    with op.batch_alter_table('metric_disputes', schema=None) as batch_op:
        batch_op.create_index('ix_metric_disputes_status', ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_metric_disputes_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_metric_disputes_scorecard_metric_id'), ['scorecard_metric_id'], unique=False)


def downgrade():
    with op.batch_alter_table('metric_disputes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_metric_disputes_scorecard_metric_id'))
        batch_op.drop_index(batch_op.f('ix_metric_disputes_organization_id'))
        batch_op.drop_index('ix_metric_disputes_status')
    op.drop_table('metric_disputes')
    with op.batch_alter_table('scorecard_metrics', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scorecard_metrics_scorecard_id'))
    op.drop_table('scorecard_metrics')
    with op.batch_alter_table('scorecards', schema=None) as batch_op:
        batch_op.drop_index('ix_scorecards_period_kind_region')
    op.drop_table('scorecards')
    op.drop_table('evaluation_rules')
