"""The database going away: 503 (not 500), and the app recovers when it returns.

A TCP proxy stands between the app and PostgreSQL; stopping it is the outage. SQLite is
a file inside the process and cannot go away like this, so this runs on PostgreSQL."""
from __future__ import annotations

import socket
import threading

import pytest

from tests.conftest import base_config, database_kind, fresh_database_url, postgres_url

pytestmark = pytest.mark.skipif(database_kind() != "postgres", reason="needs a network database (PostgreSQL)")


class TcpProxy:
    def __init__(self, target_port: int):
        self.target_port = target_port
        self.port = None
        self.conns: list[socket.socket] = []
        self.listener = None

    def start(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port or 0))
        self.port = self.listener.getsockname()[1]
        self.listener.listen(16)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src, dst):
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.close()
                except OSError:
                    pass

    def stop(self):
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        except OSError:
            pass
        self.listener.close()
        for s in self.conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass
        self.conns.clear()


def _app_and_token(url, tmp_path, **config):
    """An app on ``url`` with its schema, and a user's bearer header."""
    from portal import create_app
    from portal.extensions import db
    from tests.conftest import Factory

    app = create_app(base_config(url, tmp_path, **config))
    with app.app_context():
        db.create_all()
        factory = Factory(app)
        headers = factory.headers(factory.user())
        db.session.remove()
    return app, headers


def test_database_outage_gives_503_and_recovers(tmp_path):
    import sqlalchemy as sa

    from portal.extensions import db

    real = sa.engine.make_url(fresh_database_url(tmp_path, "outage"))
    proxy = TcpProxy(real.port or 5432)
    proxy.start()
    url = real.set(port=proxy.port).render_as_string(hide_password=False)
    app, headers = _app_and_token(url, tmp_path, SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 2}})
    client = app.test_client()
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    proxy.stop()
    r = client.get("/api/v1/me", headers=headers)
    assert r.status_code == 503 and r.get_json()["error"]["code"] == "unavailable"
    page = client.get("/login")
    assert page.status_code in (200, 503)                 # the login page needs no database
    proxy.start()
    r = client.get("/api/v1/me", headers=headers)
    assert r.status_code == 200
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_connection_that_died_while_resting_is_replaced_not_failed(tmp_path):
    """No ping on every checkout (portal.db.engine): a connection that rested longer than
    POOL_PING_AFTER_IDLE_SECONDS is pinged first, and a dead one is replaced unseen."""
    import time

    import sqlalchemy as sa

    from portal.extensions import db

    url = fresh_database_url(tmp_path, "rested")
    app, headers = _app_and_token(url, tmp_path, POOL_PING_AFTER_IDLE_SECONDS=0.2)
    client = app.test_client()
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    admin = sa.create_engine(postgres_url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:   # the server ends the pooled connections (a restart, a firewall)
        ended = conn.execute(sa.text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                     "WHERE datname = :d AND pid <> pg_backend_pid()"),
                             {"d": sa.engine.make_url(url).database}).scalar_one()
    admin.dispose()
    assert ended >= 1
    time.sleep(0.4)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_connection_lost_after_the_page_was_made_is_no_500(tmp_path):
    """Security review L3: the server ends the connection while the page is being answered; the
    end-of-request rollback then fails. The page is answered, and the next request works."""
    import sqlalchemy as sa
    from flask import g

    from portal.extensions import db

    url = fresh_database_url(tmp_path, "teardown")
    app, headers = _app_and_token(url, tmp_path)
    admin = sa.create_engine(postgres_url("postgres"), isolation_level="AUTOCOMMIT")

    @app.after_request
    def _kill_my_connection(response):
        if g.get("kill_connection"):
            pid = db.session.connection().connection.dbapi_connection.info.backend_pid
            with admin.connect() as conn:
                conn.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        return response

    @app.before_request
    def _mark():
        from flask import request

        g.kill_connection = request.args.get("kill") == "1"

    from tests.conftest import PASSWORD, Factory

    with app.app_context():
        email = Factory(app).user().email
        db.session.remove()
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    r = client.get("/?kill=1")          # a web page in a transaction: its rollback meets a dead connection
    assert r.status_code == 200, r.status_code
    statuses = [client.get("/").status_code for _ in range(3)]
    assert statuses[-1] == 200 and 500 not in statuses, statuses   # a 503 at most, then served again
    admin.dispose()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
