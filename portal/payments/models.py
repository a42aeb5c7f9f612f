"""Invoices (发票), their items (approved work they bill) and payments (付款)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..money import Money
from ..timeutil import AwareDateTime, utcnow


class Invoice(db.Model):
    """A partner's invoice (发票): 全电发票 number, or the older code + number."""

    __tablename__ = "invoices"
    __table_args__ = (sa.UniqueConstraint("organization_id", "number", name="uq_invoices_org_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    number: Mapped[str] = mapped_column(sa.String(20))
    code: Mapped[str | None] = mapped_column(sa.String(12))
    issued_on: Mapped[date] = mapped_column(sa.Date)
    amount: Mapped[Decimal] = mapped_column(Money())
    tax_rate: Mapped[Decimal] = mapped_column(sa.Numeric(5, 4))
    tax: Mapped[Decimal] = mapped_column(Money())
    paid: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))
    status: Mapped[str] = mapped_column(sa.String(16), default="submitted", index=True)
    version: Mapped[int] = mapped_column(default=1)
    scan_name: Mapped[str] = mapped_column(sa.String(64))
    scan_type: Mapped[str] = mapped_column(sa.String(32))
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow, onupdate=utcnow, index=True)

    items: Mapped[list["InvoiceItem"]] = relationship(order_by="InvoiceItem.id", lazy="selectin")
    payments: Mapped[list["Payment"]] = relationship(order_by="Payment.id", lazy="selectin")


class InvoiceItem(db.Model):
    """One approved item an invoice bills, and how much of the invoice falls on it."""

    __tablename__ = "invoice_items"
    __table_args__ = (sa.Index("ix_invoice_items_item", "kind", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(sa.ForeignKey("invoices.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(24))
    item_id: Mapped[int] = mapped_column()
    amount: Mapped[Decimal] = mapped_column(Money())


class Payment(db.Model):
    """A payment (付款) the payment system reports; negative: a reversal (冲正) of ``reference``."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(sa.ForeignKey("invoices.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money())
    value_date: Mapped[date] = mapped_column(sa.Date)
    reference: Mapped[str] = mapped_column(sa.String(64))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)


class UnpaidList(db.Model):
    """A week's approved-unpaid list (已决未付清单), kept so past weeks can be re-read."""

    __tablename__ = "unpaid_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    week_start: Mapped[date] = mapped_column(sa.Date, unique=True)
    list_date: Mapped[date] = mapped_column(sa.Date)
    lines: Mapped[list] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
