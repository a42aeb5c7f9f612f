"""A change to a quote's lines, photos, decisions or rounds (the garage's answers) bumps the
quote's ``updated_at``: a partner polling ``updated_since`` sees the quote again. Findings are
not listed: they are only ever written with a change of the quote's own row (a submission, new
lines), whose UPDATE stamps it — a bump of their own would be one more statement."""
from __future__ import annotations

from portal.plugin import touch_parent

from .models import Decision, Photo, Quote, QuoteLine, QuoteRound

touch_parent(Quote, (QuoteLine, Decision, Photo, QuoteRound), "quote_id", relation="quote")
