"""Sending notifications. Called from ``portal_event`` receivers, i.e. after the action's
commit, in a session of their own: a notification never fails the action."""
from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from ..auth.models import User
from ..extensions import db
from ..timeutil import utcnow
from .models import Notification

log = logging.getLogger(__name__)


def users_of_organization(session, organization_id: int) -> list[User]:
    return list(session.scalars(sa.select(User).where(User.organization_id == organization_id,
                                                      User.active.is_(True))))


def users_with_roles(session, *roles: str) -> list[User]:
    from ..auth.models import Organization

    users = session.scalars(sa.select(User).join(Organization).where(Organization.kind == "insurer",
                                                                     User.active.is_(True)))
    return [u for u in users if u.has_role(*roles)]


def notify(*, kind: str, title: str, body: str = "", url: str | None = None,
           user_ids=(), organization_id: int | None = None, roles=()) -> int:
    """Create one in-app notification per recipient and e-mail them when SMTP is
    configured (otherwise the e-mail is written to the log). Returns the count."""
    try:
        # expire_on_commit=False: the recipients' addresses are read once, not again after
        # the commit (a second transaction, on SQLite a second wait for the write lock)
        with Session(db.engine, expire_on_commit=False) as session:
            recipients: dict[int, User] = {}
            if user_ids:
                for u in session.scalars(sa.select(User).where(User.id.in_(list(user_ids)))):
                    recipients[u.id] = u
            if organization_id is not None:
                for u in users_of_organization(session, organization_id):
                    recipients[u.id] = u
            if roles:
                for u in users_with_roles(session, *roles):
                    recipients[u.id] = u
            rows = []
            for user in recipients.values():
                row = Notification(user_id=user.id, kind=kind, title=title[:200], body=body, url=url)
                session.add(row)
                rows.append((row, user))
            session.commit()
            emailed = [row for row, user in rows if send_email(user.email, title, body, url)]
            if emailed:
                for row in emailed:
                    row.emailed_at = utcnow()
                session.commit()
            return len(rows)
    except Exception:  # noqa: BLE001 - never fail the action that caused it
        log.exception("notification %s failed", kind)
        return 0


def send_email(to: str, subject: str, body: str, url: str | None) -> bool:
    cfg = current_app.config
    text = body + (f"\n\n{cfg.get('PUBLIC_URL', '').rstrip('/')}{url}" if url else "")
    host = cfg.get("SMTP_HOST")
    if not host:
        log.info("e-mail (no SMTP configured) to=%s subject=%s", to, subject)
        return False
    msg = EmailMessage()
    msg["From"] = cfg.get("MAIL_FROM", "portal@localhost")
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(text)
    try:
        with smtplib.SMTP(host, cfg.get("SMTP_PORT", 25), timeout=10) as smtp:
            if cfg.get("SMTP_STARTTLS"):
                smtp.starttls()
            if cfg.get("SMTP_USER"):
                smtp.login(cfg["SMTP_USER"], cfg.get("SMTP_PASSWORD", ""))
            smtp.send_message(msg)
        return True
    except (OSError, smtplib.SMTPException):
        log.exception("e-mail to %s failed", to)
        return False


def unread_count(user_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0
