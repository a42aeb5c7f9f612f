"""Recovery cases (追偿案件), receipts (回款) and targets (追偿目标)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from portal.plugin import (ZERO, AwareDateTime, Claim, DocumentColumns, Money, Organization, User, db, quantize,
                          utcnow)

STATUSES = ("open", "demand_sent", "negotiating", "in_litigation", "closed")
CLOSED_AS = ("recovered", "partially_recovered", "written_off")
RECEIPT_METHODS = ("bank_transfer", "cheque", "cash", "offset", "other")


class RecoveryCase(db.Model):
    """A recovery case (追偿案件) against the liable third party and its insurer."""

    __tablename__ = "subrogation_recoveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(sa.ForeignKey("claims.id"), index=True)
    amount_paid: Mapped[Decimal] = mapped_column(Money())
    amount_sought: Mapped[Decimal] = mapped_column(Money())
    basis: Mapped[str | None] = mapped_column(sa.Text)
    counterparty_name: Mapped[str] = mapped_column(sa.String(200))
    counterparty_insurer: Mapped[str | None] = mapped_column(sa.String(200))
    counterparty_contact: Mapped[str | None] = mapped_column(sa.String(200))
    limitation_starts_on: Mapped[date] = mapped_column(sa.Date)
    limitation_deadline: Mapped[date] = mapped_column(sa.Date, index=True)
    handler_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    handler_organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(16), default="open", index=True)
    closed_as: Mapped[str | None] = mapped_column(sa.String(24))
    closed_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    lawsuit_filed: Mapped[bool] = mapped_column(default=False)
    limitation_flagged_on: Mapped[date | None] = mapped_column(sa.Date)
    opened_on: Mapped[date] = mapped_column(sa.Date, index=True)
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)

    claim: Mapped[Claim] = relationship(lazy="joined")
    handler_user: Mapped[User | None] = relationship(foreign_keys=[handler_user_id], lazy="joined")
    handler_organization: Mapped[Organization | None] = relationship(foreign_keys=[handler_organization_id],
                                                                      lazy="joined")
    receipts: Mapped[list["Receipt"]] = relationship(back_populates="recovery", order_by="Receipt.received_on",
                                                     lazy="select")

    @property
    def claim_no(self) -> str:
        return self.claim.claim_no

    @property
    def outstanding(self) -> Decimal:
        """未追回 = sought − recovered."""
        return quantize(self.amount_sought - (self.recovered or ZERO))

    @property
    def counterparty(self) -> dict:
        return {"name": self.counterparty_name, "insurer": self.counterparty_insurer,
                "contact": self.counterparty_contact}

    @property
    def handler_name(self) -> str | None:
        if self.handler_organization is not None:
            return self.handler_organization.name
        return self.handler_user.name if self.handler_user is not None else None

    @property
    def is_external(self) -> bool:
        return self.handler_organization_id is not None


class Receipt(db.Model):
    """A receipt (回款) booked against a recovery case."""

    __tablename__ = "subrogation_receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    recovery_id: Mapped[int] = mapped_column(sa.ForeignKey("subrogation_recoveries.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money())
    received_on: Mapped[date] = mapped_column(sa.Date, index=True)
    method: Mapped[str] = mapped_column(sa.String(40))
    reference: Mapped[str | None] = mapped_column(sa.String(100))
    note: Mapped[str | None] = mapped_column(sa.Text)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    # a reversal (冲销) is a counter-entry: a negative amount naming the receipt it reverses
    # (once: the unique index), with its reason (``reversals.py``)
    reverses_id: Mapped[int | None] = mapped_column(sa.ForeignKey("subrogation_receipts.id"), unique=True)
    reason: Mapped[str | None] = mapped_column(sa.Text)

    recovery: Mapped[RecoveryCase] = relationship(back_populates="receipts")


class Target(db.Model):
    """A recovery target (追偿目标) for a period: ``YYYY-MM`` or ``YYYY-Qn``."""

    __tablename__ = "subrogation_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(sa.String(7), unique=True)
    amount: Mapped[Decimal] = mapped_column(Money())
    set_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow, onupdate=utcnow)


# recovered (已追回) = Σ receipts, derived in the same SELECT as the case (no N+1, no copy).
RecoveryCase.recovered = column_property(
    sa.select(sa.type_coerce(sa.func.coalesce(sa.func.sum(Receipt.amount), 0), Money()))
    .where(Receipt.recovery_id == RecoveryCase.id)
    .correlate_except(Receipt)
    .scalar_subquery()
)


class RecoveryDocument(DocumentColumns, db.Model):
    """A document of a recovery case (追偿材料: a demand letter, a settlement, a bank slip),
    a PDF or an image checked by content, kept under ``UPLOAD_FOLDER/subrogation/``.
    Deleting hides it (``hidden_at``) and is audited; the file stays for the record."""

    __tablename__ = "subrogation_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    recovery_id: Mapped[int] = mapped_column(sa.ForeignKey("subrogation_recoveries.id"), index=True)
