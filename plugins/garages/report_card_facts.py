"""The garages' facts for the insurer's report card (``portal_report_card_facts``).

- **reviews**: each person's decision (approve / first approve / return / reject) on a quote,
  timed from the start of its round — the last ``submit`` or ``resume`` before it (by id);
  its deadline is the one the calendar gives for that start and the round's submitted total
  (``compute_review_deadline``);
- **lines**: each adjusted line of a returned round that the garage answered with a comment
  (it disputed the adjustment); *restored* when the assessor's later approved amount of the
  line is above what that round approved;
- the **team** is the region of the quote's assigned reviewer (no person is named).
"""
from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa

from portal.plugin import User, compute_review_deadline, db

from .models import Decision, Quote, QuoteLine, QuoteRound

TIMED = ("approve", "first_approve", "return", "reject")
ROUND_STARTS = ("submit", "resume")


def _teams(quote_ids) -> dict[int, str]:
    if not quote_ids:
        return {}
    rows = db.session.execute(sa.select(Quote.id, User.region).outerjoin(User, User.id == Quote.assigned_reviewer_id)
                              .where(Quote.id.in_(quote_ids)))
    return {qid: region or "" for qid, region in rows}


def report_card_facts(organization_ids) -> dict[str, list[dict]]:
    stmt = (sa.select(Decision.id, Decision.quote_id, Decision.action, Decision.at, Decision.amount,
                      Decision.user_id, Decision.automatic, Quote.garage_id, Quote.total_submitted)
            .join(Quote, Quote.id == Decision.quote_id)
            .where(Decision.action.in_(TIMED + ROUND_STARTS)).order_by(Decision.quote_id, Decision.id))
    if organization_ids is not None:
        stmt = stmt.where(Quote.garage_id.in_(list(organization_ids)))
    reviews, start = [], {}
    for row in db.session.execute(stmt):
        if row.action in ROUND_STARTS:
            start[row.quote_id] = row
        elif row.user_id is not None and not row.automatic and row.quote_id in start:
            began = start[row.quote_id]
            due = compute_review_deadline(began.at, began.amount or row.total_submitted).due_at
            reviews.append({"organization_id": row.garage_id, "quote_id": row.quote_id, "submitted_at": began.at,
                            "decided_at": row.at, "due_at": due})
    rounds = sa.select(QuoteRound.quote_id, QuoteRound.approved_amount, QuoteLine.approved_amount, Quote.garage_id) \
        .join(QuoteLine, QuoteLine.id == QuoteRound.line_id).join(Quote, Quote.id == QuoteRound.quote_id) \
        .where(QuoteRound.adjusted.is_(True), QuoteRound.answer_kind == "comment")
    if organization_ids is not None:
        rounds = rounds.where(Quote.garage_id.in_(list(organization_ids)))
    lines = [{"organization_id": org_id, "quote_id": qid,
              "restored": now is not None and then is not None and now > then}
             for qid, then, now, org_id in db.session.execute(rounds)]
    teams = _teams({r["quote_id"] for r in reviews} | {x["quote_id"] for x in lines})
    grouped = defaultdict(list)
    for key, rows in (("reviews", reviews), ("lines", lines)):
        for r in rows:
            team = teams.get(r.pop("quote_id"), "")
            grouped[key].append({**r, "team": team})
    return dict(grouped)
