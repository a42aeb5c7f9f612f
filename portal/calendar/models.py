from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import AwareDateTime, utcnow


class CalendarOverride(db.Model):
    """An admin's decision about one day: working or not, with a name."""

    __tablename__ = "calendar_overrides"

    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    working: Mapped[bool] = mapped_column()
    name: Mapped[str | None] = mapped_column(sa.String(100))
    set_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
