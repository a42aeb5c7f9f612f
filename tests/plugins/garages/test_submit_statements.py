"""Submitting a quote runs a fixed number of SQL statements, whatever its line count: the
checks of every line, the deadline, the audit and the answer come from what is loaded (issue 26)."""
from __future__ import annotations

from .conftest import add_photo, create, line, make_claim, part

# Counted for the whole POST /quotes/<id>/submit (authentication included): a test that fails
# when a change adds a statement per line, or adds statements at all. PostgreSQL runs one more:
# the claim's row lock (``SELECT … FOR UPDATE``, plugins/garages/controls.py lock_claim), which
# SQLite's one writer at a time makes unnecessary.
SUBMIT_STATEMENTS = {"sqlite": 26, "postgresql": 27}


def _lines(n: int) -> list[dict]:
    out = []
    for i in range(n):
        if i % 3 == 0:
            out.append(line("labor", f"拆装 {i}", "1", "80.00"))
        else:
            out.append(part(part_no=f"1K0{i:06d}", name=f"配件 {i}", price=f"{100 + i}.00"))
    return out


def _submit_statements(api, people, n: int) -> tuple[int, list[str], dict]:
    from tests.querycount import count_queries

    claim = make_claim(people.garage, color="yellow")
    quote = create(api, claim, _lines(n))
    add_photo(api, quote["id"])
    with count_queries() as counter:
        r = api.post(f"/quotes/{quote['id']}/submit", json={})
    assert r.status_code == 200, r.get_json()
    return counter.count, counter.statements, r.get_json()


def test_a_50_line_submission_runs_as_many_statements_as_a_5_line_one(people, garage_api):
    small, _, _ = _submit_statements(garage_api, people, 5)
    count, statements, body = _submit_statements(garage_api, people, 50)
    assert body["status"] in ("submitted", "approved") and len(body["lines"]) == 50
    assert len(body["findings"]) >= 25, body["findings"]   # stored in one statement, answered in order
    ids = [f["id"] for f in body["findings"] if "id" in f]
    assert ids == sorted(ids)
    assert count == small, "\n".join(statements)
    from portal.extensions import db

    limit = SUBMIT_STATEMENTS[db.engine.dialect.name]
    assert count <= limit, f"{count} statements:\n" + "\n".join(statements)
