"""Salvage settings: every number is configuration (``SALVAGE_*`` in the app config)."""
from __future__ import annotations

from decimal import Decimal

from portal.plugin import setting

DEFAULTS = {
    "SALVAGE_PICKUP_WORKING_DAYS": 2,          # pickup within 2 working days of the award
    "SALVAGE_PROCEEDS_WORKING_DAYS": 5,        # proceeds booked within 5 working days of pickup
    "SALVAGE_BELOW_ESTIMATE_RATIO": "0.80",    # net recovery under 80% of the estimate → flagged
    "SALVAGE_BARRED_GRADES": ("D",),           # vendor grades that may not bid
    "SALVAGE_PICKUP_CLOSE_OF_BUSINESS": None,  # None: the review close of business (17:00)
}


def below_estimate_ratio() -> Decimal:
    return Decimal(str(setting("SALVAGE_BELOW_ESTIMATE_RATIO")))


def barred_grades() -> tuple[str, ...]:
    value = setting("SALVAGE_BARRED_GRADES")
    if isinstance(value, str):
        value = [g.strip() for g in value.split(",") if g.strip()]
    return tuple(value)
