"""Importing a supplier's price file (价格表导入): parse and check every row first, holding no
database lock (the rows are spooled to a temporary file), then write them in one short
transaction as a new pending version with its diff. Large files go through the background
worker (plugins/parts_suppliers/imports.py)."""
from __future__ import annotations

import pickle
import tempfile
from collections.abc import Callable, Iterator

import sqlalchemy as sa

from portal.plugin import Invalid, Organization, db, emit, record_audit, utcnow

from .models import PriceList, PriceListItem
from .pricefile import ROW_FIELDS, RowErrors, detect_kind, read_price_rows
from .services import PRICE_LIST_FLOW, current_list, diff_counts

BATCH = 5000

ITEM_COLUMNS = ("price_list_id",) + tuple("unit_price" if f == "unit_price_fen" else f for f in ROW_FIELDS) + ("is_current",)


# --------------------------------------------------------------------------- price lists


class _ItemWriter:
    """Inserts rows in batches on the session's own connection (one transaction):
    ``executemany`` of plain tuples; on PostgreSQL, ``COPY``."""

    def __init__(self, price_list_id: int):
        self.conn = db.session.connection()
        self.price_list_id = price_list_id
        self.batch: list[tuple] = []
        self.count = 0
        self.postgres = self.conn.dialect.name == "postgresql"
        cols = ", ".join(ITEM_COLUMNS)
        if self.postgres:
            self.sql = f"COPY {PriceListItem.__tablename__} ({cols}) FROM STDIN"
        else:
            marks = ", ".join("?" for _ in ITEM_COLUMNS)
            self.sql = f"INSERT INTO {PriceListItem.__tablename__} ({cols}) VALUES ({marks})"

    def add(self, row: tuple) -> None:
        self.batch.append((self.price_list_id, *row, False))
        if len(self.batch) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.batch:
            return
        if self.postgres:
            raw = self.conn.connection.driver_connection
            with raw.cursor() as cur, cur.copy(self.sql) as copy:
                for row in self.batch:
                    copy.write_row(row)
        else:
            self.conn.exec_driver_sql(self.sql, self.batch)
        self.count += len(self.batch)
        self.batch = []


class ParsedFile:
    """The good rows of a price file, spooled to a temporary file in batches: parsing takes
    no database lock; :func:`store_price_list` then writes them in one short transaction."""

    def __init__(self, errors: RowErrors):
        self.spool = tempfile.TemporaryFile()
        self.count = 0
        self._batch: list[tuple] = []
        self._first: dict[tuple, int] = {}     # (part number, quality) → the row it first stands on
        self.errors = errors

    def add(self, row: tuple) -> None:
        key = (row[1], row[3])
        first = self._first.setdefault(key, row[0])
        if first != row[0]:
            self.errors.add(row[0], "part_no", f"Duplicate part number and quality in the file (first at row {first}).")
            return
        self._batch.append(row)
        if len(self._batch) >= BATCH:
            self._dump()

    def _dump(self) -> None:
        if self._batch:
            pickle.dump(self._batch, self.spool, protocol=pickle.HIGHEST_PROTOCOL)
            self.count += len(self._batch)
            self._batch = []

    def rows(self) -> Iterator[tuple]:
        self._dump()
        self.spool.seek(0)
        while True:
            try:
                yield from pickle.load(self.spool)
            except EOFError:
                return

    def close(self) -> None:
        self.spool.close()


def parse_price_file(stream, progress: Callable[[int], None] | None = None) -> ParsedFile:
    """Read and check every row of a price file, writing nothing to the database. Any bad row →
    :class:`Invalid` with ``details.rows``. ``progress(rows_read)`` is called every batch."""
    kind = detect_kind(stream)
    errors = RowErrors()
    parsed = ParsedFile(errors)
    try:
        for row in read_price_rows(stream, kind, errors):
            parsed.add(row)
            if progress and len(parsed._batch) == 0:
                progress(parsed.count)
        parsed._dump()
        parsed._first.clear()
        if errors:
            raise Invalid(errors.details(), message=f"{errors.count} problem(s) in the file; nothing was stored.")
        if parsed.count == 0:
            raise Invalid({"file": ["The file has no price lines."]}, message="The file has no price lines.")
    except BaseException:
        parsed.close()
        raise
    return parsed


def store_price_list(supplier: Organization, parsed: ParsedFile, filename: str | None, actor=None) -> PriceList:
    """Write checked rows as a new pending version with its diff (the caller commits)."""
    if supplier is None or supplier.kind != "parts_supplier":
        raise Invalid.field("supplier", "Not a parts supplier.")
    next_version = (db.session.scalar(sa.select(sa.func.max(PriceList.list_version))
                                      .where(PriceList.supplier_id == supplier.id)) or 0) + 1
    base = current_list(supplier.id)
    pl = PriceList(supplier_id=supplier.id, list_version=next_version, status="pending",
                   source_filename=(filename or "")[:255] or None, uploaded_by_id=getattr(actor, "id", None),
                   uploaded_at=utcnow(), base_list_id=base.id if base else None)
    db.session.add(pl)
    db.session.flush()
    writer = _ItemWriter(pl.id)
    for row in parsed.rows():
        writer.add(row)
    writer.flush()
    pl.rows = writer.count
    pl.diff_summary = diff_counts(pl.id, base.id if base else None)
    for older in db.session.scalars(sa.select(PriceList).where(PriceList.supplier_id == supplier.id,
                                                               PriceList.status == "pending",
                                                               PriceList.id != pl.id)):
        PRICE_LIST_FLOW.apply(older, "supersede", actor, check_roles=False, audit={"by_list": pl.id})
    record_audit("price_list", pl.id, "upload", {"status": [None, "pending"], "rows": pl.rows,
                                                 "list_version": pl.list_version, "file": pl.source_filename,
                                                 "diff": pl.diff_summary}, actor=actor)
    emit("price_list.uploaded", {"price_list_id": pl.id, "supplier_id": supplier.id,
                                 "organization_ids": [supplier.id],
                                 "list_version": pl.list_version, "rows": pl.rows})
    return pl


def import_price_list(supplier: Organization, stream, filename: str | None, actor=None) -> PriceList:
    """Check a whole price file (no lock taken), then store it as a new pending version with
    its diff. Any bad row → :class:`Invalid` with ``details.rows`` (the caller rolls back, so
    nothing is stored). ``stream`` is a seekable binary file."""
    if supplier is None or supplier.kind != "parts_supplier":
        raise Invalid.field("supplier", "Not a parts supplier.")
    # A request that writes holds SQLite's write lock from its first statement (BEGIN IMMEDIATE,
    # portal/db/engine.py): end that transaction — nothing of the upload is written yet — so the
    # parse, which may take a minute, holds no lock and other people's writes go on.
    db.session.commit()
    parsed = parse_price_file(stream)
    try:
        return store_price_list(supplier, parsed, filename, actor)
    finally:
        parsed.close()


