"""Tables of the garages plugin (prefix ``garages_``)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.plugin import AwareDateTime, Claim, Money, Organization, db, utcnow

LINE_KINDS = ("part", "repair", "labor", "paint", "material", "outsourced", "rescue")
LABOUR_KINDS = ("repair", "labor", "paint")   # quantity = hours, unit_price = hourly rate
QUALITIES = ("genuine", "equivalent", "recycled")
STATUSES = ("draft", "submitted", "returned", "escalated", "awaiting_second_approval", "approved", "rejected",
            "on_hold", "under_investigation", "withdrawn", "deleted")
HELD = ("on_hold", "under_investigation")   # 问题件 / 案件调查: the deadline clock stops
VISIBLE_STATUSES = tuple(s for s in STATUSES if s != "deleted")   # a deleted draft is kept, never listed
IN_REVIEW = ("submitted", "escalated", "awaiting_second_approval")
DESKS = {"draft": "garage", "returned": "garage", "submitted": "assessor", "escalated": "supervisor",
         "awaiting_second_approval": "second_approver", "on_hold": "assessor", "under_investigation": "assessor"}
PHOTO_KINDS = ("damage", "teardown", "after_repair", "reinspection")
GARAGE_PHOTO_KINDS = ("damage", "teardown", "after_repair")   # re-inspection photos are the insurer's (复勘)
SEVERITIES = ("info", "warn", "block")


class Quote(db.Model):
    """A repair quote (定损报价单); a supplement (追加定损) links to the first quote."""

    __tablename__ = "garages_quotes"
    __table_args__ = (
        # the review queue: WHERE status = ? ORDER BY due_at, id — read in index order
        sa.Index("ix_garages_quotes_queue", "status", "due_at", "id"),
        # a garage's own list: WHERE garage_id = ? ORDER BY id DESC
        sa.Index("ix_garages_quotes_garage_list", "garage_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(sa.ForeignKey("claims.id"), index=True)
    garage_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(32), default="repair")   # repair | specialist_repair
    supplement_to: Mapped[int | None] = mapped_column(sa.ForeignKey("garages_quotes.id"))
    status: Mapped[str] = mapped_column(sa.String(32), default="draft", index=True)
    version: Mapped[int] = mapped_column(default=1)
    total_submitted: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))
    total_approved: Mapped[Decimal | None] = mapped_column(Money())
    submitted_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    first_submitted_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    due_at: Mapped[datetime | None] = mapped_column(AwareDateTime(), index=True)
    decided_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    desk: Mapped[str | None] = mapped_column(sa.String(32), default="garage")
    assigned_reviewer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)   # 一人终审
    # a hold (问题件) or an investigation (案件调查): why, by whom, and the status it resumes to
    hold_reason: Mapped[str | None] = mapped_column(sa.String(32))
    hold_note: Mapped[str | None] = mapped_column(sa.Text)
    held_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    held_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    held_from: Mapped[str | None] = mapped_column(sa.String(32))
    first_approver_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    return_count: Mapped[int] = mapped_column(default=0)
    rules_version: Mapped[str | None] = mapped_column(sa.String(32))
    fast_tracked: Mapped[bool] = mapped_column(default=False)
    sampled: Mapped[bool] = mapped_column(default=False)
    sample_reason: Mapped[str | None] = mapped_column(sa.String(32))
    sample_seed: Mapped[str | None] = mapped_column(sa.String(64))
    note: Mapped[str | None] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    # the last change of the quote or of its lines, photos, findings, decisions and answers
    # (plugins/garages/touch.py): what partners poll with ``updated_since``
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow, onupdate=utcnow, index=True)

    claim: Mapped[Claim] = relationship(lazy="joined", innerjoin=True)
    garage: Mapped[Organization] = relationship(lazy="joined", innerjoin=True, foreign_keys=[garage_id])
    lines: Mapped[list["QuoteLine"]] = relationship(back_populates="quote", order_by="QuoteLine.position",
                                                    cascade="all, delete-orphan")
    findings: Mapped[list["Finding"]] = relationship(order_by="Finding.id", cascade="all, delete-orphan")
    decisions: Mapped[list["Decision"]] = relationship(order_by="Decision.id")
    # a deleted photo is kept (hidden, audited), never read back with its quote
    photos: Mapped[list["Photo"]] = relationship(
        order_by="Photo.id", primaryjoin="and_(Photo.quote_id == Quote.id, Photo.deleted_at.is_(None))")

    @property
    def claim_no(self) -> str:
        return self.claim.claim_no

    @property
    def shown_photos(self) -> list:
        """The photos as the reader may see them: re-inspection photos are the insurer's."""
        shown = self.__dict__.get("_shown_photos")
        return self.photos if shown is None else shown

    @property
    def shown_decisions(self) -> list:
        """The decisions as the reader may see them: a partner's reading leaves out the
        insurer's reasons and notes of holds (set by ``controls.annotate``)."""
        shown = self.__dict__.get("_shown_decisions")
        return self.decisions if shown is None else shown

    @property
    def risk_color(self) -> str:
        return self.claim.risk_color

    @property
    def overdue(self) -> bool:
        return is_overdue(self.status, self.due_at)


def is_overdue(status: str, due_at: datetime | None, now: datetime | None = None) -> bool:
    """In review (待核损) and past its review deadline (超时)."""
    return bool(due_at and status in IN_REVIEW and due_at < (now or utcnow()))


class QuoteCount(db.Model):
    """How many quotes a garage has in a status; kept by triggers (see ``quote_stats``)."""

    __tablename__ = "garages_quote_counts"

    garage_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), primary_key=True)
    status: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    n: Mapped[int] = mapped_column(default=0)


class QuoteLine(db.Model):
    """One line of a quote: part / repair / labor / paint / material / outsourced / rescue."""

    __tablename__ = "garages_quote_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(sa.ForeignKey("garages_quotes.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(sa.String(16))
    part_no: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    quality: Mapped[str | None] = mapped_column(sa.String(16))
    quantity: Mapped[Decimal] = mapped_column(sa.Numeric(10, 2))
    unit_price: Mapped[Decimal] = mapped_column(Money())
    amount: Mapped[Decimal] = mapped_column(Money())
    approved_quantity: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2))
    approved_unit_price: Mapped[Decimal | None] = mapped_column(Money())
    approved_amount: Mapped[Decimal | None] = mapped_column(Money())
    reason: Mapped[str | None] = mapped_column(sa.String(32))          # 核减原因 code
    reviewer_note: Mapped[str | None] = mapped_column(sa.Text)
    garage_comment: Mapped[str | None] = mapped_column(sa.Text)       # the garage's answer on the line
    routed_to_specialist: Mapped[bool] = mapped_column(default=False)  # 外加工 (能修不换)
    source_line_id: Mapped[int | None] = mapped_column(sa.ForeignKey("garages_quote_lines.id", ondelete="SET NULL"))
    # the garage's answer to this round's adjustment: "accept" (the line took the assessor's
    # figures) or "comment" (garage_comment, with photos of the quote)
    answer_kind: Mapped[str | None] = mapped_column(sa.String(8))
    answer_photo_ids: Mapped[list | None] = mapped_column(sa.JSON)

    quote: Mapped[Quote] = relationship(back_populates="lines")

    @property
    def repairs_part_no(self) -> str | None:
        """A repair line names the part it repairs in ``part_no``."""
        return self.part_no if self.kind == "repair" else None

    @property
    def adjusted(self) -> bool:
        return self.approved_amount is not None and self.approved_amount != self.amount


class QuoteRound(db.Model):
    """One line of a quote in one round (轮次): kept at each return — what was submitted and
    what the assessor adjusted (reason, note) — then the garage's answer and what it resubmitted."""

    __tablename__ = "garages_quote_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(sa.ForeignKey("garages_quotes.id"), index=True)
    line_id: Mapped[int | None] = mapped_column(sa.ForeignKey("garages_quote_lines.id", ondelete="SET NULL"))
    round_no: Mapped[int] = mapped_column()
    position: Mapped[int] = mapped_column()
    kind: Mapped[str] = mapped_column(sa.String(16))
    name: Mapped[str] = mapped_column(sa.String(200))
    quantity: Mapped[Decimal] = mapped_column(sa.Numeric(10, 2))
    unit_price: Mapped[Decimal] = mapped_column(Money())
    amount: Mapped[Decimal] = mapped_column(Money())
    approved_quantity: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2))
    approved_unit_price: Mapped[Decimal | None] = mapped_column(Money())
    approved_amount: Mapped[Decimal | None] = mapped_column(Money())
    reason: Mapped[str | None] = mapped_column(sa.String(32))
    reviewer_note: Mapped[str | None] = mapped_column(sa.Text)
    adjusted: Mapped[bool] = mapped_column(default=False)
    returned_at: Mapped[datetime] = mapped_column(AwareDateTime())
    answer_kind: Mapped[str | None] = mapped_column(sa.String(8))
    answer_comment: Mapped[str | None] = mapped_column(sa.Text)
    answer_photo_ids: Mapped[list | None] = mapped_column(sa.JSON)
    resubmitted_quantity: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2))
    resubmitted_unit_price: Mapped[Decimal | None] = mapped_column(Money())
    resubmitted_amount: Mapped[Decimal | None] = mapped_column(Money())
    resubmitted_at: Mapped[datetime | None] = mapped_column(AwareDateTime())


class Finding(db.Model):
    """What an automatic check found (a ``portal_quote_checks`` result)."""

    __tablename__ = "garages_findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(sa.ForeignKey("garages_quotes.id"), index=True)
    line_id: Mapped[int | None] = mapped_column()
    code: Mapped[str] = mapped_column(sa.String(64))
    severity: Mapped[str] = mapped_column(sa.String(8))
    message: Mapped[str] = mapped_column(sa.Text)
    # the sentence's parameters, written in the reader's language at display (finding_texts.py)
    params: Mapped[dict | None] = mapped_column(sa.JSON)
    suggested_unit_price: Mapped[Decimal | None] = mapped_column(Money())
    rules_version: Mapped[str] = mapped_column(sa.String(32))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)


class Decision(db.Model):
    """A decision on a quote: by a person, or by the system (fast track) with its rule."""

    __tablename__ = "garages_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(sa.ForeignKey("garages_quotes.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(32))
    from_status: Mapped[str] = mapped_column(sa.String(32))
    to_status: Mapped[str] = mapped_column(sa.String(32))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow, index=True)   # the reviewers' figures by period
    comment: Mapped[str | None] = mapped_column(sa.Text)
    amount: Mapped[Decimal | None] = mapped_column(Money())
    rules_version: Mapped[str] = mapped_column(sa.String(32))
    automatic: Mapped[bool] = mapped_column(default=False)
    rule: Mapped[str | None] = mapped_column(sa.String(64))
    # an approval judged on the claim (docs/review-controls.md): the claim's repair total after
    # it, the approver's limit
    claim_total: Mapped[Decimal | None] = mapped_column(Money())
    authority_limit: Mapped[Decimal | None] = mapped_column(Money())


class Photo(db.Model):
    """A photo or PDF on a quote or one of its lines, stored under a generated name."""

    __tablename__ = "garages_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(sa.ForeignKey("garages_quotes.id"), index=True)
    line_id: Mapped[int | None] = mapped_column(sa.ForeignKey("garages_quote_lines.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(sa.String(16))
    stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    original_name: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int] = mapped_column()
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    # evidence (services/evidence.py): when the camera took it (EXIF), its thumbnail, and its
    # perceptual hash in four 16-bit bands, each indexed: a near copy shares at least one band
    taken_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    thumb_name: Mapped[str | None] = mapped_column(sa.String(64))
    phash: Mapped[str | None] = mapped_column(sa.String(16))
    phash_0: Mapped[int | None] = mapped_column(index=True)
    phash_1: Mapped[int | None] = mapped_column(index=True)
    phash_2: Mapped[int | None] = mapped_column(index=True)
    phash_3: Mapped[int | None] = mapped_column(index=True)
    # deleted by its garage before submission: hidden everywhere, kept with its audit trail
    deleted_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    deleted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class AuditSample(db.Model):
    """A quote drawn for re-inspection (稽查/复勘), with why and the seed of the draw."""

    __tablename__ = "garages_audit_samples"

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(sa.ForeignKey("garages_quotes.id"), unique=True)
    sample_date: Mapped[date] = mapped_column(sa.Date, index=True)
    reason: Mapped[str] = mapped_column(sa.String(32))      # random | grade | amount
    seed: Mapped[str] = mapped_column(sa.String(64))
    share: Mapped[Decimal] = mapped_column(sa.Numeric(6, 4))
    draw: Mapped[Decimal] = mapped_column(sa.Numeric(10, 8))
    rules_version: Mapped[str] = mapped_column(sa.String(32))
    result: Mapped[str | None] = mapped_column(sa.String(32))   # confirmed | overpaid | fraud_suspected
    result_note: Mapped[str | None] = mapped_column(sa.Text)
    inspected_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    inspected_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    over_payment: Mapped[Decimal | None] = mapped_column(Money())             # from the lines not replaced
    recovery_ref: Mapped[str | None] = mapped_column(sa.String(64))            # the recovery opened for it
    recovery_confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recovery_confirmed_at: Mapped[datetime | None] = mapped_column(AwareDateTime())

    quote: Mapped[Quote] = relationship()
    lines: Mapped[list["ReinspectionLine"]] = relationship(order_by="ReinspectionLine.id",
                                                           cascade="all, delete-orphan")


class ReinspectionLine(db.Model):
    """What re-inspection (复勘) found of one replaced line: replaced as claimed, not replaced,
    repaired instead, or could not be verified; and what was paid for nothing."""

    __tablename__ = "garages_reinspection_lines"
    __table_args__ = (sa.UniqueConstraint("sample_id", "line_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sample_id: Mapped[int] = mapped_column(sa.ForeignKey("garages_audit_samples.id"), index=True)
    line_id: Mapped[int] = mapped_column(sa.ForeignKey("garages_quote_lines.id"))
    outcome: Mapped[str] = mapped_column(sa.String(24))   # replaced | not_replaced | repaired_instead | not_verified
    fair_amount: Mapped[Decimal | None] = mapped_column(Money())   # repaired instead: what the repair is worth
    over_payment: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))
    note: Mapped[str | None] = mapped_column(sa.Text)


from . import touch  # noqa: F401  (the quote is bumped by a change of its children)
