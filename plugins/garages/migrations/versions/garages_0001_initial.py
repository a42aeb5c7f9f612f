"""garages: quotes, lines, findings, decisions, photos, audit samples

Revision ID: garages_0001
Revises: 
Create Date: 2026-11-21 23:10:46.426169
"""
from alembic import op
import sqlalchemy as sa
import portal.money
import portal.timeutil

revision = 'garages_0001'
down_revision = None
branch_labels = ('garages',)
depends_on = '0002_claims'  # the claims table (FK claim_id) is created there


def upgrade():
    op.create_table('garages_quotes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('garage_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=32), nullable=False),
    sa.Column('supplement_to', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('total_submitted', portal.money.Money(), nullable=False),
    sa.Column('total_approved', portal.money.Money(), nullable=True),
    sa.Column('submitted_at', portal.timeutil.AwareDateTime(), nullable=True),
    sa.Column('first_submitted_at', portal.timeutil.AwareDateTime(), nullable=True),
    sa.Column('due_at', portal.timeutil.AwareDateTime(), nullable=True),
    sa.Column('decided_at', portal.timeutil.AwareDateTime(), nullable=True),
    sa.Column('desk', sa.String(length=32), nullable=True),
    sa.Column('assigned_reviewer_id', sa.Integer(), nullable=True),
    sa.Column('first_approver_id', sa.Integer(), nullable=True),
    sa.Column('return_count', sa.Integer(), nullable=False),
    sa.Column('rules_version', sa.String(length=32), nullable=True),
    sa.Column('fast_tracked', sa.Boolean(), nullable=False),
    sa.Column('sampled', sa.Boolean(), nullable=False),
    sa.Column('sample_reason', sa.String(length=32), nullable=True),
    sa.Column('sample_seed', sa.String(length=64), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.timeutil.AwareDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assigned_reviewer_id'], ['users.id'], name=op.f('fk_garages_quotes_assigned_reviewer_id_users')),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_garages_quotes_claim_id_claims')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_garages_quotes_created_by_id_users')),
    sa.ForeignKeyConstraint(['first_approver_id'], ['users.id'], name=op.f('fk_garages_quotes_first_approver_id_users')),
    sa.ForeignKeyConstraint(['garage_id'], ['organizations.id'], name=op.f('fk_garages_quotes_garage_id_organizations')),
    sa.ForeignKeyConstraint(['supplement_to'], ['garages_quotes.id'], name=op.f('fk_garages_quotes_supplement_to_garages_quotes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_garages_quotes'))
    )
    with op.batch_alter_table('garages_quotes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_garages_quotes_claim_id'), ['claim_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_garages_quotes_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_garages_quotes_garage_id'), ['garage_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_garages_quotes_status'), ['status'], unique=False)

    op.create_table('garages_audit_samples',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quote_id', sa.Integer(), nullable=False),
    sa.Column('sample_date', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('seed', sa.String(length=64), nullable=False),
    sa.Column('share', sa.Numeric(precision=6, scale=4), nullable=False),
    sa.Column('draw', sa.Numeric(precision=10, scale=8), nullable=False),
    sa.Column('rules_version', sa.String(length=32), nullable=False),
    sa.Column('result', sa.String(length=32), nullable=True),
    sa.Column('result_note', sa.Text(), nullable=True),
    sa.Column('inspected_by_id', sa.Integer(), nullable=True),
    sa.Column('inspected_at', portal.timeutil.AwareDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['inspected_by_id'], ['users.id'], name=op.f('fk_garages_audit_samples_inspected_by_id_users')),
    sa.ForeignKeyConstraint(['quote_id'], ['garages_quotes.id'], name=op.f('fk_garages_audit_samples_quote_id_garages_quotes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_garages_audit_samples')),
    sa.UniqueConstraint('quote_id', name=op.f('uq_garages_audit_samples_quote_id'))
    )
    with op.batch_alter_table('garages_audit_samples', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_garages_audit_samples_sample_date'), ['sample_date'], unique=False)

    op.create_table('garages_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quote_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('from_status', sa.String(length=32), nullable=False),
    sa.Column('to_status', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('at', portal.timeutil.AwareDateTime(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('amount', portal.money.Money(), nullable=True),
    sa.Column('rules_version', sa.String(length=32), nullable=False),
    sa.Column('automatic', sa.Boolean(), nullable=False),
    sa.Column('rule', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['quote_id'], ['garages_quotes.id'], name=op.f('fk_garages_decisions_quote_id_garages_quotes')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_garages_decisions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_garages_decisions'))
    )
    with op.batch_alter_table('garages_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_garages_decisions_quote_id'), ['quote_id'], unique=False)

    op.create_table('garages_findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quote_id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=True),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('severity', sa.String(length=8), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('suggested_unit_price', portal.money.Money(), nullable=True),
    sa.Column('rules_version', sa.String(length=32), nullable=False),
    sa.Column('created_at', portal.timeutil.AwareDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['quote_id'], ['garages_quotes.id'], name=op.f('fk_garages_findings_quote_id_garages_quotes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_garages_findings'))
    )
    with op.batch_alter_table('garages_findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_garages_findings_quote_id'), ['quote_id'], unique=False)

    op.create_table('garages_quote_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quote_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('part_no', sa.String(length=64), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('quality', sa.String(length=16), nullable=True),
    sa.Column('quantity', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('unit_price', portal.money.Money(), nullable=False),
    sa.Column('amount', portal.money.Money(), nullable=False),
    sa.Column('approved_quantity', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('approved_unit_price', portal.money.Money(), nullable=True),
    sa.Column('approved_amount', portal.money.Money(), nullable=True),
    sa.Column('reason', sa.String(length=32), nullable=True),
    sa.Column('reviewer_note', sa.Text(), nullable=True),
    sa.Column('garage_comment', sa.Text(), nullable=True),
    sa.Column('routed_to_specialist', sa.Boolean(), nullable=False),
    sa.Column('source_line_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['quote_id'], ['garages_quotes.id'], name=op.f('fk_garages_quote_lines_quote_id_garages_quotes')),
    sa.ForeignKeyConstraint(['source_line_id'], ['garages_quote_lines.id'], name=op.f('fk_garages_quote_lines_source_line_id_garages_quote_lines'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_garages_quote_lines'))
    )
    with op.batch_alter_table('garages_quote_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_garages_quote_lines_part_no'), ['part_no'], unique=False)
        batch_op.create_index(batch_op.f('ix_garages_quote_lines_quote_id'), ['quote_id'], unique=False)

    op.create_table('garages_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quote_id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.timeutil.AwareDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['line_id'], ['garages_quote_lines.id'], name=op.f('fk_garages_photos_line_id_garages_quote_lines'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['quote_id'], ['garages_quotes.id'], name=op.f('fk_garages_photos_quote_id_garages_quotes')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_garages_photos_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_garages_photos')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_garages_photos_stored_name'))
    )
    with op.batch_alter_table('garages_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_garages_photos_quote_id'), ['quote_id'], unique=False)



def downgrade():
    with op.batch_alter_table('garages_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_garages_photos_quote_id'))

    op.drop_table('garages_photos')
    with op.batch_alter_table('garages_quote_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_garages_quote_lines_quote_id'))
        batch_op.drop_index(batch_op.f('ix_garages_quote_lines_part_no'))

    op.drop_table('garages_quote_lines')
    with op.batch_alter_table('garages_findings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_garages_findings_quote_id'))

    op.drop_table('garages_findings')
    with op.batch_alter_table('garages_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_garages_decisions_quote_id'))

    op.drop_table('garages_decisions')
    with op.batch_alter_table('garages_audit_samples', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_garages_audit_samples_sample_date'))

    op.drop_table('garages_audit_samples')
    with op.batch_alter_table('garages_quotes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_garages_quotes_status'))
        batch_op.drop_index(batch_op.f('ix_garages_quotes_garage_id'))
        batch_op.drop_index(batch_op.f('ix_garages_quotes_due_at'))
        batch_op.drop_index(batch_op.f('ix_garages_quotes_claim_id'))

    op.drop_table('garages_quotes')
