"""Lawsuits (诉讼案件), hearings (开庭), legal costs (诉讼费用), complaints (投诉/纠纷)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from portal.plugin import AwareDateTime, Claim, DocumentColumns, Money, Organization, User, db, utcnow

STAGES = ("pre_suit_mediation", "filed", "first_instance", "judgment", "appeal", "enforcement", "closed")
ROLES = ("plaintiff", "defendant", "third_party")
OUTCOMES = ("won", "lost", "settled", "withdrawn", "mediated")
COST_KINDS = ("court_fee", "attorney_fee", "appraisal_fee", "preservation_fee", "enforcement_fee", "other")
COMPLAINT_KINDS = ("complaint", "dispute", "difficult_case")
COMPLAINT_STATUSES = ("registered", "assigned", "answered", "followed_up", "archived")
#: 有责 / 无责 / 撤回: only a substantiated complaint counts against the partner's scorecard.
COMPLAINT_VERDICTS = ("substantiated", "not_substantiated", "withdrawn")


class Lawsuit(db.Model):
    """A lawsuit (诉讼案件), optionally on a claim and a recovery case."""

    __tablename__ = "litigation_lawsuits"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int | None] = mapped_column(sa.ForeignKey("claims.id"), index=True)
    recovery_id: Mapped[int | None] = mapped_column(index=True)  # subrogation_recoveries.id, no FK (see package doc)
    court: Mapped[str] = mapped_column(sa.String(200))
    case_no: Mapped[str | None] = mapped_column(sa.String(100), index=True)
    cause: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(16))
    amount_in_dispute: Mapped[Decimal] = mapped_column(Money())
    major: Mapped[bool] = mapped_column(default=False, index=True)
    major_by_staff: Mapped[bool] = mapped_column(default=False)
    counsel_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    counsel_organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    stage: Mapped[str] = mapped_column(sa.String(24), default="pre_suit_mediation", index=True)
    outcome: Mapped[str | None] = mapped_column(sa.String(16))
    outcome_amount: Mapped[Decimal | None] = mapped_column(Money())
    closed_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    closed_from_stage: Mapped[str | None] = mapped_column(sa.String(24))
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)

    claim: Mapped[Claim | None] = relationship(lazy="joined")
    counsel_user: Mapped[User | None] = relationship(foreign_keys=[counsel_user_id], lazy="joined")
    counsel_organization: Mapped[Organization | None] = relationship(foreign_keys=[counsel_organization_id],
                                                                      lazy="joined")
    hearings: Mapped[list["Hearing"]] = relationship(back_populates="lawsuit", order_by="Hearing.scheduled_at")
    costs: Mapped[list["LegalCost"]] = relationship(back_populates="lawsuit", order_by="LegalCost.incurred_on")

    @property
    def claim_no(self) -> str | None:
        return self.claim.claim_no if self.claim is not None else None

    @property
    def counsel_name(self) -> str | None:
        if self.counsel_organization is not None:
            return self.counsel_organization.name
        return self.counsel_user.name if self.counsel_user is not None else None

    @property
    def external(self) -> bool:
        return self.counsel_organization_id is not None


class Hearing(db.Model):
    """A hearing (开庭): when, where, and its result once recorded."""

    __tablename__ = "litigation_hearings"

    id: Mapped[int] = mapped_column(primary_key=True)
    lawsuit_id: Mapped[int] = mapped_column(sa.ForeignKey("litigation_lawsuits.id"), index=True)
    scheduled_at: Mapped[datetime] = mapped_column(AwareDateTime(), index=True)
    court_room: Mapped[str | None] = mapped_column(sa.String(100))
    kind: Mapped[str | None] = mapped_column(sa.String(40))
    result: Mapped[str | None] = mapped_column(sa.Text)
    result_due_at: Mapped[datetime] = mapped_column(AwareDateTime())
    result_recorded_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    reminded_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)

    lawsuit: Mapped[Lawsuit] = relationship(back_populates="hearings")


class LegalCost(db.Model):
    """A legal cost (诉讼费用): court fee, attorney fee, appraisal, preservation..."""

    __tablename__ = "litigation_costs"

    id: Mapped[int] = mapped_column(primary_key=True)
    lawsuit_id: Mapped[int] = mapped_column(sa.ForeignKey("litigation_lawsuits.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(24))
    amount: Mapped[Decimal] = mapped_column(Money())
    incurred_on: Mapped[date] = mapped_column(sa.Date)
    note: Mapped[str | None] = mapped_column(sa.String(200))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    # approved | pending (a law firm's cost above the approval amount) | rejected; only approved counts
    status: Mapped[str] = mapped_column(sa.String(16), default="approved", server_default="approved")
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    decision_note: Mapped[str | None] = mapped_column(sa.String(200))

    lawsuit: Mapped[Lawsuit] = relationship(back_populates="costs")


class LawsuitDocument(DocumentColumns, db.Model):
    """A document of a lawsuit (诉讼材料: the statement of claim, evidence, a judgment), a PDF
    or an image checked by content, kept under ``UPLOAD_FOLDER/litigation/``; deleting hides
    it (audited), the file stays for the record."""

    __tablename__ = "litigation_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    lawsuit_id: Mapped[int] = mapped_column(sa.ForeignKey("litigation_lawsuits.id"), index=True)


class Complaint(db.Model):
    """A complaint, dispute or difficult case (投诉、纠纷、疑难案件)."""

    __tablename__ = "litigation_complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16), index=True)
    claim_id: Mapped[int | None] = mapped_column(sa.ForeignKey("claims.id"), index=True)
    against_organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    complainant: Mapped[str] = mapped_column(sa.String(200))
    contact: Mapped[str | None] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text)
    assignee_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    answer: Mapped[str | None] = mapped_column(sa.Text)
    answered_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    follow_up: Mapped[str | None] = mapped_column(sa.Text)
    followed_up_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    archived_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    verdict: Mapped[str | None] = mapped_column(sa.String(24), index=True)
    referred_by: Mapped[str | None] = mapped_column(sa.String(200))      # regulator / head office (转办)
    referrer_feedback: Mapped[str | None] = mapped_column(sa.Text)      # the feedback sent back to it
    status: Mapped[str] = mapped_column(sa.String(16), default="registered", index=True)
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)

    claim: Mapped[Claim | None] = relationship(lazy="joined")
    against: Mapped[Organization | None] = relationship(foreign_keys=[against_organization_id], lazy="joined")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_user_id], lazy="joined")

    @property
    def hours_to_answer(self):
        """答复时长 in hours (one decimal), ``None`` until answered."""
        if self.answered_at is None:
            return None
        return round((self.answered_at - self.created_at).total_seconds() / 3600, 1)


Lawsuit.legal_costs = column_property(
    sa.select(sa.type_coerce(sa.func.coalesce(sa.func.sum(LegalCost.amount), 0), Money()))
    .where(LegalCost.lawsuit_id == Lawsuit.id, LegalCost.status == "approved").correlate_except(LegalCost)
    .scalar_subquery())
Lawsuit.next_hearing_at = column_property(
    sa.select(sa.func.min(Hearing.scheduled_at)).where(Hearing.lawsuit_id == Lawsuit.id, Hearing.result.is_(None))
    .correlate_except(Hearing).scalar_subquery())
