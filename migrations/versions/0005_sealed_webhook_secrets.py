"""ops: webhook signing secrets stored sealed (Fernet under a key from SECRET_KEY)

The sealing is written out here as this revision made it (frozen, format ``sealed:v1:``):
Fernet under a key derived from the running app's ``SECRET_KEY`` with HKDF-SHA256; a value
sealed under a key in ``SECRET_KEY_FALLBACKS`` opens too. Only the key comes from the app.

Revision ID: 0005_sealed_secrets
Revises: 0004_ops
"""
import base64
import json

import sqlalchemy as sa
from alembic import op
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

revision = '0005_sealed_secrets'
down_revision = '0004_ops'
branch_labels = None
depends_on = None

INFO = b"claims-portal sealed secrets v1"
PREFIX = "sealed:v1:"


def _fernet_for(secret_key):
    raw = secret_key.encode() if isinstance(secret_key, str) else secret_key
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO).derive(raw)
    return Fernet(base64.urlsafe_b64encode(key))


def _fallbacks(config):
    value = config.get("SECRET_KEY_FALLBACKS") or []
    if isinstance(value, str):
        value = value.strip()
        value = json.loads(value) if value.startswith("[") else [v.strip() for v in value.split(",") if v.strip()]
    return list(value)


def _box(config):
    return MultiFernet([_fernet_for(k) for k in [config["SECRET_KEY"], *_fallbacks(config)]])


def is_sealed(value):
    return bool(value) and value.startswith(PREFIX)


def seal(plain, config):
    return PREFIX + _box(config).encrypt(plain.encode()).decode()


def unseal(sealed, config):
    try:
        return _box(config).decrypt(sealed[len(PREFIX):].encode()).decode()
    except InvalidToken:
        raise RuntimeError("a sealed webhook secret does not open with SECRET_KEY or SECRET_KEY_FALLBACKS") from None


def _rewrite(transform):
    conn = op.get_bind()
    table = sa.table('webhook_endpoints', sa.column('id', sa.Integer), sa.column('secret', sa.String))
    for row in conn.execute(sa.select(table.c.id, table.c.secret)).all():
        new = transform(row.secret, current_app.config)
        if new != row.secret:
            conn.execute(table.update().where(table.c.id == row.id).values(secret=new))


def upgrade():
    with op.batch_alter_table('webhook_endpoints', schema=None) as batch_op:
        batch_op.alter_column('secret', existing_type=sa.String(length=100), type_=sa.String(length=400),
                              existing_nullable=False)
    _rewrite(lambda value, config: value if is_sealed(value) else seal(value, config))


def downgrade():
    _rewrite(lambda value, config: unseal(value, config) if is_sealed(value) else value)
    with op.batch_alter_table('webhook_endpoints', schema=None) as batch_op:
        batch_op.alter_column('secret', existing_type=sa.String(length=400), type_=sa.String(length=100),
                              existing_nullable=False)
