"""api_keys: system credentials; api_call_counts: per-caller API rate limits

A partner's or the insurer's system calls with an API key instead of a person's password
(``portal/auth/api_keys.py``): stored as its SHA-256 and a display prefix. Changing a key
renews its maker's principal mark (scope ``principal_user``), so a worker that kept the
key's principal refuses a revoked key at once; the statements are frozen here as they were
written. ``api_call_counts`` holds one row per caller, moved to the current minute by one
upsert per call (``portal/ops/ratelimit.py``).

Revision ID: 0012_api_keys
Revises: 0011_webhook_events
"""
import sqlalchemy as sa
from alembic import op

import portal.timeutil

revision = '0012_api_keys'
down_revision = '0011_webhook_events'
branch_labels = None
depends_on = None

WATCH = {
    'sqlite': [
        "CREATE TRIGGER change_marks_api_keys_ins AFTER INSERT ON api_keys BEGIN\n    INSERT OR REPLACE INTO change_marks (scope, key, mark) VALUES ('principal_user', NEW.created_by_id, abs(random() % 1099511627776));\nEND",
        "CREATE TRIGGER change_marks_api_keys_upd AFTER UPDATE ON api_keys BEGIN\n    INSERT OR REPLACE INTO change_marks (scope, key, mark) VALUES ('principal_user', OLD.created_by_id, abs(random() % 1099511627776));\n    INSERT OR REPLACE INTO change_marks (scope, key, mark) VALUES ('principal_user', NEW.created_by_id, abs(random() % 1099511627776));\nEND",
        "CREATE TRIGGER change_marks_api_keys_del AFTER DELETE ON api_keys BEGIN\n    INSERT OR REPLACE INTO change_marks (scope, key, mark) VALUES ('principal_user', OLD.created_by_id, abs(random() % 1099511627776));\nEND",
    ],
    'postgresql': [
        "CREATE OR REPLACE FUNCTION change_marks_api_keys() RETURNS trigger AS $$\nBEGIN\n    IF TG_OP = 'INSERT' THEN\n        PERFORM change_mark_renew('principal_user', NEW.created_by_id);\n    ELSIF TG_OP = 'DELETE' THEN\n        PERFORM change_mark_renew('principal_user', OLD.created_by_id);\n    ELSE\n        IF OLD.created_by_id IS DISTINCT FROM NEW.created_by_id AND OLD.created_by_id < NEW.created_by_id THEN PERFORM change_mark_renew('principal_user', OLD.created_by_id); END IF;\n        PERFORM change_mark_renew('principal_user', NEW.created_by_id);\n        IF OLD.created_by_id IS DISTINCT FROM NEW.created_by_id AND OLD.created_by_id > NEW.created_by_id THEN PERFORM change_mark_renew('principal_user', OLD.created_by_id); END IF;\n    END IF;\n    RETURN NULL;\nEND;\n$$ LANGUAGE plpgsql",
        'CREATE CONSTRAINT TRIGGER change_marks_api_keys AFTER INSERT OR UPDATE OR DELETE ON api_keys\nDEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION change_marks_api_keys()',
    ],
}
UNWATCH = {
    'sqlite': [
        'DROP TRIGGER IF EXISTS change_marks_api_keys_ins',
        'DROP TRIGGER IF EXISTS change_marks_api_keys_upd',
        'DROP TRIGGER IF EXISTS change_marks_api_keys_del',
    ],
    'postgresql': [
        'DROP TRIGGER IF EXISTS change_marks_api_keys ON api_keys',
        'DROP FUNCTION IF EXISTS change_marks_api_keys()',
    ],
}


def upgrade():
    op.create_table('api_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('prefix', sa.String(length=20), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('scopes', sa.String(length=200), nullable=False),
    sa.Column('allowed_ips', sa.JSON(), nullable=False),
    sa.Column('rate_limit_per_minute', sa.Integer(), nullable=True),
    sa.Column('expires_at', portal.timeutil.AwareDateTime(), nullable=True),
    sa.Column('created_at', portal.timeutil.AwareDateTime(), nullable=False),
    sa.Column('last_used_at', portal.timeutil.AwareDateTime(), nullable=True),
    sa.Column('revoked_at', portal.timeutil.AwareDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_api_keys_created_by_id_users')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'],
                            name=op.f('fk_api_keys_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_api_keys_key_hash'))
    )
    op.create_index(op.f('ix_api_keys_created_by_id'), 'api_keys', ['created_by_id'], unique=False)
    op.create_index(op.f('ix_api_keys_organization_id'), 'api_keys', ['organization_id'], unique=False)
    op.create_table('api_call_counts',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('window_start', sa.BigInteger(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_api_call_counts'))
    )
    bind = op.get_bind()
    for statement in WATCH.get(bind.dialect.name, []):
        bind.exec_driver_sql(statement)


def downgrade():
    bind = op.get_bind()
    for statement in UNWATCH.get(bind.dialect.name, []):
        bind.exec_driver_sql(statement)
    op.drop_table('api_call_counts')
    op.drop_index(op.f('ix_api_keys_organization_id'), table_name='api_keys')
    op.drop_index(op.f('ix_api_keys_created_by_id'), table_name='api_keys')
    op.drop_table('api_keys')
