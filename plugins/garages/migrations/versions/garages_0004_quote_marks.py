"""garages: change marks per garage, renewed by triggers (the key of cached list pages); PostgreSQL: the quote counts' trigger deferred to the commit

Revision ID: garages_0004
Revises: garages_0003
"""
import sqlalchemy as sa
from alembic import op

revision = 'garages_0004'
down_revision = 'garages_0003'
branch_labels = None
depends_on = None


def upgrade():
    from plugins.garages.quote_marks import FILL_SQL, create_triggers

    op.create_table('garages_quote_marks',
    sa.Column('garage_id', sa.Integer(), nullable=False),
    sa.Column('mark', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['garage_id'], ['organizations.id'], name=op.f('fk_garages_quote_marks_garage_id_organizations')),
    sa.PrimaryKeyConstraint('garage_id', name=op.f('pk_garages_quote_marks'))
    )
    bind = op.get_bind()
    op.execute(FILL_SQL[bind.dialect.name])
    create_triggers(bind)
    if bind.dialect.name == "postgresql":   # the counts' trigger as it is now defined: deferred
        from plugins.garages import quote_counts

        quote_counts.drop_triggers(bind)
        quote_counts.create_triggers(bind)


def downgrade():
    from plugins.garages.quote_marks import drop_triggers

    drop_triggers(op.get_bind())
    op.drop_table('garages_quote_marks')
