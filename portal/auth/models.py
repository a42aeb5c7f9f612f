"""Organizations, users, API tokens, web sessions and login attempts."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..money import Money
from ..timeutil import AwareDateTime, utcnow

ORG_KINDS = ("insurer", "garage", "parts_supplier", "salvage_vendor", "law_firm", "specialist_repairer")
PARTNER_KINDS = ORG_KINDS[1:]
ORG_STATUSES = ("active", "suspended")
GRADES = ("A", "B", "C", "D")
INSURER_ROLES = ("assessor", "supervisor", "pricing", "legal", "admin")
PARTNER_ROLES = ("partner_admin", "partner_user")
STAFF_ROLES = INSURER_ROLES


class OrganizationTraits:
    """What an organization's ``kind`` and ``status`` say (the row and the principal's copy)."""

    __slots__ = ()

    @property
    def is_insurer(self) -> bool:
        return self.kind == "insurer"

    @property
    def is_active(self) -> bool:
        return self.status == "active"


class Organization(OrganizationTraits, db.Model):
    """An insurer or a partner (合作修理厂, 配件商, 损余物资回收机构, 律师事务所, 外加工专修)."""

    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(32), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    uscc: Mapped[str] = mapped_column(sa.String(18), unique=True)
    region: Mapped[str] = mapped_column(sa.String(64), index=True)
    status: Mapped[str] = mapped_column(sa.String(16), default="active")
    grade: Mapped[str | None] = mapped_column(sa.String(1))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)

    users: Mapped[list["User"]] = relationship(back_populates="organization")

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"<Organization {self.id} {self.kind} {self.name}>"


def parse_roles(roles_text: str | None) -> list[str]:
    """The roles a user row keeps as a comma list (``users.roles``)."""
    return [r for r in (roles_text or "").split(",") if r]


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    roles_text: Mapped[str] = mapped_column("roles", sa.String(200), default="")
    authority_limit: Mapped[Decimal | None] = mapped_column(Money())
    unlimited_authority: Mapped[bool] = mapped_column(default=False)
    # an insurer reviewer's region: that region's reviews come to them first (一人终审); None: any
    region: Mapped[str | None] = mapped_column(sa.String(64))
    locale: Mapped[str | None] = mapped_column(sa.String(8))
    active: Mapped[bool] = mapped_column(default=True)
    locked_until: Mapped[datetime | None] = mapped_column(AwareDateTime())
    password_changed_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)

    organization: Mapped[Organization] = relationship(back_populates="users", lazy="joined")

    # Flask-Login identifies a login by its server-side session key, not the user id,
    # so that logging out or changing the password kills the cookie for good.
    session_key = None  # set per request by the session loader

    def get_id(self):
        return self.session_key

    @property
    def is_active(self) -> bool:  # Flask-Login: a disabled account cannot log in
        return self.active

    @property
    def organization_suspended(self) -> bool:
        """A suspended partner's users still log in and read their history, but may
        change nothing (403)."""
        return self.organization.status != "active"

    @property
    def roles(self) -> list[str]:
        return parse_roles(self.roles_text)

    @roles.setter
    def roles(self, value) -> None:
        self.roles_text = ",".join(sorted(set(value)))

    def has_role(self, *roles: str) -> bool:
        return bool(set(roles) & set(self.roles))

    @property
    def is_insurer(self) -> bool:
        return self.organization.kind == "insurer"

    @property
    def is_admin(self) -> bool:
        return self.is_insurer and "admin" in self.roles

    @property
    def org_kind(self) -> str:
        return self.organization.kind

    def can_approve(self, amount: Decimal) -> bool:
        """Authority limit (审批权限): may this user approve this amount?"""
        if self.unlimited_authority:
            return True
        if self.authority_limit is None:
            return False
        return amount <= self.authority_limit


class UserSession(db.Model):
    """A web login. The cookie carries only ``key``; logout revokes the row."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    ip: Mapped[str | None] = mapped_column(sa.String(64))

    user: Mapped[User] = relationship()


class ApiToken(db.Model):
    """A bearer token: random, stored as its SHA-256, with an expiry."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(AwareDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(AwareDateTime())

    user: Mapped[User] = relationship()


class LoginAttempt(db.Model):
    """Every login try, kept in the database so the lockout holds across workers."""

    __tablename__ = "login_attempts"
    __table_args__ = (sa.Index("ix_login_attempts_email_at", "email", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    success: Mapped[bool] = mapped_column(default=False)
    ip: Mapped[str | None] = mapped_column(sa.String(64))
