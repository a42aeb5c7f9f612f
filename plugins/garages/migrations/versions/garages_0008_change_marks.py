"""garages: the quotes' change marks move to the core's (``change_marks``); no trigger on claims

The marks of the quote lists are now the core's change marks (``portal/db/changes.py``,
core revision 0009): the garages watch their own table, keyed by garage, and read the
claims' mark, which the core keeps. The plugin's own marks table and its triggers —
including the one it kept on the core's ``claims`` — go. The statements are frozen here as
this revision wrote them; the downgrade puts garages_0004's marks back.

Revision ID: garages_0008
Revises: garages_0007
"""
import sqlalchemy as sa
from alembic import op

revision = 'garages_0008'
down_revision = 'garages_0007'
branch_labels = None
depends_on = '0009_change_marks'

QUOTES_WATCH = {
    'sqlite': [
        "CREATE TRIGGER change_marks_garages_quotes_ins AFTER INSERT ON garages_quotes BEGIN\n    INSERT OR REPLACE INTO change_marks (scope, key, mark) VALUES ('garages.quotes', NEW.garage_id, abs(random() % 1099511627776));\nEND",
        "CREATE TRIGGER change_marks_garages_quotes_upd AFTER UPDATE ON garages_quotes BEGIN\n    INSERT OR REPLACE INTO change_marks (scope, key, mark) VALUES ('garages.quotes', OLD.garage_id, abs(random() % 1099511627776));\n    INSERT OR REPLACE INTO change_marks (scope, key, mark) VALUES ('garages.quotes', NEW.garage_id, abs(random() % 1099511627776));\nEND",
        "CREATE TRIGGER change_marks_garages_quotes_del AFTER DELETE ON garages_quotes BEGIN\n    INSERT OR REPLACE INTO change_marks (scope, key, mark) VALUES ('garages.quotes', OLD.garage_id, abs(random() % 1099511627776));\nEND",
    ],
    'postgresql': [
        "CREATE OR REPLACE FUNCTION change_marks_garages_quotes() RETURNS trigger AS $$\nBEGIN\n    IF TG_OP = 'INSERT' THEN\n        PERFORM change_mark_renew('garages.quotes', NEW.garage_id);\n    ELSIF TG_OP = 'DELETE' THEN\n        PERFORM change_mark_renew('garages.quotes', OLD.garage_id);\n    ELSE\n        IF OLD.garage_id IS DISTINCT FROM NEW.garage_id AND OLD.garage_id < NEW.garage_id THEN PERFORM change_mark_renew('garages.quotes', OLD.garage_id); END IF;\n        PERFORM change_mark_renew('garages.quotes', NEW.garage_id);\n        IF OLD.garage_id IS DISTINCT FROM NEW.garage_id AND OLD.garage_id > NEW.garage_id THEN PERFORM change_mark_renew('garages.quotes', OLD.garage_id); END IF;\n    END IF;\n    RETURN NULL;\nEND;\n$$ LANGUAGE plpgsql",
        'CREATE CONSTRAINT TRIGGER change_marks_garages_quotes AFTER INSERT OR UPDATE OR DELETE ON garages_quotes\nDEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION change_marks_garages_quotes()',
    ],
}
QUOTES_UNWATCH = {
    'sqlite': [
        'DROP TRIGGER IF EXISTS change_marks_garages_quotes_ins',
        'DROP TRIGGER IF EXISTS change_marks_garages_quotes_upd',
        'DROP TRIGGER IF EXISTS change_marks_garages_quotes_del',
    ],
    'postgresql': [
        'DROP TRIGGER IF EXISTS change_marks_garages_quotes ON garages_quotes',
        'DROP FUNCTION IF EXISTS change_marks_garages_quotes()',
    ],
}
QUOTES_FILL = {
    "sqlite": "INSERT INTO change_marks (scope, key, mark) SELECT 'garages.quotes', g.k, abs(random() % 1099511627776) FROM (SELECT DISTINCT garage_id AS k FROM garages_quotes) AS g",
    "postgresql": "INSERT INTO change_marks (scope, key, mark) SELECT 'garages.quotes', g.k, floor(random() * 1099511627776)::bigint FROM (SELECT DISTINCT garage_id AS k FROM garages_quotes) AS g",
}

# garages_0004's marks, as it made them (dropped here, made again by the downgrade)
OLD_MARKS_TRIGGERS = {
    'sqlite': [
        '\n    CREATE TRIGGER garages_quote_marks_ins AFTER INSERT ON garages_quotes BEGIN\n        INSERT OR REPLACE INTO garages_quote_marks (garage_id, mark) VALUES (NEW.garage_id, abs(random() % 1099511627776));\n    END\n    ',
        '\n    CREATE TRIGGER garages_quote_marks_upd AFTER UPDATE ON garages_quotes BEGIN\n        INSERT OR REPLACE INTO garages_quote_marks (garage_id, mark) VALUES (OLD.garage_id, abs(random() % 1099511627776));\n        INSERT OR REPLACE INTO garages_quote_marks (garage_id, mark) VALUES (NEW.garage_id, abs(random() % 1099511627776));\n    END\n    ',
        '\n    CREATE TRIGGER garages_quote_marks_del AFTER DELETE ON garages_quotes BEGIN\n        INSERT OR REPLACE INTO garages_quote_marks (garage_id, mark) VALUES (OLD.garage_id, abs(random() % 1099511627776));\n    END\n    ',
        '\n    CREATE TRIGGER garages_quote_marks_claim AFTER UPDATE OF claim_no, risk_color ON claims\n    WHEN OLD.claim_no IS NOT NEW.claim_no OR OLD.risk_color IS NOT NEW.risk_color BEGIN\n        INSERT OR REPLACE INTO garages_quote_marks (garage_id, mark)\n            SELECT g.garage_id, abs(random() % 1099511627776)\n            FROM (SELECT DISTINCT garage_id FROM garages_quotes WHERE claim_id = NEW.id) AS g;\n    END\n    ',
    ],
    'postgresql': [
        '\n    CREATE OR REPLACE FUNCTION garages_quote_mark_renew(g integer) RETURNS void AS $$\n    BEGIN\n        INSERT INTO garages_quote_marks AS m (garage_id, mark)\n        VALUES (g, floor(random() * 1099511627776)::bigint)\n        ON CONFLICT (garage_id) DO UPDATE SET mark = EXCLUDED.mark;\n    END;\n    $$ LANGUAGE plpgsql\n    ',
        "\n    CREATE OR REPLACE FUNCTION garages_quote_marks_keep() RETURNS trigger AS $$\n    BEGIN\n        IF TG_OP = 'INSERT' THEN\n            PERFORM garages_quote_mark_renew(NEW.garage_id);\n        ELSIF TG_OP = 'DELETE' THEN\n            PERFORM garages_quote_mark_renew(OLD.garage_id);\n        ELSE\n            IF OLD.garage_id IS DISTINCT FROM NEW.garage_id AND OLD.garage_id < NEW.garage_id THEN\n                PERFORM garages_quote_mark_renew(OLD.garage_id);\n            END IF;\n            PERFORM garages_quote_mark_renew(NEW.garage_id);\n            IF OLD.garage_id IS DISTINCT FROM NEW.garage_id AND OLD.garage_id > NEW.garage_id THEN\n                PERFORM garages_quote_mark_renew(OLD.garage_id);\n            END IF;\n        END IF;\n        RETURN NULL;\n    END;\n    $$ LANGUAGE plpgsql\n    ",
        '\n    CREATE CONSTRAINT TRIGGER garages_quote_marks_keep AFTER INSERT OR UPDATE OR DELETE\n    ON garages_quotes DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION garages_quote_marks_keep()\n    ',
        '\n    CREATE OR REPLACE FUNCTION garages_quote_marks_claim() RETURNS trigger AS $$\n    BEGIN\n        PERFORM garages_quote_mark_renew(g.garage_id)\n        FROM (SELECT DISTINCT garage_id FROM garages_quotes WHERE claim_id = NEW.id ORDER BY garage_id) AS g;\n        RETURN NULL;\n    END;\n    $$ LANGUAGE plpgsql\n    ',
        '\n    CREATE CONSTRAINT TRIGGER garages_quote_marks_claim AFTER UPDATE OF claim_no, risk_color ON claims\n    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.claim_no IS DISTINCT FROM NEW.claim_no OR OLD.risk_color IS DISTINCT FROM NEW.risk_color)\n    EXECUTE FUNCTION garages_quote_marks_claim()\n    ',
    ],
}
OLD_MARKS_DROP = {
    'sqlite': [
        'DROP TRIGGER IF EXISTS garages_quote_marks_ins',
        'DROP TRIGGER IF EXISTS garages_quote_marks_upd',
        'DROP TRIGGER IF EXISTS garages_quote_marks_del',
        'DROP TRIGGER IF EXISTS garages_quote_marks_claim',
    ],
    'postgresql': [
        'DROP TRIGGER IF EXISTS garages_quote_marks_keep ON garages_quotes',
        'DROP TRIGGER IF EXISTS garages_quote_marks_claim ON claims',
        'DROP FUNCTION IF EXISTS garages_quote_marks_keep()',
        'DROP FUNCTION IF EXISTS garages_quote_marks_claim()',
        'DROP FUNCTION IF EXISTS garages_quote_mark_renew(integer)',
    ],
}
OLD_MARKS_FILL = {
    "sqlite": 'INSERT INTO garages_quote_marks (garage_id, mark) SELECT g.garage_id, abs(random() % 1099511627776) FROM (SELECT DISTINCT garage_id FROM garages_quotes) AS g',
    "postgresql": 'INSERT INTO garages_quote_marks (garage_id, mark) SELECT g.garage_id, floor(random() * 1099511627776)::bigint FROM (SELECT DISTINCT garage_id FROM garages_quotes) AS g',
}


def _run(statements):
    bind = op.get_bind()
    for statement in statements:
        bind.exec_driver_sql(statement)


def upgrade():
    dialect = op.get_bind().dialect.name
    _run(OLD_MARKS_DROP.get(dialect, []))
    op.drop_table('garages_quote_marks')
    _run(QUOTES_WATCH.get(dialect, []))
    if dialect in QUOTES_FILL:
        op.execute(QUOTES_FILL[dialect])


def downgrade():
    dialect = op.get_bind().dialect.name
    _run(QUOTES_UNWATCH.get(dialect, []))
    op.execute("DELETE FROM change_marks WHERE scope = 'garages.quotes'")
    op.create_table('garages_quote_marks',
    sa.Column('garage_id', sa.Integer(), nullable=False),
    sa.Column('mark', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['garage_id'], ['organizations.id'], name=op.f('fk_garages_quote_marks_garage_id_organizations')),
    sa.PrimaryKeyConstraint('garage_id', name=op.f('pk_garages_quote_marks'))
    )
    if dialect in OLD_MARKS_FILL:
        op.execute(OLD_MARKS_FILL[dialect])
    _run(OLD_MARKS_TRIGGERS.get(dialect, []))
