"""Dashboards and scorecard charts render in a real browser (issue 8), for a supervisor,
pricing staff, legal staff and a partner garage; screenshots are kept."""
from __future__ import annotations

from datetime import datetime

import pytest

from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def scored(live_server):
    """Scorecards for this month and the previous one, so the charts have data."""
    from portal.evaluations.engine import compute_scorecards, previous_period
    from portal.extensions import db
    from portal.timeutil import LOCAL_TZ

    period = datetime.now(LOCAL_TZ).strftime("%Y-%m")
    with live_server.app.app_context():
        compute_scorecards(previous_period(period))
        compute_scorecards(period)
        db.session.commit()
        db.session.remove()
    return period


def _charts(page) -> int:
    return page.locator("svg.chart, svg[role=img]").count()


@pytest.mark.parametrize("email,name", [
    ("director@demo.example", "supervisor"),
    ("pricing@demo.example", "pricing"),
    ("legal@demo.example", "legal"),
    ("salvage1@demo.example", "salvage-vendor"),
])
def test_dashboard_renders_with_widgets(page, live_server, scored, email, name):
    login(page, live_server, email)
    page.goto(live_server.url + "/")
    assert page.locator(".widget").count() >= 1
    screenshot(page, f"dashboard-{name}")


def test_staff_ranking_and_partner_scorecard_charts(page, live_server, scored):
    login(page, live_server, "director@demo.example")
    page.goto(live_server.url + "/")
    assert _charts(page) >= 1                      # queue / grade-distribution bars on the dashboard
    screenshot(page, "dashboard-director-charts")
    page.goto(live_server.url + "/evaluations/ranking")
    assert page.locator("table tbody tr").count() >= 2
    assert _charts(page) >= 1                      # grade distribution
    screenshot(page, "evaluations-ranking")
    page.context.clear_cookies()
    login(page, live_server, "garage1@demo.example")
    page.goto(live_server.url + "/evaluations/mine")
    assert _charts(page) >= 1                      # trend over the periods
    screenshot(page, "evaluations-garage-scorecard")
