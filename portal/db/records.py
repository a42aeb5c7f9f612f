"""The conditional update behind every transition (记录更新): one ``UPDATE … RETURNING``.

A state machine's step and any other guarded change of a record go through
:func:`update_record`: the row changes only where its version (or another criterion)
still holds, and the written row comes back with the statement.
"""
from __future__ import annotations

import functools

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from ..extensions import db


def update_record(record, *criteria, values: dict) -> bool:
    """``UPDATE`` the row of ``record`` where its id and ``criteria`` hold (the version it
    was read at), ``SET values``; the record then holds the row as written. ``False`` when
    no row matched: someone else changed it first.

    The written row comes back with the statement (``RETURNING``, PostgreSQL and SQLite
    ≥ 3.35) instead of a second read, and the collections the record has loaded (a quote's
    lines) stay loaded: a transition costs one round trip, not three. A many-to-one whose
    key the update set is expired (read again when asked for)."""
    model = type(record)
    columns, others = _returnable_columns(model)
    row = db.session.execute(
        sa.update(model).where(model.id == record.id, *criteria).values(**values)
        .returning(*[column for _key, column in columns])
        .execution_options(synchronize_session=False)
    ).first()
    if row is None:
        return False
    for (key, _column), value in zip(columns, row):
        set_committed_value(record, key, value)
    # a many-to-one whose key was just set (a lot's winner) is read again when asked for, as
    # is an attribute not of the record's own table (none today; a mapped expression)
    stale = [rel for rel, keys in _references(model) if keys & values.keys() and rel in record.__dict__]
    stale += [key for key in others if key in record.__dict__]
    if stale:
        db.session.expire(record, stale)
    return True


@functools.cache
def _references(model) -> list[tuple[str, set[str]]]:
    """``(relationship, {its key attributes})`` for the many-to-one relationships of ``model``."""
    mapper = sa.inspect(model)
    return [(rel.key, {mapper.get_property_by_column(c).key for c in rel.local_columns})
            for rel in mapper.relationships if rel.direction.name == "MANYTOONE"]


@functools.cache
def _returnable_columns(model) -> tuple[list[tuple[str, sa.Column]], list[str]]:
    """``(attribute, column)`` for the attributes of ``model`` that are plain columns of its
    table (``RETURNING`` brings them back), and the names of its other column attributes."""
    table = model.__table__
    props = sa.inspect(model).column_attrs
    columns = [(prop.key, prop.columns[0]) for prop in props
               if len(prop.columns) == 1 and getattr(prop.columns[0], "table", None) is table]
    returned = {key for key, _column in columns}
    return columns, [prop.key for prop in props if prop.key not in returned]
