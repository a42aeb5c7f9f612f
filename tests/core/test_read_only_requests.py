"""PostgreSQL: requests that only read run in autocommit — no BEGIN/ROLLBACK round trips
(portal.db.read_only) — and a write on that connection is refused before it reaches the
database. Changes keep their transactions."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.conftest import database_kind

pytestmark = pytest.mark.skipif(database_kind() != "postgres", reason="PostgreSQL only (SQLite keeps transactions)")


def _autocommit_seen(call) -> list[bool]:
    """For each statement ``call`` sends: was its DBAPI connection in autocommit?"""
    from portal.extensions import db

    seen = []

    def before(conn, cursor, statement, parameters, context, executemany):
        seen.append(conn.connection.dbapi_connection.autocommit)

    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        call()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)
    return seen


def test_a_get_reads_in_autocommit_and_a_post_in_a_transaction(factory, api_as):
    from portal.extensions import db

    api = api_as(factory.user())
    db.session.remove()
    seen = _autocommit_seen(lambda: api.get("/quotes?status=submitted"))
    assert seen and all(seen), seen          # the token, the marks, the page: no transaction
    seen = _autocommit_seen(lambda: api.post("/claims", json={}))
    assert seen and not any(seen), seen      # a change: one transaction


def test_a_write_in_a_read_only_request_is_refused_and_leaves_nothing(app, factory):
    from portal.auth.models import Organization
    from portal.extensions import db
    from portal.db.read_only import WriteInReadOnlyRequest

    db.session.remove()
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Organization))
    db.session.remove()
    with app.test_request_context("/api/v1/openapi.json", method="GET"):
        app.preprocess_request()
        with pytest.raises(WriteInReadOnlyRequest):
            db.session.execute(sa.text("INSERT INTO organizations (kind, name, uscc, region, status, version, "
                                       "created_at) VALUES ('garage', 'x', 'x', 'x', 'active', 1, now())"))
        with pytest.raises(WriteInReadOnlyRequest):   # a server-side cursor needs a transaction
            db.session.execute(sa.select(Organization).execution_options(yield_per=10)).all()
        db.session.rollback()
    db.session.remove()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organization)) == before


def test_reading_the_rules_in_a_read_only_request_publishes_nothing(client, factory, api_as):
    """Before the first computation the rules are shown as version 1 will be published:
    the GET reads them on its autocommit connection and writes nothing."""
    from portal.evaluations.models import EvaluationRules
    from portal.extensions import db

    api = api_as(factory.user(roles=("supervisor",)))
    db.session.remove()
    seen = _autocommit_seen(lambda: api.get("/evaluation-rules"))
    assert seen and all(seen), seen
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationRules)) == 0


def test_the_autocommit_connection_never_outlives_its_request(app, factory, api_as):
    """A test's requests share the test's application context: after a read-only request
    the session goes on in ordinary transactions."""
    from portal.extensions import db

    api = api_as(factory.user())
    db.session.remove()
    assert api.get("/quotes?status=submitted").status_code == 200
    seen = _autocommit_seen(lambda: db.session.execute(sa.select(1)))
    assert seen == [False]
