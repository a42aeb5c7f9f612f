"""Triggers the garages keep in the database itself (数据库触发器), per dialect: created
with the tables (``db.create_all``, the tests) or by a migration, dropped by its downgrade."""
from __future__ import annotations

import sqlalchemy as sa


class TriggerSet:
    """The statements that create and drop one purpose's triggers on SQLite and PostgreSQL."""

    def __init__(self, create: dict[str, list[str]], drop: dict[str, list[str]], tables: set[str]):
        self._create, self._drop, self.tables = create, drop, tables

    def create(self, connection) -> None:
        for statement in self._create.get(connection.dialect.name, []):
            connection.exec_driver_sql(statement)

    def drop(self, connection) -> None:
        for statement in self._drop.get(connection.dialect.name, []):
            connection.exec_driver_sql(statement)

    def with_tables(self, metadata) -> None:
        """Create the triggers when ``create_all`` has made all their tables."""

        @sa.event.listens_for(metadata, "after_create")
        def _after_create(target, connection, tables=(), **kw):
            if self.tables <= {t.name for t in tables}:
                self.create(connection)
