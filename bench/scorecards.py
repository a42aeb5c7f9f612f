"""Bench: scorecards for 2,000 partners over one period (issue 8: within 60 s with
500,000 quote lines).

Builds a fresh database (SQLite file by default, or ``--db URL``) with 2,000 active
partners of mixed kinds and ``--lines`` synthetic quote lines in a bench-only table,
registers a bench metric plugin whose metrics are computed in SQL (one GROUP BY per
metric, for all partners of a kind at once), runs ``compute_scorecards`` for one period
and prints the time.

``--use-registered`` skips the synthetic data and the bench plugin and uses the metrics
of the installed plugins instead (point ``--db`` at a database that holds their data).

    .venv/bin/python bench/scorecards.py                 # SQLite, 500,000 lines
    .venv/bin/python bench/scorecards.py --db postgresql+psycopg://postgres@127.0.0.1/bench_scorecards
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal.evaluations.metrics import Bracket, MetricDefinition  # noqa: E402
from portal.hookspecs import hookimpl  # noqa: E402

KINDS = [("garage", 1200), ("parts_supplier", 300), ("salvage_vendor", 300), ("law_firm", 200)]
PERIOD = "2026-03"
bench_meta = sa.MetaData()
lines = sa.Table(
    "bench_quote_lines", bench_meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("organization_id", sa.Integer, nullable=False),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("submitted_fen", sa.BigInteger, nullable=False),
    sa.Column("approved_fen", sa.BigInteger, nullable=False),
    sa.Column("returned", sa.Boolean, nullable=False),
    sa.Column("supplement", sa.Boolean, nullable=False),
    sa.Column("days_to_quote", sa.Integer, nullable=False),
    sa.Index("ix_bench_quote_lines_day_org", "day", "organization_id"),
)


def B(lo, hi, pts):
    return Bracket(None if lo is None else Decimal(lo), None if hi is None else Decimal(hi), Decimal(pts))


class BenchMetrics:
    """Metrics over the bench table, one aggregate query each (GROUP BY organization)."""

    def __init__(self, db):
        self.db = db
        self.queries = 0

    def _agg(self, expr):
        def compute(start, end, org_ids):
            self.queries += 1
            rows = self.db.session.execute(
                sa.select(lines.c.organization_id, expr)
                .where(lines.c.day >= start, lines.c.day <= end, lines.c.organization_id.in_(org_ids))
                .group_by(lines.c.organization_id)).all()
            return {org: (None if v is None else Decimal(str(v)).quantize(Decimal("0.000001"))) for org, v in rows}
        return compute

    @hookimpl
    def portal_evaluation_metrics(self):
        c = lines.c
        reduction = 1 - sa.func.sum(c.approved_fen) * 1.0 / sa.func.nullif(sa.func.sum(c.submitted_fen), 0)
        returns = sa.func.avg(sa.case((c.returned, 1.0), else_=0.0))
        supplements = sa.func.avg(sa.case((c.supplement, 1.0), else_=0.0))
        speed = sa.func.avg(c.days_to_quote * 1.0)
        low = [B(None, "0.05", 100), B("0.05", "0.10", 80), B("0.10", "0.20", 50), B("0.20", None, 0)]
        days = [B(None, "1", 100), B("1", "2", 80), B("2", "4", 50), B("4", None, 0)]
        out = [
            MetricDefinition("bench.garage.reduction_rate", "garage", "Reduction rate", self._agg(reduction), low, Decimal(40)),
            MetricDefinition("bench.garage.return_rate", "garage", "Return rate", self._agg(returns), low, Decimal(25)),
            MetricDefinition("bench.garage.supplement_rate", "garage", "Supplement rate", self._agg(supplements), low,
                             Decimal(20)),
            MetricDefinition("bench.garage.days_to_quote", "garage", "Days to first quote", self._agg(speed), days,
                             Decimal(15), unit="days"),
        ]
        for kind, _ in KINDS[1:]:
            out += [
                MetricDefinition(f"bench.{kind}.price_position", kind, "Price position", self._agg(reduction), low,
                                 Decimal(60)),
                MetricDefinition(f"bench.{kind}.on_time", kind, "On time", self._agg(speed), days, Decimal(40),
                                 unit="days"),
            ]
        return out


def fresh_url(arg: str | None) -> str:
    if arg:
        url = sa.engine.make_url(arg)
        if url.get_backend_name() == "postgresql":
            admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
                conn.exec_driver_sql(f'CREATE DATABASE "{url.database}"')
            admin.dispose()
        return arg
    return f"sqlite:///{Path(tempfile.mkdtemp(prefix='bench-scorecards-')) / 'bench.sqlite3'}"


def build(db, n_lines: int, seed: int) -> None:
    from portal.auth.models import Organization

    rng = random.Random(seed)
    orgs = [{"kind": "insurer", "name": "Bench insurer", "uscc": "BENCH0000000000000", "region": "上海",
             "status": "active", "version": 1}]
    regions = ["上海", "北京", "广州", "深圳", "杭州", "南京", "成都", "武汉"]
    for kind, count in KINDS:
        for i in range(count):
            orgs.append({"kind": kind, "name": f"{kind} {i:04d}", "uscc": f"B{kind[:3].upper()}{i:014d}"[:18],
                         "region": rng.choice(regions), "status": "active", "version": 1})
    from portal.timeutil import utcnow

    now = utcnow()
    db.session.execute(Organization.__table__.insert(), [dict(o, created_at=now) for o in orgs])
    partner_ids = db.session.scalars(sa.select(Organization.id).where(Organization.kind != "insurer")).all()
    start = date(2026, 3, 1)
    batch = []
    for i in range(n_lines):
        org = partner_ids[i % len(partner_ids)]
        submitted = rng.randint(5_000, 800_000)
        cut = rng.choice((0, 0, 0, 0.02, 0.05, 0.1, 0.3)) * (1 + (org % 7) / 10)
        batch.append({"organization_id": org, "day": start + timedelta(days=rng.randint(0, 30)),
                      "submitted_fen": submitted, "approved_fen": int(submitted * (1 - min(cut, 0.9))),
                      "returned": rng.random() < 0.05 + (org % 5) / 50, "supplement": rng.random() < 0.08,
                      "days_to_quote": rng.randint(0, 2 + org % 4)})
        if len(batch) == 50_000:
            db.session.execute(lines.insert(), batch)
            batch = []
    if batch:
        db.session.execute(lines.insert(), batch)
    db.session.commit()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", help="database URL (a PostgreSQL database of this name is recreated)")
    parser.add_argument("--lines", type=int, default=500_000)
    parser.add_argument("--period", default=PERIOD)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--use-registered", action="store_true",
                        help="use the installed plugins' metrics on an existing database instead of the bench data")
    args = parser.parse_args(argv)

    from portal import create_app
    from portal.extensions import db
    from portal.plugins import get_pm

    if args.use_registered:
        app = create_app({"SQLALCHEMY_DATABASE_URI": args.db} if args.db else None)
    else:
        app = create_app({"SQLALCHEMY_DATABASE_URI": fresh_url(args.db), "PLUGINS": {}, "SECRET_KEY": "bench"})
    with app.app_context():
        if not args.use_registered:
            db.create_all()
            bench_meta.create_all(db.engine)
            t0 = time.perf_counter()
            build(db, args.lines, args.seed)
            print(f"built 2,000 partners and {args.lines:,} quote lines in {time.perf_counter() - t0:.1f} s "
                  f"({db.engine.dialect.name})")
            plugin = BenchMetrics(db)
            get_pm(app).register(plugin, name="bench_metrics")
        from portal.evaluations.engine import compute_scorecards

        for run in ("first run", "recompute"):
            t0 = time.perf_counter()
            summary = compute_scorecards(args.period)
            db.session.commit()
            elapsed = time.perf_counter() - t0
            print(f"{run}: {summary['scorecards']:,} scorecards for {summary['period']} in {elapsed:.2f} s "
                  f"(grades {summary['grades']}, grade changes {summary['grade_changes']}, "
                  f"replaced {summary['replaced']})")
        if not args.use_registered:
            print(f"metric queries: {plugin.queries} (one per metric per run)")
        print("target: 60 s —", "OK" if elapsed <= 60 else "TOO SLOW")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
