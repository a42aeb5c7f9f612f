"""One state machine per record with a life, written as a table.

Each row is ``Transition(source, action, target, roles)``. :meth:`StateMachine.apply`
is the only way a status changes: it checks the table, moves the record with a
conditional UPDATE on its version (so two people acting at once cannot both win), and
writes the audit row in the same transaction.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .audit.services import record_audit
from .errors import Forbidden, InvalidState, StaleVersion
from .db.records import update_record
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
