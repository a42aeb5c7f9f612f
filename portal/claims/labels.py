"""Human labels of claim codes (risk reasons, blue conditions, purposes, flags)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..glossary import Labels

REASON_LABELS = {
    "NIGHT_ACCIDENT": _l("Accident at night (22:00–05:00)"),
    "NEAR_POLICY_START": _l("Accident within 7 days of the policy start"),
    "NEAR_POLICY_END": _l("Accident within 7 days of the policy end"),
    "LATE_REPORT": _l("Reported more than 48 hours after the accident"),
    "HIGH_VALUE_VEHICLE": _l("Vehicle worth 1,000,000 or more"),
    "LARGE_SINGLE_PARTY_LOSS": _l("Single-party accident with a loss of 50,000 or more"),
    "THEFT": _l("Theft"),
    "FIRE": _l("Fire"),
    "SELF_IGNITION": _l("Self-ignition"),
    "TOTAL_LOSS": _l("Total loss"),
    "HIGH_LOSS_RATIO_FREQUENCY": _l("Loss ratio 60% or more with 3 or more claims this year"),
    "LEFT_SCENE": _l("Left the scene or settled privately"),
    "SUSPICIOUS": _l("Marked suspicious by an assessor"),
    "DRIVER_NOT_INSURED_REPORTED_BY_OTHER": _l("Driver is not the insured and someone else reported the claim"),
    "HIGH_SUM_INSURED": _l("Sum insured of 1,000,000 or more"),
    "OLD_OR_IMPORTED_MODEL": _l("Old imported or rare model (10 years or more)"),
    "SPECIAL_VEHICLE": _l("Special vehicle"),
}

BLUE_LABELS = {
    "DAYTIME_ACCIDENT": _l("Accident between 08:00 and 19:00"),
    "PROMPT_REPORT": _l("Reported within 1 hour"),
    "YOUNG_VEHICLE": _l("Vehicle less than 10 years old"),
    "SMALL_SINGLE_PARTY_LOSS": _l("Single-party, vehicle loss ≤ 5,000 and property loss ≤ 1,000"),
    "LOW_LOSS_RATIO_FREQUENCY": _l("Loss ratio ≤ 30% and at most 2 claims this year"),
    "FIRST_SCENE_REPORTED": _l("First scene reported"),
    "ORDINARY_USE": _l("Not a taxi, motorcycle or agricultural vehicle"),
}

REPORTER_LABELS = {
    "insured": _l("The insured"),
    "driver": _l("The driver"),
    "other": _l("Someone else"),
}

USE_LABELS = {
    "private": _l("Private"),
    "taxi": _l("Taxi"),
    "commercial": _l("Commercial"),
    "motorcycle": _l("Motorcycle"),
    "agricultural": _l("Agricultural"),
    "special": _l("Special vehicle"),
}

ORIGIN_LABELS = {"domestic": _l("Domestic"), "imported": _l("Imported")}

FLAG_LABELS = {
    "single_party": _l("Single-party accident"),
    "injury": _l("Injury"),
    "theft": _l("Theft"),
    "fire": _l("Fire"),
    "self_ignition": _l("Self-ignition"),
    "total_loss": _l("Total loss"),
    "left_scene": _l("Left the scene / settled privately"),
    "first_scene_reported": _l("First scene reported"),
    "driver_is_insured": _l("Driver is the insured"),
    "suspicious": _l("Suspicious"),
}

COLOR_LABELS = {"red": _l("Red"), "yellow": _l("Yellow"), "blue": _l("Blue")}
STATUS_LABELS = Labels("claim.status")   # the glossary's words (portal/glossary.py)
