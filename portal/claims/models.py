from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import Organization
from ..db.changes import watch
from ..extensions import db
from ..money import Money
from ..timeutil import AwareDateTime, utcnow

FLAG_NAMES = ("single_party", "injury", "theft", "fire", "self_ignition", "total_loss", "left_scene",
              "first_scene_reported", "driver_is_insured", "suspicious")
RISK_COLORS = ("red", "yellow", "blue")


class Claim(db.Model):
    """A claim (赔案): policy, vehicle and accident facts, flags and the risk colour."""

    __tablename__ = "claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_no: Mapped[str] = mapped_column(sa.String(64), unique=True)
    policy_no: Mapped[str] = mapped_column(sa.String(64), index=True)
    policy_start: Mapped[date] = mapped_column(sa.Date)
    policy_end: Mapped[date] = mapped_column(sa.Date)
    insured_name: Mapped[str] = mapped_column(sa.String(200))
    plate: Mapped[str] = mapped_column(sa.String(16))
    vin: Mapped[str] = mapped_column(sa.String(17), index=True)
    model: Mapped[str] = mapped_column(sa.String(120))
    first_registration: Mapped[date | None] = mapped_column(sa.Date)
    # seed 002's facts; NULL on claims made before them means unknown (never blue, never red by them)
    vehicle_use: Mapped[str | None] = mapped_column(sa.String(16))   # 使用性质: risk.VEHICLE_USES
    origin: Mapped[str | None] = mapped_column(sa.String(16))        # 国产 domestic / 进口 imported
    rare_model: Mapped[bool | None] = mapped_column(sa.Boolean)      # 稀有车型
    reported_by: Mapped[str | None] = mapped_column(sa.String(16))   # 报案人: insured / driver / other
    actual_value: Mapped[Decimal | None] = mapped_column(Money())
    policy_cover: Mapped[Decimal | None] = mapped_column(Money())  # 车损险保额 (the garages plugin computes what remains)
    accident_at: Mapped[datetime] = mapped_column(AwareDateTime())
    reported_at: Mapped[datetime] = mapped_column(AwareDateTime())
    place: Mapped[str | None] = mapped_column(sa.String(200))
    region: Mapped[str] = mapped_column(sa.String(64), index=True)
    description: Mapped[str | None] = mapped_column(sa.Text)
    estimated_loss: Mapped[Decimal | None] = mapped_column(Money())
    property_loss: Mapped[Decimal | None] = mapped_column(Money())
    loss_ratio: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 4))
    claims_in_year: Mapped[int | None] = mapped_column()
    flags: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    risk_color: Mapped[str] = mapped_column(sa.String(8), default="yellow", index=True)
    risk_reasons: Mapped[list] = mapped_column(sa.JSON, default=list)
    status: Mapped[str] = mapped_column(sa.String(16), default="open", index=True)
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow, onupdate=utcnow)

    assignments: Mapped[list["Assignment"]] = relationship(back_populates="claim", order_by="Assignment.id")

    __mapper_args__ = {"version_id_col": version}  # a lost update is refused (StaleVersion)

    @property
    def use(self) -> str | None:
        """The vehicle's use, as the risk rules and the API (``vehicle.use``) name it."""
        return self.vehicle_use

    def flag(self, name: str) -> bool:
        return bool((self.flags or {}).get(name))


class Assignment(db.Model):
    """A claim assigned to a partner organization for a purpose. Ending it (``ended_at``)
    hides the claim from the partner again; the row is kept."""

    __tablename__ = "claim_assignments"
    __table_args__ = (sa.Index("ix_claim_assignments_org_active", "organization_id", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(sa.ForeignKey("claims.id"), index=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    purpose: Mapped[str] = mapped_column(sa.String(32))
    assigned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(AwareDateTime())

    claim: Mapped[Claim] = relationship(back_populates="assignments")
    organization: Mapped[Organization] = relationship()

    @property
    def active(self) -> bool:
        return self.ended_at is None

    @hybrid_property
    def updated_at(self) -> datetime:
        """An assignment changes once after it is made: when it ends."""
        return self.ended_at or self.created_at

    @updated_at.inplace.expression
    @classmethod
    def _updated_at_expression(cls):
        return sa.func.coalesce(cls.ended_at, cls.created_at).label("updated_at")


# Pages that show claims (a quote list shows each quote's claim number and colour) are kept
# while this mark holds: renewed on any change of any claim (claims change rarely).
CLAIMS_WATCH = watch("claims", scope="claims")
