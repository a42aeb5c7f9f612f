"""Test fixtures: one app and schema per session, a clean database per test.

``PORTAL_TEST_DATABASE=postgres`` runs the suite on PostgreSQL at
``PORTAL_TEST_POSTGRES_URL``; otherwise on a SQLite file. Tests load the project's own
plugins explicitly, so installed third-party plugins never leak in.
"""
from __future__ import annotations

import itertools
import json
import os
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PLUGINS = {p.name: f"plugins.{p.name}.hooks" for p in sorted((ROOT / "plugins").iterdir())
                   if (p / "hooks.py").exists()}
if os.environ.get("PORTAL_TEST_PLUGINS"):  # while developing one plugin: load only these
    _only = {n.strip() for n in os.environ["PORTAL_TEST_PLUGINS"].split(",")}
    PROJECT_PLUGINS = {k: v for k, v in PROJECT_PLUGINS.items() if k in _only}
RUN_ID = os.getpid()
PASSWORD = "Correct-Horse-42"


def database_kind() -> str:
    return os.environ.get("PORTAL_TEST_DATABASE", "sqlite")


def postgres_url(dbname: str = "portal_test") -> str:
    base = os.environ.get("PORTAL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/portal_test")
    url = sa.engine.make_url(base)
    return url.set(database=dbname).render_as_string(hide_password=False)


def recreate_postgres_db(dbname: str) -> str:
    admin = sa.create_engine(postgres_url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{dbname}"')
    admin.dispose()
    return postgres_url(dbname)


def fresh_database_url(tmp_path: Path, name: str) -> str:
    """A new empty database of the kind under test."""
    if database_kind() == "postgres":
        return recreate_postgres_db(f"portal_test_{RUN_ID}_{name}")
    return f"sqlite:///{tmp_path / (name + '.sqlite3')}"


def base_config(db_url: str, instance: Path, **extra) -> dict:
    cfg = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": db_url,
        "PLUGINS": dict(PROJECT_PLUGINS),
        "WTF_CSRF_ENABLED": False,
        "WORKER_MODE": "memory",      # tasks are queued, never run here (tests/core/test_worker.py runs a consumer)
        "UPLOAD_FOLDER": str(instance / "uploads"),
        "SERVER_NAME": None,
        # the per-caller API limit costs one statement a call; the suite's query budgets are
        # written without it, and tests/core/test_rate_limits.py and test_principal.py turn it on
        "API_RATE_LIMIT_PER_MINUTE": 0,
    }
    cfg.update(extra)
    return cfg


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    from portal import create_app
    from portal.extensions import db

    tmp = tmp_path_factory.mktemp("portal")
    if database_kind() == "postgres":
        url = recreate_postgres_db(f"portal_test_{RUN_ID}")
    else:
        url = f"sqlite:///{tmp / 'test.sqlite3'}"
    app = create_app(base_config(url, tmp))
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if database_kind() == "postgres":
        admin = sa.create_engine(postgres_url("postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for (name,) in conn.execute(sa.text("SELECT datname FROM pg_database WHERE datname LIKE :p"),
                                        {"p": f"portal_test_{RUN_ID}%"}).all():
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _clean(app):
    from portal.extensions import db

    with app.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
            else:
                conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
                for t in tables:
                    conn.exec_driver_sql(f'DELETE FROM "{t}"')
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")


@pytest.fixture(autouse=True)
def _db(request, app):
    """Every test starts from an empty database, inside an app context."""
    if "no_db" in request.keywords:
        yield
        return
    ctx = app.app_context()
    ctx.push()
    try:
        yield
    finally:
        ctx.pop()
        _clean(app)


@pytest.fixture
def client(app):
    return app.test_client()


class Factory:
    """Builds organizations, users and tokens the way the services do."""

    _seq = itertools.count(1)

    def __init__(self, app):
        self.app = app

    def uscc(self) -> str:
        from portal.auth.uscc import uscc_with_check

        return uscc_with_check("91310000MA1T%05d" % next(self._seq))

    def org(self, kind="garage", name=None, region="Shanghai", grade=None, status="active"):
        from portal.auth.services import create_organization
        from portal.extensions import db

        org = create_organization(kind=kind, name=name or f"{kind} {next(self._seq)}", uscc=self.uscc(), region=region)
        org.grade = grade
        org.status = status
        db.session.commit()
        return org

    def insurer(self):
        from portal.auth.services import insurer_organization

        return insurer_organization() or self.org("insurer", name="Insurer")

    def user(self, org=None, roles=("assessor",), limit=None, email=None, unlimited=False, password=PASSWORD):
        from portal.auth.services import create_user
        from portal.extensions import db

        org = org or self.insurer()
        if org.kind != "insurer" and roles == ("assessor",):
            roles = ("partner_user",)
        user = create_user(email=email or f"u{next(self._seq)}@example.com", name=f"User {next(self._seq)}",
                           password=password, organization_id=org.id, roles=list(roles),
                           authority_limit=Decimal(str(limit)) if limit is not None else None,
                           unlimited_authority=unlimited)
        db.session.commit()
        return user

    def admin(self):
        return self.user(self.insurer(), roles=("admin",), unlimited=True)

    def token(self, user) -> str:
        from portal.auth.services import issue_token

        token, _ = issue_token(user)
        return token

    def headers(self, user) -> dict:
        return {"Authorization": f"Bearer {self.token(user)}"}


@pytest.fixture
def factory(app):
    return Factory(app)


class Api:
    """A JSON client for ``/api/v1`` acting as one user."""

    def __init__(self, client, headers=None):
        self.client = client
        self.headers = headers or {}

    def _call(self, method, path, json=None, headers=None, **kw):
        url = path if path.startswith("/api/") else "/api/v1" + path
        h = dict(self.headers)
        h.update(headers or {})
        answer = getattr(self.client, method)(url, json=json, headers=h, **kw)
        body = answer.get_json(silent=True) if answer.status_code < 400 else None
        if body is not None:   # the document's required keys are there
            from tests.openapi_check import missing_required

            missing = missing_required(self.client.application, method, url, answer.status_code, body)
            assert not missing, f"{method.upper()} {url} answered without the required {missing}"
        return answer

    def get(self, path, **kw):
        return self._call("get", path, **kw)

    def post(self, path, json=None, **kw):
        return self._call("post", path, json=json, **kw)

    def patch(self, path, json=None, **kw):
        return self._call("patch", path, json=json, **kw)

    def put(self, path, json=None, **kw):
        return self._call("put", path, json=json, **kw)

    def delete(self, path, **kw):
        return self._call("delete", path, **kw)


@pytest.fixture
def api_as(client, factory):
    """``api_as(user)`` → an :class:`Api` with that user's bearer token."""

    def make(user=None):
        return Api(client, factory.headers(user) if user is not None else {})

    return make


def login(client, user, password=PASSWORD):
    return client.post("/login", data={"email": user.email, "password": password})


@pytest.fixture
def web_login(client):
    def do(user, password=PASSWORD):
        response = login(client, user, password)
        assert response.status_code == 302, response.data[:500]
        return client

    return do


def pytest_configure(config):
    config.addinivalue_line("markers", "no_db: the test needs no database")
    print(f"\n[portal tests] database: {database_kind()}"
          + (f" ({postgres_url()})" if database_kind() == "postgres" else " (SQLite file)"))


# --------------------------------------------------------------------------- the background worker


def redis_test_url() -> str | None:
    url = os.environ.get("PORTAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except Exception:  # noqa: BLE001 - no Redis here
        return None
    return url


_ABSENT = object()


class Consumer:
    """A real ``huey_consumer portal.worker_main.huey`` process on the test database."""

    def __init__(self, process):
        self.process = process

    def wait_for(self, condition, seconds: float = 30.0, what: str = "the worker"):
        """Poll ``condition()`` until true; fail with the consumer's output otherwise."""
        import time

        from portal.extensions import db

        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            db.session.remove()
            if condition():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        pytest.fail(f"{what} did not finish; consumer said: {self.output()[-3000:]}")

    def output(self) -> str:
        if self.process.poll() is None:
            return "(still running)"
        return self.process.stdout.read().decode(errors="replace")


@pytest.fixture
def start_consumer(app, tmp_path):
    """``start_consumer("sqlite"|"redis", **config)`` → a :class:`Consumer` sharing the test
    app's database and one queue; the app enqueues onto that queue until the test ends."""
    import subprocess
    import sys

    from portal.worker import build

    started, saved = [], (app.extensions["huey"], app.extensions["portal_tasks"])
    before = {}

    def start(mode="sqlite", **extra):
        queue = {"WORKER_MODE": mode, "WORKER_QUEUE_NAME": f"portal-test-{os.getpid()}-{mode}-{len(started)}"}
        if mode == "sqlite":
            queue["WORKER_SQLITE_FILE"] = str(tmp_path / f"queue-{len(started)}.sqlite3")
        else:
            url = redis_test_url()
            if url is None:
                if os.environ.get("PORTAL_TEST_REQUIRE_POSTGRES") == "1":   # CI: Redis is part of the machine
                    pytest.fail("Redis is not reachable at 127.0.0.1:6379")
                pytest.skip("Redis not reachable")
            queue["WORKER_REDIS_URL"] = url
        settings = {**queue, **extra}
        for key in settings:
            before.setdefault(key, app.config[key] if key in app.config else _ABSENT)
        app.config.update(settings)
        app.extensions["huey"] = build(app)
        cfg = base_config(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path, **settings)
        cfg["UPLOAD_FOLDER"] = app.config["UPLOAD_FOLDER"]
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        for key, value in cfg.items():
            if value is not None:
                env[f"PORTAL_{key}"] = value if isinstance(value, str) else json.dumps(value)
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("huey_consumer")), "portal.worker_main.huey", "-k", "thread",
             "-w", "1", "-d", "0.1", "-m", "0.5", "-n"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        consumer = Consumer(process)
        started.append((consumer, mode, app.extensions["huey"]))
        return consumer

    yield start
    for consumer, mode, huey in started:
        consumer.process.terminate()
        try:
            print(consumer.process.communicate(timeout=15)[0].decode(errors="replace")[-5000:])
        except subprocess.TimeoutExpired:
            consumer.process.kill()
        if mode == "redis":
            huey.storage.flush_all()      # this run's queue only (its own name)
    app.extensions["huey"], app.extensions["portal_tasks"] = saved
    for key, value in before.items():
        if value is _ABSENT:
            app.config.pop(key, None)
        else:
            app.config[key] = value
