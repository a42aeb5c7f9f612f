"""Translation catalogues: one message id once per context in each catalogue (a second
entry silently wins over the first, so one of the two wordings never shows)."""
from __future__ import annotations

import collections
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _entries(path: Path) -> list[tuple[str | None, str]]:
    """``(msgctxt, msgid)`` of every entry of a ``.po`` file, as written (single-line ids)."""
    entries, context = [], None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("msgctxt "):
            context = line[len("msgctxt "):]
        elif line.startswith("msgid ") and line != 'msgid ""':
            entries.append((context, line[len("msgid "):]))
            context = None
        elif line.startswith("msgid "):
            context = None
    return entries


def test_no_message_is_translated_twice_in_one_catalogue():
    catalogues = sorted([*ROOT.glob("portal/translations/*/LC_MESSAGES/*.po"),
                         *ROOT.glob("plugins/*/translations/*/LC_MESSAGES/*.po")])
    assert catalogues
    twice = {str(path.relative_to(ROOT)): [entry for entry, n in collections.Counter(_entries(path)).items() if n > 1]
             for path in catalogues}
    assert not {path: dup for path, dup in twice.items() if dup}


def test_the_check_sees_a_duplicate(tmp_path):
    po = tmp_path / "messages.po"
    po.write_text('msgid "A"\nmsgstr "a"\n\nmsgctxt "x"\nmsgid "A"\nmsgstr "b"\n\nmsgid "A"\nmsgstr "c"\n',
                  encoding="utf-8")
    counts = collections.Counter(_entries(po))
    assert counts[(None, '"A"')] == 2 and counts[('"x"', '"A"')] == 1
