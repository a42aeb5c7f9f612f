"""A third-party plugin, shipped as its own distribution with a ``portal.plugins``
entry point. It adds a nav item, an API route, a CLI command and a quote check without
any change to the core."""
from __future__ import annotations

import click
from flask import Blueprint

from portal import hookimpl
from portal.api import ApiBlueprint
from portal.api.access import api_user, authenticated
from portal.web.nav import NavItem

web = Blueprint("sample", __name__)
api = ApiBlueprint("sample_api", __name__, url_prefix="/sample")


@web.route("/sample")
def sample_page():
    return "sample page"


@api.route("/ping", methods=["GET"])
@api.response(200)
@authenticated
def ping():
    return {"pong": True, "user_id": api_user().id}


@click.command("sample-hello")
def hello():
    """Say hello from the sample plugin."""
    click.echo("hello from the sample plugin")


@hookimpl
def portal_blueprints(app):
    return [web]


@hookimpl
def portal_api_blueprints(app):
    return [api]


@hookimpl
def portal_nav_items(user):
    return [NavItem("Sample plugin", "sample.sample_page", order=99)]


@hookimpl
def portal_cli_commands():
    return [hello]


@hookimpl
def portal_quote_checks(quote):
    for line in quote.lines:
        if "SAMPLE-BLOCK" in (line.name or ""):
            yield {"code": "SAMPLE_BLOCK", "severity": "block", "line_id": line.id,
                   "message": "Blocked by the sample plugin", "suggested_unit_price": None}
