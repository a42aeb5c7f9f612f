"""A change through the API is answered from inside its own transaction (portal.api.answer):
one transaction per change — on SQLite one wait for the write lock, not two — and the
answer is what was committed."""
from __future__ import annotations

import sqlalchemy as sa

from .conftest import create, make_claim, part


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
