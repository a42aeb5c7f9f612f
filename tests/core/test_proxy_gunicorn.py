"""The login limits on the real stack (security review H4): gunicorn with two workers behind a
local reverse proxy that appends the client's address to ``X-Forwarded-For``, as nginx's
``$proxy_add_x_forwarded_for`` does. Clients come from different loopback addresses. One
guesser is stopped; everyone else still logs in; a forged ``X-Forwarded-For`` changes nothing;
the per-account delay answers the same for a known and an unknown e-mail."""
from __future__ import annotations

import http.client
import json
import os
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from tests.conftest import PASSWORD, ROOT, Factory, base_config, fresh_database_url

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Proxy:
    """A reverse proxy: forwards each request to the upstream, appending the client address."""

    def __init__(self, upstream_port: int):
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                previous = self.headers.get("X-Forwarded-For")
                headers["X-Forwarded-For"] = f"{previous}, {self.client_address[0]}" if previous \
                    else self.client_address[0]
                conn = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=30)
                conn.request(self.command, self.path, body=body, headers=headers)
                answer = conn.getresponse()
                data = answer.read()
                self.send_response(answer.status)
                for key, value in answer.getheaders():
                    if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                conn.close()

            do_GET = do_POST = _forward

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def stack(tmp_path):
    from portal import create_app
    from portal.extensions import db

    settings = {"PROXY_FIX_X_FOR": 1, "RATELIMIT_LOGIN_PER_IP": 3, "RATELIMIT_LOGIN_WINDOW_SECONDS": 3600,
                "LOCKOUT_FAILURES": 5, "LOCKOUT_BASE_SECONDS": 30}
    cfg = base_config(fresh_database_url(tmp_path, "gunicorn"), tmp_path, **settings)
    app = create_app(cfg)
    with app.app_context():
        db.create_all()
        user = Factory(app).user(email="known@example.com")
        email = user.email
        db.session.remove()
        db.engine.dispose()
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for key, value in cfg.items():
        if value is not None:
            env[f"PORTAL_{key}"] = value if isinstance(value, str) else json.dumps(value)
    server = subprocess_popen([str(Path(sys.executable).with_name("gunicorn")), "-w", "2", "-b", f"127.0.0.1:{port}",
                               "--timeout", "30", "portal:create_app()"], env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        server.terminate()
        pytest.fail("gunicorn did not start: " + server.communicate(timeout=10)[0].decode(errors="replace")[-3000:])
    proxy = Proxy(port)
    yield proxy, email
    proxy.close()
    server.terminate()
    server.communicate(timeout=20)


def subprocess_popen(args, env):
    import subprocess

    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def client_from(address: str) -> httpx.Client:
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=30)


def test_one_guesser_is_stopped_and_everyone_else_logs_in(stack):
    proxy, email = stack
    url = f"http://127.0.0.1:{proxy.port}/api/v1/tokens"
    with client_from("127.0.0.5") as guesser, client_from("127.0.0.6") as colleague:
        for n in range(3):
            r = guesser.post(url, json={"email": f"nobody{n}@example.com", "password": "wrong-password"})
            assert r.status_code == 401, r.text
        r = guesser.post(url, json={"email": "nobody9@example.com", "password": "wrong-password"})
        assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
        # a forged X-Forwarded-For is kept in front of what the proxy appends: still the guesser
        r = guesser.post(url, json={"email": "nobody9@example.com", "password": "wrong-password"},
                         headers={"X-Forwarded-For": "198.51.100.77"})
        assert r.status_code == 429
        # the office next door, through the same proxy, is not affected
        r = colleague.post(url, json={"email": email, "password": PASSWORD})
        assert r.status_code == 201, r.text


def test_the_account_delay_answers_alike_for_known_and_unknown_addresses(stack):
    proxy, email = stack
    url = f"http://127.0.0.1:{proxy.port}/api/v1/tokens"
    answers = {}
    for target in (email, "unknown@example.com"):
        last = None
        for n in range(6):     # five failures from five addresses (no per-address limit reached)
            with client_from(f"127.0.1.{n + 1 + (10 if target == email else 20)}") as c:
                last = c.post(url, json={"email": target, "password": "wrong-password"})
        answers[target] = (last.status_code, last.json()["error"]["code"], "Retry-After" in last.headers)
    assert answers[email] == answers["unknown@example.com"] == (429, "locked", True)
    with client_from("127.0.2.1") as c:      # even the right password waits for the delay
        r = c.post(url, json={"email": email, "password": PASSWORD})
        assert r.status_code == 429
