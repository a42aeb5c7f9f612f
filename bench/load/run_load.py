"""Load bench (压测): the portal under gunicorn on loopback, 32 concurrent users, self-stopping.

    .venv/bin/python bench/load/seed.py     --db sqlite:////tmp/portal_load.sqlite3
    .venv/bin/python bench/load/run_load.py --db sqlite:////tmp/portal_load.sqlite3

It starts ``gunicorn "portal:create_app()"`` bound to 127.0.0.1 on a free port, logs in
(``POST /api/v1/tokens``) as the demo garage and the demo assessor, and runs phases one
after another in the same run, each bounded by a number of requests and by seconds:

1. ``/healthz`` alone (the trivial baseline);
2. the review queue alone: ``GET /api/v1/quotes?status=submitted`` (assessor);
   1 and 2 alternate ``--rounds`` times (3), and the ratio is the median round's;
3. the journeys mixed, half the users each — garage: list its quotes, open one, create a
   quote and submit it; assessor: queue, open a quote in review, approve it.

It prints requests/s for ``/healthz`` and for the queue, their ratio (target ≥ 0.30),
p50/p99 latencies per request (target p99 < 500 ms) and the errors (target 0); the exit
status is 1 when a target is missed. Traffic never leaves 127.0.0.1.
"""
from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
PASSWORD = "demo-portal-2026"
GARAGE_EMAIL, ASSESSOR_EMAIL = "garage1@demo.example", "assessor@demo.example"
QUEUE = "/api/v1/quotes?status=submitted"
TARGET_RATIO, TARGET_P99_MS = 0.30, 500.0
NEW_QUOTE_LINES = [
    {"kind": "part", "part_no": "1K0807221", "name": "前保险杠皮", "quality": "genuine", "quantity": "1",
     "unit_price": "1280.00"},
    {"kind": "labor", "name": "拆装前保险杠", "quantity": "1.5", "unit_price": "120.00"},
    {"kind": "paint", "name": "前保险杠喷漆", "quantity": "3", "unit_price": "150.00"},
]


# ---------------------------------------------------------------- server


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(db_url: str, port: int, workers: int, worker_class: str, threads: int):
    env = dict(os.environ)
    env.update(PORTAL_SQLALCHEMY_DATABASE_URI=db_url, PORTAL_SECRET_KEY="load-bench-secret",
               PORTAL_RATELIMIT_LOGIN_PER_IP="1000")
    cmd = [str(ROOT / ".venv" / "bin" / "gunicorn"), "--bind", f"{HOST}:{port}", "--workers", str(workers),
           "--worker-class", worker_class, "--threads", str(threads), "--backlog", "2048",
           "--log-level", "warning", "--timeout", "60", "portal:create_app()"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open("/tmp/run_load_gunicorn.log", "w"))
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited ({proc.returncode}); see /tmp/run_load_gunicorn.log")
        try:
            status, _ = request(http.client.HTTPConnection(HOST, port, timeout=2), "GET", "/healthz")
            if status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.3)
    stop_server(proc)
    raise SystemExit("gunicorn did not answer /healthz within 90 s")


def stop_server(proc) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ---------------------------------------------------------------- client


def request(conn, method, path, token=None, body=None):
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=data, headers=headers)
        resp = conn.getresponse()
        raw = resp.read()
    except (http.client.HTTPException, OSError):
        conn.close()            # the server closed a kept-alive connection: one retry on a new one
        conn.request(method, path, body=data, headers=headers)
        resp = conn.getresponse()
        raw = resp.read()
    if resp.getheader("Connection", "").lower() == "close":
        conn.close()
    return resp.status, raw


class Recorder:
    def __init__(self):
        self.samples: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}
        self.error_examples: list[str] = []
        self.lock = threading.Lock()

    def call(self, conn, label, method, path, token=None, body=None, expect=(200,)):
        t0 = time.perf_counter()
        try:
            status, raw = request(conn, method, path, token, body)
        except Exception as exc:  # noqa: BLE001 - every failure is counted as an error
            status, raw = 0, repr(exc).encode()
        ms = (time.perf_counter() - t0) * 1000
        with self.lock:
            self.samples.setdefault(label, []).append(ms)
            if status not in expect:
                self.errors[label] = self.errors.get(label, 0) + 1
                if len(self.error_examples) < 5:
                    self.error_examples.append(f"{label} {status} {raw[:200]!r}")
        return status, raw


def _user_loop(port, phase, ctx, rec, stop_at, budget, pool, rnd):
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    garage_tok, assessor_tok = ctx["garage_token"], ctx["assessor_token"]
    while time.monotonic() < stop_at and budget.take():
        kind = phase["journey"]
        if kind == "mixed":
            kind = pool["role"]
        if kind == "healthz":
            rec.call(conn, "GET /healthz", "GET", "/healthz")
        elif kind == "queue":
            rec.call(conn, "GET queue", "GET", f"{QUEUE}&page={rnd.randint(1, 5)}", assessor_tok)
        elif kind == "garage":
            rec.call(conn, "GET own quotes", "GET", f"/api/v1/quotes?page={rnd.randint(1, 5)}", garage_tok)
            rec.call(conn, "GET quote (garage)", "GET", f"/api/v1/quotes/{rnd.choice(ctx['garage_quote_ids'])}",
                     garage_tok)
            if not pool["claims"]:
                continue
            claim_no = pool["claims"].pop()
            status, raw = rec.call(conn, "POST quote", "POST", f"/api/v1/claims/{claim_no}/quotes", garage_tok,
                                   {"lines": NEW_QUOTE_LINES, "submit": False}, expect=(201,))
            if status == 201:
                q = json.loads(raw)
                rec.call(conn, "POST submit", "POST", f"/api/v1/quotes/{q['id']}/submit", garage_tok,
                         {"version": q["version"]})
        elif kind == "assessor":
            rec.call(conn, "GET queue", "GET", f"{QUEUE}&page={rnd.randint(1, 5)}", assessor_tok)
            if not pool["ids"]:
                continue
            qid = pool["ids"].pop()
            status, raw = rec.call(conn, "GET quote (assessor)", "GET", f"/api/v1/quotes/{qid}", assessor_tok)
            if status == 200:
                q = json.loads(raw)
                rec.call(conn, "POST decision", "POST", f"/api/v1/quotes/{qid}/decisions", assessor_tok,
                         {"action": "approve", "version": q["version"], "comment": None, "lines": []})
    conn.close()


class Budget:
    """A number of iterations shared by the threads of one process."""

    def __init__(self, n):
        self.n, self.lock = n, threading.Lock()

    def take(self) -> bool:
        with self.lock:
            if self.n <= 0:
                return False
            self.n -= 1
            return True


def _process(port, phase, ctx, proc_index, n_procs, out_q):
    users = phase["users"] // n_procs
    rec = Recorder()
    budget = Budget(phase["iterations"] // n_procs)
    stop_at = time.monotonic() + phase["seconds"]
    threads = []
    for u in range(users):
        global_u = proc_index * users + u
        role = "garage" if global_u % 2 == 0 else "assessor"
        stride = phase["users"]
        pool = {"role": role, "ids": list(reversed(ctx["review_ids"][global_u::stride])),
                # a claim takes one open quote: each garage user quotes claims of its own, once
                "claims": list(reversed(ctx["garage_claims"][global_u::stride]))}
        t = threading.Thread(target=_user_loop, args=(port, phase, ctx, rec, stop_at, budget, pool,
                                                      random.Random(global_u)))
        threads.append(t)
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out_q.put({"elapsed": time.perf_counter() - t0, "samples": rec.samples, "errors": rec.errors,
               "examples": rec.error_examples})


def run_phase(port, phase, ctx, n_procs) -> dict:
    out_q = mp.Queue()
    procs = [mp.Process(target=_process, args=(port, phase, ctx, i, n_procs, out_q)) for i in range(n_procs)]
    t0 = time.perf_counter()
    for p in procs:
        p.start()
    results = [out_q.get() for _ in procs]
    for p in procs:
        p.join()
    wall = time.perf_counter() - t0
    samples, errors, examples = {}, {}, []
    for r in results:
        for k, v in r["samples"].items():
            samples.setdefault(k, []).extend(v)
        for k, v in r["errors"].items():
            errors[k] = errors.get(k, 0) + v
        examples += r["examples"]
    elapsed = max(r["elapsed"] for r in results)
    return {"name": phase["name"], "elapsed": elapsed, "wall": wall, "samples": samples, "errors": errors,
            "examples": examples[:5]}


def merge_rounds(results: list[dict]) -> dict:
    """One phase's rounds as one result: their samples and errors together, their times added."""
    out = {"name": results[0]["name"], "elapsed": sum(r["elapsed"] for r in results),
           "wall": sum(r["wall"] for r in results), "samples": {}, "errors": {}, "examples": []}
    for r in results:
        for k, v in r["samples"].items():
            out["samples"].setdefault(k, []).extend(v)
        for k, v in r["errors"].items():
            out["errors"][k] = out["errors"].get(k, 0) + v
        out["examples"] += r["examples"]
    out["examples"] = out["examples"][:5]
    return out


def throughput(result: dict, label: str) -> float:
    return len(result["samples"].get(label, [])) / result["elapsed"]


def pct(values, p) -> float:
    s = sorted(values)
    if not s:
        return float("nan")
    k = min(len(s) - 1, max(0, int(round(p / 100 * len(s) + 0.5)) - 1))
    return s[k]


# ---------------------------------------------------------------- set-up from the database


def context(db_url: str, port: int) -> dict:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    tokens = {}
    for key, email in (("garage_token", GARAGE_EMAIL), ("assessor_token", ASSESSOR_EMAIL)):
        status, raw = request(conn, "POST", "/api/v1/tokens", body={"email": email, "password": PASSWORD})
        if status != 201:
            raise SystemExit(f"login of {email} failed: {status} {raw[:200]!r}")
        tokens[key] = json.loads(raw)["token"]
    engine = sa.create_engine(db_url)
    with engine.connect() as c:
        garage_id = c.execute(sa.text("SELECT organization_id FROM users WHERE email = :e"),
                              {"e": GARAGE_EMAIL}).scalar_one()
        garage_quote_ids = list(c.execute(sa.text(
            "SELECT id FROM garages_quotes WHERE garage_id = :g ORDER BY id LIMIT 5000"), {"g": garage_id}).scalars())
        garage_claims = list(c.execute(sa.text(
            "SELECT c.claim_no FROM claims c JOIN claim_assignments a ON a.claim_id = c.id "
            "WHERE a.organization_id = :g AND a.purpose = 'repair' AND a.ended_at IS NULL "
            "AND NOT EXISTS (SELECT 1 FROM garages_quotes q WHERE q.claim_id = c.id) ORDER BY c.id LIMIT 20000"),
            {"g": garage_id}).scalars())
        review_ids = list(c.execute(sa.text(
            "SELECT id FROM garages_quotes WHERE status = 'submitted' ORDER BY id")).scalars())
        total = c.execute(sa.text("SELECT count(*) FROM garages_quotes")).scalar_one()
    engine.dispose()
    random.Random(7).shuffle(review_ids)
    return {**tokens, "garage_quote_ids": garage_quote_ids, "garage_claims": garage_claims,
            "review_ids": review_ids, "total_quotes": total}


# ---------------------------------------------------------------- main


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Load bench on loopback (see the module docstring).")
    ap.add_argument("--db", required=True, help="the database seed.py built")
    ap.add_argument("--users", type=int, default=32)
    ap.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    ap.add_argument("--worker-class", default="sync")
    ap.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (gthread)")
    ap.add_argument("--client-processes", type=int, default=2)
    ap.add_argument("--healthz-requests", type=int, default=9000, help="in all rounds together")
    ap.add_argument("--queue-requests", type=int, default=3000, help="in all rounds together")
    ap.add_argument("--rounds", type=int, default=3,
                    help="healthz and queue phases alternate this many times; the ratio is the median round's")
    ap.add_argument("--journeys", type=int, default=800, help="garage + assessor journeys in phase 3")
    ap.add_argument("--seconds", type=float, default=30, help="the most any phase runs")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args(argv)
    if args.users % args.client_processes:
        raise SystemExit("--users must be a multiple of --client-processes")
    host = sa.engine.make_url(args.db).host
    if host not in (None, "", "127.0.0.1", "localhost", "::1"):
        raise SystemExit("the load bench only talks to a database on this machine (127.0.0.1)")

    port = free_port()
    proc = start_server(args.db, port, args.workers, args.worker_class, args.threads)
    try:
        ctx = context(args.db, port)
        if len(ctx["review_ids"]) < args.journeys:
            raise SystemExit("not enough submitted quotes for the assessor journeys: run seed.py again")
        print(f"gunicorn {args.workers} × {args.worker_class} (threads {args.threads}) on {HOST}:{port}; "
              f"{ctx['total_quotes']} quotes, {len(ctx['review_ids'])} in the review queue; "
              f"{args.users} users in {args.client_processes} client processes", flush=True)
        warm = {"name": "warm-up", "journey": "queue", "users": args.users, "iterations": 200, "seconds": 20}
        run_phase(port, warm, ctx, args.client_processes)
        # healthz and queue alternate, so that a change in the machine's speed during the run
        # (it is shared) moves both sides of a round's ratio alike
        rounds = []
        for _ in range(args.rounds):
            pair = [run_phase(port, {"name": name, "journey": name, "users": args.users,
                                     "iterations": total // args.rounds, "seconds": args.seconds},
                              ctx, args.client_processes)
                    for name, total in (("healthz", args.healthz_requests), ("queue", args.queue_requests))]
            rounds.append(pair)
        journeys = run_phase(port, {"name": "journeys", "journey": "mixed", "users": args.users,
                                    "iterations": args.journeys, "seconds": args.seconds}, ctx, args.client_processes)
        results = [merge_rounds([pair[0] for pair in rounds]), merge_rounds([pair[1] for pair in rounds]), journeys]
    finally:
        stop_server(proc)

    figures = {"db": sa.engine.make_url(args.db).get_backend_name(), "users": args.users,
               "workers": args.workers, "quotes": ctx["total_quotes"], "phases": {}}
    print(f"\n{'phase':<9} {'request':<22} {'n':>6} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}")
    for res in results:
        for label, values in sorted(res["samples"].items()):
            rps = len(values) / res["elapsed"]
            row = {"n": len(values), "rps": round(rps, 1), "p50_ms": round(pct(values, 50), 1),
                   "p99_ms": round(pct(values, 99), 1), "errors": res["errors"].get(label, 0)}
            figures["phases"].setdefault(res["name"], {})[label] = row
            print(f"{res['name']:<9} {label:<22} {row['n']:>6} {row['rps']:>8.1f} {row['p50_ms']:>8.1f} "
                  f"{row['p99_ms']:>8.1f} {row['errors']:>6}")
        for ex in res["examples"]:
            print(f"    error: {ex}")
    healthz = figures["phases"]["healthz"]["GET /healthz"]
    queue = figures["phases"]["queue"]["GET queue"]
    ratios = sorted(throughput(q, "GET queue") / throughput(h, "GET /healthz") for h, q in rounds)
    ratio = ratios[len(ratios) // 2]
    figures["round_ratios"] = [round(r, 3) for r in ratios]
    print(f"\nqueue / healthz in each round: {', '.join(f'{r:.2f}' for r in ratios)}")
    worst_p99 = max(row["p99_ms"] for ph in ("queue", "journeys") for row in figures["phases"][ph].values())
    errors = sum(row["errors"] for ph in figures["phases"].values() for row in ph.values())
    figures.update(ratio=round(ratio, 3), worst_p99_ms=worst_p99, errors=errors)
    verdict = {"ratio": ratio >= TARGET_RATIO, "p99": worst_p99 < TARGET_P99_MS, "errors": errors == 0}
    figures["targets_met"] = verdict
    print(f"queue / healthz throughput, the median round: {ratio:.2f} (all rounds together "
          f"{queue['rps']:.1f} / {healthz['rps']:.1f}) (target ≥ {TARGET_RATIO:.2f}) "
          f"{'ok' if verdict['ratio'] else 'MISSED'}")
    print(f"worst p99 of queue and journeys: {worst_p99:.0f} ms (target < {TARGET_P99_MS:.0f}) "
          f"{'ok' if verdict['p99'] else 'MISSED'}")
    print(f"errors: {errors} (target 0) {'ok' if verdict['errors'] else 'MISSED'}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    return 0 if all(verdict.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
