"""A change to a quote's lines, photos, findings, decisions or rounds (the garage's answers)
bumps the quote's ``updated_at``: a partner polling ``updated_since`` sees the quote again."""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.plugin import utcnow

from .models import Decision, Finding, Photo, Quote, QuoteLine, QuoteRound

CHILDREN = (QuoteLine, Finding, Decision, Photo, QuoteRound)


@event.listens_for(Session, "before_flush")
def _bump_quotes(session, flush_context, instances) -> None:
    quote_ids = {obj.quote_id or (obj.quote.id if getattr(obj, "quote", None) is not None else None)
                 for obj in (*session.new, *session.dirty, *session.deleted)
                 if isinstance(obj, CHILDREN)} - {None}
    # a child appended to one of the quote's collections has no quote id yet: the quote is dirty
    quotes = [obj for obj in session.dirty if isinstance(obj, Quote) and session.is_modified(obj)]
    if not quote_ids and not quotes:
        return
    now = utcnow()
    for quote_id in quote_ids:
        quote = session.get(Quote, quote_id)   # in the session already: the change read it
        if quote is not None:
            quotes.append(quote)
    for quote in quotes:
        quote.updated_at = now
