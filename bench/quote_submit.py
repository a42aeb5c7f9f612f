"""Bench: submitting a 50-line quote against a trivial authenticated GET (issue 26), in the same
run, in one process through the application's own WSGI path (the Flask test client), on a SQLite
file built by the migrations and the demo data.

    .venv/bin/python bench/quote_submit.py               # 15 submissions, target: submit ≤ 8 × GET
    .venv/bin/python bench/quote_submit.py --runs 30 --lines 50

Each round times one ``POST /api/v1/quotes/<id>/submit`` of a fresh 50-line quote (created and
given its damage photo beforehand, untimed) and one ``GET /api/v1/me`` with the same bearer token;
the ratio is of the medians of wall time (the target's), and also printed for CPU time
(``time.process_time``: the Python work alone, without the database file's writes). It also
prints the SQL statements of one submission.
"""
from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GARAGE_EMAIL, PASSWORD = "garage1@demo.example", "demo-portal-2026"
TARGET = 8.0


def quote_lines(n: int) -> list[dict]:
    lines = []
    for i in range(n):
        if i % 3 == 0:
            lines.append({"kind": "labor", "name": f"拆装 {i}", "quantity": "1", "unit_price": "80.00"})
        else:
            lines.append({"kind": "part", "part_no": f"1K0{i:06d}", "name": f"配件 {i}", "quality": "genuine",
                          "quantity": "1", "unit_price": f"{100 + i}.00"})
    return lines


def build(url: str, instance: Path):
    from click.testing import CliRunner
    from flask.cli import ScriptInfo

    from portal import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WORKER_MODE": "memory",
                      "UPLOAD_FOLDER": str(instance / "uploads")})
    with app.app_context():
        for args in (["db", "upgrade"], ["demo"]):
            result = CliRunner().invoke(app.cli, args, obj=ScriptInfo(create_app=lambda: app))
            assert result.exit_code == 0, (result.output, result.exception)
    return app


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--lines", type=int, default=50)
    args = ap.parse_args(argv)
    instance = Path(tempfile.mkdtemp(prefix="bench-submit-"))
    app = build(f"sqlite:///{instance / 'bench.sqlite3'}", instance)
    from portal.auth.models import User
    from portal.extensions import db
    from tests.images import photo_bytes
    from tests.plugins.garages.conftest import make_claim
    from tests.querycount import count_queries

    client = app.test_client()
    r = client.post("/api/v1/tokens", json={"email": GARAGE_EMAIL, "password": PASSWORD})
    assert r.status_code == 201, r.get_json()
    token = r.get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    with app.app_context():
        garage = db.session.scalar(db.select(User).where(User.email == GARAGE_EMAIL)).organization
        claims = [make_claim(garage, color="yellow").claim_no for _ in range(args.runs + 2)]
    quotes = []
    for k, claim_no in enumerate(claims):   # untimed: the quotes and their photos
        r = client.post(f"/api/v1/claims/{claim_no}/quotes", json={"lines": quote_lines(args.lines), "submit": False},
                        headers=headers)
        assert r.status_code == 201, r.get_json()
        q = r.get_json()
        r = client.post(f"/api/v1/quotes/{q['id']}/photos", headers=headers, content_type="multipart/form-data",
                        data={"file": (io.BytesIO(photo_bytes(5000 + k)), "damage.jpg"), "kind": "damage"})
        assert r.status_code == 201, r.get_json()
        quotes.append(q["id"])
    submit, get, submit_cpu, get_cpu = [], [], [], []
    for k, quote_id in enumerate(quotes):
        t0, c0 = time.perf_counter(), time.process_time()
        r = client.get("/api/v1/me", headers=headers)
        t1, c1 = time.perf_counter(), time.process_time()
        assert r.status_code == 200, r.get_json()
        if k == 0:   # the first one counts the statements (and warms up)
            with app.app_context(), count_queries() as counter:
                r = client.post(f"/api/v1/quotes/{quote_id}/submit", json={}, headers=headers)
            statements = counter.count
        else:
            t2, c2 = time.perf_counter(), time.process_time()
            r = client.post(f"/api/v1/quotes/{quote_id}/submit", json={}, headers=headers)
            t3, c3 = time.perf_counter(), time.process_time()
            if k > 1:
                get.append(t1 - t0)
                submit.append(t3 - t2)
                get_cpu.append(c1 - c0)
                submit_cpu.append(c3 - c2)
        assert r.status_code == 200, r.get_json()
    ratio = statistics.median(submit) / statistics.median(get)
    cpu_ratio = statistics.median(submit_cpu) / statistics.median(get_cpu)
    print(f"{args.lines}-line quote submission: {statistics.median(submit) * 1000:.1f} ms median, "
          f"{statistics.median(submit_cpu) * 1000:.1f} ms CPU ({len(submit)} runs), {statements} SQL statements")
    print(f"authenticated GET /api/v1/me:   {statistics.median(get) * 1000:.1f} ms median, "
          f"{statistics.median(get_cpu) * 1000:.1f} ms CPU")
    print(f"ratio submit / GET: {ratio:.2f} wall (target ≤ {TARGET:g}), {cpu_ratio:.2f} CPU")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
