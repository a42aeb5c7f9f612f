"""Bench: price-list import (issue 5) against a plain Python baseline, memory as the
file grows, and the quote check's look-up against a catalog of 1,000,000 parts.

For each backend (SQLite file; PostgreSQL when it answers):

1. builds a 200,000-row CSV (and a 50,000-row one), imports it with the plugin's own
   code path (``plugins.parts_suppliers.cli.run_import``: what ``flask import-prices``
   runs: detection, streaming parse, validation, batched insert — COPY on PostgreSQL —
   duplicate check and diff) and times it;
2. times the baseline: ``csv`` + ``Decimal`` parse + one ``executemany`` in one
   transaction into an equivalent plain table; prints both times and the ratio (≤ 4);
3. prints the tracemalloc peak of the import at 50k and at 200k rows (flat = streaming)
   and the process's peak RSS;
4. fills a current catalog of 1,000,000 items, runs ``reference_prices`` for a 50-line
   quote, prints the number of SQL statements and the query plan (an index is used).

    .venv/bin/python bench/import_prices.py                  # SQLite, then PostgreSQL if up
    .venv/bin/python bench/import_prices.py --rows 200000 --catalog 1000000 --no-postgres
"""
from __future__ import annotations

import argparse
import csv
import gc
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_DATABASE = os.environ.get("BENCH_PG_DATABASE", "bench_import_prices")   # made and dropped by the bench
HEADER = ["配件编号", "配件名称", "品质", "品牌", "车型", "单价", "起订量", "供货周期"]
NAMES = ["前保险杠皮", "后保险杠皮", "左前大灯总成", "前挡风玻璃", "左前翼子板", "发动机盖", "散热器", "冷凝器"]
MAKES = [("大众", "朗逸"), ("丰田", "卡罗拉"), ("本田", "雅阁"), ("日产", "轩逸"), ("别克", "英朗")]
GRADES = ["原厂", "同质"]


def build_csv(path: Path, rows: int, seed: int = 5) -> None:
    rnd = random.Random(seed)
    with path.open("w", encoding="gb18030", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for i in range(rows):
            make, model = MAKES[i % len(MAKES)]
            w.writerow([f"BP{i // 2:08d}", NAMES[i % len(NAMES)], GRADES[i % 2], make, model,
                        f"{rnd.randint(1000, 900000) / 100:.2f}", 1, rnd.randint(1, 10)])


# --------------------------------------------------------------------------- baseline


def baseline(url: str, path: Path) -> float:
    """csv + Decimal + one executemany in one transaction, plain DBAPI."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS bench_baseline_items")
        conn.exec_driver_sql("CREATE TABLE bench_baseline_items (id INTEGER PRIMARY KEY, part_no VARCHAR(64), "
                             "name VARCHAR(200), quality VARCHAR(16), make VARCHAR(100), model VARCHAR(200), "
                             "unit_price BIGINT, min_order INTEGER, lead_time_days INTEGER)"
                             if engine.dialect.name == "sqlite" else
                             "CREATE TABLE bench_baseline_items (id SERIAL PRIMARY KEY, part_no VARCHAR(64), "
                             "name VARCHAR(200), quality VARCHAR(16), make VARCHAR(100), model VARCHAR(200), "
                             "unit_price BIGINT, min_order INTEGER, lead_time_days INTEGER)")
    raw = engine.raw_connection()
    mark = "?" if engine.dialect.name == "sqlite" else "%s"
    sql = (f"INSERT INTO bench_baseline_items (part_no, name, quality, make, model, unit_price, min_order, "
           f"lead_time_days) VALUES ({', '.join([mark] * 8)})")
    t0 = time.perf_counter()
    with path.open(encoding="gb18030", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        rows = [(r[0], r[1], r[2], r[3], r[4], int(Decimal(r[5]) * 100), int(r[6]), int(r[7])) for r in reader]
    cur = raw.cursor()
    cur.executemany(sql, rows)
    raw.commit()
    elapsed = time.perf_counter() - t0
    cur.close()
    raw.close()
    engine.dispose()
    return elapsed


# --------------------------------------------------------------------------- the plugin


def make_app(url: str, every_plugin: bool = False):
    from portal import create_app
    from portal.extensions import db

    config = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True, "WORKER_MODE": "memory"}
    if not every_plugin:
        config["PLUGINS"] = {"parts_suppliers": "plugins.parts_suppliers.hooks"}
    app = create_app(config)
    with app.app_context():
        db.create_all()
    return app


def new_supplier(name: str):
    from portal.auth.services import create_organization
    from portal.auth.uscc import uscc_with_check
    from portal.extensions import db

    org = create_organization(kind="parts_supplier", name=name,
                              uscc=uscc_with_check("91310000MA1B%05d" % random.randint(0, 99999)), region="上海")
    db.session.commit()
    return org.id


def plugin_import(path: Path, supplier_id: int, trace: bool = False) -> tuple[float, int | None]:
    from plugins.parts_suppliers.cli import run_import

    gc.collect()
    if trace:
        tracemalloc.start()
    t0 = time.perf_counter()
    pl = run_import(supplier_id, str(path))
    elapsed = time.perf_counter() - t0
    peak = None
    if trace:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert pl.rows > 0
    from portal.extensions import db

    db.session.close()
    return elapsed, peak


def fill_catalog(n: int, supplier_id: int) -> None:
    """A current list of ``n`` items (bulk, like an approved import)."""
    from plugins.parts_suppliers.models import PriceList
    from plugins.parts_suppliers.price_import import _ItemWriter
    from portal.extensions import db
    from portal.timeutil import utcnow

    pl = PriceList(supplier_id=supplier_id, list_version=1000, status="current", rows=n, approved_at=utcnow())
    db.session.add(pl)
    db.session.flush()
    writer = _ItemWriter(pl.id)
    for i in range(n):
        writer.add((i + 2, f"CAT{i:09d}", "part", "genuine", None, None, 10000 + i % 5000, None, None, None, None))
    writer.flush()
    from plugins.parts_suppliers.models import PriceListItem

    db.session.execute(sa.update(PriceListItem).where(PriceListItem.price_list_id == pl.id).values(is_current=True))
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql("ANALYZE parts_price_list_items")
    else:
        with db.engine.begin() as c:
            c.exec_driver_sql("ANALYZE")


def quote_check(n_catalog: int) -> None:
    from plugins.parts_suppliers.catalog import PriceCatalog
    from portal.extensions import db
    from tests.querycount import count_queries

    rnd = random.Random(1)
    pairs = [(f"CAT{rnd.randrange(n_catalog):09d}", "genuine") for _ in range(50)]
    catalog = PriceCatalog()
    catalog.reference_prices(pairs[:2], "上海")
    t0 = time.perf_counter()
    with count_queries() as q:
        refs = catalog.reference_prices(pairs, "上海")
    elapsed = time.perf_counter() - t0
    print(f"  quote check: reference_prices for 50 lines against {n_catalog:,} items -> "
          f"{q.count} SQL statements, {len(refs)} prices found, {elapsed * 1000:.1f} ms")
    from plugins.parts_suppliers.models import PriceList, PriceListItem
    from portal.auth.models import Organization

    i, pl, org = PriceListItem, PriceList, Organization
    sel = (sa.select(i.part_no, i.quality, i.unit_price, pl.supplier_id)
           .join(pl, pl.id == i.price_list_id).join(org, org.id == pl.supplier_id)
           .where(i.part_no.in_([p for p, _ in pairs]), i.quality.in_(["genuine"]), i.is_current.is_(True),
                  org.status == "active", org.region == "上海"))
    conn = db.session.connection()
    sql = str(sel.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    if conn.dialect.name == "sqlite":
        lines = [r[-1] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql).all()]
    else:
        lines = [r[0] for r in conn.exec_driver_sql("EXPLAIN " + sql).all()]
    print("  plan of the supplier-price query (the same statement as reference_prices runs):")
    for line in lines:
        print("    " + line)
    db.session.rollback()


def run_backend(label: str, url: str, rows: int, catalog: int) -> dict:
    print(f"\n=== {label} ===")
    tmp = Path(tempfile.mkdtemp(prefix="bench-prices-"))
    big, small = tmp / f"prices-{rows}.csv", tmp / f"prices-{rows // 4}.csv"
    build_csv(big, rows)
    build_csv(small, rows // 4)
    print(f"  file: {rows:,} rows, {big.stat().st_size / 1e6:.1f} MB (GB18030, Chinese headers)")
    app = make_app(url)
    out = {}
    with app.app_context():
        base = min(baseline(url, big) for _ in range(2))
        times = []
        for k in range(2):
            elapsed, _ = plugin_import(big, new_supplier(f"bench {k}"))
            times.append(elapsed)
        imp = min(times)
        out["ratio"] = imp / base
        print(f"  baseline (csv + Decimal + one executemany): {base:.2f} s")
        print(f"  plugin import (validate, insert, duplicates, diff): {imp:.2f} s")
        print(f"  ratio: {imp / base:.2f} (must be <= 4)")
        _, peak_small = plugin_import(small, new_supplier("bench mem small"), trace=True)
        _, peak_big = plugin_import(big, new_supplier("bench mem big"), trace=True)
        print(f"  tracemalloc peak: {peak_small / 1e6:.1f} MB at {rows // 4:,} rows, "
              f"{peak_big / 1e6:.1f} MB at {rows:,} rows")
        print(f"  peak RSS of this process so far: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
        if catalog:
            t0 = time.perf_counter()
            fill_catalog(catalog, new_supplier("bench catalog"))
            print(f"  catalog of {catalog:,} current items filled in {time.perf_counter() - t0:.1f} s")
            quote_check(catalog)
    from portal.extensions import db

    with app.app_context():
        db.engine.dispose()
    return out


# --------------------------------------------------------------------------- whole processes (issue 26)


def timed_process(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one whole child process."""
    before, t0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    wall, after = time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise RuntimeError(f"{' '.join(command[1:3])} failed: {done.stdout[-500:]} {done.stderr[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def run_processes(label: str, url: str, rows: int, runs: int = 2) -> dict:
    """``flask --app portal import-prices`` as a whole process (start-up, every plugin, the
    import, the commit) against ``bench/plain_import.py`` as a whole process, alternating."""
    print(f"\n=== {label}: whole processes ===")
    tmp = Path(tempfile.mkdtemp(prefix="bench-prices-proc-"))
    path = tmp / f"prices-{rows}.csv"
    build_csv(path, rows)
    app = make_app(url, every_plugin=True)
    with app.app_context():
        suppliers = [new_supplier(f"bench process {k}") for k in range(runs + 1)]
        from portal.extensions import db

        db.engine.dispose()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE" and not k.startswith("PORTAL_")}
    env.update(PYTHONPATH=str(ROOT), PORTAL_SQLALCHEMY_DATABASE_URI=url, PORTAL_SECRET_KEY="bench",
               PORTAL_WORKER_MODE="memory")
    flask = str(Path(sys.executable).with_name("flask"))

    def portal_cmd(supplier: int) -> list[str]:
        return [flask, "--app", "portal", "import-prices", "--supplier", str(supplier), str(path)]

    plain_cmd = [sys.executable, str(ROOT / "bench" / "plain_import.py"), url, str(path)]
    timed_process(plain_cmd, env)                       # warm-up: page cache, bytecode
    timed_process(portal_cmd(suppliers[-1]), env)
    portal, plain = [], []
    for k in range(runs):
        plain.append(timed_process(plain_cmd, env))
        portal.append(timed_process(portal_cmd(suppliers[k]), env))
    best_portal, best_plain = min(portal), min(plain)
    ratio = best_portal[0] / best_plain[0]
    print(f"  plain process (csv + Decimal + one executemany): {best_plain[0]:.2f} s wall, {best_plain[1]:.2f} s CPU")
    print(f"  flask --app portal import-prices:                 {best_portal[0]:.2f} s wall, {best_portal[1]:.2f} s CPU")
    print(f"  ratio (wall): {ratio:.2f}; CPU: {best_portal[1] / best_plain[1]:.2f}")
    return {"ratio": ratio}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--catalog", type=int, default=1_000_000)
    ap.add_argument("--no-postgres", action="store_true")
    ap.add_argument("--process", action="store_true",
                    help="time whole processes: flask --app portal import-prices against bench/plain_import.py")
    args = ap.parse_args()
    if args.process:
        return processes(args)
    results = {}
    tmp = Path(tempfile.mkdtemp(prefix="bench-prices-db-"))
    results["sqlite"] = run_backend("SQLite", f"sqlite:///{tmp / 'bench.sqlite3'}", args.rows, args.catalog)
    if not args.no_postgres:
        url = postgres_database()
        if url is not None:
            results["postgres"] = run_backend("PostgreSQL", url, args.rows, args.catalog)
            drop_postgres_database()
    bad = {k: round(v["ratio"], 2) for k, v in results.items() if v["ratio"] > 4}
    print("\nratio <= 4 on every backend" if not bad else f"\nratio above 4: {bad}")
    return 1 if bad else 0


def postgres_database() -> str | None:
    """A fresh ``PG_DATABASE`` database, or ``None`` when PostgreSQL does not answer."""
    try:
        admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
            c.exec_driver_sql(f'CREATE DATABASE "{PG_DATABASE}"')
        admin.dispose()
    except Exception as exc:  # noqa: BLE001 - PostgreSQL is optional here
        print(f"\n(PostgreSQL not reachable: {exc.__class__.__name__}; skipped)")
        return None
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + PG_DATABASE


def drop_postgres_database() -> None:
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
    admin.dispose()


def processes(args) -> int:
    """Targets (issue 26): ratio ≤ 2 on SQLite; the COPY path no slower than the plain baseline on
    PostgreSQL (ratio ≤ 1)."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-prices-db-"))
    targets = {"sqlite": 2.0}
    results = {"sqlite": run_processes("SQLite", f"sqlite:///{tmp / 'bench.sqlite3'}", args.rows)}
    if not args.no_postgres:
        url = postgres_database()
        if url is not None:
            targets["postgres"] = 1.0
            results["postgres"] = run_processes("PostgreSQL", url, args.rows)
            drop_postgres_database()
    bad = {k: round(v["ratio"], 2) for k, v in results.items() if v["ratio"] > targets[k]}
    print("\nevery ratio within its target" if not bad else f"\nabove target: {bad}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
