"""Tables of the parts-suppliers plugin (prefix ``parts_``)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.plugin import AwareDateTime, Money, Organization, db, utcnow

QUALITIES = ("genuine", "equivalent", "recycled")
FAMILIES = ("glass", "aluminium", "gearbox", "electronics")
LIST_STATUSES = ("pending", "current", "superseded", "rejected", "withdrawn")


class PriceList(db.Model):
    """One version of a supplier's price list (配件价格表). ``list_version`` counts the
    supplier's uploads (1, 2, ...); ``version`` is the optimistic-locking counter."""

    __tablename__ = "parts_price_lists"
    __table_args__ = (sa.UniqueConstraint("supplier_id", "list_version", name="uq_parts_price_lists_supplier_version"),
                      sa.Index("ix_parts_price_lists_status_supplier", "status", "supplier_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    list_version: Mapped[int] = mapped_column()
    status: Mapped[str] = mapped_column(sa.String(16), default="pending")
    version: Mapped[int] = mapped_column(default=1)
    rows: Mapped[int] = mapped_column(default=0)
    source_filename: Mapped[str | None] = mapped_column(sa.String(255))
    base_list_id: Mapped[int | None] = mapped_column(sa.ForeignKey("parts_price_lists.id"))
    diff_summary: Mapped[dict | None] = mapped_column(sa.JSON)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    # its last change (upload, approval, rejection, superseding): what suppliers poll with updated_since
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow, onupdate=utcnow, index=True)
    decision_note: Mapped[str | None] = mapped_column(sa.String(500))

    supplier: Mapped[Organization] = relationship(lazy="joined")
    base_list: Mapped["PriceList | None"] = relationship(remote_side=[id], lazy="select")


class PriceListItem(db.Model):
    """One line of a price list. ``is_current`` is set on the lines of approved current
    lists only, so that a look-up of a quote's parts is one indexed query."""

    __tablename__ = "parts_price_list_items"
    __table_args__ = (
        sa.Index("ix_parts_items_lookup", "part_no", "quality", "is_current"),
        sa.Index("ix_parts_items_list_part", "price_list_id", "part_no", "quality"),
        sa.Index("ix_parts_items_assembly", "assembly_no", "is_current"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    price_list_id: Mapped[int] = mapped_column(sa.ForeignKey("parts_price_lists.id"))
    source_row: Mapped[int] = mapped_column()
    part_no: Mapped[str] = mapped_column(sa.String(64))
    name: Mapped[str | None] = mapped_column(sa.String(200))
    quality: Mapped[str] = mapped_column(sa.String(16))
    make: Mapped[str | None] = mapped_column(sa.String(100))
    model: Mapped[str | None] = mapped_column(sa.String(200))
    unit_price: Mapped[Decimal] = mapped_column(Money())
    min_order: Mapped[int | None] = mapped_column()
    lead_time_days: Mapped[int | None] = mapped_column()
    family: Mapped[str | None] = mapped_column(sa.String(16))
    assembly_no: Mapped[str | None] = mapped_column(sa.String(64))
    is_current: Mapped[bool] = mapped_column(default=False)


class LocalizedPrice(db.Model):
    """A localized price (本地化价格) set by pricing staff; history kept: the latest row of
    a (part_no, quality, region) is the one in force."""

    __tablename__ = "parts_localized_prices"
    __table_args__ = (sa.Index("ix_parts_localized_lookup", "part_no", "quality", "region"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    part_no: Mapped[str] = mapped_column(sa.String(64))
    quality: Mapped[str] = mapped_column(sa.String(16))
    region: Mapped[str] = mapped_column(sa.String(64))
    price: Mapped[Decimal] = mapped_column(Money())
    set_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)


class LaborRate(db.Model):
    """A garage's approved hourly labour rate (工时费标准); history kept."""

    __tablename__ = "parts_labor_rates"

    id: Mapped[int] = mapped_column(primary_key=True)
    garage_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    rate: Mapped[Decimal] = mapped_column(Money())
    effective_from: Mapped[date] = mapped_column(sa.Date())
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    approved_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)

    garage: Mapped[Organization] = relationship(lazy="joined")


class RegionalStandard(db.Model):
    """A region's standard labour rate and towing fee schedule (施救费标准); history kept,
    the latest row is in force."""

    __tablename__ = "parts_regional_standards"

    id: Mapped[int] = mapped_column(primary_key=True)
    region: Mapped[str] = mapped_column(sa.String(64), index=True)
    labor_rate: Mapped[Decimal | None] = mapped_column(Money())
    towing_fee: Mapped[Decimal | None] = mapped_column(Money())
    set_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)


class PriceFeedback(db.Model):
    """An assessor's note that a reference price looks wrong (价格反馈)."""

    __tablename__ = "parts_price_feedback"
    __table_args__ = (sa.Index("ix_parts_feedback_status", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    part_no: Mapped[str] = mapped_column(sa.String(64), index=True)
    quality: Mapped[str] = mapped_column(sa.String(16))
    region: Mapped[str] = mapped_column(sa.String(64))
    quote_id: Mapped[int | None] = mapped_column()
    reference_price: Mapped[Decimal | None] = mapped_column(Money())
    reference_supplier_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"))
    suggested_price: Mapped[Decimal | None] = mapped_column(Money())
    comment: Mapped[str] = mapped_column(sa.Text(), default="")
    from_user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(sa.String(16), default="open")
    version: Mapped[int] = mapped_column(default=1)
    answer: Mapped[str | None] = mapped_column(sa.Text())
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)


IMPORT_STATUSES = ("queued", "parsing", "writing", "done", "failed")


class PriceImport(db.Model):
    """A large price file checked and stored by the background worker (后台导入), with its
    progress for the page that polls it."""

    __tablename__ = "parts_price_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    filename: Mapped[str | None] = mapped_column(sa.String(255))
    stored_name: Mapped[str | None] = mapped_column(sa.String(64))     # in UPLOAD_FOLDER/price-imports/
    size: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    status: Mapped[str] = mapped_column(sa.String(16), default="queued", index=True)
    rows_read: Mapped[int] = mapped_column(default=0)
    price_list_id: Mapped[int | None] = mapped_column(sa.ForeignKey("parts_price_lists.id"))
    message: Mapped[str | None] = mapped_column(sa.String(500))
    errors: Mapped[dict | None] = mapped_column(sa.JSON)               # ``details`` of the refusal
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
