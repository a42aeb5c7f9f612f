"""The bearer token's look-up (令牌核验): one statement for the token, its user and the
user's organization, on every API call.

Every API call starts here, so it is built for speed: the statement is a plain column
select, built once, and the user and organization are put
into the session as if a query had loaded them (a new instance's dict filled from the row,
``make_transient_to_detached``, ``Session.add`` — SQLAlchemy's way of attaching rows read
elsewhere). The ORM's per-query loading machinery for three entities cost a third of the
review queue's time on a kept page; the objects are the same: persistent, no pending
change, relationships lazy as usual. When the session already holds the user (a test's
session, a second look-up in one request), the held object is used and what it has not
loaded is filled from the row, as a query would.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import inspect
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from ..extensions import db
from .models import ApiToken, Organization, User

_TOKEN_T = ApiToken.__table__


def _columns(model, prefix: str) -> list[tuple[str, str]]:
    """``(attribute, label)`` for every column attribute of ``model``."""
    return [(prop.key, f"{prefix}{prop.key}") for prop in inspect(model).column_attrs]


_USER_COLUMNS = _columns(User, "u__")
_ORG_COLUMNS = _columns(Organization, "o__")
_PK_ATTRS = {model: {inspect(model).get_property_by_column(c).key for c in inspect(model).primary_key}
             for model in (User, Organization)}


def _lookup_statement():
    user_m, org_m = inspect(User), inspect(Organization)
    columns = [_TOKEN_T.c.expires_at.label("t__expires_at"), _TOKEN_T.c.revoked_at.label("t__revoked_at")]
    columns += [user_m.column_attrs[attr].expression.label(label) for attr, label in _USER_COLUMNS]
    columns += [org_m.column_attrs[attr].expression.label(label) for attr, label in _ORG_COLUMNS]
    return sa.select(*columns).select_from(
        _TOKEN_T.join(User, User.id == _TOKEN_T.c.user_id).join(Organization, Organization.id == User.organization_id)
    ).where(_TOKEN_T.c.token_hash == sa.bindparam("token_hash"))


LOOKUP = _lookup_statement()


def _attach(model, mapping, columns: list[tuple[str, str]]):
    """The ``model`` instance of the row ``mapping`` (labels from ``columns``), persistent in
    the session as a query would have left it — or the one the session already holds."""
    session = db.session()
    mapper = inspect(model)
    pk = [mapping[label] for attr, label in columns if attr in _PK_ATTRS[model]]
    held = session.identity_map.get(mapper.identity_key_from_primary_key(pk))
    if held is not None:   # as a query does: what the held object has not loaded (expired) comes from the row
        unloaded = inspect(held).unloaded
        for attr, label in columns:
            if attr in unloaded:
                set_committed_value(held, attr, mapping[label])
        return held
    obj = mapper.class_manager.new_instance()
    # the instance's dict, as the ORM's loader fills it; make_transient_to_detached then
    # commits it (no history, nothing pending) and gives the object its identity key
    obj.__dict__.update({attr: mapping[label] for attr, label in columns})
    make_transient_to_detached(obj)
    session.add(obj)
    return obj


def read_token(token_hash: str, now):
    """The user of a live token of an active user, else ``None``."""
    # a Core statement on the session's connection: the ORM's execution path adds nothing here
    row = db.session.connection().execute(LOOKUP, {"token_hash": token_hash}).first()
    if row is None:
        return None
    m = row._mapping
    if m["t__revoked_at"] is not None or m["t__expires_at"] <= now or not m["u__active"]:
        return None
    organization = _attach(Organization, m, _ORG_COLUMNS)
    user = _attach(User, m, _USER_COLUMNS)
    if "organization" not in user.__dict__:
        set_committed_value(user, "organization", organization)
    return user
