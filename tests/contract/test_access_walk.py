"""Broken access control, tested by walking the URL map (not by hand-picked routes).

With the demo data loaded, a partner of every kind that has no claims, lots, cases or
lists of its own (an "intruder") calls every API route and method with the ids of
existing objects. It must never succeed on another organization's object, never see
another organization's rows in a list, and the answer for an existing object must be the
same as for one that does not exist (404: existence is never revealed). Every route
without a token gets 401. New routes are covered the day they are added.
"""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.conftest import PROJECT_PLUGINS, Factory, base_config, fresh_database_url

pytestmark = pytest.mark.slow

PUBLIC = {("POST", "/api/v1/tokens"), ("GET", "/api/v1/openapi.json")}
# Routes where any logged-in partner may legitimately get a 2xx: reference data or the
# caller's own things. Each entry says why.
OWN_OR_REFERENCE = {
    ("GET", "/api/v1/me"): "the caller itself",
    ("POST", "/api/v1/me/password"): "the caller's own password (422 for the empty body)",
    ("GET", "/api/v1/calendar/review-deadline"): "public working calendar",
    ("GET", "/api/v1/calendar/days"): "public working calendar",
    ("GET", "/api/v1/webhooks/events"): "the event catalogue: names and payload schemas, no records",
    ("GET", "/api/v1/codes/<list_name>"): "code lists (reduction reasons, finding codes …): configuration",
    ("GET", "/api/v1/tokens"): "the caller's own tokens (rows carry the caller's organization)",
    ("DELETE", "/api/v1/tokens/<int:token_id>"): "the caller's own tokens only: another's is 404 "
                                                  "(tests/core/test_transport_and_replays.py)",
}
MISSING = "999999"


def _open_salvage_lot(kind: str, rule, values: dict) -> bool:
    """Salvage is a marketplace: an open lot is offered to every eligible vendor,
    so a vendor may see it, and its own (here: no) bids on it. Nothing else."""
    if kind != "salvage_vendor" or not rule.rule.startswith("/api/v1/salvage-lots/<int:lot_id>"):
        return False
    from portal.extensions import db

    status = db.session.execute(sa.text("SELECT status FROM salvage_lots WHERE id = :id"),
                                {"id": int(values["lot_id"])}).scalar()
    db.session.rollback()
    return status == "open"



def _intruders(factory: Factory):
    out = {}
    for kind in ("garage", "parts_supplier", "salvage_vendor", "law_firm", "specialist_repairer"):
        org = factory.org(kind, name=f"Intruder {kind}", region="上海", grade="A")
        out[kind] = factory.user(org, roles=("partner_admin",))
    return out


@pytest.fixture(scope="module")
def walk_app(tmp_path_factory):
    from portal import create_app
    from portal.demo import load_demo
    from portal.extensions import db

    tmp = tmp_path_factory.mktemp("walk")
    app = create_app(base_config(fresh_database_url(tmp, "walk"), tmp, PLUGINS=dict(PROJECT_PLUGINS)))
    with app.app_context():
        db.create_all()
        load_demo()
        factory = Factory(app)
        intruders = {kind: (factory.headers(user), user.organization_id)
                     for kind, user in _intruders(factory).items()}
        db.session.remove()
    yield app, intruders
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _candidates(app, name: str, converter: str) -> list[str]:
    """Values of existing objects for a path parameter."""
    from portal.claims.models import Claim
    from portal.extensions import db

    if name == "claim_no":
        return [c for c in db.session.scalars(sa.select(Claim.claim_no).limit(5))] or ["NONE"]
    if converter in ("int", "integer") or name.endswith("id"):
        return ["1", "2", "3"]
    if name in ("day",):
        return ["2026-10-01"]
    return ["X1"]


OWNER_KEYS = ("organization_id", "garage_id", "supplier_id", "vendor_id", "handler_organization_id",
              "counsel_organization_id")


def _foreign_rows(body, own_org: int) -> int:
    """Rows of a list answer that belong to someone else. The intruder owns nothing but
    its organization and its own user, so a row without an owner key is foreign too."""
    items = body.get("items") if isinstance(body, dict) else body if isinstance(body, list) else None
    if not items:
        return 0
    foreign = 0
    for item in items:
        owners = [item[k] for k in OWNER_KEYS if isinstance(item, dict) and item.get(k) is not None]
        if not owners or any(o != own_org for o in owners):
            foreign += 1
    return foreign


def _kind(rule, name: str) -> str:
    from werkzeug.routing import IntegerConverter

    return "int" if isinstance(rule._converters[name], IntegerConverter) else "string"


def _routes(app):
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, rule


def _fill(rule, values: dict) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: values[m.group(1)], rule.rule)


def _call(client, method, url, headers):
    kwargs = {"headers": headers}
    if method in ("POST", "PUT", "PATCH"):
        kwargs["json"] = {}
    return getattr(client, method.lower())(url, **kwargs)


def test_every_api_route_needs_a_token(walk_app):
    app, _ = walk_app
    client = app.test_client()
    problems = []
    with app.app_context():
        for method, rule in _routes(app):
            if (method, rule.rule) in PUBLIC:
                continue
            params = {a: _candidates(app, a, _kind(rule, a))[0] for a in rule.arguments}
            r = _call(client, method, _fill(rule, params), {})
            if r.status_code != 401:
                problems.append(f"{method} {rule.rule}: {r.status_code}")
    assert problems == []


def test_an_intruder_never_reaches_another_organizations_objects(walk_app):
    app, intruders = walk_app
    client = app.test_client()
    problems = []
    with app.app_context():
        for method, rule in _routes(app):
            key = (method, rule.rule)
            if key in PUBLIC or key in OWN_OR_REFERENCE:
                continue
            converters = {a: _kind(rule, a) for a in rule.arguments}
            for kind, (headers, own_org) in intruders.items():
                if not rule.arguments:
                    r = _call(client, method, rule.rule, headers)
                    if r.status_code >= 500:
                        problems.append(f"{kind} {method} {rule.rule}: {r.status_code}")
                    elif method == "GET" and r.status_code == 200 and r.is_json:
                        body = r.get_json()
                        if kind == "salvage_vendor" and rule.rule == "/api/v1/salvage-lots":
                            # the open lots on offer to every eligible vendor, and nothing else
                            items = body.get("items", [])
                            foreign = sum(1 for i in items if i.get("status") != "open" and i.get("winner_id") != own_org)
                        else:
                            foreign = _foreign_rows(body, own_org)
                        if foreign:
                            problems.append(f"{kind} {method} {rule.rule}: sees {foreign} foreign rows")
                    continue
                for name in rule.arguments:
                    for value in _candidates(app, name, converters[name]):
                        existing = {a: (value if a == name else _candidates(app, a, converters[a])[0])
                                    for a in rule.arguments}
                        missing = dict(existing, **{name: MISSING})
                        r1 = _call(client, method, _fill(rule, existing), headers)
                        r2 = _call(client, method, _fill(rule, missing), headers)
                        if r1.status_code < 500 and _open_salvage_lot(kind, rule, existing):
                            if r1.status_code == 200 and r1.is_json and _foreign_rows(r1.get_json(), own_org) \
                                    and not rule.rule.endswith("<int:lot_id>"):
                                problems.append(f"{kind} {method} {_fill(rule, existing)}: foreign rows")
                            continue
                        if r1.status_code >= 500 or r1.status_code in (200, 201, 204):
                            problems.append(f"{kind} {method} {_fill(rule, existing)}: {r1.status_code}")
                        elif r1.status_code != r2.status_code:
                            problems.append(f"{kind} {method} {rule.rule}: existing {r1.status_code} "
                                            f"vs missing {r2.status_code} (existence revealed)")
    assert problems == [], "\n".join(problems)


def test_no_api_view_without_an_access_rule(walk_app):
    from portal.api.setup import unguarded_api_views

    app, _ = walk_app
    assert unguarded_api_views(app) == []


def test_a_view_without_an_access_rule_stops_the_start(tmp_path):
    from portal import create_app

    cfg = base_config(fresh_database_url(tmp_path, "unguarded"), tmp_path,
                      PLUGINS={"unguarded": "tests.contract.unguarded_plugin"})
    with pytest.raises(RuntimeError, match="without an access rule"):
        create_app(cfg)
