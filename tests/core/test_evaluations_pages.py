"""Evaluation pages: partner scorecard (trend, peers, drill-down, what moves my grade,
disputes), staff ranking with export, disputes queue, rules publishing, dashboard."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from tests.core.test_evaluations import PERIOD, compute, metrics  # noqa: F401 - fixture
from tests.querycount import count_queries


@pytest.fixture
def world(factory, metrics):  # noqa: F811
    g1 = factory.org("garage", name="Alpha Garage")
    g2 = factory.org("garage", name="Beta Garage")
    metrics.values["test.quality"] = {g1.id: D("0.95"), g2.id: D("0.85")}
    metrics.values["test.delay"] = {g1.id: D("1"), g2.id: D("3")}
    compute("2026-02")
    metrics.values["test.delay"][g2.id] = D("6")
    compute(PERIOD)
    return {"g1": g1, "g2": g2, "p2": factory.user(g2), "p1": factory.user(g1),
            "supervisor": factory.user(roles=("supervisor",)), "admin": factory.admin(), "metrics": metrics}


def test_partner_scorecard_page(client, web_login, world):
    web_login(world["p2"])
    r = client.get("/evaluations/mine")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/evaluations/organizations/{world['g2'].id}")
    page = client.get(f"/evaluations/organizations/{world['g2'].id}?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-testid="grade">D<' in html and "48.00" in html  # 80×60% + 0×40%
    assert "line-chart" in html and "2026-02" in html            # the trend over both periods
    assert "test.delay" in html and "&lt; 5.0 days" in html    # what moves my grade: get delay below 5 days
    other = client.get(f"/evaluations/organizations/{world['g1'].id}")
    assert other.status_code == 404
    assert client.get(f"/evaluations/organizations/{world['g2'].id}?period=2025-01").status_code == 404
    xlsx = client.get(f"/evaluations/organizations/{world['g2'].id}/scorecards.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_drilldown_and_no_drilldown(client, web_login, world):
    from portal.evaluations.services import scorecard_for

    card = scorecard_for(world["g2"].id, PERIOD)
    ids = {m.code: m.id for m in card.metrics}
    web_login(world["p2"])
    rows = client.get(f"/evaluations/metrics/{ids['test.quality']}").get_data(as_text=True)
    assert f"Quote Q-{world['g2'].id}-1" in rows and 'href="/quotes/1"' in rows
    # the drill-down gets the scorecard's organization and its month as one Period
    assert [(org, p.label, p.first_day.isoformat(), p.last_day.isoformat()) for org, p in world["metrics"].drills] \
        == [(world["g2"].id, PERIOD, "2026-03-01", "2026-03-31")]
    none = client.get(f"/evaluations/metrics/{ids['test.delay']}?lang=en")
    assert none.status_code == 200
    other = scorecard_for(world["g1"].id, PERIOD).metrics[0].id
    assert client.get(f"/evaluations/metrics/{other}").status_code == 404


def test_dispute_from_the_page_and_answer_in_the_queue(client, web_login, world, factory):
    from portal.evaluations.models import MetricDispute
    from portal.evaluations.services import scorecard_for
    from portal.extensions import db

    metric = scorecard_for(world["g2"].id, PERIOD).metrics[1]
    web_login(world["p2"])
    r = client.post(f"/evaluations/metrics/{metric.id}/disputes", data={"comment": "Parts back-ordered by supplier"})
    assert r.status_code == 302
    dispute = db.session.query(MetricDispute).one()
    assert dispute.status == "open" and dispute.user_id == world["p2"].id
    client.post("/logout")
    web_login(world["supervisor"])
    queue = client.get("/evaluations/disputes?status=open").get_data(as_text=True)
    assert "Parts back-ordered by supplier" in queue
    client.post("/evaluations/disputes?status=open", data={"dispute_id": dispute.id, "version": dispute.version,
                                                           "answer": "Accepted; recomputed."})
    db.session.expire_all()
    assert db.session.get(MetricDispute, dispute.id).status == "answered"
    assert client.get("/evaluations/disputes?format=xlsx").data[:2] == b"PK"


def test_staff_ranking_page_export_and_compute(client, web_login, world):
    web_login(world["supervisor"])
    page = client.get(f"/evaluations/ranking?period={PERIOD}&lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.index("Alpha Garage") < html.index("Beta Garage") and "grade-bars" in html
    assert "-24.00" in html  # Beta moved 72 → 48
    xlsx = client.get(f"/evaluations/ranking?period={PERIOD}&format=xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    r = client.post("/evaluations/ranking", data={"period": "2026-04"})
    assert r.status_code == 302 and "period=2026-04" in r.headers["Location"]
    with count_queries() as q:
        client.get(f"/evaluations/ranking?period={PERIOD}")
    assert q.count < 25, q


def test_partner_cannot_open_staff_pages(client, web_login, world):
    web_login(world["p1"])
    assert client.get("/evaluations/ranking").status_code == 404
    assert client.get("/evaluations/rules").status_code == 404
    assert client.post("/evaluations/ranking", data={"period": PERIOD}).status_code == 404


def test_rules_page_publishes_and_shows_errors(client, web_login, world):
    import json

    from portal.evaluations.rules import latest_rules_row

    web_login(world["admin"])
    assert client.get("/evaluations/rules").status_code == 200
    config = latest_rules_row().config
    config["kinds"]["garage"]["test.delay"]["weight"] = "10"
    bad = client.post("/evaluations/rules?lang=en", data={"config": json.dumps(config)})
    assert bad.status_code == 422 and "not 100" in bad.get_data(as_text=True)
    assert client.post("/evaluations/rules", data={"config": "{oops"}).status_code == 422
    config["kinds"]["garage"]["test.quality"]["weight"] = "90"
    ok = client.post("/evaluations/rules", data={"config": json.dumps(config), "note": "quality first"})
    assert ok.status_code == 302 and latest_rules_row().version == 2
    assert "quality first" in client.get("/evaluations/rules?version=2").get_data(as_text=True)


def test_dashboard_widgets(client, web_login, world):
    web_login(world["p2"])
    html = client.get("/").get_data(as_text=True)
    assert "D · 48.00" in html
    client.post("/logout")
    web_login(world["supervisor"])
    assert "bar-chart" in client.get("/").get_data(as_text=True)
