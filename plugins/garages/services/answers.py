"""How much of a quote a change reads back for its API answer. Not business rules: the
session's identity map used so that an answer reads again only what it must."""
from __future__ import annotations

import sqlalchemy as sa

from portal.plugin import db

from ..models import Quote


def append_loaded(quote: Quote, collection: str, row) -> None:
    """A row written by ``quote_id`` joins the quote's collection when it is loaded, so the
    collection stands as written and the answer need not read it again (unloaded, it is
    read from the flushed rows when the answer asks)."""
    if collection not in sa.inspect(quote).unloaded:
        getattr(quote, collection).append(row)


def flush_for_answer(quote: Quote, reread: tuple[str, ...] = ()) -> Quote:
    """The quote a change has just written, ready for its answer without reading it all
    again: its row came back with the UPDATE (``portal.statemachine.update_record``), the
    lines and findings it changed through their collections stand as written, and the
    decisions and photos it added joined theirs (:func:`append_loaded`); a collection never
    loaded is read from the flushed rows when the answer asks. ``reread`` names what is
    read afresh after the flush all the same (lines that may come in a new order)."""
    db.session.flush()
    if reread:   # (an empty list would expire every attribute)
        db.session.expire(quote, list(reread))
    return quote
