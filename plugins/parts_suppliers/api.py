"""``/api/v1`` parts prices: price lists, reference and localized prices, labour rates,
regional standards and price feedback."""
from __future__ import annotations

from functools import partial

import sqlalchemy as sa
from flask import jsonify, request

from portal.plugin import ApiBlueprint, api_user, apply_changes, authenticated, db, org_kinds, paginate, roles

from . import schemas as s
from . import imports, price_import, services
from .models import PriceFeedback, PriceList, PriceListItem

blp = ApiBlueprint("parts_prices", __name__, write_scope="price_lists:write",
                   description="Parts prices: price lists, reference prices, rates")


@blp.route("/price-lists", methods=["POST"])
@blp.arguments(s.UploadSchema, location="files")
@blp.response(201, s.PriceListSchema)
@org_kinds("parts_supplier")
def upload_price_list(files):
    """Upload a price list (CSV in UTF-8, UTF-8 with BOM or GB18030, or XLSX). Any bad
    row → 422 with ``details.rows`` and nothing stored; else a pending version.

    With ``Prefer: respond-async`` the file is checked and stored by the background worker:
    202 ``{id, status, rows_read, ...}`` with ``Location: /api/v1/price-list-imports/{id}``."""
    user = api_user()
    upload = files["file"]
    if "respond-async" in (request.headers.get("Prefer") or "").lower():
        job = imports.start(user.organization, upload.stream, upload.filename, actor=user)
        db.session.commit()
        imports.queue(job)
        response = jsonify(imports.as_dict(job))
        response.status_code = 202
        response.headers["Location"] = f"/api/v1/price-list-imports/{job.id}"
        response.headers["Preference-Applied"] = "respond-async"
        return response
    pl = price_import.import_price_list(user.organization, upload.stream, upload.filename, actor=user)
    db.session.commit()
    return pl


@blp.route("/price-list-imports/<int:import_id>", methods=["GET"])
@blp.response(200)
@authenticated
def get_price_list_import(import_id):
    """A background import: ``status`` queued → parsing → writing → done (``price_list_id``) or
    failed (``message`` and ``errors.rows`` as a 422 would give). Its supplier and staff only."""
    return imports.as_dict(imports.visible(import_id, api_user()))


@blp.route("/price-lists", methods=["GET"])
@blp.arguments(s.PriceListQuery, location="query")
@blp.response(200)
@authenticated
def list_price_lists(args):
    """A supplier sees its own versions; insurer staff see all."""
    stmt = services.visible_price_lists_stmt(api_user())
    if args.get("status"):
        stmt = stmt.where(PriceList.status == args["status"])
    if args.get("supplier_id"):
        stmt = stmt.where(PriceList.supplier_id == args["supplier_id"])
    stmt = apply_changes(stmt, args, PriceList.updated_at, PriceList.id, default_order=(PriceList.id.desc(),))
    return paginate(stmt, s.PriceListSchema())


@blp.route("/price-lists/<int:list_id>", methods=["GET"])
@blp.response(200, s.PriceListDetail)
@authenticated
def get_price_list(list_id):
    """One version with its diff against the version it replaces (biggest moves first)."""
    pl = services.get_visible_price_list(list_id, api_user())
    pl.changes = {kind: services.diff_changes(pl, kind, limit=20) for kind in services.DIFF_KINDS}
    return pl


@blp.route("/price-lists/<int:list_id>/items", methods=["GET"])
@blp.response(200)
@authenticated
def list_price_list_items(list_id):
    pl = services.get_visible_price_list(list_id, api_user())
    stmt = (sa.select(PriceListItem).where(PriceListItem.price_list_id == pl.id)
            .order_by(PriceListItem.source_row))
    return paginate(stmt, s.PriceListItemSchema())


def _changed(list_id: int, data, change):
    """The caller's list, changed by ``change(list, user, expected_version=…)`` and committed."""
    user = api_user()
    pl = services.get_visible_price_list(list_id, user)
    change(pl, user, expected_version=(data or {}).get("lock_version"))
    db.session.commit()
    return pl


@blp.route("/price-lists/<int:list_id>/approve", methods=["POST"])
@blp.arguments(s.DecisionSchema, required=False)
@blp.response(200, s.StatusSchema)
@roles("pricing")
def approve_price_list(data, list_id):
    """Make a pending version current; the previous current version is superseded."""
    return _changed(list_id, data, partial(services.approve_price_list, note=(data or {}).get("note")))


@blp.route("/price-lists/<int:list_id>/reject", methods=["POST"])
@blp.arguments(s.DecisionSchema, required=False)
@blp.response(200, s.StatusSchema)
@roles("pricing")
def reject_price_list(data, list_id):
    return _changed(list_id, data, partial(services.reject_price_list, note=(data or {}).get("note")))


@blp.route("/price-lists/<int:list_id>/withdraw", methods=["POST"])
@blp.arguments(s.WithdrawSchema, required=False)
@blp.response(200, s.StatusSchema)
@org_kinds("parts_supplier")
def withdraw_price_list(data, list_id):
    """The supplier withdraws its pending version (409 once decided); its current version stays."""
    return _changed(list_id, data, services.withdraw_price_list)


@blp.route("/parts/<path:part_no>/reference", methods=["GET"])
@blp.arguments(s.ReferenceQuery, location="query")
@blp.response(200, s.ReferenceSchema)
@authenticated
def get_reference_price(args, part_no):
    """Localized price where set, else the lowest current price among active suppliers
    of the region (default: the caller's region); 404 if none."""
    user = api_user()
    region = args.get("region") or user.organization.region
    return services.reference_price_for(user, part_no, args["quality"], region)


@blp.route("/parts/<path:part_no>/localized-price", methods=["PUT"])
@blp.arguments(s.LocalizedPriceIn)
@blp.response(200, s.LocalizedPriceSchema)
@roles("pricing")
def put_localized_price(data, part_no):
    row = services.set_localized_price(part_no, data["quality"], data["region"], data["price"], api_user())
    db.session.commit()
    return row


@blp.route("/organizations/<int:org_id>/labor-rate", methods=["PUT"])
@blp.arguments(s.LaborRateIn)
@blp.response(200, s.LaborRateSchema)
@roles("pricing")
def put_labor_rate(data, org_id):
    """Approve a garage's hourly labour rate (422 if the organization is not a garage)."""
    row = services.set_labor_rate(org_id, data["rate"], api_user(), data.get("effective_from"))
    db.session.commit()
    return row


@blp.route("/organizations/<int:org_id>/labor-rates", methods=["GET"])
@blp.response(200, s.LaborRateSchema(many=True))
@roles("staff")
def list_labor_rates(org_id):
    from .models import LaborRate

    services.get_garage(org_id)
    return db.session.scalars(sa.select(LaborRate).where(LaborRate.garage_id == org_id)
                              .order_by(LaborRate.effective_from.desc(), LaborRate.id.desc())).all()


@blp.route("/regions/<region>/standards", methods=["PUT"])
@blp.arguments(s.StandardsIn)
@blp.response(200, s.StandardsSchema)
@roles("pricing")
def put_regional_standards(data, region):
    """The region's standard labour rate and towing fee schedule (history kept)."""
    row = services.set_regional_standard(region, api_user(), data.get("labor_rate"), data.get("towing_fee"))
    db.session.commit()
    return row


@blp.route("/regions/<region>/standards", methods=["GET"])
@blp.response(200, s.StandardsSchema)
@authenticated
def get_regional_standards(region):
    from portal.plugin import NotFound

    row = services.latest_standard(region)
    if row is None:
        raise NotFound("No standards for this region.")
    return row


@blp.route("/price-feedback", methods=["POST"])
@blp.arguments(s.FeedbackIn)
@blp.response(201, s.FeedbackSchema)
@roles("assessor", "supervisor")
def post_price_feedback(data):
    """An assessor reports a reference price that looks wrong; it lands in the pricing queue."""
    fb = services.create_feedback(api_user(), **data)
    db.session.commit()
    return fb


@blp.route("/price-feedback", methods=["GET"])
@blp.arguments(s.FeedbackQuery, location="query")
@blp.response(200)
@roles("pricing", "assessor", "supervisor")
def list_price_feedback(args):
    """Pricing staff see the whole queue; assessors and supervisors their own feedback."""
    user = api_user()
    stmt = sa.select(PriceFeedback).order_by(PriceFeedback.id.desc())
    if not user.has_role("pricing"):
        stmt = stmt.where(PriceFeedback.from_user_id == user.id)
    if args.get("status"):
        stmt = stmt.where(PriceFeedback.status == args["status"])
    return paginate(stmt, s.FeedbackSchema())


@blp.route("/price-feedback/<int:feedback_id>/answer", methods=["POST"])
@blp.arguments(s.AnswerIn)
@blp.response(200, s.FeedbackSchema)
@roles("pricing")
def answer_price_feedback(data, feedback_id):
    fb = services.get_feedback(feedback_id, api_user())
    services.answer_feedback(fb, data["answer"], api_user(), expected_version=data.get("version"))
    db.session.commit()
    return fb
