"""The rules of repair quotes and their review (核损); the API and the pages both call these,
and they raise ``portal.errors`` and never commit (the view commits once). ``quotes``: what
each user may see, the lines, creating and editing quotes (定损报价单) and supplements
(追加定损), the automatic checks (核损规则) and submission with the fast track (小额快赔);
``review``: the insurer's decision under the authority limits (审批权限) and the four-eyes
rule (四眼原则), the reviewer's desk and the review screen's context; ``photos``: the
garage's photos and the insurer's re-inspection photos (复勘); ``evidence``: what a photo says
of itself (EXIF time, thumbnail, perceptual hash), PHOTO_REUSED and PHOTO_BEFORE_ACCIDENT, the
minimum of damage photos and deleting a photo before submission; ``sampling``: audit sampling
(稽查); ``answers``: how much of a quote a change reads back for its API answer. The names
below are those the views, the API, the hooks and the tests call as ``services.<name>``."""
from __future__ import annotations

from .answers import flush_for_answer
from .evidence import delete_photo, deletable
from .photos import add_photo, get_photo
from .quotes import (PURPOSE_BY_KIND, create_quote, delete_draft, fast_track_verdict, get_quote, line_amount, precheck,
                     quote_summaries_page, replace_lines, submit_quote, visible_quotes_stmt, withdraw_quote)
from .review import allowed_actions, decide, load_quote_for_display, routed_lines, supervisors_covering, vin_history
from .sampling import (INSPECTION_RESULTS, draw_schedule, draw_todays_sample, record_inspection, sample_quotes,
                       yesterday_local)

__all__ = [
    "INSPECTION_RESULTS", "PURPOSE_BY_KIND", "add_photo", "allowed_actions", "create_quote", "decide", "deletable",
    "delete_draft", "delete_photo", "draw_schedule", "draw_todays_sample",
    "fast_track_verdict", "flush_for_answer", "get_photo", "get_quote", "line_amount", "load_quote_for_display",
    "precheck", "quote_summaries_page", "record_inspection", "replace_lines", "routed_lines", "sample_quotes",
    "submit_quote", "supervisors_covering", "vin_history", "visible_quotes_stmt", "withdraw_quote", "yesterday_local",
]
