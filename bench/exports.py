"""Bench: an XLSX export of 200,000 rows against one of 20,000, in the same run (security review
M3): peak memory must stay flat (ratio ≤ 1.5) and time grow linearly (per-row time ratio ≤ 1.5).

Each size runs in a fresh child process (so one run's allocations never count in the other's),
streaming generated rows — text with control characters and formula-like values, money, dates —
through ``portal.exports.xlsx_response`` inside an application context, and reads the response
out in chunks as a server would. The child reports the wall time of one export, then the peak
of the memory Python allocates during a second one (``tracemalloc``).

    .venv/bin/python bench/exports.py            # prints both sizes, the ratios and ok / MISSED
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SMALL, LARGE = 20_000, 200_000

CHILD = r"""
import json, sys, tempfile, time
from datetime import datetime, timedelta, timezone
from decimal import Decimal
sys.path.insert(0, sys.argv[2])
from portal import create_app
from portal.exports import xlsx_response

n = int(sys.argv[1])
tmp = tempfile.mkdtemp()
app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/b.sqlite3",
                  "UPLOAD_FOLDER": tmp})
start_at = datetime(2026, 1, 1, tzinfo=timezone.utc)

def rows():
    for i in range(n):
        yield (i, f"上海浦东永达汽车维修有限公司 第{i}号\x07", "=HYPERLINK(\"x\")" if i % 97 == 0 else f"-{i}+3",
               Decimal(i % 100000) / 100, start_at + timedelta(minutes=i), Decimal("0.05"))

columns = [("序号", "number"), ("名称", "text"), ("备注", "text"), ("金额", "money"), ("时间", "datetime"),
           ("比率", "percent")]
import tracemalloc

with app.test_request_context():
    t0 = time.perf_counter()                     # 1. the time, untraced
    response = xlsx_response("bench.xlsx", columns, rows())
    size = sum(len(block) for block in response.response)
    elapsed = time.perf_counter() - t0
    tracemalloc.start()                          # 2. the peak of what Python holds, traced
    response = xlsx_response("bench.xlsx", columns, rows())
    for block in response.response:
        pass
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
print(json.dumps({"rows": n, "seconds": elapsed, "peak_growth_kb": peak // 1024, "bytes": size}))
"""


def run(n: int) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(n), str(ROOT)], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    small, large = run(SMALL), run(LARGE)
    mem_ratio = max(large["peak_growth_kb"], 1) / max(small["peak_growth_kb"], 1)
    time_ratio = (large["seconds"] / LARGE) / (small["seconds"] / SMALL)
    for r in (small, large):
        print(f"{r['rows']:>7} rows: {r['seconds']:6.2f} s, peak memory growth {r['peak_growth_kb'] / 1024:6.1f} MiB, "
              f"file {r['bytes'] / 1024 / 1024:5.1f} MiB")
    ok = mem_ratio <= 1.5 and time_ratio <= 1.5
    print(f"peak memory {LARGE:,} / {SMALL:,} rows: {mem_ratio:.2f} (target ≤ 1.5); "
          f"time per row: {time_ratio:.2f} (target ≤ 1.5, linear) — {'ok' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
