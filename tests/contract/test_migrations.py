"""One Alembic history: `db upgrade` on an empty database gives exactly the models'
schema (empty autogenerate diff), on SQLite and PostgreSQL; and downgrades cleanly."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from flask.cli import ScriptInfo

from tests.conftest import base_config, fresh_database_url

pytestmark = pytest.mark.slow


def _run(app, *args):
    result = CliRunner().invoke(app.cli, list(args), obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def test_upgrade_empty_database_matches_models_then_downgrade(tmp_path):
    from portal import create_app
    from portal.extensions import db

    app = create_app(base_config(fresh_database_url(tmp_path, "migrations"), tmp_path))
    with app.app_context():
        _run(app, "db", "upgrade")
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == [], diff
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.exec_driver_sql("INSERT INTO audit_entries (at, entity, entity_id, action, changes) "
                                     "VALUES (now(), 'claim', '1', 'test', '{}')")
            import sqlalchemy as sa

            with pytest.raises(sa.exc.DBAPIError, match="append-only"):
                with db.engine.begin() as conn:
                    conn.exec_driver_sql("UPDATE audit_entries SET action = 'changed'")
            with pytest.raises(sa.exc.DBAPIError, match="append-only"):
                with db.engine.begin() as conn:
                    conn.exec_driver_sql("DELETE FROM audit_entries")
        _run(app, "db", "downgrade", "base")
        with db.engine.connect() as conn:
            import sqlalchemy as sa

            tables = set(sa.inspect(conn).get_table_names()) - {"alembic_version"}
        assert tables == set()
        _run(app, "db", "upgrade")
        db.session.remove()
        db.engine.dispose()


def test_create_admin_is_idempotent(tmp_path):
    from portal import create_app
    from portal.extensions import db

    app = create_app(base_config(fresh_database_url(tmp_path, "admin"), tmp_path))
    with app.app_context():
        db.create_all()
        out1 = _run(app, "create-admin", "--email", "root@example.com", "--password", "long-password-1")
        out2 = _run(app, "create-admin", "--email", "root@example.com", "--password", "long-password-1")
        assert out1.startswith("created") and out2.startswith("exists")
        from portal.auth.models import Organization, User
        import sqlalchemy as sa

        assert db.session.scalar(sa.select(sa.func.count()).select_from(Organization)) == 1
        user = db.session.scalar(sa.select(User))
        assert user.is_admin and user.unlimited_authority
        db.session.remove()
        db.engine.dispose()
