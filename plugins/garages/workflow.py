"""The quote's life (核损流程) as one table: (from, action, to, who may)."""
from __future__ import annotations

from portal.statemachine import StateMachine, T

from .models import Quote

GARAGE = ("partner_admin", "partner_user")
REVIEWERS = ("assessor", "supervisor", "admin")
SUPERVISORS = ("supervisor", "admin")

QUOTE_FLOW = StateMachine("quote", Quote, [
    T("draft", "submit", "submitted", *GARAGE),
    T("returned", "submit", "submitted", *GARAGE),
    T("submitted", "fast_track", "approved"),                        # 小额快赔: the system only
    T("submitted", "approve", "approved", *REVIEWERS),
    T("submitted", "first_approve", "awaiting_second_approval", *REVIEWERS),   # 大要案: four eyes
    T("submitted", "return", "returned", *REVIEWERS),
    T("submitted", "reject", "rejected", *REVIEWERS),
    T("submitted", "escalate", "escalated", *REVIEWERS),
    T("escalated", "approve", "approved", *SUPERVISORS),
    T("escalated", "first_approve", "awaiting_second_approval", *SUPERVISORS),
    T("escalated", "return", "returned", *SUPERVISORS),
    T("escalated", "reject", "rejected", *SUPERVISORS),
    T("escalated", "escalate", "escalated", *SUPERVISORS),           # still above this supervisor's limit
    T("awaiting_second_approval", "approve", "approved", *REVIEWERS),
    T("awaiting_second_approval", "return", "returned", *REVIEWERS),
    T("awaiting_second_approval", "reject", "rejected", *REVIEWERS),
    T("awaiting_second_approval", "escalate", "escalated", *REVIEWERS),
])
