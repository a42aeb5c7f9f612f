"""``/api/v1``: repair quotes, their decisions and photos."""
from __future__ import annotations

import sqlalchemy as sa
from flask import request

from portal.plugin import (ApiBlueprint, api_user, apply_changes, authenticated, cached_page, committed, db, dump_many,
                          page_args, roles, utcnow)

from . import assignment, quote_stats, reinspection, services
from .assessment_sheet import check_may_download, pdf_response
from .controls import annotate
from .models import IN_REVIEW, Quote
from .schemas import (DecisionIn, LinesReplace, QuotePhotoForm, PhotoOut, PrecheckOut, QuoteCreate, QuoteOut, QuoteQuery,
                      QuoteSummary, RecoveryRefOut, ReinspectionIn, ReinspectionOut, SubmitIn, WithdrawIn)
from .services.photos import photo_response, thumbnail_response

_SUMMARY = QuoteSummary()   # one instance: building a schema copies its fields
_QUOTE = QuoteOut()
_REINSPECTION = ReinspectionOut()

blp = ApiBlueprint("garages_api", __name__, write_scope="quotes:write",
                   description="Repair quotes (定损报价), their review (核损) and photos")


def _quote_args(data: dict) -> list[dict]:
    return [dict(line) for line in data.get("lines") or []]


@blp.route("/claims/<claim_no>/quotes", methods=["POST"])
@blp.arguments(QuoteCreate)
@blp.response(201, QuoteOut)
@authenticated
def create_quote(data, claim_no):
    """A garage's quote (or supplement) on a claim assigned to it for repair; a specialist
    repairer's on a claim assigned to it for ``specialist_repair``."""
    user = api_user()
    quote = services.create_quote(claim_no, user, _quote_args(data), submit=data["submit"],
                                  supplement_to=data.get("supplement_to"))
    return committed(_QUOTE, annotate(services.flush_for_answer(quote), user), 201)


@blp.route("/quotes", methods=["GET"])
@blp.arguments(QuoteQuery, location="query")
@blp.response(200)
@authenticated
def list_quotes(args):
    """The review queue (staff) or the garage's own quotes. ``overdue=true``: past the deadline."""
    user = api_user()
    page, per_page = page_args()
    if args.get("overdue"):   # membership changes with the clock alone: never kept
        return _quotes_page(user, args)[0]
    # the marks of what the page may show, read before its rows (portal/db/page_cache.py)
    garage_id = args.get("garage_id") if user.is_insurer else user.organization_id
    marks = quote_stats.list_fingerprint(garage_id)
    key = (user.organization_id if not user.is_insurer else "staff", args.get("status"), args.get("garage_id"),
           args.get("claim_no"), page, per_page,
           (args.get("scope"), user.id) if user.is_insurer and args.get("scope") else None,
           args.get("updated_since"), args.get("sort"))
    return cached_page("garages.quotes", key, marks, lambda: _quotes_page(user, args))


def _quotes_page(user, args) -> tuple[dict, object]:
    """A page of the quotes ``user`` may see, filtered by ``args``, and when it would read
    differently unchanged (the earliest deadline still ahead on it)."""
    stmt = services.visible_quotes_stmt(user)
    # while the filters are only garage and status, the quote counts give the total
    counted_by = {} if user.is_insurer else {"garage_id": user.organization_id}
    if args.get("status"):
        stmt = stmt.where(Quote.status == args["status"])
        counted_by["status"] = args["status"]
    if args.get("overdue"):
        stmt = stmt.where(Quote.status.in_(IN_REVIEW), Quote.due_at < utcnow())
        counted_by = None
    if args.get("garage_id") and user.is_insurer:
        stmt = stmt.where(Quote.garage_id == args["garage_id"])
        if counted_by is not None:
            counted_by["garage_id"] = args["garage_id"]
    scoped = assignment.scope_filter(user, args.get("scope")) if user.is_insurer else None
    if scoped is not None:
        stmt = stmt.where(scoped)
        counted_by = None
    if args.get("updated_since") is not None:
        counted_by = None
    if args.get("claim_no"):
        counted_by = None
        from portal.plugin import Claim
        stmt = stmt.where(Quote.claim_id.in_(sa.select(Claim.id).where(Claim.claim_no == args["claim_no"])))
    if user.is_insurer:
        # the review queue: earliest deadline first (ix_garages_quotes_queue gives the order)
        stmt = stmt.order_by(Quote.due_at, Quote.id)
    else:
        # a garage's own quotes: newest first (ix_garages_quotes_garage_list)
        stmt = stmt.order_by(Quote.id.desc())
    stmt = apply_changes(stmt, args, Quote.updated_at, Quote.id)
    page = services.quote_summaries_page(stmt, counted_by=counted_by)
    valid_until = min((row["due_at"] for row in page["items"] if row["status"] in IN_REVIEW and not row["overdue"]
                       and row["due_at"] is not None), default=None)
    page["items"] = dump_many(_SUMMARY, page["items"])
    return page, valid_until


@blp.route("/quotes/<int:quote_id>", methods=["GET"])
@blp.response(200, QuoteOut)
@authenticated
def get_quote(quote_id):
    user = api_user()
    return annotate(services.load_quote_for_display(quote_id, user), user)


@blp.route("/quotes/<int:quote_id>/lines", methods=["POST"])
@blp.arguments(LinesReplace)
@blp.response(200, QuoteOut)
@authenticated
def replace_lines(data, quote_id):
    """Replace a draft's or a returned quote's lines (lines with ``id`` are kept and updated;
    ``comment`` answers an adjusted line)."""
    user = api_user()
    quote = services.get_quote(quote_id, user)
    services.replace_lines(quote, user, _quote_args(data), expected_version=data.get("version"))
    # the lines may come in a new order: read them (and so their findings) in position order
    return committed(_QUOTE, annotate(services.flush_for_answer(quote, ("lines", "findings")), user))


@blp.route("/quotes/<int:quote_id>/submit", methods=["POST"])
@blp.arguments(SubmitIn)
@blp.response(200, QuoteOut)
@authenticated
def submit_quote(data, quote_id):
    """Submit a draft, or resubmit a returned quote (a new deadline)."""
    user = api_user()
    quote = services.get_quote(quote_id, user)
    services.submit_quote(quote, user, expected_version=data.get("version"))
    return committed(_QUOTE, annotate(services.flush_for_answer(quote), user))


@blp.route("/quotes/<int:quote_id>/withdraw", methods=["POST"])
@blp.arguments(WithdrawIn)
@blp.response(200, QuoteOut)
@authenticated
def withdraw_quote(data, quote_id):
    """The garage withdraws a submitted or returned quote before a decision (撤回) → ``withdrawn``."""
    user = api_user()
    quote = services.get_quote(quote_id, user)
    services.withdraw_quote(quote, user, expected_version=data.get("version"))
    return committed(_QUOTE, annotate(services.flush_for_answer(quote), user))


@blp.route("/quotes/<int:quote_id>", methods=["DELETE"])
@blp.response(204)
@authenticated
def delete_quote(quote_id):
    """The garage deletes a draft: hidden from then on, kept with its audit trail."""
    user = api_user()
    quote = services.get_quote(quote_id, user)
    services.delete_draft(quote, user)
    db.session.commit()
    return "", 204


@blp.route("/quotes/<int:quote_id>/precheck", methods=["POST"])
@blp.response(200, PrecheckOut)
@authenticated
def precheck(quote_id):
    """Run the automatic checks on a draft without submitting it."""
    user = api_user()
    quote = services.get_quote(quote_id, user)
    findings = services.precheck(quote, user)
    verdict = services.fast_track_verdict(quote, findings)
    db.session.commit()
    return {"findings": findings, "fast_track_eligible": verdict.eligible, "fast_track_blockers": verdict.reasons}


@blp.route("/quotes/<int:quote_id>/decisions", methods=["POST"])
@blp.arguments(DecisionIn)
@blp.response(200, QuoteOut)
@roles("assessor", "supervisor", "admin")
def decide(data, quote_id):
    """approve / return / reject / escalate, with per-line adjustments and reason codes."""
    user = api_user()
    quote = services.get_quote(quote_id, user)
    services.decide(quote, user, data["action"], data["version"], data.get("comment"),
                    [dict(x) for x in data.get("lines") or []], reason=data.get("reason"),
                    assignee_id=data.get("assignee_id"))
    return committed(_QUOTE, annotate(services.flush_for_answer(quote), user))


@blp.route("/quotes/<int:quote_id>/photos", methods=["POST"])
@blp.arguments(QuotePhotoForm, location="form")
@blp.response(201, PhotoOut)
@authenticated
def upload_photo(data, quote_id):
    """Multipart ``file`` (JPEG, PNG, WebP or PDF, checked by content), ``kind``, optional ``line_id``."""
    user = api_user()
    quote = services.get_quote(quote_id, user)
    photo = services.add_photo(quote, user, request.files.get("file"), data["kind"], data.get("line_id"))
    db.session.commit()
    return photo


@blp.route("/quotes/<int:quote_id>/photos/<int:photo_id>", methods=["GET"])
@blp.response(200)
@authenticated
def get_photo(quote_id, photo_id):
    """The photo itself, only to those who may see the quote."""
    quote = services.get_quote(quote_id, api_user())
    return photo_response(services.get_photo(quote, photo_id, api_user()))


@blp.route("/quotes/<int:quote_id>/photos/<int:photo_id>/thumbnail", methods=["GET"])
@blp.response(200)
@authenticated
def get_photo_thumbnail(quote_id, photo_id):
    """The photo's thumbnail (JPEG, at most 480 px), to those who may see the quote; a PDF has none (404)."""
    quote = services.get_quote(quote_id, api_user())
    return thumbnail_response(services.get_photo(quote, photo_id, api_user()))


@blp.route("/quotes/<int:quote_id>/photos/<int:photo_id>", methods=["DELETE"])
@blp.response(204)
@authenticated
def delete_photo(quote_id, photo_id):
    """The garage deletes a photo it added since the last submission (draft or returned):
    hidden from then on, kept with its audit trail."""
    user = api_user()
    quote = services.get_quote(quote_id, user)
    services.delete_photo(quote, photo_id, user)
    db.session.commit()
    return "", 204


@blp.route("/quotes/<int:quote_id>/sheet.pdf", methods=["GET"])
@blp.doc(responses={"200": {"description": "the assessment sheet (定损单)", "content": {"application/pdf": {}}}})
@authenticated
def get_assessment_sheet(quote_id):
    """The printable assessment sheet (定损单) as PDF: staff always; the garage once the quote is
    approved (409 ``invalid_state`` before); anyone else 404."""
    user = api_user()
    quote = services.load_quote_for_display(quote_id, user)
    check_may_download(quote, user)
    return pdf_response(quote, user)


@blp.route("/quotes/<int:quote_id>/reinspection", methods=["GET"])
@blp.response(200, ReinspectionOut)
@roles("assessor", "supervisor", "legal", "admin")
def get_reinspection(quote_id):
    """The quote's re-inspection (复勘): the insurer's, never shown to the garage."""
    sample = reinspection.sample_of(services.get_quote(quote_id, api_user()))
    if sample is None:
        from portal.plugin import NotFound

        raise NotFound()
    return sample


@blp.route("/quotes/<int:quote_id>/reinspection", methods=["POST"])
@blp.arguments(ReinspectionIn)
@blp.response(200, ReinspectionOut)
@roles("assessor", "supervisor", "admin")
def record_reinspection(data, quote_id):
    """Record per replaced line: ``replaced``, ``not_replaced``, ``repaired_instead`` (with
    ``fair_amount``) or ``not_verified``; the result and over-payment follow. A sampled quote, or
    an approved quote of a major case."""
    user = api_user()
    quote = services.get_quote(quote_id, user)
    sample = reinspection.record(quote, user, [dict(x) for x in data["lines"]],
                                 fraud_suspected=data["fraud_suspected"], note=data.get("note"))
    return committed(_REINSPECTION, sample)


@blp.route("/quotes/<int:quote_id>/reinspection/recovery", methods=["POST"])
@blp.response(201, RecoveryRefOut)
@roles("supervisor", "legal", "admin")
def confirm_recovery(quote_id):
    """Confirm the over-payment: a recovery against the garage is opened (once)."""
    user = api_user()
    ref = reinspection.confirm_recovery(services.get_quote(quote_id, user), user)
    db.session.commit()
    return {"recovery_ref": ref}
