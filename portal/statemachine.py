"""One state machine per record with a life, written as a table.

Each row is ``Transition(source, action, target, roles)``. :meth:`StateMachine.apply`
is the only way a status changes: it checks the table, moves the record with a
conditional UPDATE on its version (so two people acting at once cannot both win), and
writes the audit row in the same transaction.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from .audit.services import record_audit
from .errors import Forbidden, InvalidState, StaleVersion
from .extensions import db


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    target: str
    roles: frozenset[str] = field(default_factory=frozenset)  # empty: the service decides who

    def allows(self, user) -> bool:
        if not self.roles or user is None:
            return True
        return bool(self.roles & set(getattr(user, "roles", ())))


def T(source: str, action: str, target: str, *roles: str) -> Transition:
    return Transition(source, action, target, frozenset(roles))


class StateMachine:
    def __init__(self, entity: str, model, transitions: list[Transition], status_attr: str = "status"):
        self.entity = entity
        self.model = model
        self.status_attr = status_attr
        self.table: dict[tuple[str, str], Transition] = {}
        for t in transitions:
            key = (t.source, t.action)
            if key in self.table:
                raise ValueError(f"{entity}: two transitions for {key}")
            self.table[key] = t

    @property
    def states(self) -> set[str]:
        return {t.source for t in self.table.values()} | {t.target for t in self.table.values()}

    def actions_from(self, status: str) -> list[str]:
        return [action for (source, action) in self.table if source == status]

    def can(self, status: str, action: str) -> bool:
        return (status, action) in self.table

    def transition(self, status: str, action: str) -> Transition:
        try:
            return self.table[(status, action)]
        except KeyError:
            raise InvalidState(
                f"{self.entity} in status {status!r} does not allow {action!r}.",
                {"status": status, "action": action, "allowed": self.actions_from(status)},
            ) from None

    def apply(self, record, action: str, actor=None, *, expected_version: int | None = None,
              values: dict | None = None, audit: dict | None = None, check_roles: bool = True) -> Transition:
        """Move ``record`` by ``action``. ``values`` are other columns set in the same
        UPDATE; ``audit`` adds to the audit row's changes."""
        status = getattr(record, self.status_attr)
        t = self.transition(status, action)
        if check_roles and not t.allows(actor):
            raise Forbidden()
        version = record.version if expected_version is None else expected_version
        if expected_version is not None and expected_version != record.version:
            raise StaleVersion(details={"version": record.version})
        model = type(record)
        new_values = dict(values or {})
        new_values[self.status_attr] = t.target
        new_values["version"] = model.version + 1
        if not update_record(record, model.version == version, getattr(model, self.status_attr) == status,
                             values=new_values):
            db.session.rollback()
            raise StaleVersion(details={"reloaded": True})
        changes = {self.status_attr: [status, t.target]}
        changes.update(audit or {})
        record_audit(self.entity, record.id, action, changes, actor=actor)
        return t

    def as_rows(self) -> list[tuple[str, str, str, str]]:
        """The table, for docs and pages."""
        return [(t.source, t.action, t.target, " ".join(sorted(t.roles))) for t in self.table.values()]


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
