"""The quote's life (核损流程) as one table: (from, action, to, who may)."""
from __future__ import annotations

from portal.plugin import T, StateMachine

from .models import Quote

GARAGE = ("partner_admin", "partner_user")
REVIEWERS = ("assessor", "supervisor", "admin")
SUPERVISORS = ("supervisor", "admin")

QUOTE_FLOW = StateMachine("quote", Quote, [
    T("draft", "submit", "submitted", *GARAGE),
    T("returned", "submit", "submitted", *GARAGE),
    T("draft", "delete", "deleted", *GARAGE),                         # hidden, kept with its audit trail
    T("submitted", "withdraw", "withdrawn", *GARAGE),                  # 撤回: before a decision
    T("returned", "withdraw", "withdrawn", *GARAGE),
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
    # 问题件 / 案件调查: the deadline clock stops; resuming starts a new review and a new deadline
    *[T(source, action, target, *REVIEWERS) for source in ("submitted", "escalated", "awaiting_second_approval")
      for action, target in (("hold", "on_hold"), ("investigate", "under_investigation"))],
    T("on_hold", "investigate", "under_investigation", *REVIEWERS),
    T("on_hold", "resume", "submitted", *REVIEWERS),
    T("under_investigation", "resume", "submitted", *REVIEWERS),
    T("on_hold", "reject", "rejected", *SUPERVISORS),
    T("under_investigation", "reject", "rejected", *SUPERVISORS),
])
