"""Request bodies that can never reach a 500 (security review M8): JSON nested deeper than
``JSON_MAX_DEPTH`` (default 32) or too deep for the decoder is a 400 ``bad_request``; a string
holding a lone UTF-16 surrogate or a NUL character is a 422 ``invalid`` naming the field
(``lines.0.name``) — neither can be stored, and a NUL never belongs in partner text."""
from __future__ import annotations

import json

from flask import current_app
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from ..errors import Invalid


def _bad_text(text: str) -> bool:
    return "\x00" in text or any("\ud800" <= ch <= "\udfff" for ch in text)


def check(data, max_depth: int):
    """Walk ``data`` without recursion: its depth, and the path of a string that cannot be kept."""
    stack = [(data, 1, "")]
    while stack:
        value, depth, path = stack.pop()
        if depth > max_depth:
            raise ValueError(f"JSON nested deeper than {max_depth} levels.")
        if isinstance(value, dict):
            for key, item in value.items():
                where = f"{path}.{key}" if path else str(key)
                if isinstance(key, str) and _bad_text(key):
                    raise Invalid({path or "body": ["A key holds a character that cannot be kept."]})
                stack.append((item, depth + 1, where))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                stack.append((item, depth + 1, f"{path}.{i}" if path else str(i)))
        elif isinstance(value, str) and _bad_text(value):
            raise Invalid({path or "body": ["Text with a NUL or an unpaired surrogate character cannot be kept."]})
    return data


class SafeParser(FlaskParser):
    """webargs' Flask parser, reading JSON bodies under the limits above."""

    def _raw_load_json(self, req):
        if not is_json_request(req):
            return core.missing
        raw = req.get_data(cache=True)
        try:
            data = core.parse_json(raw)
            return check(data, int(current_app.config.get("JSON_MAX_DEPTH", 32)))
        except json.JSONDecodeError:
            raise
        except (RecursionError, ValueError) as exc:   # too deep, too many digits: a bad body (400)
            raise json.JSONDecodeError(str(exc)[:100] or "bad JSON", "(body)", 0) from None
