"""Programme rules (核损规则参数), versioned: the ``GARAGES_RULES`` setting (``config.py``) is merged over
:data:`DEFAULT_RULES`; every finding and decision stores the ``version`` it was made under."""
from __future__ import annotations

from decimal import Decimal

from portal.plugin import setting

DEFAULT_RULES: dict = {
    "version": "2026.1",
    # checks
    "price_tolerance": "0.05",                 # PRICE_ABOVE_REFERENCE: 5% above reference
    "total_loss_ratio": "0.80",                # TOTAL_LOSS_SUSPECTED: 推定全损 at 80% of actual value
    "duplicate_months": 24,                    # DUPLICATE_PART_HISTORY window
    "repairable_keywords": {                   # REPLACE_WHERE_REPAIRABLE when the catalog has no family
        "glass": ["玻璃", "glass", "windshield"],
        "aluminium": ["铝", "aluminium", "aluminum"],
        "gearbox": ["变速箱", "gearbox", "transmission"],
        "electronics": ["电脑板", "模块", "控制单元", "ecu", "module"],
    },
    "material_standards": [                    # MATERIAL_OVER_STANDARD: keyword → standard quantity
        {"keywords": ["机油", "engine oil"], "quantity": "4.5", "unit": "L"},
        {"keywords": ["冷却液", "防冻液", "coolant"], "quantity": "6", "unit": "L"},
        {"keywords": ["制冷剂", "冷媒", "refrigerant"], "quantity": "0.8", "unit": "kg"},
        {"keywords": ["刹车油", "制动液", "brake fluid"], "quantity": "1", "unit": "L"},
    ],
    "severities": {
        "PRICE_ABOVE_REFERENCE": "warn", "PART_NOT_IN_CATALOG": "warn",
        "REPAIR_COSTS_MORE_THAN_REPLACE": "warn", "REPLACE_WHERE_REPAIRABLE": "warn",
        "ASSEMBLY_WHERE_COMPONENT": "warn", "LABOR_RATE_ABOVE_AGREED": "warn",
        "MATERIAL_OVER_STANDARD": "warn", "DUPLICATE_PART_HISTORY": "block",
        "RESCUE_ABOVE_SCHEDULE": "warn", "TOTAL_LOSS_SUSPECTED": "block",
        "POLICY_LIMIT_EXCEEDED": "block", "PHOTO_REUSED": "warn", "PHOTO_BEFORE_ACCIDENT": "warn",
    },
    # review — every money control is judged on the claim's repair total (docs/review-controls.md)
    "claim_total_counts": "approved_and_pending",   # or "approved": what the claim's repair total counts
    "major_threshold": "50000",                # 大要案: the claim's repair total above → four eyes
    "fast_track_limit": "5000",                # 小额快赔
    "fast_track_grades": ["A", "B"],
    "fast_track_colors": ["blue"],
    # audit sampling (稽查)
    "sampling_share": "0.10",                  # the seed's "##%": two digits
    "sampling_grade_shares": {"C": "0.15", "D": "0.30"},
    "sampling_amount_threshold": "30000",
    "sampling_amount_share": "0.20",
    "show_reviewer_names_to_partners": False,  # a garage reads "the insurer's reviewer", not a name
    # 问题件 / 案件调查 reasons (a hold or an investigation takes one, with a note)
    "hold_reasons": ["SUSPECTED_FRAUD", "DOCUMENTS_MISSING", "LIABILITY_UNCLEAR", "PRICE_VERIFICATION",
                     "THIRD_PARTY_DISPUTE", "OTHER"],
    # a red claim above this repair total needs an investigation before approval (None: never)
    "red_investigation_above": None,
    # 核减原因
    "reduction_reasons": ["PRICE_HIGH", "NOT_ACCIDENT_RELATED", "REPAIR_NOT_REPLACE", "QUANTITY_HIGH",
                          "LABOR_HIGH", "DUPLICATE", "OTHER"],
    "photo_max_bytes": 10 * 1024 * 1024,
    "photo_max_pixels": 40_000_000,            # a larger image is a decompression bomb for the reviewer
    "min_damage_photos": 1,                    # a submission needs this many damage photos (损失照片)
    # PHOTO_REUSED: perceptual hashes (64 bits) this close are the same picture. Measured: a photo
    # re-encoded as JPEG at quality 55 and resized to 70% is within 2; different scenes 18 or more
    "photo_match_distance": 6,
}


def rules() -> dict:
    """The rules in force (defaults with the configured overrides)."""
    merged = dict(DEFAULT_RULES)
    override = setting("GARAGES_RULES") or {}
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def rules_version() -> str:
    return str(rules()["version"])


def dec(key: str) -> Decimal:
    return Decimal(str(rules()[key]))


def severity(code: str) -> str:
    return rules()["severities"].get(code, "warn")
