"""The bearer token's look-up (portal.auth.token_lookup): one statement for the token, its
user and the user's organization, attached as a query would leave them."""
from __future__ import annotations

import sqlalchemy as sa


def test_the_token_user_is_as_a_query_leaves_it(factory):
    """The look-up attaches the user and organization without the ORM's loader
    (portal.auth.token_lookup): they must behave exactly as loaded ones — persistent, nothing
    pending, a change flushed as an UPDATE, a disabled user refused."""
    from sqlalchemy import inspect

    from portal.auth.models import Organization, User
    from portal.auth.services import user_for_token
    from portal.extensions import db
    from tests.querycount import count_queries

    garage = factory.org("garage")
    user = factory.user(garage)
    token = factory.token(user)
    user_id, org_id = user.id, garage.id
    db.session.remove()
    with count_queries(db.engine) as counter:
        found = user_for_token(token)
        assert found.organization.id == org_id and found.organization.kind == "garage" and found.roles
        assert not found.is_insurer and found.email == user.email
    assert counter.count == 1, counter   # the organization came with the user: no lazy load
    state = inspect(found)
    assert state.persistent and not state.modified and not db.session.dirty and not db.session.new
    assert db.session.get(User, user_id) is found and db.session.get(Organization, org_id) is found.organization
    found.name = "Renamed Garage User"
    db.session.commit()
    assert db.session.scalar(sa.select(User.name).where(User.id == user_id)) == "Renamed Garage User"
    db.session.remove()
    # a session that already holds the user (expired by a commit) gets it back, refreshed from the row
    held = db.session.get(User, user_id)
    db.session.execute(sa.update(User).where(User.id == user_id).values(name="Changed Elsewhere"))
    db.session.commit()
    with count_queries(db.engine) as counter:
        again = user_for_token(token)
        assert again is held and again.name == "Changed Elsewhere"
    assert counter.count == 1, counter
    db.session.execute(sa.update(User).where(User.id == user_id).values(active=False))
    db.session.commit()
    db.session.remove()
    assert user_for_token(token) is None
