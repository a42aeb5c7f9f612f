"""Faults and races (issue 9): idempotent replays under parallel requests, concurrent
price-list approvals, and a worker killed in the middle of an import."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import ROOT, database_kind


def _parallel(app, n, call):
    """Run ``call(client)`` in ``n`` threads at once, each with its own app context."""
    from portal.extensions import db

    db.session.commit()
    db.session.remove()        # hold no transaction (and no SQLite lock) while they run
    barrier = threading.Barrier(n)
    results = [None] * n

    def worker(i):
        with app.app_context():
            client = app.test_client()
            barrier.wait()
            try:
                results[i] = call(client)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_idempotent_replays_under_parallel_requests(app, factory):
    from portal.auth.models import Organization
    from portal.extensions import db

    headers = dict(factory.headers(factory.admin()), **{"Idempotency-Key": "parallel-1"})
    body = {"kind": "garage", "name": "Parallel Garage", "uscc": factory.uscc(), "region": "上海"}
    results = _parallel(app, 6, lambda c: (lambda r: (r.status_code, r.get_json()))(
        c.post("/api/v1/organizations", json=body, headers=headers)))
    statuses = [s for s, _ in results]
    assert statuses == [201] * 6, statuses               # the others waited for the first and replayed it
    created = [b for s, b in results if s == 201]
    assert all(b == created[0] for b in created)        # replays return the first response
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Organization)
                              .where(Organization.name == "Parallel Garage"))
    assert count == 1


def test_concurrent_price_list_approvals_one_wins(app, factory, api_as):
    pytest.importorskip("plugins.parts_suppliers.hooks")
    from tests.plugins.parts_suppliers.helpers import csv_bytes, good_rows, upload

    supplier = factory.org("parts_supplier", region="上海")
    user = factory.user(supplier, roles=("partner_admin",))
    pl = upload(api_as(user), csv_bytes(good_rows(5))).get_json()
    pricing_headers = factory.headers(factory.user(roles=("pricing",)))
    results = _parallel(app, 4, lambda c: c.post(f"/api/v1/price-lists/{pl['id']}/approve", json={},
                                                 headers=pricing_headers).status_code)
    assert sorted(results).count(200) == 1 and all(s == 409 for s in results if s != 200), results
    from portal.audit.models import AuditEntry
    from portal.extensions import db

    approvals = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.entity == "price_list", AuditEntry.entity_id == str(pl["id"]), AuditEntry.action == "approve"))
    assert approvals == 1


def test_worker_killed_mid_import_leaves_nothing(app, factory, tmp_path):
    """``flask import-prices`` killed with SIGKILL while it writes: one transaction, so
    no list and no item of it remains."""
    pytest.importorskip("plugins.parts_suppliers.hooks")
    from plugins.parts_suppliers.models import PriceList, PriceListItem
    from portal.extensions import db

    supplier_id = factory.org("parts_supplier", region="上海").id
    db.session.commit()
    big = tmp_path / "big.csv"
    with big.open("w", encoding="utf-8") as f:
        f.write("part_no,name,quality,make,model,unit_price,min_order,lead_time_days\n")
        for i in range(60_000):
            f.write(f"K{i:07d},part {i},genuine,VW,Lavida,{100 + i % 900}.50,1,3\n")
    env = dict(os.environ, PORTAL_SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
               PORTAL_SECRET_KEY="test", PORTAL_PLUGINS='{"parts_suppliers": "plugins.parts_suppliers.hooks"}')
    db.session.remove()
    proc = subprocess.Popen([sys.executable, "-m", "tests.core.import_worker", str(supplier_id), str(big)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    line = b""
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        line = proc.stdout.readline()
        if line.startswith((b"HALF", b"DONE")):
            break
    assert line.startswith(b"HALF"), (line, proc.poll())
    # half the rows are written inside the import's transaction: kill it without warning
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)
    lists = db.session.scalar(sa.select(sa.func.count()).select_from(PriceList).where(
        PriceList.supplier_id == supplier_id))
    items = db.session.scalar(sa.select(sa.func.count()).select_from(PriceListItem))
    assert (lists, items) == (0, 0)
    assert database_kind() in ("sqlite", "postgres")
