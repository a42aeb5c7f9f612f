"""Evaluation records: programme rules (考核规则, versioned), scorecards (考核结果),
their metric lines and partners' disputes on a metric (考核申诉)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import Organization
from ..extensions import db
from ..timeutil import AwareDateTime, utcnow

GRADE_ORDER = ("A", "B", "C", "D")
DISPUTE_STATUSES = ("open", "answered")


class EvaluationRules(db.Model):
    """One published version of the scorecard rules (weights, brackets, grade bounds).

    ``config``::

        {"grade_bounds": {"A": "90", "B": "75", "C": "60"},
         "kinds": {"garage": {"garage.reduction_rate": {
             "weight": "30", "brackets": [["-0.02", null, "100"], ...], "missing_points": "100",
             "label": "...", "unit": "ratio", "higher_is_better": false}}}}

    Numbers are decimal strings; ``null`` bounds are open. Rows are never changed:
    a new version is published instead.
    """

    __tablename__ = "evaluation_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)
    config: Mapped[dict] = mapped_column(sa.JSON)
    note: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class Scorecard(db.Model):
    """A partner's scorecard for one period (考核结果): total out of 100 and grade."""

    __tablename__ = "scorecards"
    __table_args__ = (
        sa.UniqueConstraint("organization_id", "period", name="uq_scorecards_organization_period"),
        sa.Index("ix_scorecards_period_kind_region", "period", "org_kind", "region"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    period: Mapped[str] = mapped_column(sa.String(7))            # "YYYY-MM"
    period_start: Mapped[date] = mapped_column(sa.Date)
    period_end: Mapped[date] = mapped_column(sa.Date)             # inclusive
    org_kind: Mapped[str] = mapped_column(sa.String(32))          # kind and region when computed
    region: Mapped[str] = mapped_column(sa.String(64))
    total: Mapped[Decimal] = mapped_column(sa.Numeric(7, 2))
    grade: Mapped[str] = mapped_column(sa.String(1))
    rules_version: Mapped[int] = mapped_column()
    computed_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    previous_grade: Mapped[str | None] = mapped_column(sa.String(1))
    previous_total: Mapped[Decimal | None] = mapped_column(sa.Numeric(7, 2))

    organization: Mapped[Organization] = relationship(lazy="joined")
    metrics: Mapped[list["ScorecardMetric"]] = relationship(
        back_populates="scorecard", order_by="ScorecardMetric.id", lazy="selectin")


class ScorecardMetric(db.Model):
    """One metric line of a scorecard: value, bracket points, weight, weighted points."""

    __tablename__ = "scorecard_metrics"

    id: Mapped[int] = mapped_column(primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(sa.ForeignKey("scorecards.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(sa.String(80))
    label: Mapped[str] = mapped_column(sa.String(200))
    unit: Mapped[str] = mapped_column(sa.String(16), default="ratio")
    higher_is_better: Mapped[bool] = mapped_column(default=False)
    value: Mapped[Decimal | None] = mapped_column(sa.Numeric(18, 6))
    points: Mapped[Decimal] = mapped_column(sa.Numeric(7, 2))
    weight: Mapped[Decimal] = mapped_column(sa.Numeric(7, 2))
    weighted_points: Mapped[Decimal] = mapped_column(sa.Numeric(9, 4))
    volume: Mapped[int | None] = mapped_column()          # records behind the value, when reported
    counted: Mapped[bool] = mapped_column(default=True, server_default=sa.true())  # False: too few records

    scorecard: Mapped[Scorecard] = relationship(back_populates="metrics")

    @property
    def points_lost(self) -> Decimal:
        """Weighted points this metric cost: (100 − points) × weight / 100."""
        return (Decimal(100) - self.points) * self.weight / Decimal(100)


class MetricDispute(db.Model):
    """A partner's dispute of one scorecard metric (考核申诉), answered by staff.

    ``period`` and ``metric_code`` keep the link when a period is recomputed (the metric
    rows are replaced; the dispute is re-attached to the new row)."""

    __tablename__ = "metric_disputes"
    __table_args__ = (sa.Index("ix_metric_disputes_status", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scorecard_metric_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("scorecard_metrics.id", ondelete="SET NULL"), index=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    period: Mapped[str] = mapped_column(sa.String(7))
    metric_code: Mapped[str] = mapped_column(sa.String(80))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    comment: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(16), default="open")
    answer: Mapped[str | None] = mapped_column(sa.Text)
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)

    organization: Mapped[Organization] = relationship(lazy="joined")
    metric: Mapped[ScorecardMetric | None] = relationship(lazy="joined")
