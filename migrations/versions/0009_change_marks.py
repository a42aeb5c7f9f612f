"""change_marks: the core's change marks (变更标记), and the one on claims

The marks of the cached list pages belong to the core (``portal/db/changes.py``): one table
of marks, a function that renews one on PostgreSQL, and the claims' watch (any change of a
claim renews the ``claims`` mark). The statements are frozen here as they were written.

Revision ID: 0009_change_marks
Revises: 0008_user_region
"""
import sqlalchemy as sa
from alembic import op

revision = '0009_change_marks'
down_revision = '0008_user_region'
branch_labels = None
depends_on = None

PG_RENEW = '\nCREATE OR REPLACE FUNCTION change_mark_renew(s varchar, k bigint) RETURNS void AS $$\nBEGIN\n    INSERT INTO change_marks AS m (scope, key, mark) VALUES (s, k, floor(random() * 1099511627776)::bigint)\n    ON CONFLICT (scope, key) DO UPDATE SET mark = EXCLUDED.mark;\nEND;\n$$ LANGUAGE plpgsql\n'
PG_RENEW_DROP = 'DROP FUNCTION IF EXISTS change_mark_renew(varchar, bigint)'

CLAIMS_WATCH = {
    "sqlite": [
    "CREATE TRIGGER change_marks_claims_ins AFTER INSERT ON claims BEGIN\n    INSERT OR REPLACE INTO change_marks (scope, key, mark) VALUES ('claims', 0, abs(random() % 1099511627776));\nEND",
    "CREATE TRIGGER change_marks_claims_upd AFTER UPDATE ON claims BEGIN\n    INSERT OR REPLACE INTO change_marks (scope, key, mark) VALUES ('claims', 0, abs(random() % 1099511627776));\nEND",
    "CREATE TRIGGER change_marks_claims_del AFTER DELETE ON claims BEGIN\n    INSERT OR REPLACE INTO change_marks (scope, key, mark) VALUES ('claims', 0, abs(random() % 1099511627776));\nEND",
],
    "postgresql": [
    "CREATE OR REPLACE FUNCTION change_marks_claims() RETURNS trigger AS $$\nBEGIN\n    IF TG_OP = 'INSERT' THEN\n        PERFORM change_mark_renew('claims', 0);\n    ELSIF TG_OP = 'DELETE' THEN\n        PERFORM change_mark_renew('claims', 0);\n    ELSE\n        PERFORM change_mark_renew('claims', 0);\n    END IF;\n    RETURN NULL;\nEND;\n$$ LANGUAGE plpgsql",
    'CREATE CONSTRAINT TRIGGER change_marks_claims AFTER INSERT OR UPDATE OR DELETE ON claims\nDEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION change_marks_claims()',
],
}
CLAIMS_UNWATCH = {
    "sqlite": [
    'DROP TRIGGER IF EXISTS change_marks_claims_ins',
    'DROP TRIGGER IF EXISTS change_marks_claims_upd',
    'DROP TRIGGER IF EXISTS change_marks_claims_del',
],
    "postgresql": [
    'DROP TRIGGER IF EXISTS change_marks_claims ON claims',
    'DROP FUNCTION IF EXISTS change_marks_claims()',
],
}
CLAIMS_FILL = {
    "sqlite": "INSERT INTO change_marks (scope, key, mark) SELECT 'claims', g.k, abs(random() % 1099511627776) FROM (SELECT 0 AS k) AS g",
    "postgresql": "INSERT INTO change_marks (scope, key, mark) SELECT 'claims', g.k, floor(random() * 1099511627776)::bigint FROM (SELECT 0 AS k) AS g",
}


def upgrade():
    op.create_table(
        'change_marks',
        sa.Column('scope', sa.String(length=64), nullable=False),
        sa.Column('key', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('mark', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('scope', 'key', name=op.f('pk_change_marks')),
    )
    bind = op.get_bind()
    dialect = bind.dialect.name
    if dialect == "postgresql":
        bind.exec_driver_sql(PG_RENEW)
    for statement in CLAIMS_WATCH.get(dialect, []):
        bind.exec_driver_sql(statement)
    if dialect in CLAIMS_FILL:
        bind.exec_driver_sql(CLAIMS_FILL[dialect])


def downgrade():
    bind = op.get_bind()
    dialect = bind.dialect.name
    for statement in CLAIMS_UNWATCH.get(dialect, []):
        bind.exec_driver_sql(statement)
    if dialect == "postgresql":
        bind.exec_driver_sql(PG_RENEW_DROP)
    op.drop_table('change_marks')
