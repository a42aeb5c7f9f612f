"""ops: webhook signing secrets stored sealed (Fernet under a key from SECRET_KEY)

Revision ID: 0005_sealed_secrets
Revises: 0004_ops
"""
import sqlalchemy as sa
from alembic import op

revision = '0005_sealed_secrets'
down_revision = '0004_ops'
branch_labels = None
depends_on = None


def _rewrite(transform):
    from flask import current_app

    conn = op.get_bind()
    table = sa.table('webhook_endpoints', sa.column('id', sa.Integer), sa.column('secret', sa.String))
    for row in conn.execute(sa.select(table.c.id, table.c.secret)).all():
        new = transform(row.secret, current_app.config)
        if new != row.secret:
            conn.execute(table.update().where(table.c.id == row.id).values(secret=new))


def upgrade():
    from portal.ops.sealing import is_sealed, seal

    with op.batch_alter_table('webhook_endpoints', schema=None) as batch_op:
        batch_op.alter_column('secret', existing_type=sa.String(length=100), type_=sa.String(length=400),
                              existing_nullable=False)
    _rewrite(lambda value, config: value if is_sealed(value) else seal(value, config))


def downgrade():
    from portal.ops.sealing import is_sealed, unseal

    _rewrite(lambda value, config: unseal(value, config) if is_sealed(value) else value)
    with op.batch_alter_table('webhook_endpoints', schema=None) as batch_op:
        batch_op.alter_column('secret', existing_type=sa.String(length=400), type_=sa.String(length=100),
                              existing_nullable=False)
