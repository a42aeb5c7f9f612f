"""A metric needs a minimum volume of records to count (issue 23 item 4): below
``EVALUATION_MIN_VOLUME`` it shows "not enough activity" (样本不足) with its volume and weighs
nothing; the other weights are renormalised; nothing counting → no score, grade kept."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from portal.evaluations.metrics import MetricDefinition
from portal.plugin import hookimpl
from tests.core.test_evaluations import by_code, card, compute, metrics  # noqa: F401 - fixture


class VolumePlugin:
    """The test metrics again, now reporting their volume."""

    def __init__(self, base):
        self.base, self.volumes = base, {}

    @hookimpl
    def portal_evaluation_metrics(self):
        out = []
        for d in self.base.portal_evaluation_metrics():
            out.append(MetricDefinition(d.code, d.org_kind, d.label, d.compute, d.brackets, d.weight, d.unit,
                                        d.higher_is_better, d.description, d.drilldown,
                                        volume=lambda period, ids, code=d.code: self._count(code, ids)))
        return out

    def _count(self, code, ids):
        return {i: self.volumes.get(code, {}).get(i, 0) for i in ids}


@pytest.fixture()
def counted(app, metrics, monkeypatch):  # noqa: F811
    from portal.plugins import get_pm

    pm = get_pm(app)
    pm.unregister(metrics)
    plugin = VolumePlugin(metrics)
    pm.register(plugin, name="test_volume_metrics")
    monkeypatch.setitem(app.config, "EVALUATION_MIN_VOLUME", {"*": 1, "test.quality": 5})
    try:
        yield plugin
    finally:
        pm.unregister(plugin)
        pm.register(metrics, name="test_evaluation_metrics")


def _garage(factory, metrics, counted, quality_volume):  # noqa: F811
    g = factory.org("garage", grade="B")
    metrics.values.setdefault("test.quality", {})[g.id] = D("0.6")     # 50 points × 60
    metrics.values.setdefault("test.delay", {})[g.id] = D(1)            # 100 points × 40
    counted.volumes.setdefault("test.quality", {})[g.id] = quality_volume
    counted.volumes.setdefault("test.delay", {})[g.id] = 12
    return g


def test_one_below_the_minimum_does_not_count_the_minimum_does(factory, metrics, counted):  # noqa: F811
    below = _garage(factory, metrics, counted, 4)
    at = _garage(factory, metrics, counted, 5)
    summary = compute()
    assert summary["scorecards"] == 2
    low, ok = card(below), card(at)
    q_low, d_low = by_code(low)["test.quality"], by_code(low)["test.delay"]
    assert (q_low.counted, q_low.volume, q_low.weight, q_low.weighted_points) == (False, 4, D(0), D(0))
    assert (d_low.counted, d_low.volume, d_low.weight) == (True, 12, D(100))
    assert low.total == D("100.00") and low.grade == "A"     # delay alone, renormalised to 100 %
    q_ok = by_code(ok)["test.quality"]
    assert (q_ok.counted, q_ok.volume, q_ok.weight) == (True, 5, D(60))
    assert ok.total == D("70.00") and ok.grade == "C"        # 50 × 60 % + 100 × 40 %


def test_nothing_with_enough_volume_gives_no_score(factory, metrics, counted):  # noqa: F811
    from portal.auth.models import Organization
    from portal.extensions import db

    g = _garage(factory, metrics, counted, 4)
    counted.volumes["test.delay"][g.id] = 0
    summary = compute()
    assert summary["scorecards"] == 0 and summary["insufficient_activity"] == 1
    assert card(g) is None and db.session.get(Organization, g.id).grade == "B"


def test_page_and_api_show_the_boundary(app, web_login, api_as, factory, metrics, counted):  # noqa: F811
    below = _garage(factory, metrics, counted, 4)
    at = _garage(factory, metrics, counted, 5)
    compute()
    client = web_login(factory.user(below))
    page = client.get(f"/evaluations/organizations/{below.id}").get_data(as_text=True)
    assert 'data-testid="insufficient-test.quality"' in page and "样本不足" in page and "4 条记录" in page
    assert 'data-testid="insufficient-test.delay"' not in page and "12 条记录" in page
    english = client.get(f"/evaluations/organizations/{below.id}?lang=en").get_data(as_text=True)
    assert "not enough activity" in english and "4 records" in english
    client.post("/logout")
    client = web_login(factory.user(at))
    page = client.get(f"/evaluations/organizations/{at.id}").get_data(as_text=True)
    assert "样本不足" not in page and "5 条记录" in page
    body = api_as(factory.user(below)).get(f"/organizations/{below.id}/scorecards").get_json()
    assert body[0]["total"] == "100.00" and body[0]["metrics"] == [
        {"code": "test.quality", "value": "0.6", "points": "50.00", "weight": "0.00"},
        {"code": "test.delay", "value": "1", "points": "100.00", "weight": "100.00"}]
    body = api_as(factory.user(at)).get(f"/organizations/{at.id}/scorecards").get_json()
    assert body[0]["total"] == "70.00" and body[0]["metrics"][0]["weight"] == "60.00"


def test_metric_without_reported_volume_always_counts(app, factory, metrics, monkeypatch):  # noqa: F811
    monkeypatch.setitem(app.config, "EVALUATION_MIN_VOLUME", {"*": 1000})
    g = factory.org("garage")
    metrics.values["test.delay"] = {g.id: D(1)}
    compute()
    delay = by_code(card(g))["test.delay"]
    assert (delay.counted, delay.volume, delay.weight) == (True, None, D(40))
