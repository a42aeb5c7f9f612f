"""API rate limits (portal/ops/ratelimit.py, portal/api/access.py): per API key, else per
user, per minute; ``RateLimit-*`` headers on the answers; 429 ``rate_limited`` with
``Retry-After`` past the limit — and ``Retry-After`` on the login lockout's 429 ``locked``.
The database counter costs one statement per call."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.conftest import PASSWORD, Api
from tests.querycount import count_queries

WINDOW_START = 1_800_000_000          # a minute's start (divisible by 60), epoch seconds


@pytest.fixture
def clock(monkeypatch):
    """The rate limiter's clock, 45 s into a minute (15 s before its window ends)."""
    now = SimpleNamespace(value=WINDOW_START + 45)
    monkeypatch.setattr("portal.ops.ratelimit.time", SimpleNamespace(time=lambda: now.value))
    return now


@pytest.fixture
def limit(app, monkeypatch):
    def set_to(n):
        monkeypatch.setitem(app.config, "API_RATE_LIMIT_PER_MINUTE", n)

    set_to(3)
    return set_to


def _key(api_as, factory, **body):
    admin = factory.user(factory.org("garage"), roles=("partner_admin",))
    made = api_as(admin).post("/api-keys", json={"name": "DMS", "scopes": ["read"], **body})
    assert made.status_code == 201, made.get_json()
    return made.get_json()


def test_headers_count_down_and_the_limit_is_reached_at_exactly_n(api_as, factory, clock, limit):
    staff = api_as(factory.user(roles=("assessor",)))
    for remaining in (2, 1, 0):                          # the 1st … 3rd (N-th) call: answered
        answer = staff.get("/me")
        assert answer.status_code == 200
        assert (answer.headers["RateLimit-Limit"], answer.headers["RateLimit-Remaining"],
                answer.headers["RateLimit-Reset"]) == ("3", str(remaining), "15")
    refused = staff.get("/me")                           # the N+1-th: refused
    assert refused.status_code == 429 and refused.get_json()["error"]["code"] == "rate_limited"
    assert refused.headers["Retry-After"] == "15" and refused.headers["RateLimit-Remaining"] == "0"
    assert staff.post("/me/password", json={}).status_code == 429     # writes count alike
    clock.value = WINDOW_START + 60                       # the next minute
    again = staff.get("/me")
    assert again.status_code == 200 and again.headers["RateLimit-Remaining"] == "2"
    assert again.headers["RateLimit-Reset"] == "60"


def test_each_caller_has_its_own_allowance(api_as, factory, client, clock, limit):
    first, second = api_as(factory.user(roles=("assessor",))), api_as(factory.user(roles=("assessor",)))
    for _ in range(3):
        assert first.get("/me").status_code == 200
    assert first.get("/me").status_code == 429
    assert second.get("/me").status_code == 200
    key = Api(client, {"Authorization": f"Bearer {_key(api_as, factory)['key']}"})
    assert key.get("/me").headers["RateLimit-Remaining"] == "2"


def test_a_key_has_its_own_limit(api_as, factory, client, clock, limit):
    limit(100)
    body = _key(api_as, factory, rate_limit_per_minute=2)
    assert body["rate_limit_per_minute"] == 2
    key = Api(client, {"Authorization": f"Bearer {body['key']}"})
    assert [key.get("/me").status_code for _ in range(3)] == [200, 200, 429]
    refused = key.get("/quotes")
    assert refused.headers["RateLimit-Limit"] == "2" and int(refused.headers["Retry-After"]) == 15


def test_no_headers_without_a_caller_or_a_limit(api_as, factory, client, clock, limit):
    assert "RateLimit-Limit" not in client.get("/api/v1/me").headers          # 401: nobody to count
    limit(0)
    assert "RateLimit-Limit" not in api_as(factory.user(roles=("assessor",))).get("/me").headers


def test_the_database_counter_costs_one_statement_per_call(api_as, factory, client, clock, limit):
    from portal.extensions import db

    limit(100)
    key = Api(client, {"Authorization": f"Bearer {_key(api_as, factory)['key']}"})
    assert key.get("/me").status_code == 200 and key.get("/me").status_code == 200   # kept, last use written
    db.session.remove()
    with count_queries(db.engine) as counter:
        assert key.get("/me").status_code == 200
    counted = [s for s in counter.statements if "api_call_counts" in s]
    assert len(counted) == 1 and "RETURNING" in counted[0].upper(), counter
    # the kept key's principal is confirmed by its marks' statement: two in all
    assert counter.count == 2, counter


def test_the_login_lockout_answers_retry_after(client, factory):
    user = factory.user()
    for _ in range(5):
        client.post("/api/v1/tokens", json={"email": user.email, "password": "wrong password!"})
    locked = client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD})
    assert locked.status_code == 429 and locked.get_json()["error"]["code"] == "locked"
    assert locked.headers["Retry-After"] == str(locked.get_json()["error"]["details"]["retry_after_seconds"])
    assert 0 < int(locked.headers["Retry-After"]) <= 30


def test_the_login_address_limit_answers_retry_after(app, client, factory, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_LOGIN_PER_IP", 2)
    ip = {"REMOTE_ADDR": "192.0.2.90"}
    for i in range(2):
        client.post("/api/v1/tokens", json={"email": f"nobody{i}@example.com", "password": "x"}, environ_base=ip)
    refused = client.post("/api/v1/tokens", json={"email": factory.user().email, "password": PASSWORD},
                          environ_base=ip)
    assert refused.status_code == 429 and refused.get_json()["error"]["code"] == "rate_limited"
    assert 0 < int(refused.headers["Retry-After"]) <= 300


def test_api_calls_are_counted_in_redis_when_configured(app, api_as, factory, clock, limit):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/15", socket_connect_timeout=1).ping()
    except Exception:
        pytest.skip("Redis not running at 127.0.0.1:6379")
    r = redis.Redis.from_url("redis://127.0.0.1:6379/15")
    r.flushdb()
    app.config["RATELIMIT_REDIS_URL"] = "redis://127.0.0.1:6379/15"
    app.extensions.pop("portal_redis", None)
    try:
        staff = api_as(factory.user(roles=("assessor",)))
        assert [staff.get("/me").status_code for _ in range(4)] == [200, 200, 200, 429]
        assert any(k.startswith(b"portal:rl:api:user:") for k in r.keys())
    finally:
        app.config["RATELIMIT_REDIS_URL"] = None
        app.extensions.pop("portal_redis", None)
        r.flushdb()
