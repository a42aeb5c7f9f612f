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


def test_database_outage_gives_503_and_recovers(tmp_path):
    import sqlalchemy as sa

    from portal import create_app
    from portal.extensions import db
    from tests.conftest import Factory

    real = sa.engine.make_url(fresh_database_url(tmp_path, "outage"))
    proxy = TcpProxy(real.port or 5432)
    proxy.start()
    url = real.set(port=proxy.port).render_as_string(hide_password=False)
    app = create_app(base_config(url, tmp_path, SQLALCHEMY_ENGINE_OPTIONS={
        "pool_pre_ping": True, "connect_args": {"connect_timeout": 2}}))
    with app.app_context():
        db.create_all()
        factory = Factory(app)
        headers = factory.headers(factory.user())
        db.session.remove()
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
