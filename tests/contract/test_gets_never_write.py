"""A GET never writes: every page and every API route read by GET, walked from the URL map
with the demo data loaded, as the insurer's staff and as a partner of every kind, under a
connection that refuses writes.

The request's session connection is marked at the start of each GET; a statement on it
other than a read (``SELECT``/``WITH``/``SHOW``, SQLite's ``PRAGMA``) is recorded and
refused. On PostgreSQL the API's reads already run that way (``portal/db/read_only.py``,
autocommit, writes refused); the walk covers the pages and SQLite too. What a request
records whatever its method (a web session's last-seen time) goes to a connection of its
own and is allowed. New routes are covered the day they are added.
"""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.conftest import PROJECT_PLUGINS, Factory, base_config, database_kind, fresh_database_url

pytestmark = pytest.mark.slow

MARK = "portal_refuse_writes"
READS = ("SELECT", "WITH", "SHOW", "PRAGMA", "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
PEOPLE = ("admin@demo.example", "supervisor@demo.example", "assessor@demo.example", "pricing@demo.example",
          "legal@demo.example", "garage1@demo.example", "supplier1@demo.example", "salvage1@demo.example",
          "lawyer@demo.example", "specialist@demo.example")


PROBE = "/__a_get_that_writes"


class WriteInGet(RuntimeError):
    pass


@pytest.fixture(scope="module")
def walk(tmp_path_factory):
    from flask import request

    from portal import create_app
    from portal.auth.models import User
    from portal.demo import load_demo
    from portal.extensions import db

    tmp = tmp_path_factory.mktemp("gets")
    app = create_app(base_config(fresh_database_url(tmp, "gets"), tmp, PLUGINS=dict(PROJECT_PLUGINS)))
    writes: list[str] = []

    def mark_the_requests_connection():
        if request.method != "GET":
            return
        if database_kind() == "postgres" and request.path.startswith("/api/v1/"):
            return          # read without a transaction, writes refused: portal/db/read_only.py
        db.session.remove()
        db.session.connection(execution_options={MARK: True})

    app.before_request_funcs.setdefault(None, []).insert(0, mark_the_requests_connection)

    @app.route(PROBE)
    def writes_in_a_get():      # the guard's own test: a GET that writes
        db.session.execute(sa.text("UPDATE organizations SET name = name WHERE id = -1"))
        return "no"

    with app.app_context():
        engine = db.engine

        @sa.event.listens_for(engine, "before_cursor_execute")
        def refuse(conn, cursor, statement, parameters, context, executemany):
            options = conn.get_execution_options()
            if not (options.get(MARK) or options.get("portal_read_only")):
                return
            if not statement.lstrip()[:9].upper().startswith(READS):
                writes.append(f"{request.method} {request.full_path}: {statement.strip()[:90]}")
                raise WriteInGet(statement[:80])

        db.create_all()
        load_demo()
        factory = Factory(app)
        people = {email: db.session.scalar(sa.select(User).where(User.email == email)) for email in PEOPLE}
        headers = {email: factory.headers(user) for email, user in people.items()}
        db.session.remove()
    yield app, headers, writes
    with app.app_context():
        sa.event.remove(engine, "before_cursor_execute", refuse)
        db.session.remove()
        db.engine.dispose()


def _values(app, name: str) -> list[str]:
    """A few existing values for a path parameter."""
    from portal.extensions import db

    if name == "claim_no":
        rows = db.session.execute(sa.text("SELECT claim_no FROM claims ORDER BY id LIMIT 2")).scalars().all()
        db.session.rollback()
        return rows or ["NONE"]
    if name.endswith("id") or name in ("version", "week_id"):
        return ["1", "2"]
    if name == "day":
        return ["2026-10-01"]
    if name == "period":
        return ["2026-10"]
    if name == "filename":
        return ["x.png"]
    return ["X1"]


def _urls(app, prefix: str | None):
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static" or rule.endpoint.endswith(".static") \
                or rule.rule == PROBE:
            continue
        api = rule.rule.startswith("/api/v1/")
        if prefix == "/api/v1/" and not api or prefix is None and api:
            continue
        choices = {a: _values(app, a) for a in rule.arguments}
        for i in range(2 if rule.arguments else 1):
            values = {a: v[min(i, len(v) - 1)] for a, v in choices.items()}
            yield re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: values[m.group(1)], rule.rule)


def test_no_api_get_writes(walk):
    app, headers, writes = walk
    client = app.test_client()
    failures = []
    with app.app_context():
        urls = sorted(set(_urls(app, "/api/v1/")))
    assert len(urls) > 60
    answered = 0
    for email, auth in headers.items():      # each request in its own application context
        for url in urls:
            r = client.get(url, headers=auth)
            answered += r.status_code == 200
            if r.status_code >= 500:
                failures.append(f"{email} GET {url}: {r.status_code}")
    print(f"API: {len(urls)} URLs, {answered} answers 200")
    assert answered > 3 * len(urls)          # the walk reads real data, not only refusals
    assert writes == [] and failures == []


def test_no_page_get_writes(walk):
    from portal.auth.passwords import DEMO_PASSWORD

    app, headers, writes = walk
    failures = []
    with app.app_context():
        urls = sorted(set(_urls(app, None)))
    assert len(urls) > 60
    answered = 0
    for email in headers:
        client = app.test_client()
        assert client.post("/login", data={"email": email, "password": DEMO_PASSWORD}).status_code == 302
        for url in urls:
            r = client.get(url)
            answered += r.status_code == 200
            if r.status_code >= 500:
                failures.append(f"{email} GET {url}: {r.status_code}")
    print(f"pages: {len(urls)} URLs, {answered} answers 200")
    assert answered > 3 * len(urls)
    assert writes == [] and failures == []


def test_the_walk_catches_a_write(walk):
    """The guard is real: a GET that writes through the request's session is caught."""
    app, headers, writes = walk
    seen = len(writes)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        r = app.test_client().get(PROBE)
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert r.status_code == 500 and len(writes) == seen + 1 and "UPDATE organizations" in writes[-1]
    del writes[seen:]
