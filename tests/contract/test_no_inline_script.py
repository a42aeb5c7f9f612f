"""The portal's CSP allows only its own scripts (``script-src 'self'``): an inline event
handler (``onclick=``, ``onsubmit=`` …) or an inline ``<script>`` with code in a template
would silently do nothing in the browser (review D-31: the "end assignment" confirmation)."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE | re.DOTALL)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>\s*[^<\s]", re.IGNORECASE)


def _templates() -> list[Path]:
    return sorted([*ROOT.glob("templates/**/*.html"), *ROOT.glob("plugins/*/templates/**/*.html"),
                   *ROOT.glob("portal/**/templates/**/*.html")])


def _offences(text: str) -> list[str]:
    return [m.group(0)[:80] for pattern in (HANDLER, INLINE_SCRIPT) for m in pattern.finditer(text)]


def test_no_template_carries_inline_script():
    templates = _templates()
    assert len(templates) > 20
    found = {str(path.relative_to(ROOT)): _offences(path.read_text(encoding="utf-8")) for path in templates}
    assert not {path: o for path, o in found.items() if o}


def test_the_check_sees_inline_script():
    assert _offences('<form method="post" onsubmit="return confirm(\'x\')">')
    assert _offences('<button\n  class="btn" onclick="go()">')
    assert _offences("<script>alert(1)</script>")
    assert not _offences('<script src="/static/portal.js"></script><button data-confirm="sure?">')
    assert not _offences('<p>Ask the garage online=yes</p>')
