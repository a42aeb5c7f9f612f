"""The weekly summary of major cases (大案周报): due Friday 17:00 Asia/Shanghai, the working day
before when Friday is a holiday (the working calendar, its overrides included); published once by
the job ``major_cases.weekly_summary`` when due, then frozen; page, API and XLSX."""
from __future__ import annotations

import io
from datetime import datetime

import pytest
import time_machine
from click.testing import CliRunner
from flask.cli import ScriptInfo
from openpyxl import load_workbook

from portal.timeutil import LOCAL_TZ

from .conftest import create, line, make_claim


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LOCAL_TZ)


def run_job(app, name):
    result = CliRunner().invoke(app.cli, ["run-jobs", "--only", name], obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("week, due", [
    ("2026-W49", "2026-12-04T17:00:00+08:00"),      # an ordinary Friday
    ("2026-W40", "2026-09-30T17:00:00+08:00"),      # National Day: Thu 1 and Fri 2 October are off
])
def test_due_moment_follows_the_working_calendar(api_as, people, week, due):
    r = api_as(people.supervisor).get(f"/major-cases/weekly?week={week}")
    assert r.status_code == 200 and r.get_json()["due_at"] == due


def test_a_friday_made_a_holiday_moves_the_due_moment_to_thursday(api_as, people, factory):
    admin = api_as(factory.admin())
    assert admin.put("/calendar/days/2026-12-11", json={"working": False, "name": "公司年会"}).status_code == 200
    body = api_as(people.supervisor).get("/major-cases/weekly?week=2026-W50").get_json()
    assert body["due_at"] == "2026-12-10T17:00:00+08:00"
    assert body["period_start"] == "2026-12-04T17:00:00+08:00"


@pytest.mark.parametrize("week", ["2026-49", "2026-W54", "W49", "1899-W01"])
def test_a_bad_week_is_refused(api_as, people, client, web_login, week):
    assert api_as(people.supervisor).get(f"/major-cases/weekly?week={week}").status_code == 422
    web_login(people.supervisor)
    assert client.get(f"/major-cases/weekly?week={week}").status_code == 404


def test_published_once_when_due_then_frozen(app, people, api_as, garage_api, client, web_login):
    with time_machine.travel(at("2026-12-01T10:00"), tick=False):
        claim = make_claim(people.garage, color="yellow")
        create(garage_api, claim, [line("outsourced", "外加工 车身整形", "1", "88000.00")], submit=True)
        sup = api_as(people.supervisor2)
        case = sup.get("/major-cases").get_json()["items"][0]
        who = people.supervisor2 if case["responsible_id"] == people.supervisor2.id else people.supervisor
    with time_machine.travel(at("2026-12-01T11:00"), tick=False):
        api_as(who).post(f"/major-cases/{case['id']}/milestones", json={"kind": "on_site"})
    with time_machine.travel(at("2026-12-03T09:00"), tick=False):
        api_as(who).post(f"/major-cases/{case['id']}/milestones",
                         json={"kind": "status", "text": "已拆检，损失与报案一致。"})
    with time_machine.travel(at("2026-12-04T16:59"), tick=False):
        assert "2026-W49" not in run_job(app, "major_cases.weekly_summary")   # (last week's goes out if missed)
        draft = api_as(people.supervisor2).get("/major-cases/weekly?week=2026-W49").get_json()   # (a fresh token)
        assert draft["draft"] is True and draft["published_at"] is None
    with time_machine.travel(at("2026-12-04T17:00:30"), tick=False):
        assert "published: 2026-W49" in run_job(app, "major_cases.weekly_summary")
        assert "published: none due" in run_job(app, "major_cases.weekly_summary")     # once
    with time_machine.travel(at("2026-12-05T09:00"), tick=False):
        # after the due moment: the report comes in late; the published week does not change
        api_as(who).post(f"/major-cases/{case['id']}/milestones",
                         json={"kind": "investigation_report", "text": "调查完毕，无欺诈迹象。"})
        week = api_as(people.supervisor2).get("/major-cases/weekly?week=2026-W49").get_json()
    assert week["published_at"].startswith("2026-12-04T17:00") and week["draft"] is False
    assert week["totals"]["cases"] == 1 and week["totals"]["new"] == 1 and week["totals"]["overdue"] == 1
    row = week["cases"][0]
    assert row["claim_no"] == claim.claim_no and row["on_site_at"].startswith("2026-12-01T11:00")
    assert row["report_at"] is None and row["overdue"] == ["investigation_report"]   # 72 h passed on 4 Dec 10:00
    assert row["status_line"] == "已拆检，损失与报案一致。"
    from portal.notifications.models import Notification
    from portal.extensions import db
    import sqlalchemy as sa

    kinds = db.session.scalars(sa.select(Notification.kind).where(Notification.user_id == people.supervisor.id)).all()
    assert "major_case.weekly" in kinds
    # the page and the XLSX, in Chinese
    web_login(people.supervisor)
    html = client.get("/major-cases/weekly?week=2026-W49").get_data(as_text=True)
    assert "大案周报" in html and "已发布" in html and claim.claim_no in html and "调查报告" in html
    r = client.get("/major-cases/weekly.xlsx?week=2026-W49")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    rows = list(load_workbook(io.BytesIO(r.data)).active.iter_rows(values_only=True))
    assert rows[0][0] == "赔案号" and "金额段" in rows[0]
    assert rows[1][0] == claim.claim_no and rows[1][1] == "50,000–120,000" and rows[1][3] == 88000.0
    assert rows[1][9] == "调查报告"


def test_a_missed_friday_is_published_on_the_next_run(app, people, api_as):
    with time_machine.travel(at("2026-12-07T08:00"), tick=False):   # Monday: the job did not run on Friday
        assert "2026-W49" in run_job(app, "major_cases.weekly_summary")
        body = api_as(people.supervisor).get("/major-cases/weekly?week=2026-W49").get_json()
        assert body["published_at"].startswith("2026-12-07T08:00") and body["as_of"].startswith("2026-12-04T17:00")
