"""Tables of the major-case register (大案)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..claims.models import Claim
from ..extensions import db
from ..money import Money
from ..timeutil import AwareDateTime, utcnow

BASES = ("repair", "salvage", "recovery", "lawsuit")   # what made the claim major
MAJOR_STATUSES = ("open", "closed")


class MajorCase(db.Model):
    """One claim in the register, with its milestones: on site (到达现场), the investigation
    report (调查报告) and the weekly status line (周报进展)."""

    __tablename__ = "major_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(sa.ForeignKey("claims.id"), unique=True)
    amount: Mapped[Decimal] = mapped_column(Money())          # the largest of the amounts below
    basis: Mapped[str] = mapped_column(sa.String(16))         # BASES
    amounts: Mapped[dict] = mapped_column(sa.JSON, default=dict)   # {basis: "123.45"} as last seen
    band: Mapped[int] = mapped_column(default=1)              # 1-based index into MAJOR_CASES["bands"]
    responsible_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    opened_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    on_site_due: Mapped[datetime] = mapped_column(AwareDateTime())
    on_site_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    report_due: Mapped[datetime] = mapped_column(AwareDateTime())
    report_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    report_text: Mapped[str | None] = mapped_column(sa.Text)
    status_due: Mapped[datetime] = mapped_column(AwareDateTime())
    status: Mapped[str] = mapped_column(sa.String(16), default="open", index=True)
    closed_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow, onupdate=utcnow)

    claim: Mapped[Claim] = relationship(lazy="joined")
    responsible: Mapped[User | None] = relationship(lazy="joined")
    lines: Mapped[list["MajorCaseLine"]] = relationship(back_populates="case", order_by="MajorCaseLine.id")


class MajorCaseLine(db.Model):
    """A dated line of the case's record: on site, the report, a weekly status."""

    __tablename__ = "major_case_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("major_cases.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(24))           # on_site | investigation_report | status
    at: Mapped[datetime] = mapped_column(AwareDateTime())
    text: Mapped[str | None] = mapped_column(sa.Text)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)

    case: Mapped[MajorCase] = relationship(back_populates="lines")
    author: Mapped[User | None] = relationship(lazy="joined")


class MajorCaseWeek(db.Model):
    """A published weekly summary (大案周报): the figures as they stood at its due moment."""

    __tablename__ = "major_case_weeks"

    id: Mapped[int] = mapped_column(primary_key=True)
    week: Mapped[str] = mapped_column(sa.String(8), unique=True)    # ISO week, "2026-W49"
    due_at: Mapped[datetime] = mapped_column(AwareDateTime())
    published_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    figures: Mapped[dict] = mapped_column(sa.JSON, default=dict)
