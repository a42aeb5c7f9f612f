"""``/api/v1/recoveries``: recovery cases (追偿), receipts, the ledger workbook, targets."""
from __future__ import annotations

from portal.plugin import (XLSX_MIMETYPE, ApiBlueprint, Forbidden, api_user, authenticated, db, document_api,
                          page_envelope_schema, page_of, roles)

from . import documents, reversals, services
from .ledger import ledger_stmt, ledger_workbook
from .schemas import (HandlerUpdate, ReceiptCreate, ReceiptCreated, RecoveryCreate, RecoveryDetail, RecoveryDocumentSchema,
                      RecoveryQuery, RecoverySchema, RecoveryTransition, ReversalCreate, TargetIn, TargetSchema)

blp = ApiBlueprint("subrogation_api", __name__, write_scope="legal:write",
                   description="Subrogation: recovery cases (追偿), receipts, ledger")

RecoveryPage = page_envelope_schema(RecoverySchema, "RecoveryPage")




def _scoped_user():
    user = api_user()
    if not user.is_insurer and user.org_kind != "law_firm":
        raise Forbidden()
    return user


@blp.route("/recoveries", methods=["POST"])
@blp.arguments(RecoveryCreate)
@blp.response(201, RecoveryDetail)
@roles("legal", "admin")
def create_recovery(data):
    """Open a recovery case from a paid claim (legal staff)."""
    cp = data["counterparty"]
    case = services.open_recovery(api_user(), services.CaseInput(
        claim_no=data["claim_no"], amount_paid=data["amount_paid"], amount_sought=data["amount_sought"],
        counterparty_name=cp["name"], counterparty_insurer=cp.get("insurer"), counterparty_contact=cp.get("contact"),
        limitation_starts_on=data["limitation_starts_on"], basis=data.get("basis"),
        handler_user_id=data.get("handler_user_id"), handler_organization_id=data.get("handler_organization_id")))
    db.session.commit()
    return case


@blp.route("/recoveries", methods=["GET"])
@blp.arguments(RecoveryQuery, location="query")
@blp.response(200, RecoveryPage)
@authenticated
def list_recoveries(args):
    """Cases the caller may see; ``limitation_within_days=N`` lists the flagged ones
    (deadline within N days, no lawsuit filed, not closed)."""
    user = _scoped_user()
    return page_of(ledger_stmt(user, args))


@blp.route("/recoveries/ledger.xlsx", methods=["GET"])
@blp.arguments(RecoveryQuery, location="query")
@blp.doc(responses={"200": {"description": "The recovery ledger (追偿台帐) as an XLSX workbook",
                            "content": {XLSX_MIMETYPE: {"schema": {"type": "string", "format": "binary"}}}}})
@authenticated
def ledger_xlsx(args):
    """The ledger (追偿台帐) with the same filters, as a workbook with Chinese headers."""
    user = _scoped_user()
    return ledger_workbook(ledger_stmt(user, args))


@blp.route("/recoveries/<int:recovery_id>", methods=["GET"])
@blp.response(200, RecoveryDetail)
@authenticated
def get_recovery(recovery_id):
    return services.get_visible_recovery(recovery_id, api_user())


@blp.route("/recoveries/<int:recovery_id>/transitions", methods=["POST"])
@blp.arguments(RecoveryTransition)
@blp.response(200, RecoveryDetail)
@authenticated
def move_recovery(data, recovery_id):
    """Move the case along its status chart; ``closed`` needs ``closed_as``."""
    user = api_user()
    case = services.get_visible_recovery(recovery_id, user)
    services.move_recovery(case, user, data["to"], data.get("closed_as"), data.get("version"))
    db.session.commit()
    return case


@blp.route("/recoveries/<int:recovery_id>/handler", methods=["POST"])
@blp.arguments(HandlerUpdate)
@blp.response(200, RecoveryDetail)
@roles("legal", "admin")
def assign_recovery_handler(data, recovery_id):
    """Hand the case to an in-house legal user or a law firm (assigned to the claim for counsel)."""
    user = api_user()
    case = services.get_visible_recovery(recovery_id, user)
    services.assign_handler(case, user, handler_user_id=data.get("handler_user_id"),
                            handler_organization_id=data.get("handler_organization_id"),
                            expected_version=data.get("version"))
    db.session.commit()
    return case


@blp.route("/recoveries/<int:recovery_id>/receipts", methods=["POST"])
@blp.arguments(ReceiptCreate)
@blp.response(201, ReceiptCreated)
@authenticated
def create_receipt(data, recovery_id):
    """Book a receipt; the case's recovered and outstanding follow."""
    user = api_user()
    case = services.get_visible_recovery(recovery_id, user)
    receipt = services.record_receipt(case, user, **data)
    db.session.commit()
    receipt.recovered, receipt.outstanding, receipt.recovery_version = case.recovered, case.outstanding, case.version
    return receipt


@blp.route("/recoveries/<int:recovery_id>/receipts/<int:receipt_id>/reverse", methods=["POST"])
@blp.arguments(ReversalCreate)
@blp.response(201, ReceiptCreated)
@authenticated
def reverse_receipt(data, recovery_id, receipt_id):
    """Reverse a receipt with a counter-entry (a negative receipt naming it); once, never a
    reversal, never more than the receipt; the case's recovered and outstanding follow."""
    user = api_user()
    case = services.get_visible_recovery(recovery_id, user)
    counter = reversals.reverse_receipt(case, user, receipt_id, **data)
    db.session.commit()
    counter.recovered, counter.outstanding, counter.recovery_version = case.recovered, case.outstanding, case.version
    return counter


document_api(blp, "/recoveries/<int:recovery_id>/documents", documents.DOCUMENTS, services.get_visible_recovery,
             RecoveryDocumentSchema)


@blp.route("/recovery-targets", methods=["GET"])
@blp.response(200, TargetSchema(many=True))
@roles("staff")
def list_targets():
    """Targets per period with what was recovered in the period and the attainment."""
    return services.attainment(limit=24)


@blp.route("/recovery-targets/<period>", methods=["PUT"])
@blp.arguments(TargetIn)
@blp.response(200, TargetSchema)
@roles("legal", "admin")
def put_target(data, period):
    """Set the recovery target of a period (``YYYY-MM`` or ``YYYY-Qn``)."""
    services.set_target(period, data["amount"], api_user())
    db.session.commit()
    return next(r for r in services.attainment(limit=1000) if r["period"] == period)

