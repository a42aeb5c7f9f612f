"""The quote lists' kept pages (portal.db.page_cache under the change marks of
portal.db.changes, read by plugins/garages/quote_stats.py): answered without
reading the rows again while nothing behind them changed, and never out of date — whatever
writes (the API, SQL behind the application's back, a claim's risk colour, the clock)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from portal.db.page_cache import PageCache
from tests.conftest import database_kind
from tests.querycount import count_queries

from .conftest import create, make_claim, part

QUEUE = "/quotes?status=submitted"


def _statements(counter) -> list[str]:
    return [" ".join(s.split()) for s in counter.statements]


def test_a_repeated_page_reads_only_the_marks(people, garage_api, api_as):
    from portal.extensions import db

    claim = make_claim(people.garage, color="yellow")
    create(garage_api, claim, [part()], submit=True)
    staff = api_as(people.assessor)
    first = staff.get(QUEUE)
    assert first.status_code == 200 and first.get_json()["total"] == 1
    with count_queries(db.engine) as counter:
        again = staff.get(QUEUE)
    assert again.status_code == 200 and again.data == first.data
    statements = _statements(counter)
    # one statement: the page's marks, and in it the marks that confirm the worker's kept
    # principal (portal/auth/principal.py) — no token, no quotes, no count
    assert len(statements) == 1, counter
    assert "change_marks" in statements[0] and "api_tokens" not in statements[0]
    assert not any("garages_quotes " in s for s in statements)
    assert again.headers["Cache-Control"] == "private, no-cache"   # kept by the portal, never by a proxy


def test_a_change_through_the_api_shows_at_once(people, garage_api, api_as):
    claim = make_claim(people.garage, color="yellow")
    q = create(garage_api, claim, [part(price="800.00")], submit=True)
    staff = api_as(people.assessor2)
    before = staff.get(QUEUE).get_json()
    assert [i["id"] for i in before["items"]] == [q["id"]]
    version = staff.get(f"/quotes/{q['id']}").get_json()["version"]
    r = staff.post(f"/quotes/{q['id']}/decisions", json={"action": "approve", "version": version})
    assert r.status_code == 200, r.get_json()
    after = staff.get(QUEUE).get_json()
    assert after["items"] == [] and after["total"] == 0
    mine = garage_api.get("/quotes").get_json()["items"]
    assert mine[0]["status"] == "approved" and mine[0]["total_approved"] == "800.00"


def test_a_change_behind_the_applications_back_shows_at_once(people, garage_api, api_as):
    """Written by plain SQL (an import, a console): the triggers renew the marks all the same."""
    from portal.extensions import db

    claim = make_claim(people.garage, color="yellow")
    q = create(garage_api, claim, [part()], submit=True)
    staff = api_as(people.assessor)
    assert staff.get(QUEUE).get_json()["items"][0]["total_submitted"] == "800.00"
    db.session.execute(sa.text("UPDATE garages_quotes SET total_submitted = 12345 WHERE id = :id"), {"id": q["id"]})
    db.session.commit()
    assert staff.get(QUEUE).get_json()["items"][0]["total_submitted"] == "123.45"
    db.session.execute(sa.text("UPDATE garages_quotes SET status = 'rejected' WHERE id = :id"), {"id": q["id"]})
    db.session.commit()
    assert staff.get(QUEUE).get_json() == {"items": [], "page": 1, "per_page": 50, "total": 0}


def test_a_claims_risk_colour_shows_at_once(people, garage_api, api_as):
    from portal.extensions import db

    claim = make_claim(people.garage, color="yellow")
    create(garage_api, claim, [part()], submit=True)
    staff = api_as(people.assessor)
    assert staff.get(QUEUE).get_json()["items"][0]["risk_color"] == "yellow"
    assert garage_api.get("/quotes").get_json()["items"][0]["risk_color"] == "yellow"
    claim.risk_color = "red"
    db.session.commit()
    assert staff.get(QUEUE).get_json()["items"][0]["risk_color"] == "red"
    assert garage_api.get("/quotes").get_json()["items"][0]["risk_color"] == "red"


def test_a_deadline_passing_makes_the_kept_page_old(people, garage_api, api_as, monkeypatch):
    import plugins.garages.services.quotes as quotes
    import portal.db.page_cache as page_cache

    claim = make_claim(people.garage, color="yellow")
    q = create(garage_api, claim, [part()], submit=True)
    staff = api_as(people.assessor)
    item = staff.get(QUEUE).get_json()["items"][0]
    assert item["overdue"] is False
    due = datetime.fromisoformat(item["due_at"])
    later = due.astimezone(timezone.utc) + timedelta(seconds=1)
    monkeypatch.setattr(page_cache, "utcnow", lambda: later)
    monkeypatch.setattr(quotes, "utcnow", lambda: later)   # where the page computes ``overdue``
    item = staff.get(QUEUE).get_json()["items"][0]
    assert item["id"] == q["id"] and item["overdue"] is True


def test_partners_pages_are_their_own_and_others_changes_leave_them_kept(people, garage_api, api_as):
    from portal.extensions import db

    mine = create(garage_api, make_claim(people.garage, color="yellow"), [part()])
    other_api = api_as(people.other_user)
    theirs = create(other_api, make_claim(people.other_garage, color="yellow"), [part()])
    assert [i["id"] for i in garage_api.get("/quotes").get_json()["items"]] == [mine["id"]]
    assert [i["id"] for i in other_api.get("/quotes").get_json()["items"]] == [theirs["id"]]
    # the other garage's change does not touch this garage's marks: its page stays kept
    other_api.post(f"/quotes/{theirs['id']}/submit", json={})
    with count_queries(db.engine) as counter:
        again = garage_api.get("/quotes").get_json()
    assert [i["id"] for i in again["items"]] == [mine["id"]] and len(counter.statements) == 1, counter
    # staff asking for one garage: that garage's marks, on their own
    staff = api_as(people.assessor)
    assert [i["id"] for i in staff.get(f"/quotes?garage_id={people.other_garage.id}").get_json()["items"]] \
        == [theirs["id"]]
    db.session.execute(sa.text("UPDATE garages_quotes SET total_submitted = 100 WHERE id = :id"), {"id": theirs["id"]})
    db.session.commit()
    item = staff.get(f"/quotes?garage_id={people.other_garage.id}").get_json()["items"][0]
    assert item["id"] == theirs["id"] and item["total_submitted"] == "1.00"
    # a garage asking for another's quotes by filter still sees only its own
    assert [i["id"] for i in garage_api.get(f"/quotes?garage_id={people.other_garage.id}").get_json()["items"]] \
        == [mine["id"]]


def test_overdue_lists_are_never_kept(people, garage_api, api_as):
    from portal.extensions import db

    create(garage_api, make_claim(people.garage, color="yellow"), [part()], submit=True)
    staff = api_as(people.assessor)
    staff.get("/quotes?overdue=true")
    with count_queries(db.engine) as counter:
        staff.get("/quotes?overdue=true")
    assert any("FROM garages_quotes JOIN claims" in " ".join(s.split()) for s in counter.statements), counter


@pytest.mark.parametrize("size", [0, 512])
def test_the_answers_are_the_same_with_the_cache_off(app, people, garage_api, api_as, size, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_CACHE_SIZE", size)
    app.extensions.pop("portal_page_caches", None)
    try:
        claims = [make_claim(people.garage, color="yellow") for _ in range(3)]
        ids = [create(garage_api, c, [part()], submit=True)["id"] for c in claims]
        staff = api_as(people.assessor)
        pages = [staff.get(f"{QUEUE}&per_page=2&page={n}").get_json() for n in (1, 2, 1, 2)]
        assert [i["id"] for i in pages[0]["items"] + pages[1]["items"]] == ids
        assert pages[0] == pages[2] and pages[1] == pages[3] and pages[0]["total"] == 3
    finally:
        app.extensions.pop("portal_page_caches", None)


def test_page_cache_keeps_the_recent_pages_under_their_marks():
    now = datetime(2026, 11, 29, tzinfo=timezone.utc)
    cache = PageCache(size=2)
    cache.put("a", (1, 10), None, b"A")
    cache.put("b", (1, 20), now + timedelta(minutes=5), b"B")
    assert cache.get("a", (1, 10), now) == b"A"
    assert cache.get("a", (1, 11), now) is None                       # the marks moved
    assert cache.get("b", (1, 20), now + timedelta(minutes=4)) == b"B"
    assert cache.get("b", (1, 20), now + timedelta(minutes=5)) is None  # its time came
    assert cache.get("a", (1, 10), now) == b"A"
    cache.put("c", (2, 30), None, b"C")                                 # "a" was used last: "b" goes
    assert cache.get("b", (1, 20), now) is None and cache.get("a", (1, 10), now) == b"A"
    off = PageCache(size=0)
    off.put("a", (1, 10), None, b"A")
    assert off.get("a", (1, 10), now) is None


@pytest.mark.skipif(database_kind() != "postgres", reason="row locks: PostgreSQL (SQLite has one writer at a time)")
def test_a_garages_count_and_mark_rows_are_locked_only_for_the_commit(app, people):
    """Two transactions writing quotes of one garage do not wait for each other: the rows
    they share (its counts, its mark) are changed by deferred triggers, at the commit."""
    from portal.extensions import db

    claim = make_claim(people.garage, color="yellow")
    ids = {"c": claim.id, "g": people.garage.id}
    db.session.remove()
    insert = sa.text("INSERT INTO garages_quotes (claim_id, garage_id, purpose, status, version, total_submitted, "
                     "desk, return_count, fast_tracked, sampled, created_at, updated_at) "
                     "VALUES (:c, :g, 'repair', 'draft', 1, 0, NULL, 0, false, false, now(), now())")
    with db.engine.connect() as first, db.engine.connect() as second:
        first.execute(insert, ids)                        # not committed yet
        second.exec_driver_sql("SET lock_timeout = '1s'")
        second.execute(insert, ids)                       # would wait for the first's row locks
        second.commit()
        first.commit()
    with db.engine.connect() as conn:
        n = conn.execute(sa.text("SELECT n FROM garages_quote_counts WHERE garage_id = :g AND status = 'draft'"),
                         ids).scalar_one()
    assert n == 2


def test_the_marks_cover_every_table_a_list_row_reads():
    """A column added to the quote summary from a table nobody watches would serve stale
    pages: every table of the summary's columns is watched, in the scope the lists read."""
    from plugins.garages import quote_stats
    from plugins.garages.services.quotes import SUMMARY_COLUMNS
    from portal.db.changes import WATCHES

    tables = {column.table.name for column in SUMMARY_COLUMNS}
    assert tables == {"garages_quotes", "claims"}
    assert tables <= set(quote_stats.SUMMARY_SOURCES)
    watched = {w.table: w.scope for w in WATCHES.values()}
    assert {t: watched.get(t) for t in tables} == {t: quote_stats.SUMMARY_SOURCES[t] for t in tables}


def test_a_claims_other_column_changed_behind_the_back_shows_at_once(people, garage_api, api_as):
    """Any column of a claim, not only its number and colour: the claims' mark is renewed."""
    from portal.extensions import db

    claim = make_claim(people.garage, color="yellow")
    create(garage_api, claim, [part()], submit=True)
    staff = api_as(people.assessor)
    assert staff.get(QUEUE).get_json()["items"][0]["claim_no"] == claim.claim_no
    db.session.execute(sa.text("UPDATE claims SET claim_no = 'RDAA2099000000000001' WHERE id = :id"), {"id": claim.id})
    db.session.commit()
    assert staff.get(QUEUE).get_json()["items"][0]["claim_no"] == "RDAA2099000000000001"
