"""Concurrent bids all land; a concurrent double award has exactly one winner (real threads)."""
from __future__ import annotations

import threading

import sqlalchemy as sa


def _run_parallel(app, calls):
    """Run ``calls`` [(method, url, headers, json)] at once; return the status codes."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(i, method, url, headers, body):
        client = app.test_client()
        barrier.wait()
        try:
            results[i] = getattr(client, method)(url, json=body, headers=headers).status_code
        except Exception as exc:  # noqa: BLE001 - reported by the assertion
            results[i] = repr(exc)

    threads = [threading.Thread(target=worker, args=(i, *c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_concurrent_bids_all_land(app, factory, vendor, open_lot):
    from plugins.salvage.models import SalvageBid, SalvageLot
    from portal.extensions import db

    lot = open_lot()
    vendors = [vendor() for _ in range(8)]
    calls = [("post", f"/api/v1/salvage-lots/{lot['id']}/bids", factory.headers(v), {"amount": str(31000 + i * 100)})
             for i, v in enumerate(vendors)]
    assert _run_parallel(app, calls) == [201] * 8
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SalvageBid)) == 8
    assert db.session.get(SalvageLot, lot["id"]).bid_count == 8


def test_concurrent_award_has_exactly_one_winner(app, factory, desk, vendor, open_lot, api_as):
    from portal.audit.models import AuditEntry
    from portal.extensions import db

    lot = open_lot()
    v = vendor()
    api_as(v).post(f"/salvage-lots/{lot['id']}/bids", json={"amount": "40000"})
    api_as(desk).post(f"/salvage-lots/{lot['id']}/close")
    other = factory.user(roles=("supervisor",))
    calls = [("post", f"/api/v1/salvage-lots/{lot['id']}/award", factory.headers(u), {}) for u in (desk, other, desk)]
    codes = _run_parallel(app, calls)
    assert sorted(codes) == [200, 409, 409], codes
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.entity == "salvage_lot", AuditEntry.action == "award")) == 1
