"""``read_with_token``: values a view asks for are read in the same statement as the
caller's token (portal.auth.services.user_for_token), correlated to the caller."""
from __future__ import annotations

import sqlalchemy as sa


def test_extras_come_with_the_token_and_a_dead_token_gives_none(factory):
    from portal.auth.models import ApiToken, Organization, User
    from portal.auth.services import user_for_token
    from portal.extensions import db
    from tests.querycount import count_queries

    garage = factory.org("garage")
    user = factory.user(garage)
    token = factory.token(user)
    user_id = user.id
    first = {"kind": Organization.kind, "double": User.id * 2}
    second = {"kind": sa.literal("other"), "double": User.id * 3}   # the same names, other expressions
    db.session.remove()
    with count_queries(db.engine) as counter:
        found, extras = user_for_token(token, first)
    assert found.id == user_id and extras == {"kind": "garage", "double": user_id * 2}
    assert counter.count == 1, counter
    assert user_for_token(token, second)[1] == {"kind": "other", "double": user_id * 3}
    assert user_for_token(token)[1] == {}
    db.session.execute(sa.update(ApiToken).values(revoked_at=sa.func.now()))
    db.session.commit()
    assert user_for_token(token, first) == (None, {})

