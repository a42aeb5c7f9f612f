"""The core's change marks (portal/db/changes.py): one watch per table, rendered for both
databases; a fingerprint changes when a watched row changes, whoever writes it."""
from __future__ import annotations

import pytest
import sqlalchemy as sa


def test_a_table_is_watched_once():
    from portal.db.changes import WATCHES, watch

    assert WATCHES["change_marks_claims"].scope == "claims"
    with pytest.raises(ValueError, match="claims is watched twice"):
        watch("claims", scope="someone.else")


def test_the_claims_mark_changes_with_any_change_of_a_claim(app, factory, api_as):
    """Written by plain SQL, in a transaction of its own (on PostgreSQL at its commit)."""
    from portal.db.changes import fingerprint
    from portal.extensions import db
    from tests.core.test_claims_api import claim_body

    assert fingerprint(("no.such.scope", None)) == (0, 0)
    claim = api_as(factory.user()).post("/claims", json=claim_body()).get_json()
    db.session.remove()
    before = fingerprint(("claims", None))
    assert before[0] == 1
    db.session.remove()
    with db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE claims SET place = 'x' WHERE id = :id"), {"id": claim["id"]})
    db.session.remove()
    after = fingerprint(("claims", None))
    assert after[0] == 1 and after != before
