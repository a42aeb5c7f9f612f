"""major cases: the register (大案登记), its dated lines and the published weekly summaries

Revision ID: 0007_major_cases
Revises: 0006_claim_seed_facts
"""
import sqlalchemy as sa
from alembic import op

import portal.money
import portal.timeutil

revision = '0007_major_cases'
down_revision = '0006_claim_seed_facts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'major_cases',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('claim_id', sa.Integer(), nullable=False),
        sa.Column('amount', portal.money.Money(), nullable=False),
        sa.Column('basis', sa.String(length=16), nullable=False),
        sa.Column('amounts', sa.JSON(), nullable=False),
        sa.Column('band', sa.Integer(), nullable=False),
        sa.Column('responsible_id', sa.Integer(), nullable=True),
        sa.Column('opened_at', portal.timeutil.AwareDateTime(), nullable=False),
        sa.Column('on_site_due', portal.timeutil.AwareDateTime(), nullable=False),
        sa.Column('on_site_at', portal.timeutil.AwareDateTime(), nullable=True),
        sa.Column('report_due', portal.timeutil.AwareDateTime(), nullable=False),
        sa.Column('report_at', portal.timeutil.AwareDateTime(), nullable=True),
        sa.Column('report_text', sa.Text(), nullable=True),
        sa.Column('status_due', portal.timeutil.AwareDateTime(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('closed_at', portal.timeutil.AwareDateTime(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('updated_at', portal.timeutil.AwareDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['claim_id'], ['claims.id']),
        sa.ForeignKeyConstraint(['responsible_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('claim_id'),
    )
    op.create_index('ix_major_cases_responsible_id', 'major_cases', ['responsible_id'])
    op.create_index('ix_major_cases_status', 'major_cases', ['status'])
    op.create_table(
        'major_case_lines',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('at', portal.timeutil.AwareDateTime(), nullable=False),
        sa.Column('text', sa.Text(), nullable=True),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('created_at', portal.timeutil.AwareDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['users.id']),
        sa.ForeignKeyConstraint(['case_id'], ['major_cases.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_major_case_lines_case_id', 'major_case_lines', ['case_id'])
    op.create_table(
        'major_case_weeks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('week', sa.String(length=8), nullable=False),
        sa.Column('due_at', portal.timeutil.AwareDateTime(), nullable=False),
        sa.Column('published_at', portal.timeutil.AwareDateTime(), nullable=False),
        sa.Column('figures', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('week'),
    )


def downgrade():
    op.drop_table('major_case_weeks')
    op.drop_index('ix_major_case_lines_case_id', table_name='major_case_lines')
    op.drop_table('major_case_lines')
    op.drop_index('ix_major_cases_status', table_name='major_cases')
    op.drop_index('ix_major_cases_responsible_id', table_name='major_cases')
    op.drop_table('major_cases')
