"""Claim schemas. Staff see every field; a partner sees only what its purpose needs:
repair (garage, specialist) the vehicle and the accident; salvage the vehicle and where
it stands; counsel the parties, the policy number and the accident."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates

from ..api.changes import changes_query
from ..api.fields import DecimalString, LocalDateTime, MoneyField, PlausibleDate
from .models import FLAG_NAMES, RISK_COLORS
from .purposes import claim_view_for, purposes
from .risk import ORIGINS, REPORTERS, VEHICLE_USES
from .vin import VinError, validate_vin

CLAIM_STATUSES = ("open", "closed")
_flag_fields = {name: fields.Boolean(load_default=False) for name in FLAG_NAMES}
FlagsIn = Schema.from_dict(_flag_fields, name="ClaimFlagsIn")
FlagsPatch = Schema.from_dict({n: fields.Boolean() for n in FLAG_NAMES}, name="ClaimFlagsPatch")


class VehicleIn(Schema):
    plate = fields.String(required=True, validate=validate.Length(min=1, max=16))
    vin = fields.String(required=True)
    model = fields.String(required=True, validate=validate.Length(min=1, max=120))
    first_registration = PlausibleDate(load_default=None, allow_none=True)
    actual_value = MoneyField(load_default=None, allow_none=True)
    use = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(VEHICLE_USES),
                        metadata={"description": "使用性质; taxis, motorcycles and agricultural vehicles are never blue"})
    origin = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(ORIGINS))
    rare_model = fields.Boolean(load_default=None, allow_none=True, metadata={"description": "稀有车型"})

    @validates("vin")
    def _vin(self, value, **kwargs):
        try:
            validate_vin(value)
        except VinError as exc:
            raise ValidationError(str(exc)) from None


class VehiclePatch(VehicleIn):
    plate = fields.String(validate=validate.Length(min=1, max=16))
    vin = fields.String()
    model = fields.String(validate=validate.Length(min=1, max=120))
    first_registration = PlausibleDate(allow_none=True)
    actual_value = MoneyField(allow_none=True)
    use = fields.String(allow_none=True, validate=validate.OneOf(VEHICLE_USES))
    origin = fields.String(allow_none=True, validate=validate.OneOf(ORIGINS))
    rare_model = fields.Boolean(allow_none=True)


def _flatten(data: dict) -> dict:
    vehicle = dict(data.pop("vehicle", None) or {})
    if "use" in vehicle:
        vehicle["vehicle_use"] = vehicle.pop("use")
    data.update(vehicle)
    return data


class ClaimIn(Schema):
    claim_no = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9-]{0,63}$"))
    policy_no = fields.String(required=True, validate=validate.Length(min=1, max=64))
    policy_start = PlausibleDate(required=True)
    policy_end = PlausibleDate(required=True)
    insured_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    vehicle = fields.Nested(VehicleIn, required=True)
    policy_cover = MoneyField(load_default=None, allow_none=True,
                              metadata={"description": "车损险保额: the policy's vehicle-damage cover"})
    accident_at = LocalDateTime(required=True)
    reported_at = LocalDateTime(required=True)
    reported_by = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(REPORTERS),
                                metadata={"description": "报案人: insured, driver or other"})
    place = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    region = fields.String(required=True, validate=validate.Length(min=1, max=64))
    description = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))
    estimated_loss = MoneyField(load_default=None, allow_none=True)
    property_loss = MoneyField(load_default=None, allow_none=True)
    loss_ratio = DecimalString(places=4, minimum=0, load_default=None, allow_none=True,
                               metadata={"description": "earned loss ratio as a fraction, e.g. \"0.45\""})
    claims_in_year = fields.Integer(load_default=None, allow_none=True, strict=True,
                                    validate=validate.Range(min=0, max=1000))
    flags = fields.Nested(FlagsIn, load_default=dict)

    @post_load
    def _flat(self, data, **kwargs):
        return _flatten(data)


class ClaimPatch(Schema):
    """Any fact but the claim number; ``version`` (optional) refuses a lost update."""

    version = fields.Integer(strict=True)
    policy_no = fields.String(validate=validate.Length(min=1, max=64))
    policy_start = PlausibleDate()
    policy_end = PlausibleDate()
    insured_name = fields.String(validate=validate.Length(min=1, max=200))
    vehicle = fields.Nested(VehiclePatch)
    policy_cover = MoneyField(allow_none=True)
    accident_at = LocalDateTime()
    reported_at = LocalDateTime()
    reported_by = fields.String(allow_none=True, validate=validate.OneOf(REPORTERS))
    place = fields.String(allow_none=True, validate=validate.Length(max=200))
    region = fields.String(validate=validate.Length(min=1, max=64))
    description = fields.String(allow_none=True, validate=validate.Length(max=5000))
    estimated_loss = MoneyField(allow_none=True)
    property_loss = MoneyField(allow_none=True)
    loss_ratio = DecimalString(places=4, minimum=0, allow_none=True)
    claims_in_year = fields.Integer(allow_none=True, strict=True, validate=validate.Range(min=0, max=1000))
    flags = fields.Nested(FlagsPatch)

    @post_load
    def _flat(self, data, **kwargs):
        return _flatten(data)


class ClaimTransitionIn(Schema):
    action = fields.String(required=True, validate=validate.OneOf(("close", "reopen")))
    version = fields.Integer(strict=True)


class ClaimFilters(Schema):
    risk_color = fields.String(validate=validate.OneOf(RISK_COLORS))
    color = fields.String(validate=validate.OneOf(RISK_COLORS), metadata={"description": "alias of risk_color"})
    status = fields.String(validate=validate.OneOf(CLAIM_STATUSES))
    region = fields.String()
    partner = fields.Integer(metadata={"description": "organization id of an assigned partner (staff)"})
    q = fields.String(metadata={"description": "claim number, plate, VIN, policy or insured"})
    page = fields.Integer()
    per_page = fields.Integer()


ClaimQuery = changes_query("ClaimQuery", ClaimFilters, "newest claim first (id descending)")


# --------------------------------------------------------------------------- out


def _vehicle(claim, names):
    from ..money import format_money

    out = {}
    for name in names:
        value = getattr(claim, name)
        if name == "actual_value":
            value = format_money(value)
        elif name == "first_registration":
            value = value.isoformat() if value else None
        out[name] = value
    return out


def _flags(claim, names):
    return {name: claim.flag(name) for name in names}


class AssignmentSchema(Schema):
    id = fields.Integer()
    claim_no = fields.Function(lambda a: a.claim.claim_no)
    organization_id = fields.Integer()
    organization_name = fields.Function(lambda a: a.organization.name if a.organization else None)
    organization_kind = fields.Function(lambda a: a.organization.kind if a.organization else None)
    purpose = fields.String()
    assigned_by_id = fields.Integer(allow_none=True, metadata={"description": "staff only", "x-sometimes": True})
    created_at = LocalDateTime()
    ended_at = LocalDateTime(allow_none=True)
    active = fields.Boolean()
    updated_at = LocalDateTime(metadata={"description": "when it was made, or when it ended"})


class AssignmentFilters(Schema):
    purpose = fields.String(metadata={"description": "repair, specialist_repair, salvage, counsel"})
    active = fields.Boolean(metadata={"description": "true: current assignments only; false: ended ones only"})
    organization_id = fields.Integer(metadata={"description": "staff: one partner's assignments"})
    page = fields.Integer()
    per_page = fields.Integer()


AssignmentQuery = changes_query("AssignmentQuery", AssignmentFilters, "newest assignment first (id descending)")


class AssignmentIn(Schema):
    organization_id = fields.Integer(required=True, strict=True)
    purpose = fields.String(required=True, validate=lambda name: _registered_purpose(name),
                            metadata={"description": "why the partner takes the claim, as its area registered "
                                                     "it: repair, specialist_repair, salvage, counsel"})


class ClaimSchema(Schema):
    """Insurer staff: every field."""

    id = fields.Integer()
    claim_no = fields.String()
    policy_no = fields.String()
    policy_start = fields.Date()
    policy_end = fields.Date()
    insured_name = fields.String()
    vehicle = fields.Function(lambda c: _vehicle(c, ("plate", "vin", "model", "first_registration", "actual_value",
                                                     "use", "origin", "rare_model")))
    policy_cover = MoneyField(allow_none=True)
    accident_at = LocalDateTime()
    reported_at = LocalDateTime()
    reported_by = fields.String(allow_none=True)
    place = fields.String(allow_none=True)
    region = fields.String()
    description = fields.String(allow_none=True)
    estimated_loss = MoneyField(allow_none=True)
    property_loss = MoneyField(allow_none=True)
    loss_ratio = DecimalString(places=4, allow_none=True)
    claims_in_year = fields.Integer(allow_none=True)
    flags = fields.Function(lambda c: _flags(c, FLAG_NAMES))
    risk_color = fields.String()
    risk_reasons = fields.List(fields.String())
    status = fields.String()
    version = fields.Integer()
    created_at = LocalDateTime()
    updated_at = LocalDateTime()


REPAIR_FLAGS = ("single_party", "injury", "theft", "fire", "self_ignition", "total_loss")


class RepairClaimSchema(Schema):
    """A garage or specialist repairer: vehicle and accident facts only."""

    id = fields.Integer()
    claim_no = fields.String()
    vehicle = fields.Function(lambda c: _vehicle(c, ("plate", "vin", "model", "first_registration")))
    accident_at = LocalDateTime()
    reported_at = LocalDateTime()
    place = fields.String(allow_none=True)
    region = fields.String()
    description = fields.String(allow_none=True)
    flags = fields.Function(lambda c: _flags(c, REPAIR_FLAGS))
    status = fields.String()


class SalvageClaimSchema(Schema):
    """A salvage vendor: the vehicle and where it stands."""

    id = fields.Integer()
    claim_no = fields.String()
    vehicle = fields.Function(lambda c: _vehicle(c, ("plate", "vin", "model", "first_registration")))
    place = fields.String(allow_none=True)
    region = fields.String()
    flags = fields.Function(lambda c: _flags(c, ("total_loss", "fire")))
    status = fields.String()


class CounselClaimSchema(Schema):
    """A law firm: the parties, the policy number and the accident."""

    id = fields.Integer()
    claim_no = fields.String()
    policy_no = fields.String()
    policy_start = fields.Date()
    policy_end = fields.Date()
    insured_name = fields.String()
    vehicle = fields.Function(lambda c: _vehicle(c, ("plate", "vin", "model")))
    accident_at = LocalDateTime()
    reported_at = LocalDateTime()
    place = fields.String(allow_none=True)
    region = fields.String()
    description = fields.String(allow_none=True)
    flags = fields.Function(lambda c: _flags(c, ("single_party", "injury", "driver_is_insured", "left_scene",
                                                  "first_scene_reported")))
    status = fields.String()


CLAIM_VIEW_SCHEMAS = {"repair": RepairClaimSchema, "salvage": SalvageClaimSchema, "counsel": CounselClaimSchema}

# The document shows ClaimSchema; a partner is answered its own view of it (above). The fields
# every view answers are always there; the others are marked for the document as answered to
# some readers only (``x-sometimes``, portal/api/openapi.py).
_EVERY_VIEW = set(ClaimSchema._declared_fields).intersection(
    *(schema._declared_fields for schema in CLAIM_VIEW_SCHEMAS.values()))
for _name, _field in ClaimSchema._declared_fields.items():
    if _name not in _EVERY_VIEW:
        _field.metadata["x-sometimes"] = True


def _registered_purpose(name: str) -> None:
    if name not in purposes():
        raise ValidationError(f"Must be one of: {', '.join(sorted(purposes()))}.")


def schema_for(user) -> Schema:
    """The claim schema this user may see."""
    if user.is_insurer:
        return ClaimSchema()
    return CLAIM_VIEW_SCHEMAS[claim_view_for(user.org_kind)]()


class CostComponentSchema(Schema):
    code = fields.String()
    label = fields.Function(lambda c: str(c.label))
    amount = MoneyField()
    sign = fields.Integer()


class ClaimCostsSchema(Schema):
    components = fields.List(fields.Nested(CostComponentSchema))
    net_cost = MoneyField()
