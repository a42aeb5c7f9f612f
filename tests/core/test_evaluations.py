"""Scorecard engine: brackets, weights, totals, grade bounds, recompute,
versioned rules, inactive partners, grade changes, peers and "what moves my grade".

A test metric plugin is registered for the duration of a test; the project's own
metric plugins are set aside meanwhile so the weights of a kind are the test's."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from portal.evaluations.metrics import Bracket, MetricDefinition
from portal.hookspecs import hookimpl
from portal.timeutil import LOCAL_TZ, Period
from tests.querycount import count_queries

PERIOD = "2026-03"


def B(lo, hi, pts):
    return Bracket(None if lo is None else D(lo), None if hi is None else D(hi), D(pts))


class MetricPlugin:
    """Test metrics with known values: ``values[code][org_id]``; every compute and
    drill-down call is logged."""

    def __init__(self):
        self.values: dict[str, dict[int, D | None]] = {}
        self.calls: list[tuple[str, Period, list[int]]] = []
        self.drills: list[tuple[int, Period]] = []

    def _compute(self, code):
        def compute(period, org_ids):
            self.calls.append((code, period, sorted(org_ids)))
            return {i: self.values.get(code, {}).get(i) for i in org_ids}
        return compute

    def _drill(self, org_id, period):
        self.drills.append((org_id, period))
        return [{"label": f"Quote Q-{org_id}-1", "url": "/quotes/1", "value": "0.95"}]

    @hookimpl
    def portal_evaluation_metrics(self):
        return [
            MetricDefinition("test.quality", "garage", "Quality", self._compute("test.quality"),
                             [B(None, "0.5", 0), B("0.5", "0.8", 50), B("0.8", "0.9", 80), B("0.9", None, 100)],
                             D(60), unit="ratio", higher_is_better=True, drilldown=self._drill),
            MetricDefinition("test.delay", "garage", "Delay", self._compute("test.delay"),
                             [B(None, "2", 100), B("2", "5", 60), B("5", None, 0)], D(40), unit="days"),
            MetricDefinition("test.steps", "law_firm", "Steps", self._compute("test.steps"),
                             [B(None, "1", "59.99"), B("1", "2", 60), B("2", "3", 75), B("3", "4", "89.99"),
                              B("4", None, 90)], D(100), unit="count", higher_is_better=True),
        ]


@pytest.fixture
def metrics(app):
    from portal.plugins import get_pm

    pm = get_pm(app)
    set_aside = [(name, plugin) for name, plugin in pm.list_name_plugin()
                 if not name.startswith("portal.") and hasattr(plugin, "portal_evaluation_metrics")]
    for name, plugin in set_aside:
        pm.unregister(plugin)
    plugin = MetricPlugin()
    pm.register(plugin, name="test_evaluation_metrics")
    try:
        yield plugin
    finally:
        pm.unregister(plugin)
        for name, p in set_aside:
            pm.register(p, name=name)
        # the audit entities may have been gathered while the plugins were set aside
        app.extensions.pop("portal.audit_entities", None)


def compute(period=PERIOD):
    from portal.evaluations.engine import compute_scorecards
    from portal.extensions import db

    summary = compute_scorecards(period)
    db.session.commit()
    return summary


def card(org, period=PERIOD):
    from portal.evaluations.models import Scorecard
    from portal.extensions import db

    db.session.expire_all()
    return db.session.scalar(sa.select(Scorecard).where(Scorecard.organization_id == org.id,
                                                        Scorecard.period == period))


def by_code(c):
    return {m.code: m for m in c.metrics}


@pytest.fixture
def garages(factory, metrics):
    g1, g2, g3 = (factory.org("garage", name=f"Garage {i}") for i in (1, 2, 3))
    metrics.values["test.quality"] = {g1.id: D("0.95"), g2.id: D("0.85"), g3.id: None}
    metrics.values["test.delay"] = {g1.id: D("1"), g2.id: D("3"), g3.id: D("7")}
    return g1, g2, g3


def test_brackets_weights_totals_and_grades(garages, metrics, factory):
    g1, g2, g3 = garages
    summary = compute()
    assert summary["scorecards"] == 3 and summary["grades"] == {"A": 1, "B": 0, "C": 2, "D": 0}
    c1, c2, c3 = card(g1), card(g2), card(g3)
    # g1: 100 × 60% + 100 × 40% = 100
    assert (c1.total, c1.grade) == (D("100.00"), "A")
    # g2: 0.85 → 80 points × 60% = 48; 3 days → 60 × 40% = 24; total 72 → C
    m = by_code(c2)
    assert (m["test.quality"].points, m["test.quality"].weighted_points) == (D(80), D(48))
    assert (m["test.delay"].points, m["test.delay"].weighted_points) == (D(60), D(24))
    assert (c2.total, c2.grade) == (D("72.00"), "C")
    # g3: no quality data scores the full 100 × 60% = 60; 7 days → 0 → total 60 → C
    assert by_code(c3)["test.quality"].value is None
    assert (c3.total, c3.grade) == (D("60.00"), "C")
    assert (c1.period_start, c1.period_end) == (date(2026, 3, 1), date(2026, 3, 31))


def test_each_metric_computed_once_for_all_orgs_of_its_kind(garages, metrics, factory):
    law = factory.org("law_firm")
    compute()
    ids = sorted(g.id for g in garages)
    march = Period(datetime(2026, 3, 1, tzinfo=LOCAL_TZ), datetime(2026, 4, 1, tzinfo=LOCAL_TZ))
    assert sorted(metrics.calls, key=lambda c: c[0]) == [("test.delay", march, ids),
                                                         ("test.quality", march, ids),
                                                         ("test.steps", march, [law.id])]
    # every metric gets the one Period: the month's first and last local day, both included
    for _code, period, _ids in metrics.calls:
        assert (period.first_day, period.last_day) == (date(2026, 3, 1), date(2026, 3, 31))
        assert period.label == "2026-03" and period.start.tzinfo is LOCAL_TZ


@pytest.mark.parametrize("value, total, grade", [
    ("4.5", "90.00", "A"), ("3.5", "89.99", "B"), ("2.5", "75.00", "B"), ("1.5", "60.00", "C"), ("0.5", "59.99", "D"),
])
def test_grade_bounds_at_exact_boundaries(factory, metrics, value, total, grade):
    law = factory.org("law_firm")
    metrics.values["test.steps"] = {law.id: D(value)}
    compute()
    c = card(law)
    assert (c.total, c.grade) == (D(total), grade)


def test_total_rounds_half_up_to_two_places(app):
    from portal.evaluations.engine import round_total
    from portal.evaluations.rules import Rules

    assert round_total(D("89.995")) == D("90.00")
    assert round_total(D("89.9949")) == D("89.99")
    rules = Rules(1, (("A", D(90)), ("B", D(75)), ("C", D(60))), {})
    assert [rules.grade(D(x)) for x in ("90", "89.99", "75", "74.99", "60", "59.99", "0")] == \
        ["A", "B", "B", "C", "C", "D", "D"]


def test_grade_bounds_come_from_configuration(app, factory, metrics):
    from portal.evaluations.rules import ensure_rules

    app.config["EVALUATION_GRADE_BOUNDS"] = {"A": 95, "B": 80, "C": 65}
    try:
        law = factory.org("law_firm")
        metrics.values["test.steps"] = {law.id: D("4.5")}
        compute()
        assert card(law).grade == "B"
        assert ensure_rules().grade_bounds == (("A", D(95)), ("B", D(80)), ("C", D(65)))
    finally:
        app.config.pop("EVALUATION_GRADE_BOUNDS")


def test_recompute_replaces_the_period(garages, metrics):
    from portal.evaluations.models import Scorecard, ScorecardMetric
    from portal.extensions import db

    g1, g2, _ = garages
    first = compute()
    assert first["replaced"] == 0
    metrics.values["test.delay"][g2.id] = D("1")
    second = compute()
    assert second["replaced"] == 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Scorecard)) == 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScorecardMetric)) == 6
    assert card(g2).total == D("88.00")  # 48 + 100 × 40%


def test_inactive_partners_and_the_insurer_get_no_scorecard(factory, metrics):
    from portal.evaluations.models import Scorecard
    from portal.extensions import db

    factory.insurer()
    active = factory.org("garage")
    suspended = factory.org("garage", status="suspended")
    metrics.values["test.delay"] = {active.id: D("1"), suspended.id: D("1")}
    compute()
    assert db.session.scalars(sa.select(Scorecard.organization_id)).all() == [active.id]
    assert card(suspended) is None
    assert sorted(metrics.calls, key=lambda c: c[0])[0][2] == [active.id]


def test_rules_are_versioned_and_old_scorecards_keep_theirs(garages, metrics, factory):
    from portal.evaluations.rules import ensure_rules, get_rules
    from portal.evaluations.services import publish_rules_version, what_moves_my_grade
    from portal.extensions import db

    g1, g2, _ = garages
    compute("2026-02")
    old = card(g2, "2026-02")
    assert old.rules_version == 1 and old.total == D("72.00")
    admin = factory.admin()
    cfg = ensure_rules()  # noqa: F841 - the version in force
    from portal.evaluations.rules import latest_rules_row

    config = latest_rules_row().config
    config["kinds"]["garage"]["test.quality"]["weight"] = "20"
    config["kinds"]["garage"]["test.delay"]["weight"] = "80"
    config["kinds"]["garage"]["test.delay"]["brackets"] = [[None, "4", "100"], ["4", None, "0"]]
    publish_rules_version(config, admin, "delay matters more")
    db.session.commit()
    compute("2026-03")
    new = card(g2, "2026-03")
    assert new.rules_version == 2
    assert {m.code: m.weight for m in new.metrics} == {"test.quality": D(20), "test.delay": D(80)}
    assert new.total == D("96.00")  # 80 × 20% + 100 × 80%
    old = card(g2, "2026-02")
    assert old.rules_version == 1 and old.total == D("72.00")
    assert {m.code: m.weight for m in old.metrics} == {"test.quality": D(60), "test.delay": D(40)}
    assert get_rules(1).metric("garage", "test.delay").weight == D(40)
    # the old scorecard is explained by its own rules: 3 days → 60 points under v1
    moves = {g.metric.code: g for g in what_moves_my_grade(old)}
    assert moves["test.delay"].target == "< 2" and moves["test.delay"].gain == D(16)


def test_new_metric_set_of_a_kind_publishes_new_rules(garages, metrics, app):
    from portal.evaluations.rules import ensure_rules, latest_rules_row
    from portal.plugins import get_pm

    compute()
    assert latest_rules_row().version == 1

    class QualityOnly:
        @hookimpl
        def portal_evaluation_metrics(self):
            law = [d for d in metrics.portal_evaluation_metrics() if d.org_kind == "law_firm"]
            return law + [MetricDefinition("test.quality", "garage", "Quality", metrics._compute("test.quality"),
                                           [B(None, "0.9", 50), B("0.9", None, 100)], D(100))]

    pm = get_pm(app)
    pm.unregister(metrics)
    other = QualityOnly()
    pm.register(other, name="test_quality_only")
    try:
        rules = ensure_rules()
        assert rules.version == 2 and [m.code for m in rules.for_kind("garage")] == ["test.quality"]
        assert rules.metric("garage", "test.quality").weight == D(100)
        assert [m.code for m in rules.for_kind("law_firm")] == ["test.steps"]
        compute()
        assert {m.code for m in card(garages[0]).metrics} == {"test.quality"}
    finally:
        pm.unregister(other)
        pm.register(metrics, name="test_evaluation_metrics")


@pytest.mark.parametrize("mutate, key", [
    (lambda c: c["kinds"]["garage"]["test.delay"].update(weight="30"), "kinds.garage"),
    (lambda c: c["kinds"]["garage"]["test.delay"].update(brackets=[[None, "5", "100"], ["4", None, "0"]]),
     "kinds.garage.test.delay.brackets"),
    (lambda c: c["kinds"]["garage"]["test.delay"].update(brackets=[["5", None, "0"], [None, "5", "100"]]),
     "kinds.garage.test.delay.brackets"),
    (lambda c: c["kinds"]["garage"]["test.delay"].update(brackets=[["5", "2", "0"]]),
     "kinds.garage.test.delay.brackets[0]"),
    (lambda c: c["kinds"]["garage"]["test.delay"].update(brackets=[[None, None, "101"]]),
     "kinds.garage.test.delay.brackets[0]"),
    (lambda c: c["grade_bounds"].update(B="95"), "grade_bounds"),
    (lambda c: c["kinds"]["garage"].pop("test.delay"), "kinds.garage"),
    (lambda c: c["kinds"]["garage"]["test.delay"].update(weight=40.0), "kinds.garage.test.delay.weight"),
])
def test_invalid_rules_are_refused(factory, metrics, mutate, key):
    from portal.errors import Invalid
    from portal.evaluations.models import EvaluationRules
    from portal.evaluations.rules import ensure_rules, latest_rules_row
    from portal.evaluations.services import publish_rules_version
    from portal.extensions import db

    ensure_rules()
    db.session.commit()
    config = latest_rules_row().config
    mutate(config)
    with pytest.raises(Invalid) as exc:
        publish_rules_version(config, factory.admin())
    assert key in exc.value.details
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationRules)) == 1


def test_grade_change_updates_org_audits_and_notifies(factory, metrics):
    from portal.audit.models import AuditEntry
    from portal.auth.models import Organization
    from portal.extensions import db
    from portal.notifications.models import Notification

    g = factory.org("garage", grade="B")
    partner = factory.user(g)
    other = factory.user(factory.org("garage"))
    metrics.values["test.quality"] = {g.id: D("0.95")}
    metrics.values["test.delay"] = {g.id: D("1")}
    compute()
    assert db.session.get(Organization, g.id).grade == "A"
    audit = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity == "organization",
                                                           AuditEntry.entity_id == str(g.id),
                                                           AuditEntry.action == "grade_changed")).all()
    assert len(audit) == 1 and audit[0].changes["grade"] == ["B", "A"] and audit[0].changes["period"] == PERIOD
    notes = db.session.scalars(sa.select(Notification).where(Notification.kind == "evaluation.grade_changed")).all()
    assert [n.user_id for n in notes if "B → A" in n.title] == [partner.id]
    assert other.id not in {n.user_id for n in notes if "B → A" in n.title}
    # same grade again: nothing new
    compute()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.user_id == partner.id)) == 1
    # an older period does not move the current grade
    metrics.values["test.delay"] = {g.id: D("9")}
    compute("2026-01")
    assert card(g, "2026-01").grade == "C" and db.session.get(Organization, g.id).grade == "A"
    # the latest period does
    compute()
    assert db.session.get(Organization, g.id).grade == "C"
    assert card(g).previous_grade is None  # no February scorecard


def test_previous_period_is_recorded_for_movers(garages, metrics):
    from portal.evaluations.services import movers

    g1, g2, g3 = garages
    compute("2026-02")
    metrics.values["test.delay"][g1.id] = D("9")   # 100 → 60
    metrics.values["test.delay"][g2.id] = D("1")   # 72 → 88
    compute("2026-03")
    c1 = card(g1)
    assert (c1.previous_grade, c1.previous_total, c1.grade, c1.total) == ("A", D("100.00"), "C", D("60.00"))
    assert [c.organization_id for c in movers(PERIOD)][:2] == [g1.id, g2.id]


def test_peer_median_and_top_quartile(factory, metrics):
    from portal.evaluations.services import peer_benchmarks

    orgs = [factory.org("garage", region="Shanghai") for _ in range(5)]
    far = factory.org("garage", region="Beijing")
    metrics.values["test.quality"] = dict(zip([o.id for o in orgs], map(D, ("0.6", "0.7", "0.8", "0.9", "0.95"))))
    metrics.values["test.quality"][far.id] = D("0.1")
    metrics.values["test.delay"] = dict(zip([o.id for o in orgs[:4]], map(D, ("1", "2", "3", "10"))))
    compute()
    bench = peer_benchmarks(card(orgs[0]))
    # higher is better: top quartile is the 75th percentile; lower is better: the 25th
    assert bench["test.quality"].peers == 5
    assert bench["test.quality"].median == D("0.8") and bench["test.quality"].top_quartile == D("0.9")
    # four peers only: no median or quartile that would give a competitor's figure away (review M5)
    assert bench["test.delay"].peers == 4 and bench["test.delay"].median is None
    assert bench["test.delay"].top_quartile is None
    c = card(orgs[0])
    with count_queries() as q:
        peer_benchmarks(c)
    assert q.count == 1


def test_what_moves_my_grade(garages, metrics):
    from portal.evaluations.services import what_moves_my_grade

    compute()
    moves = what_moves_my_grade(card(garages[1]))
    # delay: (100 − 60) × 40% = 16 lost; quality: (100 − 80) × 60% = 12 lost
    assert [(g.metric.code, g.points_lost) for g in moves] == [("test.delay", D(16)), ("test.quality", D(12))]
    assert (moves[0].target, moves[0].target_points, moves[0].gain) == ("< 2", D(100), D(16))
    assert (moves[1].target, moves[1].target_points, moves[1].gain) == ("≥ 0.9", D(100), D(12))
    top = what_moves_my_grade(card(garages[0]))
    assert all(g.points_lost == 0 and g.target is None for g in top)


def test_compute_runs_a_bounded_number_of_queries(factory, metrics):
    def queries_for(n):
        for _ in range(n):
            metrics.values.setdefault("test.delay", {})[factory.org("garage").id] = D("1")
        compute()  # first run sets grades
        from portal.evaluations.engine import compute_scorecards

        with count_queries() as q:
            compute_scorecards(PERIOD)
        from portal.extensions import db

        db.session.rollback()
        return q.count

    small = queries_for(2)
    large = queries_for(20)
    assert small == large, (small, large)


def test_bad_period_is_refused(app):
    from portal.errors import Invalid
    from portal.evaluations.engine import parse_period

    for bad in ("2026-13", "2026-3", "26-03", "", None, "2026-03-01", 202603):
        with pytest.raises(Invalid):
            parse_period(bad)
    feb = parse_period("2024-02")
    assert (feb.first_day, feb.last_day) == (date(2024, 2, 1), date(2024, 2, 29))
    assert (feb.start, feb.end) == (datetime(2024, 2, 1, tzinfo=LOCAL_TZ), datetime(2024, 3, 1, tzinfo=LOCAL_TZ))


def test_cli_evaluate(app, garages, metrics):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["evaluate", "--period", PERIOD])
    assert result.exit_code == 0, result.output
    assert "3 scorecards" in result.output and "A=1" in result.output
    bad = runner.invoke(args=["evaluate", "--period", "2026-13"])
    assert bad.exit_code != 0 and "YYYY-MM" in bad.output


def test_a_kind_with_invalid_default_weights_does_not_block_the_others(app, factory, metrics):
    from portal.evaluations.rules import latest_rules_row
    from portal.evaluations.services import publish_rules_version
    from portal.extensions import db
    from portal.plugins import get_pm

    class HalfDone:
        @hookimpl
        def portal_evaluation_metrics(self):
            return [MetricDefinition("test.salvage_speed", "salvage_vendor", "Speed", metrics._compute("x"),
                                     [B(None, None, 100)], D(40))]

    pm = get_pm(app)
    half = HalfDone()
    pm.register(half, name="test_half_done")
    try:
        garage = factory.org("garage")
        vendor = factory.org("salvage_vendor")
        metrics.values["test.delay"] = {garage.id: D("1")}
        metrics.values["x"] = {vendor.id: D("1")}
        summary = compute()
        assert summary["unscored_kinds"] == ["salvage_vendor"]
        assert card(garage) is not None and card(vendor) is None
        config = latest_rules_row().config
        assert "salvage_vendor" not in config["kinds"]
        # the same metrics again: no new rules version each run
        compute()
        assert latest_rules_row().version == 1
        # an admin gives the kind valid weights: it is scored from then on
        config["kinds"]["salvage_vendor"] = {"test.salvage_speed": {"weight": "100", "brackets": [[None, None, "100"]]}}
        publish_rules_version(config, factory.admin(), "salvage weights")
        db.session.commit()
        assert compute()["unscored_kinds"] == []
        assert card(vendor).total == D("100.00")
    finally:
        pm.unregister(half)


def test_every_metric_is_named_in_chinese(app):
    """Scorecards are read in Chinese: every plugin's metric label has a zh name."""
    import re

    from flask_babel import force_locale, gettext

    from portal.plugins import flatten, hook

    with app.test_request_context("/"), force_locale("zh"):
        untranslated = [d.code for d in flatten(hook().portal_evaluation_metrics())
                        if not re.search(r"[\u4e00-\u9fff]", gettext(str(d.label)))
                        or gettext(str(d.label)) == str(d.label) and re.search(r"[A-Za-z]", str(d.label))]
    assert untranslated == []


def test_every_registered_kind_is_scored_by_its_defaults(app):
    """Every plugin's default metrics make valid rules (brackets listed best first included),
    so no partner kind is left without a scorecard."""
    from portal.evaluations.rules import default_config, usable_defaults

    with app.app_context():
        good, bad = usable_defaults(default_config())
    assert bad == {}
    assert {"garage", "parts_supplier", "salvage_vendor", "law_firm"} <= set(good)
