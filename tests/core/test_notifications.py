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


def test_recipients_by_id_organization_and_the_insurers_roles(factory):
    """One statement finds every recipient: named users, the active users of an organization,
    and the insurer's active users holding a role — not a partner's user with a role of the
    same name, not a disabled one, not someone else's role; each once."""
    from portal.extensions import db
    from portal.notifications.models import Notification
    from portal.notifications.services import notify
    from tests.querycount import count_queries

    insurer = factory.insurer()
    assessor, supervisor = factory.user(insurer), factory.user(insurer, roles=("supervisor", "assessor"))
    pricing = factory.user(insurer, roles=("pricing",))
    gone = factory.user(insurer)
    gone.active = False
    garage = factory.org("garage")
    partner = factory.user(garage, roles=("assessor",))
    named = factory.user(factory.org("garage"))
    db.session.commit()
    ids = {u: u.id for u in (assessor, supervisor, pricing, gone, partner, named)}
    db.session.remove()
    with count_queries(db.engine) as counted:
        sent = notify(kind="quote.submitted", title="Quote 1 submitted", url="/garages/quotes/1",
                      roles=("assessor",), user_ids=[ids[named], ids[supervisor]])
    assert sent == 3
    assert counted.count == 2, counted   # who, and the rows (one INSERT for all)
    rows = db.session.scalars(sa.select(Notification).order_by(Notification.user_id)).all()
    assert [n.user_id for n in rows] == sorted([ids[assessor], ids[supervisor], ids[named]])
    assert all(n.kind == "quote.submitted" and n.url == "/garages/quotes/1" and n.read_at is None
               and n.emailed_at is None and n.created_at is not None for n in rows)
    db.session.remove()
    assert notify(kind="x", title="nobody") == 0


def test_with_smtp_each_recipient_is_mailed_and_marked(app, factory, monkeypatch):
    """With SMTP configured every recipient gets a message at their own address and their
    row is marked ``emailed_at``; a failing send leaves its row unmarked, the others not."""
    import smtplib

    from portal.extensions import db
    from portal.notifications.models import Notification
    from portal.notifications.services import notify

    sent_to = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            assert (host, port) == ("smtp.example", 25)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def send_message(self, msg):
            if msg["To"].startswith("broken"):
                raise smtplib.SMTPException("mailbox unavailable")
            sent_to.append((msg["To"], msg["Subject"]))

    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "SMTP_HOST", "smtp.example")
    monkeypatch.setitem(app.config, "SMTP_PORT", 25)
    garage = factory.org("garage")
    ok = [factory.user(garage, email="a@garage.example"), factory.user(garage, email="b@garage.example")]
    broken = factory.user(garage, email="broken@garage.example")
    ids = [u.id for u in ok], broken.id
    db.session.remove()
    assert notify(kind="claim.assigned", title="Claim C1 assigned", organization_id=garage.id) == 3
    assert sorted(sent_to) == [("a@garage.example", "Claim C1 assigned"), ("b@garage.example", "Claim C1 assigned")]
    marked = dict(db.session.execute(sa.select(Notification.user_id, Notification.emailed_at)).all())
    assert all(marked[i] is not None for i in ids[0]) and marked[ids[1]] is None


def test_the_notifications_page_names_each_kind_and_filters_by_it(api_as, factory, client, web_login):
    """``portal_notification_kinds`` labels each notification and offers the kinds received
    as a filter, in the reader's language."""
    staff, c, garage, users, _ = _setup(api_as, factory)
    api_as(staff).post(f"/claims/{c['claim_no']}/assignments", json={"organization_id": garage.id, "purpose": "repair"})
    other = api_as(staff).post("/claims", json=claim_body(claim_no="RDAA2026310000000124")).get_json()
    assignment = api_as(staff).post(f"/claims/{other['claim_no']}/assignments",
                                    json={"organization_id": garage.id, "purpose": "repair"}).get_json()
    assert api_as(staff).delete(f"/claims/{other['claim_no']}/assignments/{assignment['id']}").status_code == 200
    web_login(users[0])
    html = client.get("/notifications").get_data(as_text=True)
    assert html.count("有案件派给贵单位</span>") == 2 and html.count("案件委托已终止</span>") == 1
    assert '<option value="claim.assigned">有案件派给贵单位</option>' in html
    only = client.get("/notifications?kind=claim.assigned").get_data(as_text=True)
    assert only.count("有案件派给贵单位</span>") == 2 and "案件委托已终止</span>" not in only
    assert '<option value="claim.assigned" selected>' in only
    unknown = client.get("/notifications?kind=no.such.kind").get_data(as_text=True)   # ignored, not an error
    assert unknown.count("有案件派给贵单位</span>") == 2
