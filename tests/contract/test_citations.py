"""Comments and docs cite only what is in the repository.

The product's specification and API contract are kept outside this repository, so a
code comment or doc that cites them ("SPEC §3a", "API.md") sends a reader nowhere; cite a
file under ``docs/`` or state the rule.
"""
from __future__ import annotations

import re

from tests.conftest import ROOT

OUTSIDE = re.compile(r"SPEC\s*§|SPEC:|SPEC\.md|API\.md|DESIGN\.md|\.\./shared/|shared/API")
PLACES = ("portal", "plugins", "migrations", "tools", "bench", "docs", "templates", "tests")


def _files():
    for place in PLACES:
        for path in (ROOT / place).rglob("*"):
            if path.suffix in (".py", ".md", ".html", ".cfg", ".txt") and path.name != "test_citations.py":
                yield path
    yield ROOT / "README.md"


def test_nothing_cites_a_document_outside_the_repository():
    found = [f"{path.relative_to(ROOT)}:{n}: {line.strip()[:80]}"
             for path in _files() for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if OUTSIDE.search(line)]
    assert found == []


def test_a_cited_docs_file_exists():
    """``docs/<name>.md`` named anywhere in code or docs is a file in the repository."""
    named = {m for path in _files() for m in re.findall(r"docs/[\w-]+\.md", path.read_text(encoding="utf-8"))}
    assert named and {name for name in named if not (ROOT / name).exists()} == set()
