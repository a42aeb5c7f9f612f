"""Risk colour (红黄蓝 分级): red if any red rule holds, blue if every blue condition
holds, yellow otherwise. Each rule is one small function of the claim's facts
and the thresholds in ``app.config["RISK_RULES"]``; times are compared in Asia/Shanghai.

A rule takes ``(claim, rules)``: ``claim`` is anything with the claim's attributes
(``accident_at``, ``reported_at``, ``policy_start`` ... and ``flags``), ``rules`` the
threshold dict.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal

from ..timeutil import to_local

RED_REASONS = ("NIGHT_ACCIDENT", "NEAR_POLICY_START", "NEAR_POLICY_END", "LATE_REPORT", "HIGH_VALUE_VEHICLE",
               "LARGE_SINGLE_PARTY_LOSS", "THEFT", "FIRE", "SELF_IGNITION", "TOTAL_LOSS",
               "HIGH_LOSS_RATIO_FREQUENCY", "LEFT_SCENE", "SUSPICIOUS",
               "DRIVER_NOT_INSURED_REPORTED_BY_OTHER", "HIGH_SUM_INSURED", "OLD_OR_IMPORTED_MODEL",
               "SPECIAL_VEHICLE")
REPORTERS = ("insured", "driver", "other")               # 报案人: the insured, the driver, someone else
VEHICLE_USES = ("private", "taxi", "commercial", "motorcycle", "agricultural", "special")  # 使用性质
ORIGINS = ("domestic", "imported")                       # 国产 / 进口


def _flag(claim, name: str) -> bool:
    return bool((getattr(claim, "flags", None) or {}).get(name))


def _fact(claim, name: str):
    """A fact that claims made before seed 002 do not have: missing means unknown (None)."""
    return getattr(claim, name, None)


def _dec(value) -> Decimal:
    return Decimal(str(value))


def _t(text: str) -> time:
    return time.fromisoformat(text)


def _local_time(claim) -> time:
    return to_local(claim.accident_at).time()


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


# --------------------------------------------------------------------------- red (any)


def night_accident(claim, rules) -> bool:
    """22:00 (included) to 05:00 (excluded), local time."""
    t, start, end = _local_time(claim), _t(rules["night_start"]), _t(rules["night_end"])
    return t >= start or t < end


def near_policy_start(claim, rules) -> bool:
    """The accident day is within N days of the policy's start day."""
    if claim.policy_start is None:
        return False
    return abs((to_local(claim.accident_at).date() - claim.policy_start).days) <= int(rules["near_policy_days"])


def near_policy_end(claim, rules) -> bool:
    if claim.policy_end is None:
        return False
    return abs((claim.policy_end - to_local(claim.accident_at).date()).days) <= int(rules["near_policy_days"])


def late_report(claim, rules) -> bool:
    """Reported more than N hours after the accident (exactly N hours is not late)."""
    return claim.reported_at - claim.accident_at > timedelta(hours=int(rules["late_report_hours"]))


def high_value_vehicle(claim, rules) -> bool:
    return claim.actual_value is not None and claim.actual_value >= _dec(rules["high_value_vehicle"])


def large_single_party_loss(claim, rules) -> bool:
    return (_flag(claim, "single_party") and claim.estimated_loss is not None
            and claim.estimated_loss >= _dec(rules["large_single_party_loss"]))


def theft(claim, rules) -> bool:
    return _flag(claim, "theft")


def fire(claim, rules) -> bool:
    return _flag(claim, "fire")


def self_ignition(claim, rules) -> bool:
    return _flag(claim, "self_ignition")


def total_loss(claim, rules) -> bool:
    return _flag(claim, "total_loss")


def high_loss_ratio_frequency(claim, rules) -> bool:
    """Loss ratio at or above 60% together with 3 or more claims in the policy year."""
    return (claim.loss_ratio is not None and claim.claims_in_year is not None
            and claim.loss_ratio >= _dec(rules["high_loss_ratio"])
            and claim.claims_in_year >= int(rules["high_frequency"]))


def left_scene(claim, rules) -> bool:
    return _flag(claim, "left_scene")


def suspicious(claim, rules) -> bool:
    return _flag(claim, "suspicious")


def driver_not_insured_reported_by_other(claim, rules) -> bool:
    """驾驶人非被保险人且非本人报案: the driver is said not to be the insured, and neither
    reported the claim. A missing ``driver_is_insured`` is unknown, never taken as false."""
    flags = getattr(claim, "flags", None) or {}
    return _fact(claim, "reported_by") == "other" and flags.get("driver_is_insured") is False


def high_sum_insured(claim, rules) -> bool:
    """车损险保额 of 1,000,000 or more (the actual value has its own rule)."""
    cover = _fact(claim, "policy_cover")
    return cover is not None and cover >= _dec(rules["high_sum_insured"])


def _vehicle_age_at_least(claim, years: int) -> bool:
    if claim.first_registration is None:
        return False
    return to_local(claim.accident_at).date() >= _add_years(claim.first_registration, years)


def old_or_imported_model(claim, rules) -> bool:
    """老旧进口车型、稀有车型: at least N years (default 10) from first registration to the accident
    day, and imported or marked as a rare model."""
    marked = _fact(claim, "origin") == "imported" or bool(_fact(claim, "rare_model"))
    return marked and _vehicle_age_at_least(claim, int(rules["old_model_years"]))


def special_vehicle(claim, rules) -> bool:
    """特种车."""
    return _fact(claim, "use") == "special"


RED_RULES = (
    ("NIGHT_ACCIDENT", night_accident),
    ("NEAR_POLICY_START", near_policy_start),
    ("NEAR_POLICY_END", near_policy_end),
    ("LATE_REPORT", late_report),
    ("HIGH_VALUE_VEHICLE", high_value_vehicle),
    ("LARGE_SINGLE_PARTY_LOSS", large_single_party_loss),
    ("THEFT", theft),
    ("FIRE", fire),
    ("SELF_IGNITION", self_ignition),
    ("TOTAL_LOSS", total_loss),
    ("HIGH_LOSS_RATIO_FREQUENCY", high_loss_ratio_frequency),
    ("LEFT_SCENE", left_scene),
    ("SUSPICIOUS", suspicious),
    ("DRIVER_NOT_INSURED_REPORTED_BY_OTHER", driver_not_insured_reported_by_other),
    ("HIGH_SUM_INSURED", high_sum_insured),
    ("OLD_OR_IMPORTED_MODEL", old_or_imported_model),
    ("SPECIAL_VEHICLE", special_vehicle),
)


# --------------------------------------------------------------------------- blue (all)


def daytime_accident(claim, rules) -> bool:
    """08:00 to 19:00, both included, local time."""
    return _t(rules["blue_day_start"]) <= _local_time(claim) <= _t(rules["blue_day_end"])


def prompt_report(claim, rules) -> bool:
    """Reported within 1 hour of the accident (exactly 1 hour included)."""
    return claim.reported_at - claim.accident_at <= timedelta(hours=int(rules["blue_report_hours"]))


def young_vehicle(claim, rules) -> bool:
    """Less than 10 years from first registration to the accident day."""
    if claim.first_registration is None:
        return False
    limit = _add_years(claim.first_registration, int(rules["blue_vehicle_age_years"]))
    return to_local(claim.accident_at).date() < limit


def small_single_party_loss(claim, rules) -> bool:
    """Single-party, vehicle loss ≤ 5,000 and property loss ≤ 1,000."""
    if not _flag(claim, "single_party") or claim.estimated_loss is None:
        return False
    property_loss = claim.property_loss if claim.property_loss is not None else Decimal("0")
    return (claim.estimated_loss <= _dec(rules["blue_vehicle_loss"])
            and property_loss <= _dec(rules["blue_property_loss"]))


def low_loss_ratio_frequency(claim, rules) -> bool:
    """Loss ratio of 30% or less and at most 2 claims in the policy year."""
    return (claim.loss_ratio is not None and claim.claims_in_year is not None
            and claim.loss_ratio <= _dec(rules["blue_loss_ratio"])
            and claim.claims_in_year <= int(rules["blue_frequency"]))


def first_scene_reported(claim, rules) -> bool:
    return _flag(claim, "first_scene_reported")


def ordinary_use(claim, rules) -> bool:
    """Never blue for taxis, motorcycles and agricultural vehicles (configurable); an unknown
    use is not blue either."""
    use = _fact(claim, "use")
    return use is not None and use not in set(rules["never_blue_uses"])


BLUE_CONDITIONS = (
    ("DAYTIME_ACCIDENT", daytime_accident),
    ("PROMPT_REPORT", prompt_report),
    ("YOUNG_VEHICLE", young_vehicle),
    ("SMALL_SINGLE_PARTY_LOSS", small_single_party_loss),
    ("LOW_LOSS_RATIO_FREQUENCY", low_loss_ratio_frequency),
    ("FIRST_SCENE_REPORTED", first_scene_reported),
    ("ORDINARY_USE", ordinary_use),
)


@dataclass(frozen=True)
class RiskAssessment:
    color: str
    reasons: list = field(default_factory=list)        # red reason codes (API: risk_reasons)
    blue_missing: list = field(default_factory=list)   # blue conditions not met (shown on yellow claims)


def current_rules() -> dict:
    from flask import current_app

    return current_app.config["RISK_RULES"]


def assess(claim, rules: dict | None = None) -> RiskAssessment:
    rules = rules or current_rules()
    reasons = [code for code, rule in RED_RULES if rule(claim, rules)]
    missing = [code for code, cond in BLUE_CONDITIONS if not cond(claim, rules)]
    if reasons:
        return RiskAssessment("red", reasons, missing)
    if not missing:
        return RiskAssessment("blue", [], [])
    return RiskAssessment("yellow", [], missing)
