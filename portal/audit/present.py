"""The audit trail as people read it (操作日志, ``templates/audit/_trail.html``): who by
name, actions and fields in the glossary's words (``portal/glossary.py``), values written
for the reader: money as ¥1,234.50, times in Beijing time, yes/no, codes as words, the
people and organizations named. Names are fetched in two queries for the whole trail."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa

from ..auth.models import Organization, User
from ..extensions import db
from ..glossary import EMPTY, local_time, lookup, money, registered_terms, term

ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?([+-]\d\d:\d\d|Z)?$")
ISO_DATE = re.compile(r"^\d{4}-\d\d-\d\d$")
MONEY_WORDS = ("amount", "total", "price", "value", "proceeds", "fee", "cost", "target", "paid", "limit", "recovered",
               "outstanding", "recovery")
USER_FIELDS = ("user_id", "assignee_id", "responsible_id", "actor_id", "handler_user_id", "counsel_user_id",
               "assigned_to", "held_by_id", "created_by_id")


@dataclass
class Change:
    field: str
    before: str | None   # None: a value, not a change
    after: str


@dataclass
class Row:
    at: object
    who: str
    organization: str
    action: str
    code: str
    changes: list[Change]
    ip: str


def _is_org_field(name: str) -> bool:
    return (name in ("organization_id", "winner_id", "vendor_id", "supplier_id", "garage_id")
            or name.endswith(("_organization_id", "_org_id")))


def _is_user_field(name: str) -> bool:
    return name in USER_FIELDS or name.endswith("_user_id")


def _ids(entries, test) -> set[int]:
    out = set()
    for e in entries:
        for key, value in (e.changes or {}).items():
            if test(key):
                for v in (value if isinstance(value, list) else [value]):
                    if isinstance(v, int) or (isinstance(v, str) and v.isdigit()):
                        out.add(int(v))
    return out


def _names(model, ids) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(model.id, model.name).where(model.id.in_(sorted(ids)))).all())


def _is_pair(key: str, value) -> bool:
    """``[before, after]`` (of plain values or of lists), not a list of two codes."""
    if not isinstance(value, list) or len(value) != 2 or key.endswith(("reasons", "flags", "codes")):
        return False
    lists = [isinstance(v, list) or v is None for v in value]
    return all(lists) or not any(isinstance(v, (list, dict)) for v in value)


class Reader:
    """Formats one trail's values, with the names it needs fetched once."""

    def __init__(self, entries, entity: str):
        self.entity = entity
        self.contexts = registered_terms()
        users = _ids(entries, _is_user_field) | {e.actor_id for e in entries if e.actor_id}
        orgs = _ids(entries, _is_org_field) | {e.organization_id for e in entries if e.organization_id}
        self.users, self.orgs = _names(User, users), _names(Organization, orgs)

    def field(self, name: str) -> str:
        return lookup("audit.field", name) or name.replace("_", " ")

    def value(self, name: str, value) -> str:
        if value is None or value == "":
            return EMPTY
        if isinstance(value, bool):
            return term("yes_no", value)
        if isinstance(value, list):
            return "、".join(self.value(name, v) for v in value) or EMPTY
        if isinstance(value, dict):
            return "; ".join(f"{self.field(k)}: {self.value(k, v)}" for k, v in value.items())
        if _is_user_field(name) and str(value).isdigit():
            return self.users.get(int(value), f"#{value}")
        if _is_org_field(name) and str(value).isdigit():
            return self.orgs.get(int(value), f"#{value}")
        for context in self._contexts_of(name):
            if str(value) in self.contexts[context]:
                return term(context, value)
        text = str(value)
        if ISO_TIME.match(text):
            return local_time(text)
        if ISO_DATE.match(text):
            return text
        if any(word in name for word in MONEY_WORDS) and not name.endswith("_id"):
            try:
                return money(Decimal(text))
            except (InvalidOperation, ValueError):
                return text
        return text

    def _contexts_of(self, name: str) -> list[str]:
        """The glossary contexts a field's values may come from: the entity's own
        (``recovery.status``; ``recovery.receipt_method`` for ``method``), risk reasons,
        and the audit trail's few words of its own."""
        own = [c for c in self.contexts if c == f"{self.entity}.{name}"
               or (c.startswith(f"{self.entity}.") and c.endswith(f"_{name}"))]
        return own + [c for c in ("risk.reason" if "reason" in name else "", "audit.value") if c in self.contexts]

    def changes(self, changes: dict) -> list[Change]:
        out = []
        for key, value in (changes or {}).items():
            if _is_pair(key, value):
                out.append(Change(self.field(key), self.value(key, value[0]), self.value(key, value[1])))
            else:
                out.append(Change(self.field(key), None, self.value(key, value)))
        return out


def audit_rows(entries) -> list[Row]:
    """The trail's rows ready to show (see the module's docstring)."""
    from flask_babel import gettext as _

    entries = list(entries or ())
    if not entries:
        return []
    reader = Reader(entries, entries[0].entity)
    return [Row(at=e.at, who=reader.users.get(e.actor_id, f"#{e.actor_id}") if e.actor_id else _("system"),
                organization=reader.orgs.get(e.organization_id, "") if e.organization_id else "",
                action=term("audit.action", e.action), code=e.action, changes=reader.changes(e.changes),
                ip=e.ip or "") for e in entries]
