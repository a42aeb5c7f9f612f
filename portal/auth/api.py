"""Identity and organizations: ``/api/v1/tokens``, ``/me``, ``/organizations``, ``/users``."""
from __future__ import annotations

import sqlalchemy as sa
from flask import request

from ..api import ApiBlueprint
from ..api.access import api_user, authenticated, public, roles
from ..api.pagination import paginate
from ..errors import Forbidden, NotFound
from ..extensions import db
from . import services
from .models import Organization, User
from .schemas import (MeSchema, OrganizationCreate, OrganizationQuery, OrganizationSchema, OrganizationUpdate,
                      PasswordChange, TokenInfo, TokenRequest, TokenResponse, UserCreate, UserSchema, UserUpdate)

blp = ApiBlueprint("identity", __name__, description="Tokens, the caller, organizations and users")


@blp.route("/tokens", methods=["POST"])
@blp.arguments(TokenRequest)
@blp.response(201, TokenResponse)
@public
def create_token(data):
    """Exchange e-mail and password for a bearer token (locked after 5 failures in 15 minutes)."""
    user = services.authenticate(data["email"], data["password"], request.remote_addr)
    token, row = services.issue_token(user)
    return {"token": token, "expires_at": row.expires_at}


@blp.route("/tokens", methods=["GET"])
@blp.response(200)
@authenticated
def list_tokens():
    """The caller's live tokens (never the tokens themselves)."""
    return paginate(services.live_tokens_stmt(api_user()), TokenInfo())


@blp.route("/tokens/<int:token_id>", methods=["DELETE"])
@blp.response(204)
@authenticated
def revoke_token(token_id):
    """Revoke one of the caller's tokens at once (a leaked token, a system retired); the others live on."""
    services.revoke_token(api_user(), token_id)
    db.session.commit()


@blp.route("/me", methods=["GET"])
@blp.response(200, MeSchema)
@authenticated
def me():
    return api_user()


@blp.route("/me/password", methods=["POST"])
@blp.arguments(PasswordChange)
@blp.response(204)
@authenticated
def change_my_password(data):
    """Change the caller's password; every session and token of the caller ends."""
    services.change_password(api_user(), data["current_password"], data["new_password"])
    db.session.commit()


@blp.route("/organizations", methods=["POST"])
@blp.arguments(OrganizationCreate)
@blp.response(201, OrganizationSchema)
@roles("admin")
def create_organization(data):
    org = services.create_organization(actor=api_user(), **data)
    db.session.commit()
    return org


@blp.route("/organizations", methods=["GET"])
@blp.arguments(OrganizationQuery, location="query")
@blp.response(200)
@roles("staff")
def list_organizations(args):
    stmt = sa.select(Organization).order_by(Organization.kind, Organization.name)
    for key in ("kind", "status", "region"):
        if args.get(key):
            stmt = stmt.where(getattr(Organization, key) == args[key])
    return paginate(stmt, OrganizationSchema())


@blp.route("/organizations/<int:org_id>", methods=["GET"])
@blp.response(200, OrganizationSchema)
@authenticated
def get_organization(org_id):
    user = api_user()
    if not user.is_insurer and org_id != user.organization_id:
        raise NotFound()
    return services.get_organization(org_id)


@blp.route("/organizations/<int:org_id>", methods=["PATCH"])
@blp.arguments(OrganizationUpdate)
@blp.response(200, OrganizationSchema)
@roles("admin")
def update_organization(data, org_id):
    """Suspend or reactivate a partner, or set its grade by hand (with a reason)."""
    org = services.get_organization(org_id)
    services.update_organization(org, status=data.get("status"), grade=data.get("grade"),
                                 grade_given="grade" in data, reason=data.get("reason"), actor=api_user())
    db.session.commit()
    return org


@blp.route("/users", methods=["POST"])
@blp.arguments(UserCreate)
@blp.response(201, UserSchema)
@authenticated
def create_user(data):
    """Admins add anyone; a partner admin adds users to its own organization only."""
    actor = api_user()
    if not (actor.is_admin or actor.has_role("partner_admin")):
        raise Forbidden()
    user = services.create_user(actor=actor, **data)
    db.session.commit()
    return user


@blp.route("/users", methods=["GET"])
@blp.response(200)
@authenticated
def list_users():
    actor = api_user()
    stmt = sa.select(User).order_by(User.id)
    if actor.is_admin:
        org_id = request.args.get("organization_id", type=int)
        if org_id:
            stmt = stmt.where(User.organization_id == org_id)
    elif actor.has_role("partner_admin", "supervisor"):
        stmt = stmt.where(User.organization_id == actor.organization_id)
    else:
        raise Forbidden()
    return paginate(stmt, UserSchema())


@blp.route("/users/<int:user_id>", methods=["GET"])
@blp.response(200, UserSchema)
@authenticated
def get_user(user_id):
    actor = api_user()
    user = services.visible_user(user_id, actor)
    if not (actor.is_insurer or actor.has_role("partner_admin") or user.id == actor.id):
        raise Forbidden()
    return user


@blp.route("/users/<int:user_id>", methods=["PATCH"])
@blp.arguments(UserUpdate)
@blp.response(200, UserSchema)
@authenticated
def update_user(data, user_id):
    """Change a user's name, roles, active flag; an authority limit change needs the
    caller's password again."""
    actor = api_user()
    user = services.visible_user(user_id, actor)
    if not (actor.is_admin or (actor.has_role("partner_admin") and user.organization_id == actor.organization_id)):
        raise Forbidden()
    set_authority = "authority_limit" in data
    if set_authority:
        services.confirm_password(actor, data.get("password"))
    services.update_user(user, actor=actor, name=data.get("name"), roles=data.get("roles"),
                         authority_limit=data.get("authority_limit"), active=data.get("active"),
                         set_authority=set_authority, region=data.get("region"), set_region="region" in data)
    db.session.commit()
    return user
