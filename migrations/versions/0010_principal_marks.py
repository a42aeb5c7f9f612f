"""principal_marks: change marks on users, API tokens and organizations

A worker keeps the principals its bearer tokens resolved to (``portal/auth/principal.py``)
beside these marks: revoking a token, disabling a user, changing roles or authority, or
suspending an organization renews them, whichever path writes the row, and the kept
principal is refused at the request's next read of its marks. Scopes ``principal_user``
(key: the user) and ``principal_org`` (key: the organization). The statements are frozen
here as they were written.

Revision ID: 0010_principal_marks
Revises: 0009_change_marks
"""
from alembic import op

revision = '0010_principal_marks'
down_revision = '0009_change_marks'
branch_labels = None
depends_on = None

WATCH = {
    "sqlite": [
        "CREATE TRIGGER change_marks_users_ins AFTER INSERT ON users BEGIN\n    INSERT OR REPLACE INTO change_marks (scope, key, mark) VALUES ('principal_user', NEW.id, abs(random() % 1099511627776));\nEND",
        "CREATE TRIGGER change_marks_users_upd AFTER UPDATE ON users BEGIN\n    INSERT OR REPLACE INTO change_marks (scope, key, mark) VALUES ('principal_user', OLD.id, abs(random() % 1099511627776));\n    INSERT OR REPLACE INTO change_marks (scope, key, mark) VALUES ('principal_user', NEW.id, abs(random() % 1099511627776));\nEND",
        "CREATE TRIGGER change_marks_users_del AFTER DELETE ON users BEGIN\n    INSERT OR REPLACE INTO change_marks (scope, key, mark) VALUES ('principal_user', OLD.id, abs(random() % 1099511627776));\nEND",
        "CREATE TRIGGER change_marks_api_tokens_ins AFTER INSERT ON api_tokens BEGIN\n    INSERT OR REPLACE INTO change_marks (scope, key, mark) VALUES ('principal_user', NEW.user_id, abs(random() % 1099511627776));\nEND",
        "CREATE TRIGGER change_marks_api_tokens_upd AFTER UPDATE ON api_tokens BEGIN\n    INSERT OR REPLACE INTO change_marks (scope, key, mark) VALUES ('principal_user', OLD.user_id, abs(random() % 1099511627776));\n    INSERT OR REPLACE INTO change_marks (scope, key, mark) VALUES ('principal_user', NEW.user_id, abs(random() % 1099511627776));\nEND",
        "CREATE TRIGGER change_marks_api_tokens_del AFTER DELETE ON api_tokens BEGIN\n    INSERT OR REPLACE INTO change_marks (scope, key, mark) VALUES ('principal_user', OLD.user_id, abs(random() % 1099511627776));\nEND",
        "CREATE TRIGGER change_marks_organizations_ins AFTER INSERT ON organizations BEGIN\n    INSERT OR REPLACE INTO change_marks (scope, key, mark) VALUES ('principal_org', NEW.id, abs(random() % 1099511627776));\nEND",
        "CREATE TRIGGER change_marks_organizations_upd AFTER UPDATE ON organizations BEGIN\n    INSERT OR REPLACE INTO change_marks (scope, key, mark) VALUES ('principal_org', OLD.id, abs(random() % 1099511627776));\n    INSERT OR REPLACE INTO change_marks (scope, key, mark) VALUES ('principal_org', NEW.id, abs(random() % 1099511627776));\nEND",
        "CREATE TRIGGER change_marks_organizations_del AFTER DELETE ON organizations BEGIN\n    INSERT OR REPLACE INTO change_marks (scope, key, mark) VALUES ('principal_org', OLD.id, abs(random() % 1099511627776));\nEND",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION change_marks_users() RETURNS trigger AS $$\nBEGIN\n    IF TG_OP = 'INSERT' THEN\n        PERFORM change_mark_renew('principal_user', NEW.id);\n    ELSIF TG_OP = 'DELETE' THEN\n        PERFORM change_mark_renew('principal_user', OLD.id);\n    ELSE\n        IF OLD.id IS DISTINCT FROM NEW.id AND OLD.id < NEW.id THEN PERFORM change_mark_renew('principal_user', OLD.id); END IF;\n        PERFORM change_mark_renew('principal_user', NEW.id);\n        IF OLD.id IS DISTINCT FROM NEW.id AND OLD.id > NEW.id THEN PERFORM change_mark_renew('principal_user', OLD.id); END IF;\n    END IF;\n    RETURN NULL;\nEND;\n$$ LANGUAGE plpgsql",
        'CREATE CONSTRAINT TRIGGER change_marks_users AFTER INSERT OR UPDATE OR DELETE ON users\nDEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION change_marks_users()',
        "CREATE OR REPLACE FUNCTION change_marks_api_tokens() RETURNS trigger AS $$\nBEGIN\n    IF TG_OP = 'INSERT' THEN\n        PERFORM change_mark_renew('principal_user', NEW.user_id);\n    ELSIF TG_OP = 'DELETE' THEN\n        PERFORM change_mark_renew('principal_user', OLD.user_id);\n    ELSE\n        IF OLD.user_id IS DISTINCT FROM NEW.user_id AND OLD.user_id < NEW.user_id THEN PERFORM change_mark_renew('principal_user', OLD.user_id); END IF;\n        PERFORM change_mark_renew('principal_user', NEW.user_id);\n        IF OLD.user_id IS DISTINCT FROM NEW.user_id AND OLD.user_id > NEW.user_id THEN PERFORM change_mark_renew('principal_user', OLD.user_id); END IF;\n    END IF;\n    RETURN NULL;\nEND;\n$$ LANGUAGE plpgsql",
        'CREATE CONSTRAINT TRIGGER change_marks_api_tokens AFTER INSERT OR UPDATE OR DELETE ON api_tokens\nDEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION change_marks_api_tokens()',
        "CREATE OR REPLACE FUNCTION change_marks_organizations() RETURNS trigger AS $$\nBEGIN\n    IF TG_OP = 'INSERT' THEN\n        PERFORM change_mark_renew('principal_org', NEW.id);\n    ELSIF TG_OP = 'DELETE' THEN\n        PERFORM change_mark_renew('principal_org', OLD.id);\n    ELSE\n        IF OLD.id IS DISTINCT FROM NEW.id AND OLD.id < NEW.id THEN PERFORM change_mark_renew('principal_org', OLD.id); END IF;\n        PERFORM change_mark_renew('principal_org', NEW.id);\n        IF OLD.id IS DISTINCT FROM NEW.id AND OLD.id > NEW.id THEN PERFORM change_mark_renew('principal_org', OLD.id); END IF;\n    END IF;\n    RETURN NULL;\nEND;\n$$ LANGUAGE plpgsql",
        'CREATE CONSTRAINT TRIGGER change_marks_organizations AFTER INSERT OR UPDATE OR DELETE ON organizations\nDEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION change_marks_organizations()',
    ],
}
UNWATCH = {
    "sqlite": [
        'DROP TRIGGER IF EXISTS change_marks_users_ins',
        'DROP TRIGGER IF EXISTS change_marks_users_upd',
        'DROP TRIGGER IF EXISTS change_marks_users_del',
        'DROP TRIGGER IF EXISTS change_marks_api_tokens_ins',
        'DROP TRIGGER IF EXISTS change_marks_api_tokens_upd',
        'DROP TRIGGER IF EXISTS change_marks_api_tokens_del',
        'DROP TRIGGER IF EXISTS change_marks_organizations_ins',
        'DROP TRIGGER IF EXISTS change_marks_organizations_upd',
        'DROP TRIGGER IF EXISTS change_marks_organizations_del',
    ],
    "postgresql": [
        'DROP TRIGGER IF EXISTS change_marks_users ON users',
        'DROP FUNCTION IF EXISTS change_marks_users()',
        'DROP TRIGGER IF EXISTS change_marks_api_tokens ON api_tokens',
        'DROP FUNCTION IF EXISTS change_marks_api_tokens()',
        'DROP TRIGGER IF EXISTS change_marks_organizations ON organizations',
        'DROP FUNCTION IF EXISTS change_marks_organizations()',
    ],
}
FILL = {
    "sqlite": [
        "INSERT INTO change_marks (scope, key, mark) SELECT 'principal_user', g.k, abs(random() % 1099511627776) FROM (SELECT DISTINCT id AS k FROM users) AS g",
        "INSERT INTO change_marks (scope, key, mark) SELECT 'principal_user', g.k, abs(random() % 1099511627776) FROM (SELECT DISTINCT user_id AS k FROM api_tokens) AS g",
        "INSERT INTO change_marks (scope, key, mark) SELECT 'principal_org', g.k, abs(random() % 1099511627776) FROM (SELECT DISTINCT id AS k FROM organizations) AS g",
    ],
    "postgresql": [
        "INSERT INTO change_marks (scope, key, mark) SELECT 'principal_user', g.k, floor(random() * 1099511627776)::bigint FROM (SELECT DISTINCT id AS k FROM users) AS g",
        "INSERT INTO change_marks (scope, key, mark) SELECT 'principal_user', g.k, floor(random() * 1099511627776)::bigint FROM (SELECT DISTINCT user_id AS k FROM api_tokens) AS g",
        "INSERT INTO change_marks (scope, key, mark) SELECT 'principal_org', g.k, floor(random() * 1099511627776)::bigint FROM (SELECT DISTINCT id AS k FROM organizations) AS g",
    ],
}


def upgrade():
    bind = op.get_bind()
    dialect = bind.dialect.name
    for statement in WATCH.get(dialect, []) + FILL.get(dialect, []):
        bind.exec_driver_sql(statement)


def downgrade():
    bind = op.get_bind()
    dialect = bind.dialect.name
    for statement in UNWATCH.get(dialect, []):
        bind.exec_driver_sql(statement)
    bind.exec_driver_sql("DELETE FROM change_marks WHERE scope IN ('principal_user', 'principal_org')")
