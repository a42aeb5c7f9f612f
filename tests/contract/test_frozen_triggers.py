"""Frozen history of the garages' triggers: each revision makes the triggers of its own day.

garages_0003 made the quote counts' trigger a plain row trigger (on PostgreSQL: run in the
statement, not deferrable); garages_0004 made it deferred to the commit and added the change
marks' triggers, and its downgrade puts 0003's trigger back; garages_0005's downgrade rebuilds
``garages_quotes`` on SQLite and makes the triggers of its day again; garages_0008 hands the
marks to the core's change marks (no garages trigger on ``claims`` any more) and its
downgrade puts 0004's marks back. At the head, the
triggers and their functions are exactly those the current code creates with the tables
(``db.create_all``).
"""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo

from tests.conftest import base_config, fresh_database_url

pytestmark = pytest.mark.slow

COUNTS = {"sqlite": {"garages_quote_counts_ins", "garages_quote_counts_upd", "garages_quote_counts_del"},
          "postgresql": {"garages_quote_counts_keep"}}
MARKS = {"sqlite": {"garages_quote_marks_ins", "garages_quote_marks_upd", "garages_quote_marks_del",
                    "garages_quote_marks_claim"},
         "postgresql": {"garages_quote_marks_keep", "garages_quote_marks_claim"}}


def _run(app, *args):
    result = CliRunner().invoke(app.cli, list(args), obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def _snapshot(engine) -> dict:
    """Every trigger of the database as stored (and on PostgreSQL every function of the
    public schema): name → definition."""
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            rows = conn.exec_driver_sql("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
            return {"triggers": {name: {"table": table, "sql": sql} for name, table, sql in rows}}
        triggers = conn.exec_driver_sql(
            "SELECT t.tgname, c.relname, t.tgdeferrable, t.tginitdeferred, t.tgconstraint <> 0, "
            "pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal")
        functions = conn.exec_driver_sql(
            "SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')', pg_get_functiondef(p.oid) "
            "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = 'public' AND p.prokind = 'f'")
        return {
            "triggers": {name: {"table": table, "deferrable": deferrable, "initially_deferred": initdeferred,
                                "constraint": constraint, "sql": definition}
                         for name, table, deferrable, initdeferred, constraint, definition in triggers},
            "functions": dict(functions.all()),
        }


def _garages_own(snapshot: dict) -> dict:
    """The garages' own triggers and functions (the core's change marks are the core's)."""
    return {part: {name: v for name, v in items.items() if name.startswith("garages_")}
            for part, items in snapshot.items()}


def _close(db):
    db.session.remove()
    db.engine.dispose()


def test_counts_trigger_of_0003_deferred_by_0004_and_restored_by_its_downgrade(tmp_path):
    from portal import create_app
    from portal.extensions import db

    app = create_app(base_config(fresh_database_url(tmp_path, "frozen"), tmp_path))
    with app.app_context():
        dialect = db.engine.dialect.name
        _run(app, "db", "upgrade", "garages_0003")
        at_0003 = _snapshot(db.engine)
        triggers = at_0003["triggers"]
        assert COUNTS[dialect] <= set(triggers) and not MARKS[dialect] & set(triggers), triggers
        if dialect == "postgresql":
            keep = triggers["garages_quote_counts_keep"]
            # 0003's form: a plain row trigger, run in the statement that changes the quote
            assert (keep["deferrable"], keep["initially_deferred"], keep["constraint"]) == (False, False, False), keep
            assert "CONSTRAINT" not in keep["sql"] and "DEFERRABLE" not in keep["sql"], keep["sql"]
            assert {"garages_quote_count_add(g integer, s character varying, d integer)",
                    "garages_quote_counts_keep()"} <= set(at_0003["functions"])

        _run(app, "db", "upgrade", "garages_0004")
        at_0004 = _snapshot(db.engine)
        triggers = at_0004["triggers"]
        assert COUNTS[dialect] | MARKS[dialect] <= set(triggers), triggers
        if dialect == "postgresql":
            for name in {"garages_quote_counts_keep"} | MARKS[dialect]:   # deferred to the commit
                trigger = triggers[name]
                assert (trigger["deferrable"], trigger["initially_deferred"], trigger["constraint"]) \
                    == (True, True, True), (name, trigger)
                assert "DEFERRABLE INITIALLY DEFERRED" in trigger["sql"], trigger["sql"]
            assert at_0004["functions"] != at_0003["functions"]   # the marks' functions
        else:   # SQLite: 0004 leaves the counts' triggers as 0003 made them
            assert {n: triggers[n] for n in COUNTS[dialect]} == {n: at_0003["triggers"][n] for n in COUNTS[dialect]}

        _run(app, "db", "downgrade", "garages_0003")
        assert _snapshot(db.engine) == at_0003

        # at the head the marks are the core's (garages_0008): no garages marks, no trigger of
        # the garages on claims; the downgrade to garages_0007 puts 0004's marks back
        _run(app, "db", "upgrade")
        at_head = _snapshot(db.engine)["triggers"]
        assert not MARKS[dialect] & set(at_head), at_head
        assert not any(t["table"] == "claims" and name.startswith("garages_") for name, t in at_head.items())
        assert any(name.startswith("change_marks_garages_quotes") for name in at_head), at_head
        _run(app, "db", "downgrade", "garages_0007")
        assert MARKS[dialect] <= set(_snapshot(db.engine)["triggers"])
        # garages_0005's downgrade (a copy of garages_quotes on SQLite) makes 0004's triggers again
        _run(app, "db", "downgrade", "garages_0004")
        assert _garages_own(_snapshot(db.engine)) == _garages_own(at_0004)
        _close(db)


def test_triggers_at_head_are_those_of_the_current_code(tmp_path):
    """`db upgrade` to the head gives, to the byte, the triggers (and on PostgreSQL the
    functions) that the current code creates with the tables."""
    from portal import create_app
    from portal.extensions import db

    migrated = create_app(base_config(fresh_database_url(tmp_path, "frozen_head"), tmp_path))
    with migrated.app_context():
        _run(migrated, "db", "upgrade")
        from_migrations = _snapshot(db.engine)
        _close(db)
    created = create_app(base_config(fresh_database_url(tmp_path, "frozen_code"), tmp_path))
    with created.app_context():
        db.create_all()
        from_code = _snapshot(db.engine)
        _close(db)

    dialect = "postgresql" if "functions" in from_code else "sqlite"
    watches = {"sqlite": {f"change_marks_{t}_{op}" for t in ("claims", "garages_quotes")
                          for op in ("ins", "upd", "del")},
               "postgresql": {"change_marks_claims", "change_marks_garages_quotes"}}
    assert COUNTS[dialect] | watches[dialect] <= set(from_code["triggers"]), from_code
    assert from_migrations == from_code
