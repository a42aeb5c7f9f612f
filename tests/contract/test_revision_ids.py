"""Every migration's revision id fits alembic's ``alembic_version.version_num`` (VARCHAR(32)):
SQLite never checks the length, PostgreSQL refuses the upgrade ("value too long")."""
from __future__ import annotations

import re

from tests.conftest import ROOT

REVISION = re.compile(r"^revision = ['\"]([^'\"]+)['\"]", re.M)


def test_revision_ids_fit_the_version_table():
    files = sorted(ROOT.glob("migrations/versions/*.py")) + sorted(ROOT.glob("plugins/*/migrations/versions/*.py"))
    ids = {path.name: REVISION.search(path.read_text(encoding="utf-8")).group(1) for path in files}
    assert len(ids) >= 20
    assert [name for name, rev in ids.items() if len(rev) > 32] == []
