"""Sending notifications. Called from ``portal_event`` receivers, i.e. after the action's
commit, in a transaction of their own: a notification never fails the action.

Each recipient reads it in their own language (``User.locale``, else the default): a
title or body given as a callable (or a lazy string) is rendered once per language at
sending time, with ``portal.glossary``'s words, money and Beijing times."""
from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app

from ..auth.models import Organization, User, parse_roles
from ..extensions import db
from ..timeutil import utcnow
from .models import Notification

log = logging.getLogger(__name__)


def recipients(conn, *, user_ids=(), organization_id: int | None = None, roles=()) -> dict[int, tuple]:
    """``{user_id: (e-mail, locale)}`` of who is to be told, in one statement: the users named by id,
    the active users of ``organization_id``, and the insurer's active users holding one
    of ``roles`` (kept as a comma list: matched here, as ``User.has_role`` does)."""
    u, o = User.__table__, Organization.__table__
    wanted = []
    if user_ids:
        wanted.append(u.c.id.in_(sorted(set(user_ids))))
    if organization_id is not None:
        wanted.append(sa.and_(u.c.organization_id == organization_id, u.c.active.is_(True)))
    if roles:
        wanted.append(sa.and_(o.c.kind == "insurer", u.c.active.is_(True)))
    if not wanted:
        return {}
    ids, roles = set(user_ids), set(roles)
    out: dict[int, tuple] = {}
    for uid, email, locale, org_id, active, kind, roles_text in conn.execute(
            sa.select(u.c.id, u.c.email, u.c.locale, u.c.organization_id, u.c.active, o.c.kind, u.c.roles)
            .join(o, o.c.id == u.c.organization_id).where(sa.or_(*wanted)).order_by(u.c.id)):
        if (uid in ids or (active and org_id == organization_id)
                or (active and kind == "insurer" and roles.intersection(parse_roles(roles_text)))):
            out[uid] = (email, locale)
    return out


def in_each_language(locales, title, body) -> dict:
    """``{locale: (title, body)}``: the texts rendered once per recipients' language."""
    from ..glossary import in_language, rendered

    return {loc: in_language(loc, lambda: (rendered(title)[:200], rendered(body))) for loc in set(locales)}


def notify(*, kind: str, title, body="", url: str | None = None,
           user_ids=(), organization_id: int | None = None, roles=()) -> int:
    """Create one in-app notification per recipient and e-mail them when SMTP is
    configured (otherwise the e-mail is written to the log). Returns the count.

    ``title`` and ``body`` are plain text, lazy strings or callables (``lambda: _("…",
    amount=money(x))``): the latter two are rendered in each recipient's language.

    A transaction of its own on a plain connection (two statements: who, and the rows),
    after the action's commit: a notification never fails the action."""
    table = Notification.__table__
    try:
        with db.engine.begin() as conn:
            to = recipients(conn, user_ids=user_ids, organization_id=organization_id, roles=roles)
            if not to:
                return 0
            now = utcnow()
            texts = in_each_language([loc for _, loc in to.values()], title, body)
            values = [{"user_id": uid, "kind": kind, "title": texts[loc][0], "body": texts[loc][1], "url": url,
                       "created_at": now} for uid, (_, loc) in to.items()]
            if current_app.config.get("SMTP_HOST"):   # the rows' ids, to mark those e-mailed
                rows = conn.execute(sa.insert(table).returning(table.c.id, table.c.user_id,
                                                               sort_by_parameter_order=True), values).all()
            else:                                     # one multi-row INSERT on every backend
                conn.execute(sa.insert(table), values)
                rows = [(None, uid) for uid in to]
        emailed = [row_id for row_id, uid in rows if send_email(to[uid][0], *texts[to[uid][1]], url)]
        if emailed:
            with db.engine.begin() as conn:
                conn.execute(sa.update(table).where(table.c.id.in_(emailed)).values(emailed_at=utcnow()))
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
