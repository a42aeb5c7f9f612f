"""Issue 8 with the real garage metrics: a garage whose quotes are cut down and returned
scores below a clean one, through the evaluation engine and the API."""
from __future__ import annotations

from datetime import datetime, timedelta

from .conftest import create, make_claim, part


def _approve(staff, quote, lines=None):
    r = staff.post(f"/quotes/{quote['id']}/decisions",
                   json={"action": "approve", "version": quote["version"], "lines": lines or []})
    assert r.status_code == 200, r.get_json()


def test_heavy_reductions_and_returns_score_below_a_clean_garage(people, garage_api, api_as, catalog, monkeypatch):
    from portal.evaluations import engine
    from portal.evaluations.engine import compute_scorecards
    from portal.extensions import db
    from portal.timeutil import LOCAL_TZ

    staff = api_as(people.assessor2)
    clean_api = api_as(people.other_user)
    for _ in range(3):  # three: the default minimum volume of a metric (EVALUATION_MIN_VOLUME)
        # the "heavy" garage: prices cut by 40 %, and a return before the approval
        claim = make_claim(people.garage, color="yellow")
        q = create(garage_api, claim, [part(price="1000"), part(part_no="1K0807222", price="1000")], submit=True)
        assert staff.post(f"/quotes/{q['id']}/decisions",
                          json={"action": "return", "version": q["version"], "comment": "补充照片"}).status_code == 200
        garage_api.post(f"/quotes/{q['id']}/submit", json={})
        q = garage_api.get(f"/quotes/{q['id']}").get_json()
        _approve(staff, q, [{"id": q["lines"][0]["id"], "approved_unit_price": "600", "reason": "PRICE_HIGH"},
                            {"id": q["lines"][1]["id"], "approved_unit_price": "600", "reason": "PRICE_HIGH"}])
        # the clean garage: approved as submitted
        claim2 = make_claim(people.other_garage, color="yellow")
        q2 = create(clean_api, claim2, [part(price="800"), part(part_no="1K0807222", price="800")], submit=True)
        _approve(staff, q2)
    db.session.expire_all()

    period = datetime.now(LOCAL_TZ).strftime("%Y-%m")
    # the month is published once it is over (a running month is only a preview)
    monkeypatch.setattr(engine, "local_now", lambda: datetime.now(LOCAL_TZ) + timedelta(days=32))
    summary = compute_scorecards(period)
    db.session.commit()
    assert summary["scorecards"] >= 2
    admin = api_as(people.supervisor2)
    heavy = admin.get(f"/organizations/{people.garage.id}/scorecards").get_json()[0]
    clean = admin.get(f"/organizations/{people.other_garage.id}/scorecards").get_json()[0]
    metrics = {m["code"]: m for m in heavy["metrics"]}
    assert metrics["garage.reduction_rate"]["value"] in ("0.4000", "0.4")
    assert float(metrics["garage.return_rate"]["value"]) == 1.0
    # the garage's rates report their volume: three approved, three submitted quotes
    from portal.evaluations.services import scorecard_for

    volumes = {m.code: (m.volume, m.counted) for m in scorecard_for(people.garage.id, period).metrics}
    assert volumes["garage.reduction_rate"] == volumes["garage.return_rate"] == (3, True)
    assert float(heavy["total"]) < float(clean["total"])
    assert heavy["grade"] >= clean["grade"]          # "A" < "B" < "C" < "D": heavy is not better
    # a partner sees its own scorecards only
    assert api_as(people.garage_user).get(f"/organizations/{people.other_garage.id}/scorecards").status_code == 404
