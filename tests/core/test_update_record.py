"""``portal.db.records.update_record``: the conditional UPDATE every transition goes
through; the record takes the written row back from the statement (RETURNING)."""
from __future__ import annotations

import sqlalchemy as sa


def test_the_record_holds_the_row_as_written_in_one_statement(factory):
    from portal.auth.models import User
    from portal.extensions import db
    from portal.db.records import update_record
    from tests.querycount import count_queries

    garage, other = factory.org("garage"), factory.org("garage")
    user = factory.user(garage)
    user_id, other_id = user.id, other.id
    db.session.remove()
    user = db.session.get(User, user_id)
    assert user.organization.id == garage.id          # the many-to-one is loaded
    version = user.version
    with count_queries(db.engine) as counter:
        assert update_record(user, User.version == version, values={
            "version": User.version + 1, "name": "Moved", "organization_id": other_id}) is True
        assert user.version == version + 1 and user.name == "Moved" and user.organization_id == other_id
    assert counter.count == 1, counter                  # no second read of the row
    assert not db.session.dirty
    # the relationship whose key was set is read again, and is the new one
    assert user.organization.id == other_id
    # a stale version changes nothing and says so
    with count_queries(db.engine) as counter:
        assert update_record(user, User.version == version, values={"name": "Lost"}) is False
    assert counter.count == 1 and user.name == "Moved"
    db.session.commit()
    assert db.session.scalar(sa.select(User.name).where(User.id == user_id)) == "Moved"
