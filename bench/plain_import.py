"""The plain baseline of ``bench/import_prices.py --process``, run as a whole process of its own:
``csv`` + ``Decimal`` + one ``executemany`` in one transaction into an index-free table, through
the bare driver (``sqlite3``; psycopg on PostgreSQL).

    python bench/plain_import.py sqlite:///path/to.sqlite3 prices.csv
    python bench/plain_import.py postgresql://postgres@127.0.0.1:5432/db prices.csv
"""
from __future__ import annotations

import csv
import sys
from decimal import Decimal

COLUMNS = ("part_no VARCHAR(64), name VARCHAR(200), quality VARCHAR(16), make VARCHAR(100), "
           "model VARCHAR(200), unit_price BIGINT, min_order INTEGER, lead_time_days INTEGER")


def main(url: str, path: str) -> int:
    if url.startswith("sqlite:///"):
        import sqlite3

        conn, mark, key = sqlite3.connect(url[len("sqlite:///"):]), "?", "id INTEGER PRIMARY KEY"
    else:
        import psycopg

        conn, mark, key = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")), "%s", "id SERIAL PRIMARY KEY"
    cur = conn.cursor()
    cur.execute("DROP TABLE IF EXISTS bench_baseline_items")
    cur.execute(f"CREATE TABLE bench_baseline_items ({key}, {COLUMNS})")
    conn.commit()
    with open(path, encoding="gb18030", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        rows = [(r[0], r[1], r[2], r[3], r[4], int(Decimal(r[5]) * 100), int(r[6]), int(r[7])) for r in reader]
    cur.executemany("INSERT INTO bench_baseline_items (part_no, name, quality, make, model, unit_price, "
                    f"min_order, lead_time_days) VALUES ({', '.join([mark] * 8)})", rows)
    conn.commit()
    conn.close()
    print(f"{len(rows)} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
