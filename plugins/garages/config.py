"""Garages settings (``GARAGES_*``): the programme rules (核损规则参数) a deployment overrides.

``GARAGES_RULES`` is a dict merged over ``rules.DEFAULT_RULES`` (see ``rules.py``); every
finding and decision stores the rules version it was made under."""
from __future__ import annotations

DEFAULTS = {
    "GARAGES_RULES": {},     # e.g. {"fast_track_limit": "5000", "version": "2026.2"}
}
