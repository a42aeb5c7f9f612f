from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..api.fields import LocalDateTime, MoneyField
from .models import GRADES, ORG_KINDS, ORG_STATUSES


class TokenRequest(Schema):
    email = fields.String(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, validate=validate.Length(max=1024), load_only=True)


class TokenResponse(Schema):
    token = fields.String()
    expires_at = LocalDateTime()


class TokenInfo(Schema):
    id = fields.Integer(metadata={"description": "revoke this one token with DELETE /api/v1/tokens/{id}"})
    organization_id = fields.Function(lambda t: t.user.organization_id)
    created_at = LocalDateTime()
    expires_at = LocalDateTime()


class OrganizationBrief(Schema):
    id = fields.Integer()
    kind = fields.String()
    name = fields.String()


class MeSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    roles = fields.List(fields.String())
    authority_limit = fields.Method("_limit")
    organization = fields.Nested(OrganizationBrief)
    locale = fields.String(allow_none=True)

    def _limit(self, user):
        from ..money import format_money

        return None if user.unlimited_authority else format_money(user.authority_limit)


class OrganizationCreate(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(ORG_KINDS))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    uscc = fields.String(required=True, validate=validate.Length(max=40))
    region = fields.String(required=True, validate=validate.Length(min=1, max=64))


class OrganizationUpdate(Schema):
    status = fields.String(validate=validate.OneOf(ORG_STATUSES))
    grade = fields.String(allow_none=True, validate=validate.OneOf(GRADES))
    reason = fields.String(validate=validate.Length(max=500))


class OrganizationSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    name = fields.String()
    uscc = fields.String()
    region = fields.String()
    status = fields.String()
    grade = fields.String(allow_none=True)
    created_at = LocalDateTime()


class OrganizationQuery(Schema):
    kind = fields.String(validate=validate.OneOf(ORG_KINDS))
    status = fields.String(validate=validate.OneOf(ORG_STATUSES))
    region = fields.String()
    page = fields.Integer()
    per_page = fields.Integer()


class UserCreate(Schema):
    email = fields.String(required=True, validate=validate.Length(max=254))
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=128))
    organization_id = fields.Integer(required=True, strict=True)
    roles = fields.List(fields.String(), required=True)
    authority_limit = MoneyField(allow_none=True, load_default=None)
    region = fields.String(allow_none=True, load_default=None, validate=validate.Length(min=1, max=64),
                           metadata={"description": "an insurer reviewer's region (claims of it come to them "
                                                    "first); null: every region"})


class UserUpdate(Schema):
    name = fields.String(validate=validate.Length(min=1, max=120))
    roles = fields.List(fields.String())
    authority_limit = MoneyField(allow_none=True)
    active = fields.Boolean()
    region = fields.String(allow_none=True, validate=validate.Length(min=1, max=64))
    password = fields.String(load_only=True, metadata={"description": "the caller's own password, required "
                                                                      "to change an authority limit"})


class UserSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    organization_id = fields.Integer()
    roles = fields.List(fields.String())
    authority_limit = fields.Method("_limit")
    region = fields.String(allow_none=True)
    active = fields.Boolean()
    created_at = LocalDateTime()

    def _limit(self, user):
        from ..money import format_money

        return None if user.unlimited_authority else format_money(user.authority_limit)


class PasswordChange(Schema):
    current_password = fields.String(required=True, load_only=True)
    new_password = fields.String(required=True, load_only=True)
