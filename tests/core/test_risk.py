"""Risk colour (红黄蓝), with seed 002's rules (docs/review-controls.md): every rule at its
boundaries, local time Asia/Shanghai."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from types import SimpleNamespace

import pytest

from portal.claims import risk
from portal.timeutil import LOCAL_TZ


def at(hhmm: str, day=date(2025, 6, 11)) -> datetime:
    h, m = (int(x) for x in hhmm.split(":"))
    return datetime(day.year, day.month, day.day, h, m, tzinfo=LOCAL_TZ)


def blue_claim(**over):
    """A claim for which every blue condition holds and no red rule."""
    acc = at("10:00")
    facts = dict(accident_at=acc, reported_at=acc + timedelta(minutes=30), policy_start=date(2025, 1, 1),
                 policy_end=date(2025, 12, 31), first_registration=date(2020, 1, 1), actual_value=Decimal("150000"),
                 estimated_loss=Decimal("3000"), property_loss=Decimal("500"), loss_ratio=Decimal("0.20"),
                 claims_in_year=1, flags={"single_party": True, "first_scene_reported": True},
                 policy_cover=Decimal("160000"), use="private", origin="domestic", rare_model=False, reported_by=None)
    flags = over.pop("flags", None)
    facts.update(over)
    if flags:
        facts["flags"] = {**facts["flags"], **flags}
    return SimpleNamespace(**facts)


@pytest.fixture
def rules(app):
    return dict(app.config["RISK_RULES"])


def test_base_claim_is_blue(rules):
    assert risk.assess(blue_claim(), rules) == risk.RiskAssessment("blue", [], [])


# ---------------------------------------------------------------- red rules


@pytest.mark.parametrize("hhmm, night", [("21:59", False), ("22:00", True), ("23:59", True), ("00:00", True),
                                         ("04:59", True), ("05:00", False), ("12:00", False)])
def test_night_accident_boundaries(rules, hhmm, night):
    claim = blue_claim(accident_at=at(hhmm), reported_at=at(hhmm) + timedelta(minutes=10))
    assert risk.night_accident(claim, rules) is night
    assert ("NIGHT_ACCIDENT" in risk.assess(claim, rules).reasons) is night


def test_night_is_judged_in_shanghai_time(rules):
    # 14:30 UTC is 22:30 in Shanghai: night
    utc = datetime(2025, 6, 11, 14, 30, tzinfo=timezone.utc)
    assert risk.night_accident(blue_claim(accident_at=utc, reported_at=utc), rules)
    # 21:30 UTC is 05:30 the next day in Shanghai: not night
    utc = datetime(2025, 6, 11, 21, 30, tzinfo=timezone.utc)
    assert not risk.night_accident(blue_claim(accident_at=utc, reported_at=utc), rules)


@pytest.mark.parametrize("days_after_start, near", [(0, True), (7, True), (8, False)])
def test_near_policy_start(rules, days_after_start, near):
    start = date(2025, 6, 11) - timedelta(days=days_after_start)
    assert risk.near_policy_start(blue_claim(policy_start=start), rules) is near


@pytest.mark.parametrize("days_before_end, near", [(0, True), (7, True), (8, False)])
def test_near_policy_end(rules, days_before_end, near):
    end = date(2025, 6, 11) + timedelta(days=days_before_end)
    assert risk.near_policy_end(blue_claim(policy_end=end), rules) is near


@pytest.mark.parametrize("delay, late", [(timedelta(hours=48), False), (timedelta(hours=48, seconds=1), True),
                                         (timedelta(hours=47, minutes=59), False), (timedelta(hours=49), True)])
def test_late_report(rules, delay, late):
    claim = blue_claim(reported_at=at("10:00") + delay)
    assert risk.late_report(claim, rules) is late
    assert (risk.assess(claim, rules).color == "red") is late


@pytest.mark.parametrize("value, high", [("999999.99", False), ("1000000", True), (None, False)])
def test_high_value_vehicle(rules, value, high):
    claim = blue_claim(actual_value=Decimal(value) if value else None)
    assert risk.high_value_vehicle(claim, rules) is high


@pytest.mark.parametrize("loss, single, large", [("49999.99", True, False), ("50000", True, True),
                                                 ("50000", False, False), ("80000", True, True)])
def test_large_single_party_loss(rules, loss, single, large):
    claim = blue_claim(estimated_loss=Decimal(loss), flags={"single_party": single})
    assert risk.large_single_party_loss(claim, rules) is large


@pytest.mark.parametrize("flag, code", [("theft", "THEFT"), ("fire", "FIRE"), ("self_ignition", "SELF_IGNITION"),
                                        ("total_loss", "TOTAL_LOSS"), ("left_scene", "LEFT_SCENE"),
                                        ("suspicious", "SUSPICIOUS")])
def test_flag_rules(rules, flag, code):
    assert risk.assess(blue_claim(flags={flag: True}), rules) .reasons == [code]
    assert risk.assess(blue_claim(flags={flag: False}), rules).color == "blue"


@pytest.mark.parametrize("ratio, count, high", [("0.60", 3, True), ("0.5999", 3, False), ("0.60", 2, False),
                                                ("0.95", 5, True), (None, 5, False)])
def test_high_loss_ratio_with_frequency(rules, ratio, count, high):
    claim = blue_claim(loss_ratio=Decimal(ratio) if ratio else None, claims_in_year=count)
    assert risk.high_loss_ratio_frequency(claim, rules) is high


def test_several_reasons_are_all_listed_in_order(rules):
    claim = blue_claim(accident_at=at("23:00"), reported_at=at("23:00") + timedelta(hours=50),
                       flags={"theft": True, "suspicious": True})
    assert risk.assess(claim, rules).reasons == ["NIGHT_ACCIDENT", "LATE_REPORT", "THEFT", "SUSPICIOUS"]


# ---------------------------------------------------------------- blue conditions


@pytest.mark.parametrize("hhmm, inside", [("07:59", False), ("08:00", True), ("19:00", True), ("19:01", False)])
def test_blue_daytime_window(rules, hhmm, inside):
    claim = blue_claim(accident_at=at(hhmm), reported_at=at(hhmm) + timedelta(minutes=5))
    assert risk.daytime_accident(claim, rules) is inside
    assert risk.assess(claim, rules).color == ("blue" if inside else "yellow")


@pytest.mark.parametrize("delay, prompt", [(timedelta(hours=1), True), (timedelta(hours=1, seconds=1), False)])
def test_blue_reported_within_an_hour(rules, delay, prompt):
    claim = blue_claim(reported_at=at("10:00") + delay)
    assert risk.prompt_report(claim, rules) is prompt
    assert risk.assess(claim, rules).color == ("blue" if prompt else "yellow")


@pytest.mark.parametrize("registered, young", [(date(2015, 6, 12), True), (date(2015, 6, 11), False),
                                               (None, False)])
def test_blue_vehicle_less_than_ten_years_old(rules, registered, young):
    assert risk.young_vehicle(blue_claim(first_registration=registered), rules) is young


@pytest.mark.parametrize("loss, prop, single, small", [
    ("5000", "1000", True, True), ("5000.01", "0", True, False), ("100", "1000.01", True, False),
    ("100", None, True, True), ("100", "0", False, False), (None, "0", True, False)])
def test_blue_small_single_party_loss(rules, loss, prop, single, small):
    claim = blue_claim(estimated_loss=Decimal(loss) if loss else None,
                       property_loss=Decimal(prop) if prop else None, flags={"single_party": single})
    assert risk.small_single_party_loss(claim, rules) is small


@pytest.mark.parametrize("ratio, count, low", [("0.30", 2, True), ("0.3001", 2, False), ("0.30", 3, False),
                                               ("0", 0, True), (None, 0, False)])
def test_blue_low_loss_ratio_and_frequency(rules, ratio, count, low):
    claim = blue_claim(loss_ratio=Decimal(ratio) if ratio is not None else None, claims_in_year=count)
    assert risk.low_loss_ratio_frequency(claim, rules) is low


def test_blue_needs_first_scene_report(rules):
    result = risk.assess(blue_claim(flags={"first_scene_reported": False}), rules)
    assert result.color == "yellow" and result.reasons == [] and result.blue_missing == ["FIRST_SCENE_REPORTED"]


def test_red_wins_over_blue_conditions(rules):
    assert risk.assess(blue_claim(flags={"fire": True}), rules).color == "red"


def test_thresholds_are_configuration(rules):
    rules["late_report_hours"] = 24
    claim = blue_claim(reported_at=at("10:00") + timedelta(hours=30))
    assert risk.late_report(claim, rules)
    rules["night_start"] = "23:00"
    assert not risk.night_accident(blue_claim(accident_at=at("22:30"), reported_at=at("22:40")), rules)


# ------------------------------------------- seed 002: more red and blue rules (docs/review-controls.md)


@pytest.mark.parametrize("cover, high", [("999999.99", False), ("1000000.00", True), ("2500000", True), (None, False)])
def test_high_sum_insured(rules, cover, high):
    claim = blue_claim(policy_cover=Decimal(cover) if cover else None)
    assert risk.high_sum_insured(claim, rules) is high
    assert risk.assess(claim, rules).reasons == (["HIGH_SUM_INSURED"] if high else [])


@pytest.mark.parametrize("registered, origin, rare, red", [
    (date(2015, 6, 11), "imported", False, True),    # exactly 10 years on the accident day
    (date(2015, 6, 12), "imported", False, False),   # one day less
    (date(2015, 6, 11), "domestic", False, False),   # old, but domestic and not rare
    (date(2015, 6, 11), "domestic", True, True),     # old domestic rare model
    (date(2015, 6, 11), None, True, True),           # old rare model, origin unknown
    (date(2015, 6, 11), None, False, False),
    (date(2015, 6, 12), "domestic", True, False),    # rare but not old enough
    (date(2001, 1, 1), "imported", True, True),
    (None, "imported", True, False),                 # age unknown: the rule cannot hold
])
def test_old_imported_or_rare_model(rules, registered, origin, rare, red):
    claim = blue_claim(first_registration=registered, origin=origin, rare_model=rare)
    assert risk.old_or_imported_model(claim, rules) is red
    assert ("OLD_OR_IMPORTED_MODEL" in risk.assess(claim, rules).reasons) is red


def test_old_model_age_on_29_february(rules):
    claim = blue_claim(first_registration=date(2016, 2, 29), origin="imported",
                       accident_at=at("10:00", date(2026, 2, 27)), reported_at=at("10:30", date(2026, 2, 27)),
                       policy_start=date(2026, 1, 1), policy_end=date(2026, 12, 31))
    assert not risk.old_or_imported_model(claim, rules)
    claim.accident_at, claim.reported_at = at("10:00", date(2026, 2, 28)), at("10:30", date(2026, 2, 28))
    assert risk.old_or_imported_model(claim, rules)


MISSING = object()


@pytest.mark.parametrize("reported_by, driver_is_insured, red", [
    ("other", False, True),
    ("other", True, False),
    ("other", MISSING, False),     # not said: never assumed false
    ("driver", False, False),
    ("insured", False, False),
    (None, False, False),
])
def test_driver_not_insured_reported_by_other(rules, reported_by, driver_is_insured, red):
    flags = {} if driver_is_insured is MISSING else {"driver_is_insured": driver_is_insured}
    claim = blue_claim(reported_by=reported_by, flags=flags)
    assert risk.driver_not_insured_reported_by_other(claim, rules) is red
    assert risk.assess(claim, rules).reasons == (["DRIVER_NOT_INSURED_REPORTED_BY_OTHER"] if red else [])


@pytest.mark.parametrize("use, special", [("special", True), ("private", False), ("taxi", False), (None, False)])
def test_special_vehicle(rules, use, special):
    claim = blue_claim(use=use)
    assert risk.special_vehicle(claim, rules) is special
    assert ("SPECIAL_VEHICLE" in risk.assess(claim, rules).reasons) is special


@pytest.mark.parametrize("use, color", [("taxi", "yellow"), ("motorcycle", "yellow"), ("agricultural", "yellow"),
                                        ("private", "blue"), ("commercial", "blue"), (None, "yellow")])
def test_never_blue_uses_and_unknown_use(rules, use, color):
    result = risk.assess(blue_claim(use=use), rules)
    assert result.color == color and result.reasons == []
    assert result.blue_missing == ([] if color == "blue" else ["ORDINARY_USE"])
    assert risk.ordinary_use(blue_claim(use=use), rules) is (color == "blue")


def test_all_four_new_red_reasons_in_order(rules):
    claim = blue_claim(reported_by="other", flags={"driver_is_insured": False}, policy_cover=Decimal("1000000"),
                       first_registration=date(2010, 1, 1), origin="imported", use="special")
    assert risk.assess(claim, rules).reasons == ["DRIVER_NOT_INSURED_REPORTED_BY_OTHER", "HIGH_SUM_INSURED",
                                                 "OLD_OR_IMPORTED_MODEL", "SPECIAL_VEHICLE"]


def test_an_old_claim_without_the_new_facts_never_raises(rules):
    """Claims made before seed 002 (no use, origin, reporter, cover) keep working: unknown is
    never red by these rules and never blue."""
    old = blue_claim()
    for name in ("policy_cover", "use", "origin", "rare_model", "reported_by"):
        delattr(old, name)
    result = risk.assess(old, rules)
    assert result == risk.RiskAssessment("yellow", [], ["ORDINARY_USE"])
    old.rare_model = None
    old.flags = None
    assert risk.assess(old, rules).color == "yellow"


def test_new_thresholds_are_configuration(rules):
    rules["high_sum_insured"] = "500000"
    assert risk.high_sum_insured(blue_claim(policy_cover=Decimal("500000")), rules)
    rules["old_model_years"] = 5
    assert risk.old_or_imported_model(blue_claim(first_registration=date(2020, 6, 11), origin="imported"), rules)
    rules["never_blue_uses"] = ["commercial"]
    assert risk.assess(blue_claim(use="commercial"), rules).color == "yellow"
    assert risk.assess(blue_claim(use="taxi"), rules).color == "blue"


def test_config_defaults_of_the_new_rules(app):
    rules = app.config["RISK_RULES"]
    assert Decimal(rules["high_sum_insured"]) == Decimal("1000000") and rules["old_model_years"] == 10
    assert sorted(rules["never_blue_uses"]) == ["agricultural", "motorcycle", "taxi"]


def test_every_code_has_a_label():
    from portal.claims.labels import BLUE_LABELS, REASON_LABELS

    assert risk.RED_REASONS == tuple(code for code, _ in risk.RED_RULES)
    assert set(REASON_LABELS) == set(risk.RED_REASONS)
    assert set(BLUE_LABELS) == {code for code, _ in risk.BLUE_CONDITIONS}
