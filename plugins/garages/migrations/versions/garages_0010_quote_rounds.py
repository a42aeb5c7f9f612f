"""garages: a quote line's answer to the assessor's adjustment (accepted, or answered with a
comment and photos), and the rounds of every line kept at each return (what was submitted,
what the assessor adjusted with reason and note, the garage's answer, what was resubmitted)

Revision ID: garages_0010
Revises: garages_0009
"""
import sqlalchemy as sa
from alembic import op

from portal.money import Money
from portal.timeutil import AwareDateTime

revision = 'garages_0010'
down_revision = 'garages_0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('garages_quote_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answer_kind', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('answer_photo_ids', sa.JSON(), nullable=True))
    op.create_table('garages_quote_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quote_id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=True),
    sa.Column('round_no', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('unit_price', Money(), nullable=False),
    sa.Column('amount', Money(), nullable=False),
    sa.Column('approved_quantity', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('approved_unit_price', Money(), nullable=True),
    sa.Column('approved_amount', Money(), nullable=True),
    sa.Column('reason', sa.String(length=32), nullable=True),
    sa.Column('reviewer_note', sa.Text(), nullable=True),
    sa.Column('adjusted', sa.Boolean(), nullable=False),
    sa.Column('returned_at', AwareDateTime(), nullable=False),
    sa.Column('answer_kind', sa.String(length=8), nullable=True),
    sa.Column('answer_comment', sa.Text(), nullable=True),
    sa.Column('answer_photo_ids', sa.JSON(), nullable=True),
    sa.Column('resubmitted_quantity', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('resubmitted_unit_price', Money(), nullable=True),
    sa.Column('resubmitted_amount', Money(), nullable=True),
    sa.Column('resubmitted_at', AwareDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['line_id'], ['garages_quote_lines.id'], name=op.f('fk_garages_quote_rounds_line_id_garages_quote_lines'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['quote_id'], ['garages_quotes.id'], name=op.f('fk_garages_quote_rounds_quote_id_garages_quotes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_garages_quote_rounds'))
    )
    op.create_index(op.f('ix_garages_quote_rounds_quote_id'), 'garages_quote_rounds', ['quote_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_garages_quote_rounds_quote_id'), table_name='garages_quote_rounds')
    op.drop_table('garages_quote_rounds')
    with op.batch_alter_table('garages_quote_lines', schema=None) as batch_op:
        batch_op.drop_column('answer_photo_ids')
        batch_op.drop_column('answer_kind')
