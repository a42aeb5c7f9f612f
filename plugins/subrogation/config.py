"""Subrogation settings (``SUBROGATION_*``): every number is configuration."""
from __future__ import annotations

DEFAULTS = {
    "SUBROGATION_LIMITATION_YEARS": 3,        # 诉讼时效: years from the accident
    "SUBROGATION_LIMITATION_FLAG_DAYS": 90,   # open cases flagged this many days before the limitation
}
