"""Hook implementations of the major-case register: routes, menu, the supervisors' widget,
following the claims named by events, the jobs."""
from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l

from ..hookspecs import hookimpl
from ..web.nav import NavItem, Widget
from . import models  # noqa: F401  (tables known to the metadata)


@hookimpl
def portal_blueprints(app):
    from . import views

    return [views.bp]


@hookimpl
def portal_api_blueprints(app):
    from . import api

    return [api.blp]


@hookimpl
def portal_translation_dirs():
    return [str(Path(__file__).resolve().parent / "translations")]


@hookimpl
def portal_nav_items(user):
    if user.is_insurer:
        return [NavItem(_l("Major cases"), "major_cases.index", order=15)]
    return []


@hookimpl
def portal_dashboard_widgets(user):
    """Supervisors and admins: the major cases with a milestone past due; anyone responsible
    for one: their own."""
    if not user.is_insurer:
        return []
    import sqlalchemy as sa

    from ..api.pagination import count_rows
    from .models import MajorCase
    from .register import MANAGERS, overdue_filter

    out = []
    if set(MANAGERS) & set(user.roles):
        late = count_rows(sa.select(MajorCase.id).where(overdue_filter()))
        out.append(Widget(_l("Major cases with overdue milestones"), value=late, url="/major-cases?overdue=1",
                          subtitle=_l("On site 24 h, investigation report 72 h, a status line every week"),
                          tone="danger" if late else "success", order=8))
    mine = count_rows(sa.select(MajorCase.id).where(MajorCase.responsible_id == user.id, overdue_filter()))
    if mine:
        out.append(Widget(_l("Your major cases with overdue milestones"), value=mine,
                          url="/major-cases?mine=1&overdue=1", tone="danger", order=9))
    return out


def _claim_refs(events) -> tuple[set[int], set[str]]:
    ids, numbers = set(), set()
    for _name, payload in events:
        if isinstance(payload.get("claim_id"), int):
            ids.add(payload["claim_id"])
        if isinstance(payload.get("claim_no"), str):
            numbers.add(payload["claim_no"])
    return ids, numbers


@hookimpl
def portal_events_committing(events):
    """A change that names a claim may have moved one of its amounts: follow the claim in
    the register in the same transaction."""
    ids, numbers = _claim_refs(events)
    if not ids and not numbers:
        return
    import sqlalchemy as sa

    from ..claims.models import Claim
    from ..events import emit
    from .register import sync

    claims = sa.select(Claim.id).where(sa.or_(Claim.id.in_(sorted(ids)), Claim.claim_no.in_(sorted(numbers))))
    for case in sync(claims):
        emit("major_case.entered", {"major_case_id": case.id, "claim_no": case.claim.claim_no,
                                    "amount": f"{case.amount:.2f}", "band": case.band,
                                    "responsible_id": case.responsible_id})


@hookimpl
def portal_event(name, payload):
    if name != "major_case.entered":
        return
    from ..notifications.services import notify

    url = f"/major-cases/{payload['major_case_id']}"
    title = f"大案登记 {payload['claim_no']}: {payload['amount']}"
    body = "请在 24 小时内到达现场、72 小时内提交调查报告，并每周填写进展。"
    if payload.get("responsible_id"):
        notify(kind=name, title=title, body=body, url=url, user_ids=[payload["responsible_id"]])
    else:
        notify(kind=name, title=title, body="尚无符合金额段的负责人，请主管指定。", url=url, roles=("supervisor",))


@hookimpl
def portal_audit_entities():
    return ["major_case"]


@hookimpl
def portal_notification_kinds():
    return {"major_case.entered": _l("Major case entered"),
            "major_case.weekly": _l("Weekly summary of major cases")}


@hookimpl
def portal_scheduled_jobs():
    def sync_all():
        from ..extensions import db
        from .register import sync

        touched = sync(None)
        db.session.commit()
        return f"{len(touched)} entered or moved up a band"

    def weekly_summary():
        from ..extensions import db
        from ..notifications.services import notify
        from .weekly import publish_due

        weeks = publish_due()
        db.session.commit()
        for week in weeks:
            notify(kind="major_case.weekly", title=f"大案周报 {week}", body="本周大案汇总已生成。",
                   url=f"/major-cases/weekly?week={week}", roles=("supervisor", "admin"))
        return f"published: {', '.join(weeks) or 'none due'}"

    return [("major_cases.sync", sync_all), ("major_cases.weekly_summary", weekly_summary)]
