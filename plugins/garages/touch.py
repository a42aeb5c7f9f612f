"""A change to a quote's lines, photos, findings, decisions or rounds (the garage's answers)
bumps the quote's ``updated_at``: a partner polling ``updated_since`` sees the quote again."""
from __future__ import annotations

from portal.plugin import touch_parent

from .models import Decision, Finding, Photo, Quote, QuoteLine, QuoteRound

touch_parent(Quote, (QuoteLine, Finding, Decision, Photo, QuoteRound), "quote_id", relation="quote")
