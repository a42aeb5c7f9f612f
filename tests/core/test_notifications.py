"""Notifications on assignment: in-app for every active user of the partner, e-mail logged
without SMTP, after commit; a failing notification never fails the assignment."""
from __future__ import annotations

import logging

import sqlalchemy as sa

from tests.core.test_claims_api import claim_body


def _setup(api_as, factory):
    staff = factory.user()
    c = api_as(staff).post("/claims", json=claim_body()).get_json()
    garage = factory.org("garage")
    users = [factory.user(garage), factory.user(garage, roles=("partner_admin",))]
    inactive = factory.user(garage)
    from portal.extensions import db

    inactive.active = False
    db.session.commit()
    return staff, c, garage, users, inactive


def test_assignment_notifies_every_active_partner_user(api_as, factory, client, web_login, caplog):
    from portal.extensions import db
    from portal.notifications.models import Notification

    staff, c, garage, users, inactive = _setup(api_as, factory)
    other = factory.user(factory.org("garage"))
    with caplog.at_level(logging.INFO, logger="portal.notifications.services"):
        r = api_as(staff).post(f"/claims/{c['claim_no']}/assignments",
                               json={"organization_id": garage.id, "purpose": "repair"})
    assert r.status_code == 201
    db.session.expire_all()
    rows = db.session.scalars(sa.select(Notification).order_by(Notification.user_id)).all()
    assert sorted(n.user_id for n in rows) == sorted(u.id for u in users)
    assert all(n.kind == "claim.assigned" and c["claim_no"] in n.title and n.url == f"/claims/{c['claim_no']}"
               for n in rows)
    assert inactive.id not in {n.user_id for n in rows} and other.id not in {n.user_id for n in rows}
    assert sum("no SMTP configured" in m for m in caplog.messages) == 2
    web_login(users[0])
    html = client.get("/my/claims").get_data(as_text=True)
    assert 'data-testid="unread-count">1<' in html


def test_failing_notification_never_fails_the_assignment(api_as, factory, monkeypatch):
    from portal.claims.models import Assignment
    from portal.extensions import db
    from portal.notifications import services as notifications

    def broken(**kwargs):
        raise RuntimeError("mail server on fire")

    monkeypatch.setattr(notifications, "notify", broken)
    staff, c, garage, users, _ = _setup(api_as, factory)
    r = api_as(staff).post(f"/claims/{c['claim_no']}/assignments",
                           json={"organization_id": garage.id, "purpose": "repair"})
    assert r.status_code == 201
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)) == 1
    assert api_as(users[0]).get(f"/claims/{c['claim_no']}").status_code == 200


def test_failed_assignment_sends_nothing(api_as, factory):
    from portal.extensions import db
    from portal.notifications.models import Notification

    staff, c, garage, users, _ = _setup(api_as, factory)
    r = api_as(staff).post(f"/claims/{c['claim_no']}/assignments",
                           json={"organization_id": garage.id, "purpose": "salvage"})
    assert r.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0


def test_unassignment_is_notified_too(api_as, factory):
    from portal.extensions import db
    from portal.notifications.models import Notification

    staff, c, garage, users, _ = _setup(api_as, factory)
    a = api_as(staff).post(f"/claims/{c['claim_no']}/assignments",
                           json={"organization_id": garage.id, "purpose": "repair"}).get_json()
    api_as(staff).delete(f"/claims/{c['claim_no']}/assignments/{a['id']}")
    db.session.expire_all()
    kinds = db.session.scalars(sa.select(Notification.kind).where(Notification.user_id == users[0].id)
                               .order_by(Notification.id)).all()
    assert kinds == ["claim.assigned", "claim.unassigned"]


def test_a_notification_is_one_transaction_when_no_mail_goes_out(factory):
    """The recipients are read once: no second transaction (on SQLite a second wait for the
    write lock) to read their addresses again after the commit, when nothing was e-mailed."""
    from portal.extensions import db
    from portal.notifications.services import notify

    garage = factory.org("garage")
    users = [factory.user(garage), factory.user(garage)]
    garage_id = garage.id
    db.session.remove()
    begins = []
    listener = lambda conn: begins.append(1)   # noqa: E731
    sa.event.listen(db.engine, "begin", listener)
    try:
        assert notify(kind="claim.assigned", title="t", organization_id=garage_id) == len(users)
    finally:
        sa.event.remove(db.engine, "begin", listener)
    assert len(begins) == 1
