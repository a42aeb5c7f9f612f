"""A third-party check installed as a distribution with an entry point; audit sampling."""
from __future__ import annotations

import sys
import textwrap
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from .conftest import create, make_claim, part

PLUGIN_SOURCE = '''
"""A third party's quote check (its own distribution)."""
from portal import hookimpl


@hookimpl
def portal_quote_checks(quote):
    for line in quote.lines:
        if line.kind == "part" and line.quantity > 4:
            yield {"code": "ACME_MANY_PARTS", "severity": "block", "line_id": line.id,
                   "message": "Unusual quantity", "suggested_unit_price": None}
'''


@pytest.fixture
def installed_plugin(tmp_path, monkeypatch):
    site = tmp_path / "site"
    (site / "acme_quote_check").mkdir(parents=True)
    (site / "acme_quote_check" / "__init__.py").write_text(PLUGIN_SOURCE)
    dist = site / "acme_quote_check-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-quote-check\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[portal.plugins]\nacme = acme_quote_check\n")
    monkeypatch.syspath_prepend(str(site))
    yield "acme"
    sys.modules.pop("acme_quote_check", None)


@pytest.mark.no_db
def test_installed_plugin_finding_appears_and_its_block_stops_fast_track(tmp_path, installed_plugin):
    from importlib.metadata import entry_points

    from portal import create_app
    from portal.extensions import db
    from portal.plugins import plugin_names
    from tests.conftest import Factory, base_config, fresh_database_url

    names = {ep.name for ep in entry_points(group="portal.plugins")}
    assert "acme" in names
    others = sorted(n for n in names if n not in ("acme", "garages"))
    app = create_app(base_config(fresh_database_url(tmp_path, "acme"), tmp_path, PLUGINS=None,
                                 DISABLED_PLUGINS=others))
    with app.app_context():
        db.create_all()
        assert "acme" in plugin_names(app)
        factory = Factory(app)
        garage = factory.org("garage", grade="A")
        user = factory.user(garage, roles=("partner_user",))
        client = app.test_client()
        from tests.conftest import Api

        api = Api(client, factory.headers(user))
        claim = make_claim(garage, color="blue")
        small = create(api, claim, [part(price="100", qty="2")], submit=True)
        assert small["status"] == "approved"                       # the plugin stays silent
        q = create(api, make_claim(garage, color="blue", vin="LSVAU2180N2183295"), [part(price="100", qty="5")],
                   submit=True)
        assert [f["code"] for f in q["findings"]] == ["ACME_MANY_PARTS"]
        assert q["findings"][0]["severity"] == "block" and q["findings"][0]["line_id"] == q["lines"][0]["id"]
        assert q["status"] == "submitted" and q["fast_tracked"] is False
        db.session.remove()
        db.engine.dispose()


def _approved(people, garage_api, api_as, n, garage=None, price="1000"):
    ids = []
    for _ in range(n):
        claim = make_claim(people.garage, color="yellow")
        q = create(garage_api, claim, [part(price=price)], submit=True)
        api_as(people.assessor2).post(f"/quotes/{q['id']}/decisions", json={"action": "approve", "version": q["version"]})
        ids.append(q["id"])
    return ids


def test_sampling_records_reason_and_seed_and_is_reproducible(app, people, garage_api, api_as):
    from portal.extensions import db
    from portal.timeutil import LOCAL_TZ
    from plugins.garages import services
    from plugins.garages.models import AuditSample, Quote

    ids = _approved(people, garage_api, api_as, 20)
    app.config["GARAGES_RULES"] = {"sampling_share": "0.5"}
    try:
        today = datetime.now(LOCAL_TZ).date()
        drawn = services.sample_quotes(today, seed="abc123")
        db.session.commit()
        first = sorted(s.quote_id for s in drawn)
        assert 0 < len(first) < 20
        assert all(s.seed == "abc123" and s.reason == "random" and s.share == Decimal("0.5") for s in drawn)
        assert services.sample_quotes(today, seed="abc123") == []      # nothing drawn twice
        # the same seed draws the same quotes
        db.session.query(AuditSample).delete()
        db.session.commit()
        again = sorted(s.quote_id for s in services.sample_quotes(today, seed="abc123"))
        assert again == first
        quote = db.session.get(Quote, first[0])
        assert quote.sampled and quote.sample_seed == "abc123"
        assert services.sample_quotes(today - timedelta(days=1)) == []
    finally:
        app.config.pop("GARAGES_RULES")


def test_grade_and_amount_raise_the_share(app, people, garage_api, api_as):
    from portal.timeutil import LOCAL_TZ
    from plugins.garages import services

    people.garage.grade = "D"
    _approved(people, garage_api, api_as, 3)
    app.config["GARAGES_RULES"] = {"sampling_share": "0", "sampling_grade_shares": {"D": "1"}}
    try:
        drawn = services.sample_quotes(datetime.now(LOCAL_TZ).date(), seed="s")
        assert len(drawn) == 3 and {s.reason for s in drawn} == {"grade"}
    finally:
        app.config.pop("GARAGES_RULES")


def test_amount_share(app, people, garage_api, api_as):
    from portal.timeutil import LOCAL_TZ
    from plugins.garages import services

    _approved(people, garage_api, api_as, 2, price="35000")
    app.config["GARAGES_RULES"] = {"sampling_share": "0", "sampling_amount_share": "1"}
    try:
        drawn = services.sample_quotes(datetime.now(LOCAL_TZ).date(), seed="s")
        assert len(drawn) == 2 and {s.reason for s in drawn} == {"amount"}
    finally:
        app.config.pop("GARAGES_RULES")


def test_cli_and_inspection(app, people, garage_api, api_as):
    from portal.extensions import db
    from portal.timeutil import LOCAL_TZ
    from plugins.garages import services
    from plugins.garages.models import AuditSample

    _approved(people, garage_api, api_as, 2)
    app.config["GARAGES_RULES"] = {"sampling_share": "1"}
    try:
        runner = app.test_cli_runner()
        today = datetime.now(LOCAL_TZ).date().isoformat()
        result = runner.invoke(args=["sample-quotes", "--date", today, "--seed", "cli"])
        assert result.exit_code == 0, result.output
        assert "2 quote(s) drawn" in result.output
    finally:
        app.config.pop("GARAGES_RULES")
    db.session.expire_all()
    sample = db.session.query(AuditSample).first()
    services.record_inspection(sample, people.supervisor, "overpaid", "喷漆面积虚报")
    db.session.commit()
    assert sample.result == "overpaid" and sample.inspected_by_id == people.supervisor.id
    with pytest.raises(Exception):
        services.record_inspection(sample, people.supervisor, "meh", None)
