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


def test_data_migrations_seal_webhook_secrets_and_count_existing_quotes(tmp_path):
    """0005 seals the clear secrets of 0004 (and downgrade opens them again); garages_0003
    counts the quotes that were already there, and its triggers keep counting; garages_0004
    marks the garages that have quotes, and its triggers renew the marks."""
    import sqlalchemy as sa

    from portal import create_app
    from portal.extensions import db
    from portal.ops.sealing import is_sealed, unseal
    from tests.conftest import Factory

    app = create_app(base_config(fresh_database_url(tmp_path, "datamig"), tmp_path))
    with app.app_context():
        _run(app, "db", "upgrade", "0004_ops")
        _run(app, "db", "upgrade", "garages_0002")
        garage = Factory(app).org("garage")
        ids = {"o": garage.id}
        db.session.remove()        # its transaction would hold SQLite's write lock
        with db.engine.begin() as conn:
            # a claim as the schema of that time knew it (the model of today has later columns)
            ids["c"] = conn.execute(sa.text(
                "INSERT INTO claims (claim_no, policy_no, policy_start, policy_end, insured_name, plate, vin, model, "
                "accident_at, reported_at, region, flags, risk_color, risk_reasons, status, version, created_at, "
                "updated_at) VALUES ('CLM-MIG', 'POL-MIG', '2025-01-01', '2027-01-01', '张三', '沪A12345', "
                "'LSVAU2180N2183294', 'Passat', :now, :now, 'Shanghai', '{}', 'blue', '[]', 'open', 1, :now, :now) "
                "RETURNING id"), {"now": "2026-11-01 00:00:00+00:00"}).scalar_one()
            conn.execute(sa.text("INSERT INTO webhook_endpoints (organization_id, url, secret, events, active, created_at) "
                                 "VALUES (:o, 'https://example.com/hook', 'whsec_clear', '[]', :t, :now)"),
                         {"o": ids["o"], "t": True, "now": "2026-11-01 00:00:00+00:00"})
            for status in ("submitted", "submitted", "approved"):
                conn.execute(sa.text(
                    "INSERT INTO garages_quotes (claim_id, garage_id, purpose, status, version, total_submitted, "
                    "desk, return_count, fast_tracked, sampled, created_at) "
                    "VALUES (:c, :g, 'repair', :s, 1, 0, 'assessor', 0, :f, :f, :now)"),
                    {"c": ids["c"], "g": ids["o"], "s": status, "f": False, "now": "2026-11-01 00:00:00+00:00"})
        db.session.remove()
        _run(app, "db", "upgrade")
        with db.engine.begin() as conn:
            stored = conn.execute(sa.text("SELECT secret FROM webhook_endpoints")).scalar_one()
            assert is_sealed(stored) and unseal(stored) == "whsec_clear"
            counts = dict(conn.execute(sa.text("SELECT status, n FROM garages_quote_counts")).all())
            assert counts == {"submitted": 2, "approved": 1}
            mark = sa.text("SELECT mark FROM change_marks WHERE scope = 'garages.quotes' AND key = :g")
            claims_mark = sa.text("SELECT mark FROM change_marks WHERE scope = 'claims' AND key = 0")
            marks = [conn.execute(mark, {"g": ids["o"]}).scalar_one()]     # garages_0008 marked the garage
            claim_marks = [conn.execute(claims_mark).scalar_one()]         # and 0009 the claims
        # (on PostgreSQL the triggers run at the commit: each change in a transaction of its own)
        with db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE garages_quotes SET status = 'approved' WHERE status = 'submitted'"))
        with db.engine.begin() as conn:
            counts = dict(conn.execute(sa.text("SELECT status, n FROM garages_quote_counts WHERE n > 0")).all())
            assert counts == {"approved": 3}
            marks.append(conn.execute(mark, {"g": ids["o"]}).scalar_one())
        with db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE claims SET risk_color = 'red' WHERE id = :c"), {"c": ids["c"]})
        with db.engine.begin() as conn:
            claim_marks.append(conn.execute(claims_mark).scalar_one())
            assert len(set(marks)) == 2, marks                             # the watches renew the marks
            assert len(set(claim_marks)) == 2, claim_marks
        _run(app, "db", "downgrade", "0004_ops")
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT secret FROM webhook_endpoints")).scalar_one() == "whsec_clear"
        db.session.remove()
        db.engine.dispose()
