"""Salvage lots (损余物资), their sealed bids (密封竞价) and photos."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.plugin import AwareDateTime, Claim, Money, Organization, StoredFileColumns, db, touch_parent, utcnow

SOURCES = ("total_loss", "parts")
STATUSES = ("open", "closed", "awarded", "no_sale", "picked_up", "disposed", "settled")
DISPOSALS = ("sold", "dismantled")
PHOTO_KINDS = ("pickup", "lot")


class SalvageLot(db.Model):
    """A salvage lot (损余物资标的): what it is, where it stands, its residual value
    (残值) and reserve price (保留价), and its life from bidding to booked proceeds."""

    __tablename__ = "salvage_lots"
    __table_args__ = (sa.Index("ix_salvage_lots_status_closes", "status", "bidding_closes_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(sa.ForeignKey("claims.id"), index=True)
    description: Mapped[str] = mapped_column(sa.Text)
    source: Mapped[str] = mapped_column(sa.String(16), default="total_loss")
    location: Mapped[str | None] = mapped_column(sa.String(200))
    # what a bidder needs to price the lot (staff enter them when opening it; ``facts.py``)
    vin: Mapped[str | None] = mapped_column(sa.String(17))
    mileage_km: Mapped[int | None] = mapped_column()
    keys_present: Mapped[bool | None] = mapped_column()              # 有/无钥匙
    driving_licence: Mapped[bool | None] = mapped_column()           # 行驶证
    registration_certificate: Mapped[bool | None] = mapped_column()  # 机动车登记证书
    starts: Mapped[bool | None] = mapped_column()                    # 能否启动
    drives: Mapped[bool | None] = mapped_column()                    # 能否行驶
    damage: Mapped[str | None] = mapped_column(sa.Text)              # 损失情况
    estimated_value: Mapped[Decimal] = mapped_column(Money())
    reserve_price: Mapped[Decimal] = mapped_column(Money())
    bidding_opens_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    bidding_closes_at: Mapped[datetime] = mapped_column(AwareDateTime())
    round: Mapped[int] = mapped_column(default=1)
    bid_count: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(sa.String(16), default="open")
    version: Mapped[int] = mapped_column(default=1)
    closed_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    # award (中标)
    winner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    winning_bid_id: Mapped[int | None] = mapped_column()  # no FK: bids reference lots (no cycle)
    amount: Mapped[Decimal | None] = mapped_column(Money())
    awarded_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    # pickup (提车/提货)
    pickup_due_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    picked_up_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    pickup_overdue_flagged_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    # disposal (出售/拆解)
    disposal: Mapped[str | None] = mapped_column(sa.String(16))
    disposed_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    # proceeds (入账)
    proceeds_due_on: Mapped[date | None] = mapped_column(sa.Date)
    proceeds_amount: Mapped[Decimal | None] = mapped_column(Money())
    proceeds_booked_on: Mapped[date | None] = mapped_column(sa.Date)
    proceeds_costs: Mapped[Decimal | None] = mapped_column(Money())
    net_recovery: Mapped[Decimal | None] = mapped_column(Money())
    below_estimate: Mapped[bool | None] = mapped_column()
    settled_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    # its last change, or a photo's on it (touch_parent below): what vendors poll. A bid is not
    # a change of the lot (sealed bids: another vendor must not learn that someone bid)
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow, onupdate=utcnow, index=True)

    claim: Mapped[Claim] = relationship(lazy="joined", innerjoin=True)
    winner: Mapped[Organization | None] = relationship(lazy="joined")


class SalvageBid(db.Model):
    """One sealed bid (出价). A vendor may raise: each bid is a row, its best counts."""

    __tablename__ = "salvage_bids"
    __table_args__ = (sa.Index("ix_salvage_bids_lot_round_amount", "lot_id", "round", "amount"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("salvage_lots.id"))
    round: Mapped[int] = mapped_column(default=1)
    vendor_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    amount: Mapped[Decimal] = mapped_column(Money())
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)

    vendor: Mapped[Organization] = relationship(lazy="joined")


class SalvagePhoto(StoredFileColumns, db.Model):
    """A photo of a lot (``lot``) or of its pickup (``pickup``), stored outside the web
    root under ``UPLOAD_FOLDER/salvage/`` with a generated name."""

    __tablename__ = "salvage_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("salvage_lots.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16), default="pickup")


touch_parent(SalvageLot, (SalvagePhoto,), "lot_id")
