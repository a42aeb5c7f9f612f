"""A plugin whose API view forgot its access rule: the app must refuse to start."""
from portal import hookimpl
from portal.api import ApiBlueprint

blp = ApiBlueprint("unguarded", __name__, url_prefix="/unguarded")


@blp.route("/leak", methods=["GET"])
@blp.response(200)
def leak():
    return {"secret": True}


@hookimpl
def portal_api_blueprints(app):
    return [blp]
