"""Risk colour (红黄蓝), SPEC §2: every rule at its boundaries, local time Asia/Shanghai."""
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
                 claims_in_year=1, flags={"single_party": True, "first_scene_reported": True})
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
