"""The evaluations API: POST /evaluations, GET /organizations/{id}/scorecards, the staff
ranking, rules versions and metric disputes."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from tests.core.test_evaluations import PERIOD, compute, metrics  # noqa: F401 - fixture
from tests.querycount import count_queries


@pytest.fixture
def setup(factory, metrics):  # noqa: F811
    g1 = factory.org("garage", name="Alpha", region="Shanghai")
    g2 = factory.org("garage", name="Beta", region="Shanghai")
    g3 = factory.org("garage", name="Gamma", region="Beijing")
    law = factory.org("law_firm", name="Counsel", region="Shanghai")
    metrics.values["test.quality"] = {g1.id: D("0.95"), g2.id: D("0.85"), g3.id: D("0.4")}
    metrics.values["test.delay"] = {g1.id: D("1"), g2.id: D("3"), g3.id: D("1.5")}
    metrics.values["test.steps"] = {law.id: D("2")}
    return {"g1": g1, "g2": g2, "g3": g3, "law": law, "supervisor": factory.user(roles=("supervisor",)),
            "admin": factory.admin(), "assessor": factory.user(), "p1": factory.user(g1), "p2": factory.user(g2)}


def test_post_evaluations_201_then_200_with_summary(api_as, setup):
    api = api_as(setup["supervisor"])
    r = api.post("/evaluations", json={"period": PERIOD})
    assert r.status_code == 201, r.get_json()
    assert r.get_json() == {"period": PERIOD, "scorecards": 4, "grades": {"A": 1, "B": 1, "C": 1, "D": 1},
                            "rules_version": 1, "preview": False, "insufficient_activity": 0}
    again = api.post("/evaluations", json={"period": PERIOD})
    assert again.status_code == 200 and again.get_json()["scorecards"] == 4


@pytest.mark.parametrize("body", [{"period": "2026-13"}, {"period": "2026-3"}, {"period": 202603}, {},
                                  {"period": "March"}, {"period": None}])
def test_post_evaluations_bad_period_is_422(api_as, setup, body):
    r = api_as(setup["admin"]).post("/evaluations", json=body)
    assert r.status_code == 422
    err = r.get_json()["error"]
    assert err["code"] == "invalid" and "period" in err["details"]


@pytest.mark.parametrize("who", ["assessor", "p1"])
def test_post_evaluations_needs_supervisor_or_admin(api_as, setup, who):
    r = api_as(setup[who]).post("/evaluations", json={"period": PERIOD})
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "forbidden"


def test_scorecards_shape_exactly_as_api_md(api_as, setup):
    compute("2026-02")
    compute(PERIOD)
    r = api_as(setup["p2"]).get(f"/organizations/{setup['g2'].id}/scorecards")
    assert r.status_code == 200
    body = r.get_json()
    assert [c["period"] for c in body] == [PERIOD, "2026-02"]
    assert body[0] == {"period": PERIOD, "total": "72.00", "grade": "C", "rules_version": 1, "metrics": [
        {"code": "test.quality", "value": "0.85", "points": "80.00", "weight": "60.00"},
        {"code": "test.delay", "value": "3", "points": "60.00", "weight": "40.00"}]}


def test_partner_sees_only_its_own_scorecards(api_as, setup, factory):
    compute()
    partner = api_as(setup["p1"])
    assert partner.get(f"/organizations/{setup['g1'].id}/scorecards").status_code == 200
    other = partner.get(f"/organizations/{setup['g2'].id}/scorecards")
    assert other.status_code == 404 and other.get_json()["error"]["code"] == "not_found"
    assert partner.get("/organizations/999999/scorecards").status_code == 404
    staff = api_as(setup["assessor"])
    assert staff.get(f"/organizations/{setup['g2'].id}/scorecards").status_code == 200
    assert staff.get("/organizations/999999/scorecards").status_code == 404
    assert partner.get("/scorecards").status_code == 403


def test_ranking_by_kind_and_region(api_as, setup):
    compute()
    api = api_as(setup["assessor"])
    r = api.get(f"/scorecards?period={PERIOD}&kind=garage")
    body = r.get_json()
    assert r.status_code == 200 and body["total"] == 3 and body["page"] == 1
    assert [i["organization"]["name"] for i in body["items"]] == ["Alpha", "Beta", "Gamma"]
    assert body["items"][0] == {"organization": {"id": setup["g1"].id, "name": "Alpha", "kind": "garage",
                                                 "region": "Shanghai"},
                                "period": PERIOD, "total": "100.00", "grade": "A", "previous_grade": None,
                                "previous_total": None, "rules_version": 1}
    shanghai = api.get(f"/scorecards?period={PERIOD}&region=Shanghai").get_json()
    assert {i["organization"]["name"] for i in shanghai["items"]} == {"Alpha", "Beta", "Counsel"}
    assert api.get("/scorecards").get_json()["total"] == 4  # default: latest period
    assert api.get("/scorecards?period=2026-99").status_code == 422
    assert api.get("/scorecards?kind=spaceship").status_code == 422
    worst_first = api.get(f"/scorecards?period={PERIOD}&kind=garage&sort=-total").get_json()
    assert worst_first["items"][0]["organization"]["name"] == "Gamma"


def test_ranking_answers_in_bounded_queries(api_as, setup, factory, metrics):  # noqa: F811
    compute()
    api = api_as(setup["assessor"])
    with count_queries() as few:
        api.get(f"/scorecards?period={PERIOD}")
    for i in range(10):
        metrics.values["test.delay"][factory.org("garage", name=f"Extra {i}").id] = D("2")
    compute()
    with count_queries() as many:
        r = api.get(f"/scorecards?period={PERIOD}")
    assert r.get_json()["total"] == 14
    assert many.count == few.count


def test_rules_api_versions(api_as, setup):
    compute()
    admin = api_as(setup["admin"])
    current = admin.get("/evaluation-rules").get_json()
    assert current["version"] == 1
    config = current["config"]
    assert config["grade_bounds"] == {"A": "90", "B": "75", "C": "60"}
    config["kinds"]["garage"]["test.quality"]["weight"] = "50"
    bad = admin.post("/evaluation-rules", json={"config": config})
    assert bad.status_code == 422 and "kinds.garage" in bad.get_json()["error"]["details"]
    config["kinds"]["garage"]["test.delay"]["weight"] = "50"
    ok = admin.post("/evaluation-rules", json={"config": config, "note": "even weights"})
    assert ok.status_code == 201 and ok.get_json()["version"] == 2
    assert api_as(setup["supervisor"]).post("/evaluation-rules", json={"config": config}).status_code == 403
    old = api_as(setup["p1"]).get("/evaluation-rules/1").get_json()
    assert old["config"]["kinds"]["garage"]["test.quality"]["weight"] == "60"
    # the stored scorecard still names version 1 and its weights
    cards = api_as(setup["p1"]).get(f"/organizations/{setup['g1'].id}/scorecards").get_json()
    assert cards[0]["rules_version"] == 1 and cards[0]["metrics"][0]["weight"] == "60.00"
    compute()
    cards = api_as(setup["p1"]).get(f"/organizations/{setup['g1'].id}/scorecards").get_json()
    assert cards[0]["rules_version"] == 2 and cards[0]["metrics"][0]["weight"] == "50.00"


def test_disputes_flow(api_as, setup):
    compute()
    partner = api_as(setup["p2"])
    path = f"/organizations/{setup['g2'].id}/scorecards/{PERIOD}/disputes"
    r = partner.post(path, json={"code": "test.delay", "comment": "Two claims were delayed by the insurer."})
    assert r.status_code == 201
    dispute = r.get_json()
    assert dispute["status"] == "open" and dispute["metric_code"] == "test.delay" and dispute["version"] == 1
    # another organization's scorecard: 404; unknown metric: 404; empty comment: 422
    assert api_as(setup["p1"]).post(path, json={"code": "test.delay", "comment": "x"}).status_code == 404
    assert partner.post(path, json={"code": "nope", "comment": "x"}).status_code == 404
    assert partner.post(path, json={"code": "test.delay", "comment": "  "}).status_code == 422
    assert api_as(setup["assessor"]).post(path, json={"code": "test.delay", "comment": "x"}).status_code == 403
    # recomputing keeps the dispute on the metric
    compute()
    staff = api_as(setup["supervisor"])
    queue = staff.get("/evaluation-disputes?status=open").get_json()
    assert queue["total"] == 1 and queue["items"][0]["scorecard_metric_id"] is not None
    assert api_as(setup["p1"]).get("/evaluation-disputes").get_json()["total"] == 0
    answer = f"/evaluation-disputes/{dispute['id']}/answer"
    assert api_as(setup["assessor"]).post(answer, json={"answer": "ok", "version": 1}).status_code == 403
    done = staff.post(answer, json={"answer": "Checked: the delay stands.", "version": 1})
    assert done.status_code == 200 and done.get_json()["status"] == "answered"
    stale = staff.post(answer, json={"answer": "again", "version": 1})
    assert stale.status_code == 409
    assert partner.get("/evaluation-disputes").get_json()["items"][0]["answer"] == "Checked: the delay stands."


def test_openapi_lists_the_evaluation_paths(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for p in ("/api/v1/evaluations", "/api/v1/organizations/{org_id}/scorecards", "/api/v1/scorecards",
              "/api/v1/evaluation-rules", "/api/v1/evaluation-disputes"):
        assert p in paths, p


def test_reading_the_rules_before_any_are_published_writes_nothing(api_as, setup):
    """Before the first computation the rules in force are the registered metrics' defaults,
    shown as version 1 will be published — reading them publishes nothing; the first
    edit publishes the defaults as version 1 and the edit as version 2 (history stays true)."""
    from portal.evaluations.rules import latest_rules_row

    admin = api_as(setup["admin"])
    shown = admin.get("/evaluation-rules").get_json()
    assert shown["version"] == 1 and shown["created_at"] is None and "test.quality" in shown["config"]["kinds"]["garage"]
    assert latest_rules_row() is None
    import copy

    config = copy.deepcopy(shown["config"])
    config["kinds"]["garage"]["test.quality"]["weight"] = "50"
    config["kinds"]["garage"]["test.delay"]["weight"] = "50"
    ok = admin.post("/evaluation-rules", json={"config": config, "note": "even weights"})
    assert ok.status_code == 201 and ok.get_json()["version"] == 2
    assert admin.get("/evaluation-rules/1").get_json()["config"] == shown["config"]   # as it was shown
    assert admin.get("/evaluation-rules").get_json()["config"] == config
