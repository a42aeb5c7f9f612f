from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import AwareDateTime, utcnow

class AuditEntry(db.Model):
    """One row per state change or decision. Never updated, never deleted: on
    PostgreSQL a trigger refuses UPDATE and DELETE on this table."""

    __tablename__ = "audit_entries"
    __table_args__ = (sa.Index("ix_audit_entries_entity", "entity", "entity_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"))
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    entity: Mapped[str] = mapped_column(sa.String(32))
    entity_id: Mapped[str] = mapped_column(sa.String(64))
    action: Mapped[str] = mapped_column(sa.String(64))
    changes: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    @property
    def api_key_id(self) -> int | None:
        """The API key the change came through (``changes["via_api_key"]``), if any."""
        via = (self.changes or {}).get("via_api_key")
        return via.get("id") if isinstance(via, dict) else None


PG_APPEND_ONLY_SQL = [
    """
    CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'audit_entries is append-only';
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER audit_entries_no_change BEFORE UPDATE OR DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()
    """,
]


@sa.event.listens_for(AuditEntry.__table__, "after_create")
def _append_only_trigger(target, connection, **kw):
    if connection.dialect.name == "postgresql":
        for statement in PG_APPEND_ONLY_SQL:
            connection.exec_driver_sql(statement)
