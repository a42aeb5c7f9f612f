"""Build the load-test database (压测数据): the demo data set plus 100,000 repair quotes.

    .venv/bin/python bench/load/seed.py --db sqlite:////tmp/portal_load.sqlite3
    .venv/bin/python bench/load/seed.py --db postgresql+psycopg://postgres@127.0.0.1:5432/portal_load

The schema comes from the migrations (``flask db upgrade``) and the demo data from
``flask demo``, exactly as in production; then claims assigned to the demo garages and
the quotes (with their lines) are bulk-inserted with SQLAlchemy Core through the models'
own tables, so ``Money`` columns hold integer fen as always. The database is made anew.
"""
from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
FLASK = str(ROOT / ".venv" / "bin" / "flask")
# status mix of a year of quotes: most decided, a realistic review queue
STATUS_MIX = [("approved", 60), ("rejected", 5), ("returned", 5), ("draft", 5), ("submitted", 20),
              ("escalated", 3), ("awaiting_second_approval", 2)]
DESK = {"draft": "garage", "returned": "garage", "submitted": "assessor", "escalated": "supervisor",
        "awaiting_second_approval": "second_approver"}
LINE_TEMPLATES = [
    ("part", "1K0807221", "前保险杠皮", "genuine", "1", ("600", "2600")),
    ("part", "5G0941005", "左前大灯总成", "genuine", "1", ("1800", "6800")),
    ("labor", None, "拆装工时", None, "1.5", ("100", "160")),
    ("paint", None, "喷漆", None, "3", ("120", "260")),
    ("material", None, "冷却液", None, "4", ("25", "45")),
    ("repair", "8K0853651", "叶子板钣金修复", None, "2", ("150", "400")),
]


def env_for(db_url: str) -> dict:
    env = dict(os.environ)
    env["PORTAL_SQLALCHEMY_DATABASE_URI"] = db_url
    env.setdefault("PORTAL_SECRET_KEY", "load-bench-secret")
    return env


def recreate(db_url: str) -> None:
    url = sa.engine.make_url(db_url)
    if url.get_backend_name() == "sqlite":
        path = Path(url.database)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{url.database}"')
    admin.dispose()


def flask(db_url: str, *args: str) -> None:
    subprocess.run([FLASK, "--app", "portal", *args], check=True, cwd=ROOT, env=env_for(db_url),
                   stdout=subprocess.DEVNULL)


def bulk_quotes(db_url: str, n_quotes: int, n_claims: int, seed: int) -> dict:
    """Claims assigned to the demo garages and ``n_quotes`` quotes with 2–5 lines each."""
    os.environ.update(env_for(db_url))
    sys.path.insert(0, str(ROOT))
    from portal import create_app
    from portal.auth.models import Organization, User
    from portal.claims.models import Assignment, Claim
    from portal.extensions import db
    from portal.money import quantize
    from portal.timeutil import utcnow
    from plugins.garages.models import Quote, QuoteLine

    rng = random.Random(seed)
    app = create_app()
    with app.app_context():
        garages = db.session.scalars(sa.select(Organization).where(Organization.kind == "garage")
                                     .order_by(Organization.id)).all()
        if not garages:
            raise SystemExit("no demo garages: did `flask demo` run?")
        creator = {g.id: db.session.scalar(sa.select(User.id).where(User.organization_id == g.id).order_by(User.id))
                   for g in garages}
        now = utcnow()
        conn = db.session.connection()
        claim_ids = []
        claim_t, asg_t = Claim.__table__, Assignment.__table__
        for start in range(0, n_claims, 5000):
            rows = []
            for i in range(start, min(n_claims, start + 5000)):
                at = now - timedelta(days=rng.randint(1, 365), minutes=rng.randint(0, 1440))
                rows.append({"claim_no": f"CLM-LOAD-{i:07d}", "policy_no": f"POL-LOAD-{i:07d}",
                             "policy_start": date(2026, 1, 1), "policy_end": date(2027, 1, 1),
                             "insured_name": "压测被保险人", "plate": f"沪L{i % 100000:05d}",
                             "vin": f"LSVLOAD{i:010d}"[:17], "model": "Passat", "actual_value": Decimal("180000"),
                             "accident_at": at, "reported_at": at + timedelta(hours=2), "region": "上海",
                             "flags": {}, "risk_color": rng.choice(["blue", "yellow", "yellow", "red"]),
                             "risk_reasons": [], "status": "open", "version": 1, "created_at": at,
                             "updated_at": at})
            conn.execute(claim_t.insert(), rows)
        claim_ids = list(conn.execute(sa.select(claim_t.c.id).where(claim_t.c.claim_no.like("CLM-LOAD-%"))
                                      .order_by(claim_t.c.id)).scalars())
        # each claim goes to one garage (weighted to the first, the demo's grade-A garage)
        weights = [6] + [1] * (len(garages) - 1)
        claim_garage = dict(zip(claim_ids, rng.choices([g.id for g in garages], weights=weights, k=len(claim_ids))))
        conn.execute(asg_t.insert(), [{"claim_id": c, "organization_id": g, "purpose": "repair", "created_at": now}
                                      for c, g in claim_garage.items()])

        # a claim takes one open quote: a tenth of the claims stay without quotes, for the
        # garage journeys of run_load.py to quote on
        quoted_claims = claim_ids[: len(claim_ids) * 9 // 10]
        statuses = [s for s, _ in STATUS_MIX]
        status_weights = [w for _, w in STATUS_MIX]
        quote_t, line_t = Quote.__table__, QuoteLine.__table__
        first_id = (conn.execute(sa.select(sa.func.max(quote_t.c.id))).scalar() or 0) + 1
        qid = first_id
        batch = 5000
        for start in range(0, n_quotes, batch):
            q_rows, l_rows = [], []
            for _ in range(min(batch, n_quotes - start)):
                claim_id = rng.choice(quoted_claims)
                garage_id = claim_garage[claim_id]
                status = rng.choices(statuses, weights=status_weights)[0]
                created = now - timedelta(days=rng.randint(0, 360), minutes=rng.randint(0, 1440))
                total = Decimal(0)
                for pos, tpl in enumerate(rng.sample(LINE_TEMPLATES, rng.randint(2, 5))):
                    kind, part_no, name, quality, qty, (lo, hi) = tpl
                    price = quantize(Decimal(rng.randint(int(lo) * 100, int(hi) * 100)) / 100)
                    amount = quantize(Decimal(qty) * price)
                    total += amount
                    decided = status in ("approved", "rejected")
                    l_rows.append({"quote_id": qid, "position": pos, "kind": kind, "part_no": part_no, "name": name,
                                   "quality": quality, "quantity": Decimal(qty), "unit_price": price,
                                   "amount": amount, "approved_quantity": Decimal(qty) if decided else None,
                                   "approved_unit_price": price if decided else None,
                                   "approved_amount": amount if decided else None,
                                   "routed_to_specialist": False})
                submitted = status != "draft"
                submitted_at = created + timedelta(hours=1) if submitted else None
                q_rows.append({
                    "id": qid, "claim_id": claim_id, "garage_id": garage_id, "purpose": "repair", "status": status,
                    "version": 1 if status == "draft" else rng.randint(2, 5), "total_submitted": quantize(total),
                    "total_approved": quantize(total) if status == "approved" else None,
                    "submitted_at": submitted_at, "first_submitted_at": submitted_at,
                    "due_at": submitted_at + timedelta(days=rng.randint(1, 3)) if status in DESK and submitted
                    and status != "returned" else None,
                    "decided_at": submitted_at + timedelta(hours=20) if status in ("approved", "rejected") else None,
                    "desk": DESK.get(status), "return_count": 1 if status == "returned" else 0,
                    "rules_version": "2026.1", "fast_tracked": False, "sampled": False,
                    "created_by_id": creator[garage_id], "created_at": created})
                qid += 1
            conn.execute(quote_t.insert(), q_rows)
            conn.execute(line_t.insert(), l_rows)
        if conn.dialect.name == "postgresql":
            for table in ("garages_quotes", "garages_quote_lines", "claims", "claim_assignments"):
                conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                     f"(SELECT max(id) FROM {table}))")
        db.session.commit()
        if conn.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.exec_driver_sql("VACUUM ANALYZE")
                # the few rows the triggers keep (a count and a mark per garage) were rewritten
                # once per inserted quote: 5 MB of dead versions for 20 rows, read on every API
                # call. A year of ordinary traffic leaves them small (HOT updates, autovacuum);
                # a bulk load is what VACUUM FULL is for.
                c.exec_driver_sql("VACUUM FULL ANALYZE change_marks, garages_quote_counts")
        else:
            with db.engine.begin() as c:
                c.exec_driver_sql("ANALYZE")
        counts = {s: db.session.scalar(sa.select(sa.func.count()).select_from(Quote).where(Quote.status == s))
                  for s in statuses}
        total_quotes = db.session.scalar(sa.select(sa.func.count()).select_from(Quote))
        total_lines = db.session.scalar(sa.select(sa.func.count()).select_from(QuoteLine))
        db.session.remove()
        db.engine.dispose()
    return {"quotes": total_quotes, "lines": total_lines, "claims": len(claim_ids), "by_status": counts}


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, help="SQLAlchemy URL: sqlite:////tmp/x.sqlite3 or postgresql+psycopg://…")
    ap.add_argument("--quotes", type=int, default=100_000)
    ap.add_argument("--claims", type=int, default=25_000)
    ap.add_argument("--seed", type=int, default=20261121)
    args = ap.parse_args(argv)
    host = sa.engine.make_url(args.db).host
    if host not in (None, "", "127.0.0.1", "localhost", "::1"):
        raise SystemExit("the load bench only talks to a database on this machine (127.0.0.1)")
    t0 = time.perf_counter()
    recreate(args.db)
    flask(args.db, "db", "upgrade")
    flask(args.db, "demo")
    t1 = time.perf_counter()
    summary = bulk_quotes(args.db, args.quotes, args.claims, args.seed)
    t2 = time.perf_counter()
    print(f"seeded {args.db}: {summary['quotes']} quotes, {summary['lines']} lines, {summary['claims']} extra claims; "
          f"schema + demo {t1 - t0:.1f} s, bulk insert {t2 - t1:.1f} s")
    print("  by status: " + ", ".join(f"{k} {v}" for k, v in summary["by_status"].items()))
    return summary


if __name__ == "__main__":
    main()
