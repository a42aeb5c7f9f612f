"""Quotes as the garage writes them (定损报价单, supplements 追加定损): what each user may
see, the lines, creating and editing, the automatic checks (核损规则) kept as findings, and
submission with the fast track (小额快赔). They raise ``portal.errors`` and never commit."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.plugin import (Claim, Forbidden, Invalid, InvalidState, NotFound, StaleVersion, compute_review_deadline,
                          count_rows, db, emit, get_visible_claim, page_of_rows, quantize, record_audit, update_record,
                          utcnow)

from .. import assignment
from .. import rules as R
from ..checks import collect_findings
from ..controls import lock_claim, open_chain, standing
from ..models import Decision, Finding, Quote, QuoteLine, is_overdue
from ..quote_stats import count_quotes
from ..workflow import QUOTE_FLOW
from . import rounds
from .answers import append_loaded
from .evidence import require_damage_photos

PURPOSE_BY_KIND = {"garage": "repair", "specialist_repairer": "specialist_repair"}
MAX_LINES = 500


class SystemActor:
    """The portal itself (fast track): no user id in decisions and audit rows."""

    id = None
    organization_id = None
    roles = ()
    name = "system"


SYSTEM = SystemActor()


# ------------------------------------------------------------------ visibility


def visible_quotes_stmt(user):
    """``select(Quote)`` limited to what ``user`` may see: staff all, a partner its own."""
    stmt = sa.select(Quote).where(Quote.status != "deleted")   # a deleted draft is kept, never listed
    if user.is_insurer:
        return stmt
    return stmt.where(Quote.garage_id == user.organization_id)


SUMMARY_COLUMNS = (Quote.id, Claim.claim_no, Quote.garage_id, Quote.purpose, Quote.supplement_to, Quote.status,
                   Quote.version, Quote.total_submitted, Quote.total_approved, Quote.submitted_at, Quote.due_at,
                   Quote.desk, Quote.fast_tracked, Claim.risk_color, Quote.updated_at)


def quote_summaries_page(stmt, *, counted_by: dict | None = None) -> dict:
    """A page of ``stmt`` (a filtered, ordered :func:`visible_quotes_stmt`) for ``QuoteSummary``:
    the summary columns only, no model objects — the review queue (核损队列) is the busiest
    request of the portal. ``overdue`` is computed as :attr:`Quote.overdue` computes it.

    ``counted_by`` (``garage_id`` and/or ``status``): the filters of ``stmt`` when they are
    only these, so that ``total`` comes from the quote counts instead of counting rows."""
    rows_stmt = stmt.with_only_columns(*SUMMARY_COLUMNS, maintain_column_froms=True) \
        .join(Claim, Claim.id == Quote.claim_id)
    total = (lambda: count_quotes(**counted_by)) if counted_by is not None else (lambda: count_rows(stmt))
    out = page_of_rows(rows_stmt, total)
    now = utcnow()
    out["items"] = [{**row, "overdue": is_overdue(row["status"], row["due_at"], now)} for row in out["items"]]
    return out


def get_quote(quote_id: int, user, *, for_update: bool = False) -> Quote:
    """A quote the user may see (404 otherwise), its lines read with it (every change needs them)."""
    quote = db.session.get(Quote, quote_id, options=[joinedload(Quote.lines)])
    if quote is None or quote.status == "deleted" or not (user.is_insurer or quote.garage_id == user.organization_id):
        raise NotFound()
    return quote


def require_owner(quote: Quote, user) -> None:
    if user.is_insurer:
        raise Forbidden("Only the garage that wrote the quote may change it.")
    if quote.garage_id != user.organization_id:
        raise NotFound()


# ------------------------------------------------------------------ lines


def as_decimal(value) -> Decimal:
    """A figure as the API's schema and the pages' forms hand it over (a ``Decimal``, checked
    there); a caller in code (the demo data, a script) may pass a decimal string or an integer."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


def validate_lines(raw_lines, claim: Claim) -> list[dict]:
    """The rules of a quote's lines; their shape (kinds, qualities, lengths, figures with two
    places, a price above zero) is checked before: the API's ``LineIn``, the editor's form. At
    least one line and at most ``MAX_LINES``; every line named; a part with its part number
    and quality; a quantity above zero and below 100,000,000; a specialist's line repairs a line
    of a repair quote on the same ``claim``. Errors as ``{"lines.3.quantity": [...]}``; returns
    the lines normalized (part numbers in capitals, text trimmed, quantities to two places)."""
    if not raw_lines:
        raise Invalid({"lines": ["A quote needs at least one line."]})
    if len(raw_lines) > MAX_LINES:
        raise Invalid({"lines": [f"At most {MAX_LINES} lines."]})
    errors: dict[str, list[str]] = {}
    clean = []
    for i, raw in enumerate(raw_lines):
        def err(field, msg, i=i):
            errors.setdefault(f"lines.{i}.{field}", []).append(msg)

        kind = raw.get("kind")
        name = (raw.get("name") or "").strip()
        if not name:   # a name of spaces only has the length LineIn asks for
            err("name", "Required.")
        part_no = (raw.get("part_no") or "").strip().upper() or None
        quality = raw.get("quality") or None
        if kind == "part":
            if not part_no:
                err("part_no", "Required for a part.")
            if not quality:
                err("quality", "Required for a part.")
        quantity = as_decimal(raw.get("quantity"))
        if quantity <= 0:
            err("quantity", "Must be more than zero.")
        elif quantity >= Decimal("100000000"):
            err("quantity", "Too large.")
        clean.append({"id": raw.get("id"), "kind": kind, "name": name, "part_no": part_no, "quality": quality,
                      "quantity": quantity.quantize(Decimal("0.01")),
                      "unit_price": quantize(as_decimal(raw.get("unit_price"))),
                      "comment": (raw.get("comment") or "").strip() or None,
                      "source_line_id": raw.get("source_line_id")})
    sources = {line["source_line_id"] for line in clean if line["source_line_id"] is not None}
    if sources:
        known = set(db.session.scalars(sa.select(QuoteLine.id).join(Quote, Quote.id == QuoteLine.quote_id).where(
            QuoteLine.id.in_(sources), Quote.purpose == "repair", Quote.claim_id == claim.id)))
        for i, line in enumerate(clean):
            if line["source_line_id"] is not None and line["source_line_id"] not in known:
                errors.setdefault(f"lines.{i}.source_line_id", []).append(
                    "Not a line of a repair quote on this claim.")
    if errors:
        raise Invalid(errors)
    return clean


def line_amount(quantity: Decimal, unit_price: Decimal) -> Decimal:
    """Quantity × unit price, half-up to the fen."""
    return quantize(Decimal(quantity) * Decimal(unit_price))


def _write_lines(quote: Quote, clean: list[dict]) -> None:
    existing = {ln.id: ln for ln in quote.lines}
    keep = set()
    for pos, data in enumerate(clean):
        line = existing.get(data["id"]) if data["id"] is not None else None
        if data["id"] is not None and line is None:
            raise Invalid({f"lines.{pos}.id": ["No such line on this quote."]})
        if line is None:
            line = QuoteLine()
            quote.lines.append(line)
        keep.add(id(line))
        line.position = pos
        line.kind, line.name, line.part_no, line.quality = data["kind"], data["name"], data["part_no"], data["quality"]
        line.quantity, line.unit_price = data["quantity"], data["unit_price"]
        line.amount = line_amount(data["quantity"], data["unit_price"])
        line.source_line_id = data.get("source_line_id")
        if data.get("comment") is not None or line.garage_comment is None:
            line.garage_comment = data.get("comment")
    for line in list(quote.lines):
        if id(line) not in keep:
            quote.lines.remove(line)
    quote.total_submitted = quantize(sum((ln.amount for ln in quote.lines), Decimal(0)))
    quote.findings.clear()


def _bump_version(quote: Quote, expected_version: int | None) -> None:
    """A change that is not a status move: conditional UPDATE on the version."""
    version = quote.version if expected_version is None else expected_version
    if expected_version is not None and expected_version != quote.version:
        raise StaleVersion(details={"version": quote.version})
    db.session.flush()
    if not update_record(quote, Quote.version == version, values={"version": Quote.version + 1}):
        db.session.rollback()
        raise StaleVersion(details={"reloaded": True})


# ------------------------------------------------------------------ creating and editing


def create_quote(claim_no: str, user, lines, *, submit: bool = False, supplement_to: int | None = None) -> Quote:
    """A garage's quote (or a specialist repairer's) on a claim assigned to it."""
    purpose = PURPOSE_BY_KIND.get(user.org_kind)
    if purpose is None:
        if user.is_insurer:
            raise Forbidden("Quotes are written by the garage assigned to the claim.")
        raise NotFound()
    claim = get_visible_claim(claim_no, user, purposes=(purpose,))
    clean = validate_lines(lines, claim)
    _require_open_claim(claim)
    lock_claim(claim.id)
    parent = None
    if supplement_to is None:
        chain = open_chain(claim.id, user.organization_id)
        if chain is not None:
            raise InvalidState(_l_chain(chain), {"status": chain.status, "quote_id": chain.id,
                                                 "use": "supplement_to" if chain.status == "approved" else None})
    else:
        parent = db.session.get(Quote, supplement_to)
        if parent is None or parent.garage_id != user.organization_id or parent.claim_id != claim.id:
            raise Invalid({"supplement_to": ["No such quote of yours on this claim."]})
        if parent.status != "approved":
            raise Invalid({"supplement_to": ["A supplement follows an approved quote."]})
        parent = db.session.get(Quote, parent.supplement_to) if parent.supplement_to else parent
    quote = Quote(claim=claim, claim_id=claim.id, garage_id=user.organization_id, purpose=purpose,
                  supplement_to=parent.id if parent else None, status="draft", version=1, desk="garage",
                  created_by_id=user.id, rules_version=R.rules_version(),
                  findings=[], decisions=[], photos=[])   # a new quote has none: nothing to read back
    db.session.add(quote)
    _write_lines(quote, clean)
    db.session.flush()
    record_audit("quote", quote.id, "create", {"status": [None, "draft"], "total_submitted": [None, quote.total_submitted],
                                                "supplement_to": quote.supplement_to}, actor=user)
    emit("quote.created", _payload(quote))
    if submit:
        submit_quote(quote, user)
    return quote


def _require_open_claim(claim: Claim) -> None:
    if claim.status != "open":
        raise InvalidState("The claim is closed: it takes no more quotes.", {"claim_status": claim.status})


def _l_chain(chain: Quote) -> str:
    if chain.status == "approved":
        return (f"Quote #{chain.id} on this claim is approved: send further damage as a supplement to it "
                f"(supplement_to={chain.id}).")
    return (f"Quote #{chain.id} on this claim is still open ({chain.status}): change, withdraw or delete it, "
            "or wait for its decision and send a supplement.")


def withdraw_quote(quote: Quote, user, expected_version: int | None = None) -> Quote:
    """The garage takes back a submitted (or returned) quote before a decision (撤回)."""
    require_owner(quote, user)
    from_status = quote.status
    QUOTE_FLOW.apply(quote, "withdraw", user, expected_version=expected_version,
                     values={"desk": None, "due_at": None, "decided_at": utcnow()})
    _decision(quote, "withdraw", user, from_status, amount=quote.total_submitted)
    emit("quote.withdrawn", _payload(quote))
    return quote


def delete_draft(quote: Quote, user, expected_version: int | None = None) -> Quote:
    """A draft is deleted: hidden from every list, the row and its audit trail kept."""
    require_owner(quote, user)
    QUOTE_FLOW.apply(quote, "delete", user, expected_version=expected_version, values={"desk": None})
    return quote


def replace_lines(quote: Quote, user, lines, expected_version: int | None = None) -> Quote:
    """Edit a draft or a returned quote: lines with an ``id`` are updated, new ones added,
    missing ones removed. On a returned quote a line the assessor adjusted takes an
    ``answer`` (accept the adjustment, or a comment with photos; a ``comment`` alone answers
    too): :func:`rounds.check_answers`."""
    require_owner(quote, user)
    if quote.status not in ("draft", "returned"):
        raise InvalidState("Only a draft or a returned quote can be changed.",
                           {"status": quote.status, "allowed": ["draft", "returned"]})
    before = quote.total_submitted
    clean = validate_lines(lines, quote.claim)
    answers = rounds.check_answers(quote, lines, clean) if quote.status == "returned" else []
    _write_lines(quote, clean)
    rounds.apply_answers(quote, answers, user)
    _bump_version(quote, expected_version)
    record_audit("quote", quote.id, "edit_lines", {"total_submitted": [before, quote.total_submitted],
                                                    "lines": len(quote.lines)}, actor=user)
    return quote


# ------------------------------------------------------------------ checks


def store_findings(quote: Quote) -> list[Finding]:
    version = R.rules_version()
    quote.findings.clear()
    db.session.flush()
    rows = [Finding(quote_id=quote.id, line_id=f.line_id, code=f.code, severity=f.severity, message=f.message,
                    params=f.params, suggested_unit_price=f.suggested_unit_price, rules_version=version)
            for f in collect_findings(quote)]
    quote.findings.extend(rows)
    return rows


def precheck(quote: Quote, user) -> list[Finding]:
    """Run the checks on a draft (or returned) quote and keep the findings: nothing is submitted."""
    require_owner(quote, user)
    if quote.status not in ("draft", "returned"):
        raise InvalidState("Pre-check is for a draft or a returned quote.", {"status": quote.status})
    rows = store_findings(quote)
    db.session.flush()
    return rows


@dataclass
class FastTrackVerdict:
    eligible: bool
    reasons: list[str]
    claim_total: Decimal | None = None   # the claim's repair total with this quote


def fast_track_verdict(quote: Quote, findings) -> FastTrackVerdict:
    """小额快赔: the claim's repair total with this quote ≤ limit (never one quote alone), blue
    claim, no injury, grade A/B, no warn or block finding, not major, and no earlier quote on
    the claim refused, returned or re-inspected with a bad result (``docs/review-controls.md``)."""
    cfg = R.rules()
    reasons = []
    claim = standing(quote.claim_id, quote.id)
    total = claim.others + (quote.total_submitted or Decimal(0))
    if total > Decimal(str(cfg["fast_track_limit"])):
        reasons.append("AMOUNT_ABOVE_LIMIT")
    if total > Decimal(str(cfg["major_threshold"])):
        reasons.append("MAJOR_QUOTE")
    reasons.extend(claim.trouble)
    if quote.claim.risk_color not in cfg["fast_track_colors"]:
        reasons.append("RISK_COLOR")
    if quote.claim.flag("injury"):
        reasons.append("INJURY")
    if (quote.garage.grade or "") not in cfg["fast_track_grades"]:
        reasons.append("GARAGE_GRADE")
    severities = {f.severity for f in findings}
    if "block" in severities:
        reasons.append("BLOCK_FINDING")
    if "warn" in severities:
        reasons.append("WARN_FINDING")
    return FastTrackVerdict(not reasons, reasons, total)


def _decision(quote, action, actor, from_status, *, comment=None, amount=None, automatic=False, rule=None,
              claim_total=None, authority_limit=None):
    d = Decision(quote_id=quote.id, action=action, from_status=from_status, to_status=quote.status,
                 user_id=getattr(actor, "id", None), comment=comment, amount=amount, automatic=automatic,
                 rule=rule, rules_version=R.rules_version(), at=utcnow(), claim_total=claim_total,
                 authority_limit=authority_limit)
    db.session.add(d)
    append_loaded(quote, "decisions", d)
    return d


def _payload(quote: Quote, **extra) -> dict:
    data = {"quote_id": quote.id, "claim_no": quote.claim.claim_no, "garage_id": quote.garage_id,
            "status": quote.status, "desk": quote.desk,
            "total_submitted": f"{quote.total_submitted:.2f}",
            "total_approved": f"{quote.total_approved:.2f}" if quote.total_approved is not None else None}
    data.update(extra)
    data["organization_ids"] = [quote.garage_id]   # the audience (portal/ops/webhooks.py)
    return data


def submit_quote(quote: Quote, user, expected_version: int | None = None) -> Quote:
    """Submit (or resubmit after a return): checks, deadline, and fast track when it applies."""
    require_owner(quote, user)
    if not QUOTE_FLOW.can(quote.status, "submit"):
        QUOTE_FLOW.transition(quote.status, "submit")
    if not quote.lines:
        raise Invalid({"lines": ["A quote needs at least one line."]})
    if expected_version is not None and expected_version != quote.version:
        raise StaleVersion(details={"version": quote.version})
    _require_open_claim(quote.claim)
    if quote.status == "returned":
        rounds.require_answers(quote)   # every adjusted line answered before a new round
    require_damage_photos(quote)   # min_damage_photos (services/evidence.py)
    lock_claim(quote.claim_id)
    from_status = quote.status
    if from_status == "returned":
        rounds.record_resubmission(quote)
    findings = store_findings(quote)
    routed = {f.line_id for f in findings if f.code == "REPLACE_WHERE_REPAIRABLE"}
    for line in quote.lines:
        line.routed_to_specialist = line.id in routed
        if from_status == "returned":   # a new round: the reviewer decides again
            line.approved_quantity = line.approved_unit_price = line.approved_amount = None
            line.reason = None   # the round's reason is kept in its round (services.rounds)
    now = utcnow()
    deadline = compute_review_deadline(now, quote.total_submitted)
    QUOTE_FLOW.apply(quote, "submit", user, expected_version=expected_version, values={
        "submitted_at": now, "first_submitted_at": quote.first_submitted_at or now, "due_at": deadline.due_at,
        "desk": "assessor", "rules_version": R.rules_version(), "total_approved": None, "first_approver_id": None,
        "decided_at": None,
    }, audit={"due_at": [None, deadline.due_at], "total_submitted": quote.total_submitted})
    _decision(quote, "submit", user, from_status, amount=quote.total_submitted)
    emit("quote.submitted", _payload(quote, resubmitted=from_status == "returned"))
    verdict = fast_track_verdict(quote, findings)
    if verdict.eligible:
        for line in quote.lines:
            line.approved_quantity, line.approved_unit_price, line.approved_amount = (
                line.quantity, line.unit_price, line.amount)
        QUOTE_FLOW.apply(quote, "fast_track", SYSTEM, values={
            "total_approved": quote.total_submitted, "decided_at": utcnow(), "desk": None, "fast_tracked": True,
        }, audit={"rule": "FAST_TRACK", "rules_version": R.rules_version()})
        _decision(quote, "approve", SYSTEM, "submitted", amount=quote.total_approved, automatic=True,
                  rule="FAST_TRACK", comment="Fast track (小额快赔): small amount, blue claim, no injury, "
                                            "grade A/B garage, no warn or block finding.")
        emit("quote.fast_tracked", _payload(quote))
        emit("quote.approved", _payload(quote, automatic=True))
    else:
        assignment.assign(quote, "assessor", SYSTEM, verdict.claim_total)   # 一人终审: one assessor owns it
    return quote
