"""A change through the API is answered from inside its own transaction (portal.api.answer):
one transaction per change — on SQLite one wait for the write lock, not two — and the
answer is what was committed."""
from __future__ import annotations

import sqlalchemy as sa

from .conftest import add_photo, create, make_claim, part


def _transactions(app, call):
    from portal.extensions import db

    begins = []
    listener = lambda conn: begins.append(1)   # noqa: E731
    sa.event.listen(db.engine, "begin", listener)
    try:
        response = call()
    finally:
        sa.event.remove(db.engine, "begin", listener)
    return response, len(begins)


def test_creating_and_changing_a_draft_is_one_transaction_each(app, people, garage_api):
    from portal.extensions import db

    claim_no = make_claim(people.garage, color="yellow").claim_no
    db.session.remove()
    r, n = _transactions(app, lambda: garage_api.post(f"/claims/{claim_no}/quotes",
                                                      json={"lines": [part()], "submit": False}))
    assert r.status_code == 201 and n == 1, (r.get_json(), n)
    q = r.get_json()
    r, n = _transactions(app, lambda: garage_api.post(f"/quotes/{q['id']}/lines", json={
        "lines": [part(price="900.00")], "version": q["version"]}))
    assert r.status_code == 200 and n == 1, (r.get_json(), n)
    answered = r.get_json()
    assert answered["total_submitted"] == "900.00" and answered["version"] == q["version"] + 1
    assert garage_api.get(f"/quotes/{q['id']}").get_json() == answered       # what was committed


def test_a_decision_is_its_transaction_and_the_notifications(app, people, garage_api, api_as):
    from portal.extensions import db

    q = create(garage_api, make_claim(people.garage, color="yellow"), [part()], submit=True)
    staff = api_as(people.assessor2)
    version = staff.get(f"/quotes/{q['id']}").get_json()["version"]
    db.session.remove()
    r, n = _transactions(app, lambda: staff.post(f"/quotes/{q['id']}/decisions",
                                                 json={"action": "approve", "version": version}))
    assert r.status_code == 200 and r.get_json()["status"] == "approved"
    assert n == 2, n     # the decision; the garage's notification (after commit, in its own)
    assert staff.get(f"/quotes/{q['id']}").get_json() == r.get_json()


def test_a_refused_change_leaves_nothing_and_answers_the_envelope(app, people, garage_api):
    q = create(garage_api, make_claim(people.garage, color="yellow"), [part()])
    r = garage_api.post(f"/quotes/{q['id']}/lines", json={"lines": [part(qty="0")], "version": q["version"]})
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "invalid"
    assert garage_api.get(f"/quotes/{q['id']}").get_json()["total_submitted"] == q["total_submitted"]


def test_each_answer_is_the_committed_quote_without_reading_it_again(app, people, garage_api, api_as):
    """The answer of a change is the quote as it stands after the UPDATE … RETURNING
    (portal.db.records.update_record) and the collections the change went through (a new
    quote starts with none; decisions and photos written join theirs when loaded), so nothing
    is read again. The answer must still equal
    what a fresh read gives — new order of lines, findings, decisions, adjusted lines — and
    the statements of each change stay few (counted, so that a re-read creeping back fails)."""
    from portal.extensions import db
    from tests.querycount import count_queries

    claim_no = make_claim(people.garage, color="yellow").claim_no
    staff = api_as(people.assessor2)
    db.session.remove()
    with count_queries(db.engine) as created:
        q = garage_api.post(f"/claims/{claim_no}/quotes", json={"lines": [
            part(), part(part_no="5G0941005", name="左前大灯", price="1200.00")], "submit": False}).get_json()
    assert q["status"] == "draft" and [ln["part_no"] for ln in q["lines"]] == ["1K0807221", "5G0941005"]
    # no finding, decision or photo to read back; the claim's controls (docs/review-controls.md)
    # add the garage's open chain, the claim's repair total in the answer and, on PostgreSQL,
    # the claim's row lock; quote.created looks up the garage's webhook endpoints in the same
    # transaction (portal/ops/webhooks.py, record_deliveries): one statement
    assert created.count <= 11, created
    first, second = q["lines"]
    # the garage puts the second line first and changes the price of the first
    r = garage_api.post(f"/quotes/{q['id']}/lines", json={"version": q["version"], "lines": [
        {**part(part_no="5G0941005", name="左前大灯", price="1200.00"), "id": second["id"]},
        {**part(price="850.00"), "id": first["id"]}]})
    assert r.status_code == 200
    answered = r.get_json()
    assert [ln["id"] for ln in answered["lines"]] == [second["id"], first["id"]]
    assert answered == garage_api.get(f"/quotes/{q['id']}").get_json()
    add_photo(garage_api, q["id"])   # a submission needs its damage photo
    db.session.remove()
    with count_queries(db.engine) as submitted:
        r = garage_api.post(f"/quotes/{q['id']}/submit", json={"version": answered["version"]})
    assert r.status_code == 200, r.get_json()
    answered = r.get_json()
    assert answered["status"] == "submitted" and answered["version"] == q["version"] + 2
    assert [d["action"] for d in answered["decisions"]] == ["submit"]
    assert answered == garage_api.get(f"/quotes/{q['id']}").get_json()
    # + the claim's lock, its standing, the answer's total; the owner of the review (一人终审): the
    # reviewers, their open reviews and the quote's assignee written; the claim's other quotes for
    # TOTAL_LOSS_SUSPECTED; the major-case register's one statement over every area's amounts; the
    # quote's photos (the damage-photo minimum and the photo checks) and their matches (one statement);
    # quote.submitted's webhook endpoints of the garage, in the same transaction (one statement)
    assert submitted.count <= 27, submitted
    lines = answered["lines"]
    db.session.remove()
    with count_queries(db.engine) as decided:
        r = staff.post(f"/quotes/{q['id']}/decisions", json={
            "action": "approve", "version": answered["version"],
            "lines": [{"id": lines[1]["id"], "approved_unit_price": "800.00", "reason": "PRICE_HIGH"}]})
    assert r.status_code == 200, r.get_json()
    answered = r.get_json()
    assert answered["status"] == "approved" and answered["total_approved"] == "2000.00"
    assert [d["action"] for d in answered["decisions"]] == ["submit", "approve"]
    assert answered == staff.get(f"/quotes/{q['id']}").get_json()
    # + the claim's lock, its standing, the answer's total, the major-case register's one statement
    assert decided.count <= 17, decided


def test_a_quote_created_and_fast_tracked_answers_both_decisions_as_committed(app, people, garage_api, catalog,
                                                                              no_photo_minimum):
    """Created with ``submit: true`` and fast-tracked: the two decisions written by quote_id
    (the garage's submit, the system's approval) joined the new quote's collection in order,
    and the answer — read from nothing but what the change wrote — equals a fresh read."""
    from portal.extensions import db
    from tests.querycount import count_queries

    claim_no = make_claim(people.garage, color="blue").claim_no
    db.session.remove()
    with count_queries(db.engine) as counted:
        r = garage_api.post(f"/claims/{claim_no}/quotes", json={"lines": [part(price="800")], "submit": True})
    assert r.status_code == 201, r.get_json()
    answered = r.get_json()
    assert answered["status"] == "approved" and answered["fast_tracked"] is True
    assert [(d["action"], d["automatic"]) for d in answered["decisions"]] == [("submit", False), ("approve", True)]
    assert answered["findings"] == [] and answered["photos"] == []
    assert answered == garage_api.get(f"/quotes/{answered['id']}").get_json()
    assert not [s for s in counted.statements if s.lstrip().upper().startswith("SELECT")
                and ("FROM GARAGES_DECISIONS" in s.upper() or "FROM GARAGES_PHOTOS" in s.upper())], counted


def test_a_photo_joins_the_photos_of_a_quote_that_has_them_loaded(app, people, garage_api):
    """A quote read with its photos (its page, its answer) gets the new photo in the same
    collection, in order, without reading the photos again; unloaded, nothing is read."""
    import io

    from werkzeug.datastructures import FileStorage

    from plugins.garages import services
    from portal.extensions import db
    from tests.querycount import count_queries

    q = create(garage_api, make_claim(people.garage, color="yellow"), [part()])
    from tests.images import PNG as png
    user_id = people.garage_user.id
    db.session.remove()
    user = db.session.get(type(people.garage_user), user_id)
    quote = services.load_quote_for_display(q["id"], user)
    first = services.add_photo(quote, user, FileStorage(io.BytesIO(png), "a.png"), "damage")
    with count_queries(db.engine) as counted:
        second = services.add_photo(quote, user, FileStorage(io.BytesIO(png), "b.png"), "damage")
        photos = [p.id for p in quote.photos]
    assert photos == [first.id, second.id]
    # (the organization's disk use is one sum over garages_photos, never the collection)
    assert not [s for s in counted.statements if "FROM garages_photos" in s and "sum(" not in s.lower()], counted
    db.session.commit()
    assert [p["id"] for p in garage_api.get(f"/quotes/{q['id']}").get_json()["photos"]] == photos
    db.session.remove()
    user = db.session.get(type(people.garage_user), user_id)
    quote = services.get_quote(q["id"], user)                  # photos not loaded: left so
    services.add_photo(quote, user, FileStorage(io.BytesIO(png), "c.png"), "damage")
    assert "photos" in db.inspect(quote).unloaded
    db.session.commit()
