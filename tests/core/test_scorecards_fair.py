"""Scorecards partners can trust (issue 23 item 4, review D-6/D-7): a running month is
only a preview, no activity gives no score, peer benchmarks need at least k peers."""
from __future__ import annotations

from decimal import Decimal as D

import sqlalchemy as sa

from portal.timeutil import local_now
from tests.core.test_evaluations import PERIOD, card, compute, metrics  # noqa: F401 - fixture


def _grade_notes():
    from portal.extensions import db
    from portal.notifications.models import Notification

    return db.session.scalars(sa.select(Notification).where(Notification.kind == "evaluation.grade_changed")).all()


def test_running_month_is_a_preview_closed_month_publishes(api_as, factory, metrics):  # noqa: F811
    from portal.auth.models import Organization
    from portal.evaluations.models import Scorecard
    from portal.extensions import db

    g = factory.org("garage", grade="C")
    partner = factory.user(g)
    metrics.values["test.quality"] = {g.id: D("0.95")}
    metrics.values["test.delay"] = {g.id: D("1")}
    api = api_as(factory.user(roles=("supervisor",)))
    running = local_now().strftime("%Y-%m")
    r = api.post("/evaluations", json={"period": running})
    assert r.status_code == 200 and r.get_json()["preview"] is True and r.get_json()["grades"]["A"] == 1
    db.session.expire_all()
    assert db.session.get(Organization, g.id).grade == "C"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Scorecard)) == 0
    assert _grade_notes() == []
    # a closed month is published: the grade changes and the partner is told once
    r = api.post("/evaluations", json={"period": PERIOD})
    assert r.status_code == 201 and r.get_json()["preview"] is False
    db.session.expire_all()
    assert db.session.get(Organization, g.id).grade == "A"
    assert [n.user_id for n in _grade_notes()] == [partner.id]
    api.post("/evaluations", json={"period": PERIOD})
    assert len(_grade_notes()) == 1


def test_ranking_page_says_preview(client, web_login, factory, metrics):  # noqa: F811
    web_login(factory.user(roles=("supervisor",)))
    r = client.post("/evaluations/ranking?lang=en", data={"period": local_now().strftime("%Y-%m")},
                    follow_redirects=True)
    assert r.status_code == 200 and "Preview only" in r.get_data(as_text=True)


def test_no_activity_no_score_and_grade_kept(factory, metrics):  # noqa: F811
    from portal.auth.models import Organization
    from portal.extensions import db

    idle = factory.org("garage", grade="B")
    busy = factory.org("garage", grade="B")
    metrics.values["test.delay"] = {idle.id: None, busy.id: D("1")}
    summary = compute()
    assert summary["insufficient_activity"] == 1 and summary["scorecards"] == 1
    assert card(idle) is None and card(busy) is not None
    assert db.session.get(Organization, idle.id).grade == "B"


def _peers(factory, metrics, n):  # noqa: F811
    orgs = [factory.org("garage", region="Shanghai") for _ in range(n)]
    metrics.values["test.delay"] = {o.id: D(i + 1) for i, o in enumerate(orgs)}
    compute()
    return orgs


def test_four_peers_give_no_benchmark(factory, metrics):  # noqa: F811
    from portal.evaluations.services import peer_benchmarks

    orgs = _peers(factory, metrics, 4)
    bench = peer_benchmarks(card(orgs[0]))["test.delay"]
    assert (bench.peers, bench.median, bench.top_quartile) == (4, None, None)


def test_five_peers_give_median_and_quartile_not_a_peer_figure(factory, metrics):  # noqa: F811
    from portal.evaluations.services import peer_benchmarks

    orgs = _peers(factory, metrics, 5)
    bench = peer_benchmarks(card(orgs[0]))["test.delay"]
    assert bench.peers == 5 and bench.median == D(3) and bench.top_quartile == D(2)
    # other peers' figures (5 → 9, 4 → 7) change nothing shown: no single figure is derivable
    metrics.values["test.delay"].update({orgs[3].id: D(7), orgs[4].id: D(9)})
    compute()
    again = peer_benchmarks(card(orgs[0]))["test.delay"]
    assert (again.median, again.top_quartile) == (bench.median, bench.top_quartile)


def test_hysteresis_at_the_band_edge(app, factory, metrics):  # noqa: F811
    """Grade B's band ends at 90; a total of 100 is 10 points beyond it."""
    from portal.auth.models import Organization
    from portal.extensions import db

    g = factory.org("garage", grade="B")
    metrics.values["test.quality"] = {g.id: D("0.95")}
    metrics.values["test.delay"] = {g.id: D("1")}
    app.config["GRADE_MARGIN"] = "10.01"     # just inside the margin: the grade stays
    compute()
    assert card(g).grade == "B" and db.session.get(Organization, g.id).grade == "B"
    app.config["GRADE_MARGIN"] = "9.99"      # just beyond it: the grade changes
    compute()
    assert card(g).grade == "A" and db.session.get(Organization, g.id).grade == "A"


def test_banded_grade_both_directions(app):
    from portal.evaluations.engine import banded_grade
    from portal.evaluations.rules import ensure_rules, registered_metrics

    rules = ensure_rules(registered_metrics())
    assert banded_grade(rules, D("88.01"), "A", D(2)) == "A"    # 1.99 below A's bound 90
    assert banded_grade(rules, D("87.99"), "A", D(2)) == "B"
    assert banded_grade(rules, D("91.99"), "B", D(2)) == "B"
    assert banded_grade(rules, D("92.01"), "B", D(2)) == "A"
    assert banded_grade(rules, D("50"), None, D(2)) == "D"      # no grade yet: the plain band
