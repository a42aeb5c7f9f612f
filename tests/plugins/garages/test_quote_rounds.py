"""The answered-lines rule of a returned quote, its rounds in GET, and a supplement's delta."""
from __future__ import annotations

import io
from decimal import Decimal

from portal.plugin import db

from tests.images import PNG

from .conftest import create, line, make_claim, part


def decide(api, q, action="approve", **kw):
    return api.post(f"/quotes/{q['id']}/decisions", json={"action": action, "version": q["version"], **kw})


def photo(api, qid):
    r = api.client.post(f"/api/v1/quotes/{qid}/photos", data={"file": (io.BytesIO(PNG), "d.png"), "kind": "teardown"},
                        headers=api.headers, content_type="multipart/form-data")
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def returned_quote(people, garage_api, api_as):
    """Four lines: 0 priced down, 1 approved as submitted, 2 cut to zero, 3 with a reason only."""
    claim = make_claim(people.garage, color="yellow")
    q = create(garage_api, claim, [part(price="1000"), line("labor", "拆装", "2", "100"),
                                   part(part_no="5G0853651", name="格栅", price="300"),
                                   line("paint", "喷漆", "1", "500")], submit=True)
    ids = [ln["id"] for ln in q["lines"]]
    r = decide(api_as(people.assessor), q, "return", comment="请核实", lines=[
        {"id": ids[0], "approved_unit_price": "800", "reason": "PRICE_HIGH"},
        {"id": ids[2], "approved_quantity": "0", "reason": "NOT_ACCIDENT_RELATED"},
        {"id": ids[3], "reason": "OTHER"}])
    assert r.status_code == 200, r.get_json()
    return r.get_json(), ids


def as_lines(q, answers=None):
    answers = answers or {}
    out = []
    for i, ln in enumerate(q["lines"]):
        d = {k: ln[k] for k in ("id", "kind", "part_no", "name", "quality", "quantity", "unit_price")}
        if i in answers:
            d["answer"] = answers[i]
        out.append(d)
    return out


def test_resubmission_refused_naming_exactly_the_unanswered_lines(people, garage_api, api_as):
    q, ids = returned_quote(people, garage_api, api_as)
    r = garage_api.post(f"/quotes/{q['id']}/submit", json={})
    assert r.status_code == 422
    details = r.get_json()["error"]["details"]
    assert set(details) == {"lines.0.answer", "lines.2.answer", "lines.3.answer"}   # line 1 approved as submitted
    # one answered: the other two still named
    r = garage_api.post(f"/quotes/{q['id']}/lines", json={"lines": as_lines(q, {0: {"accept": True}})})
    assert r.status_code == 200, r.get_json()
    q = r.get_json()
    assert q["lines"][0]["unit_price"] == "800.00" and q["lines"][0]["amount"] == "800.00"   # accept takes the figures
    assert q["lines"][0]["answer"] == {"accept": True, "comment": None, "photo_ids": []}
    assert q["lines"][1]["answer"] is None
    r = garage_api.post(f"/quotes/{q['id']}/submit", json={})
    assert r.status_code == 422 and set(r.get_json()["error"]["details"]) == {"lines.2.answer", "lines.3.answer"}


def test_comment_answers_with_photos_and_then_resubmission_passes(people, garage_api, api_as):
    q, ids = returned_quote(people, garage_api, api_as)
    mine = photo(garage_api, q["id"])
    other_claim = make_claim(people.garage, color="yellow", vin="LSVAU2180N2183295")
    other = create(garage_api, other_claim, [part(price="100")])
    foreign = photo(garage_api, other["id"])
    q = garage_api.get(f"/quotes/{q['id']}").get_json()
    bad = as_lines(q)
    bad[2]["answer"] = {"comment": "格栅确为本次碰撞", "photo_ids": [foreign]}
    r = garage_api.post(f"/quotes/{q['id']}/lines", json={"lines": bad})
    assert r.status_code == 422 and "lines.2.answer.photo_ids" in r.get_json()["error"]["details"]
    wrong = photo(garage_api, q["id"])   # a wrong photo, deleted: hidden, so never cited as evidence
    assert garage_api.delete(f"/quotes/{q['id']}/photos/{wrong}").status_code == 204
    bad[2]["answer"] = {"comment": "格栅确为本次碰撞", "photo_ids": [mine, wrong]}
    r = garage_api.post(f"/quotes/{q['id']}/lines", json={"lines": bad})
    assert r.status_code == 422 and "lines.2.answer.photo_ids" in r.get_json()["error"]["details"]
    empty = as_lines(q)
    empty[2]["answer"] = {"comment": "  ", "photo_ids": []}
    r = garage_api.post(f"/quotes/{q['id']}/lines", json={"lines": empty})
    assert r.status_code == 422 and "lines.2.answer.comment" in r.get_json()["error"]["details"]
    not_adjusted = as_lines(q)
    not_adjusted[1]["answer"] = {"accept": True}
    r = garage_api.post(f"/quotes/{q['id']}/lines", json={"lines": not_adjusted})
    assert r.status_code == 422 and "lines.1.answer" in r.get_json()["error"]["details"]

    good = as_lines(q)
    good[0]["answer"] = {"accept": True}
    good[2]["answer"] = {"comment": "格栅确为本次碰撞", "photo_ids": [mine]}
    good[3]["comment"] = "按原价"          # the older per-line comment still answers
    r = garage_api.post(f"/quotes/{q['id']}/lines", json={"lines": good})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["lines"][2]["answer"] == {"accept": False, "comment": "格栅确为本次碰撞", "photo_ids": [mine]}
    assert body["lines"][2]["amount"] == "300.00"   # a comment keeps the garage's figures
    assert body["lines"][3]["answer"]["comment"] == "按原价"
    audit = api_as(people.supervisor).get(f"/audit?entity=quote&entity_id={q['id']}").get_json()
    answers = [a for a in audit["items"] if a["action"] == "answer_line"]
    assert len(answers) == 3
    r = garage_api.post(f"/quotes/{q['id']}/submit", json={})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "submitted"


def test_rounds_after_two_returns(people, garage_api, api_as):
    q, ids = returned_quote(people, garage_api, api_as)
    lines = as_lines(q, {0: {"accept": True}, 2: {"comment": "确为碰撞"}, 3: {"comment": "同意"}})
    q = garage_api.post(f"/quotes/{q['id']}/lines", json={"lines": lines}).get_json()
    q = garage_api.post(f"/quotes/{q['id']}/submit", json={}).get_json()
    assert all(ln["approved_amount"] is None for ln in q["lines"])   # the new round starts clean
    r = decide(api_as(people.assessor), q, "return", comment="再核", lines=[
        {"id": ids[1], "approved_quantity": "1.5", "reason": "LABOR_HIGH"}])
    q = r.get_json()
    body = garage_api.get(f"/quotes/{q['id']}").get_json()
    rounds = body["rounds"]
    assert [r["round"] for r in rounds] == [1, 2]
    first = {ln["line_id"]: ln for ln in rounds[0]["lines"]}
    assert first[ids[0]]["submitted"]["unit_price"] == "1000.00"
    assert first[ids[0]]["adjusted"] == {"quantity": "1.00", "unit_price": "800.00", "amount": "800.00",
                                         "reason": "PRICE_HIGH", "note": None}
    assert first[ids[0]]["answer"]["accept"] is True
    assert first[ids[0]]["resubmitted"]["amount"] == "800.00"
    assert first[ids[2]]["adjusted"]["amount"] == "0.00" and first[ids[2]]["answer"]["comment"] == "确为碰撞"
    assert first[ids[1]]["changed"] is False and first[ids[1]]["answer"] is None
    assert rounds[0]["resubmitted_at"] is not None and rounds[1]["resubmitted_at"] is None
    second = {ln["line_id"]: ln for ln in rounds[1]["lines"]}
    assert second[ids[1]]["changed"] is True and second[ids[1]]["adjusted"]["amount"] == "150.00"
    assert second[ids[0]]["changed"] is False        # accepted last round: approved as it stands
    assert [ln["garage_comment"] for ln in body["lines"]] == [None, None, None, None]   # answers kept in round 1
    r = garage_api.post(f"/quotes/{q['id']}/submit", json={})
    assert r.status_code == 422 and set(r.get_json()["error"]["details"]) == {"lines.1.answer"}


def test_approved_as_submitted_needs_no_answer(people, garage_api, api_as):
    claim = make_claim(people.garage, color="yellow")
    q = create(garage_api, claim, [part(price="1000")], submit=True)
    q = decide(api_as(people.assessor), q, "return", comment="请补充照片").get_json()
    r = garage_api.post(f"/quotes/{q['id']}/submit", json={})
    assert r.status_code == 200 and r.get_json()["status"] == "submitted"


def test_supplement_delta(people, garage_api, api_as):
    from plugins.garages.models import Quote
    from plugins.garages.services.rounds import supplement_delta

    claim = make_claim(people.garage, color="yellow")
    q = create(garage_api, claim, [part(price="1000"), line("labor", "拆装", "2", "100")], submit=True)
    q = decide(api_as(people.assessor), q, "approve", lines=[
        {"id": q["lines"][0]["id"], "approved_unit_price": "900", "reason": "PRICE_HIGH"}]).get_json()
    assert q["status"] == "approved"
    s = create(garage_api, claim, [line("labor", "拆装", "1", "100"), part(part_no="5G0853651", name="格栅", price="300")],
               supplement_to=q["id"])
    delta = supplement_delta(db.session.get(Quote, s["id"]))
    assert delta["approved_quotes"] == [q["id"]] and delta["approved_total"] == Decimal("1100.00")
    by_name = {x["name"]: x for x in delta["lines"]}
    assert by_name["拆装"]["change"] == "changed" and by_name["拆装"]["before"] == Decimal("200.00")
    assert by_name["拆装"]["after"] == Decimal("300.00") and by_name["拆装"]["delta"] == Decimal("100.00")
    assert by_name["格栅"]["change"] == "added" and by_name["格栅"]["delta"] == Decimal("300.00")
    assert (delta["added"], delta["changed"], delta["removed"]) == (1, 1, 0)
    assert delta["delta"] == Decimal("400.00") and delta["total_after"] == Decimal("1500.00")
    assert supplement_delta(db.session.get(Quote, q["id"])) is None
