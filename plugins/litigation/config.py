"""Litigation settings (``LITIGATION_*``): every number is configuration."""
from __future__ import annotations

DEFAULTS = {
    "LITIGATION_MAJOR_AMOUNT": "500000",         # a lawsuit above this amount in dispute is major (重大诉讼)
    "LITIGATION_HEARING_REMINDER_DAYS": 3,       # counsel reminded this many days before a hearing
    "LITIGATION_HEARING_RESULT_DAYS": 2,         # the hearing's result is due this many days after it
    "LITIGATION_COST_APPROVAL_ABOVE": "5000",    # legal costs above this need a second approval
}
