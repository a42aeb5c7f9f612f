"""The rules of repair quotes and their review (核损). The API and the pages both call
these; they raise ``portal.errors`` and never commit (the view commits once)."""
from __future__ import annotations

import random
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload, selectinload

from portal.audit.services import record_audit
from portal.auth.models import Organization, User
from portal.calendar.deadline import compute_review_deadline
from portal.claims.access import get_visible_claim
from portal.claims.models import Assignment, Claim
from portal.errors import Forbidden, Invalid, InvalidState, NotFound, StaleVersion, TooLarge
from portal.events import emit
from portal.api.pagination import count_rows, page_of_rows
from portal.extensions import db
from portal.money import MoneyError, parse_money, quantize, request_decimal
from portal.statemachine import update_record
from portal.uploads import check_quota, image_problem, written
from portal.timeutil import LOCAL_TZ, local_datetime, utcnow

from . import assignment, holds
from . import rules as R
from .checks import collect_findings
from .controls import approval_check, lock_claim, open_chain, standing
from .holds import HOLD_ACTIONS
from .models import (DESKS, HELD, IN_REVIEW, LINE_KINDS, PHOTO_KINDS, QUALITIES, AuditSample, Decision, Finding, Photo,
                     Quote, QuoteLine, is_overdue)
from .quote_counts import count_quotes
from .workflow import QUOTE_FLOW

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
                   Quote.desk, Quote.fast_tracked, Claim.risk_color)


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


def _decimal_quantity(value):
    if isinstance(value, bool) or isinstance(value, float) or value is None or value == "":
        raise ValueError("Send the quantity as a decimal string or an integer.")
    d = request_decimal(value)   # bounded before any rounding (review M8); ValueError otherwise
    if d >= Decimal("100000000"):
        raise ValueError("Too large.")
    if d != d.quantize(Decimal("0.01")):
        raise ValueError("At most 2 decimal places.")
    if d <= 0:
        raise ValueError("Must be more than zero.")
    if d >= Decimal("100000000"):
        raise ValueError("Too large.")
    return d.quantize(Decimal("0.01"))


def validate_lines(raw_lines) -> list[dict]:
    """Check every line; errors as ``{"lines.3.quantity": [...]}``. Returns clean dicts."""
    if not isinstance(raw_lines, (list, tuple)) or not raw_lines:
        raise Invalid({"lines": ["A quote needs at least one line."]})
    if len(raw_lines) > MAX_LINES:
        raise Invalid({"lines": [f"At most {MAX_LINES} lines."]})
    errors: dict[str, list[str]] = {}
    clean = []
    for i, raw in enumerate(raw_lines):
        def err(field, msg, i=i):
            errors.setdefault(f"lines.{i}.{field}", []).append(msg)

        if not isinstance(raw, dict):
            errors[f"lines.{i}"] = ["A line is an object."]
            continue
        kind = raw.get("kind")
        if kind not in LINE_KINDS:
            err("kind", f"One of: {', '.join(LINE_KINDS)}.")
        name = (raw.get("name") or "").strip() if isinstance(raw.get("name"), str) else ""
        if not name:
            err("name", "Required.")
        elif len(name) > 200:
            err("name", "At most 200 characters.")
        part_no = raw.get("part_no")
        part_no = part_no.strip().upper() if isinstance(part_no, str) and part_no.strip() else None
        if part_no and len(part_no) > 64:
            err("part_no", "At most 64 characters.")
        quality = raw.get("quality") or None
        if quality is not None and quality not in QUALITIES:
            err("quality", f"One of: {', '.join(QUALITIES)}.")
        if kind == "part":
            if not part_no:
                err("part_no", "Required for a part.")
            if not quality:
                err("quality", "Required for a part.")
        try:
            quantity = _decimal_quantity(raw.get("quantity"))
        except ValueError as exc:
            err("quantity", str(exc))
            quantity = None
        try:
            unit_price = parse_money(raw.get("unit_price"), allow_zero=False)
        except MoneyError as exc:
            err("unit_price", str(exc))
            unit_price = None
        comment = raw.get("comment")
        if comment is not None and (not isinstance(comment, str) or len(comment) > 2000):
            err("comment", "Text of at most 2000 characters.")
        line_id = raw.get("id")
        if line_id is not None and (isinstance(line_id, bool) or not isinstance(line_id, int)):
            err("id", "Not a valid line id.")
        clean.append({"id": line_id, "kind": kind, "name": name, "part_no": part_no, "quality": quality,
                      "quantity": quantity, "unit_price": unit_price, "comment": (comment or "").strip() or None,
                      "source_line_id": raw.get("source_line_id") if isinstance(raw.get("source_line_id"), int)
                      else None})
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
    clean = validate_lines(lines)
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
    """Edit a draft or a returned quote: lines with an ``id`` are updated (the garage may
    answer an adjusted line with a ``comment``), new ones added, missing ones removed."""
    require_owner(quote, user)
    if quote.status not in ("draft", "returned"):
        raise InvalidState("Only a draft or a returned quote can be changed.",
                           {"status": quote.status, "allowed": ["draft", "returned"]})
    before = quote.total_submitted
    clean = validate_lines(lines)
    _write_lines(quote, clean)
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
                    suggested_unit_price=f.suggested_unit_price, rules_version=version)
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
    the claim refused, returned or re-inspected with a bad result (SPEC §3a)."""
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
    _keep_in(quote, "decisions", d)
    return d


def _keep_in(quote: Quote, collection: str, row) -> None:
    """A row written by ``quote_id`` joins the quote's collection when it is loaded, so the
    collection stands as written and the answer need not read it again (unloaded, it is
    read from the flushed rows when the answer asks)."""
    if collection not in sa.inspect(quote).unloaded:
        getattr(quote, collection).append(row)


def _payload(quote: Quote, **extra) -> dict:
    data = {"quote_id": quote.id, "claim_no": quote.claim.claim_no, "garage_id": quote.garage_id,
            "status": quote.status, "desk": quote.desk,
            "total_submitted": f"{quote.total_submitted:.2f}",
            "total_approved": f"{quote.total_approved:.2f}" if quote.total_approved is not None else None}
    data.update(extra)
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
    lock_claim(quote.claim_id)
    from_status = quote.status
    findings = store_findings(quote)
    routed = {f.line_id for f in findings if f.code == "REPLACE_WHERE_REPAIRABLE"}
    for line in quote.lines:
        line.routed_to_specialist = line.id in routed
        if from_status == "returned":   # a new round: the reviewer decides again
            line.approved_quantity = line.approved_unit_price = line.approved_amount = None
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
        emit("quote.approved", _payload(quote, automatic=True))
    else:
        assignment.assign(quote, "assessor", SYSTEM, verdict.claim_total)   # 一人终审: one assessor owns it
    return quote


# ------------------------------------------------------------------ review


def _approved_values(quote: Quote, adjustments, action: str) -> dict[int, tuple]:
    """``{line_id: (qty, unit_price, amount, reason)}`` for every line; lines left out are
    approved as submitted (or keep the first approver's values on a second approval)."""
    by_id = {ln.id: ln for ln in quote.lines}
    errors: dict[str, list[str]] = {}
    reasons = set(R.rules()["reduction_reasons"])
    given = {}
    for i, adj in enumerate(adjustments or []):
        line = by_id.get(adj.get("id"))
        if line is None:
            errors[f"lines.{i}.id"] = ["No such line on this quote."]
            continue
        qty = adj.get("approved_quantity")
        price = adj.get("approved_unit_price")
        try:
            qty = line.quantity if qty is None else request_decimal(qty)
            if qty < 0 or qty != qty.quantize(Decimal("0.01")):
                raise ValueError
        except (InvalidOperation, ValueError):
            errors[f"lines.{i}.approved_quantity"] = ["A quantity of 0 or more, at most 2 places."]
            continue
        try:
            price = line.unit_price if price is None else parse_money(price)
        except MoneyError as exc:
            errors[f"lines.{i}.approved_unit_price"] = [str(exc)]
            continue
        if qty > line.quantity:
            errors[f"lines.{i}.approved_quantity"] = ["Cannot approve more than was quoted."]
        if price > line.unit_price:
            errors[f"lines.{i}.approved_unit_price"] = ["Cannot approve a higher price than was quoted."]
        amount = line_amount(qty, price)
        reason = adj.get("reason") or None
        if amount != line.amount and not reason:
            errors[f"lines.{i}.reason"] = ["Give the reason code of the reduction (核减原因)."]
        elif reason and reason not in reasons:
            errors[f"lines.{i}.reason"] = [f"One of: {', '.join(sorted(reasons))}."]
        given[line.id] = (qty.quantize(Decimal("0.01")), price, amount, reason)
    if errors:
        raise Invalid(errors)
    out = {}
    for line in quote.lines:
        if line.id in given:
            out[line.id] = given[line.id]
        elif quote.status != "submitted" and line.approved_amount is not None:
            out[line.id] = (line.approved_quantity, line.approved_unit_price, line.approved_amount, line.reason)
        else:
            out[line.id] = (line.quantity, line.unit_price, line.amount, None)
    return out


REVIEW_ACTIONS = ("approve", "return", "reject", "escalate") + HOLD_ACTIONS + ("reassign",)


def decide(quote: Quote, user, action: str, version: int, comment: str | None = None, lines=None,
           reason: str | None = None, assignee_id: int | None = None) -> Quote:
    """An assessor's or supervisor's decision: approve / return / reject / escalate.

    Approving above the caller's authority escalates instead (审批权限); a major quote
    (大要案) needs two different approvers; a stale ``version`` is 409 ``stale_version``.
    """
    if action not in REVIEW_ACTIONS:
        raise Invalid({"action": [f"One of: {', '.join(REVIEW_ACTIONS)}."]})
    if not user.is_insurer:
        raise Forbidden()
    if version != quote.version:
        raise StaleVersion(details={"version": quote.version, "status": quote.status})
    from_status = quote.status
    if action == "reassign":
        assignment.reassign(quote, user, assignee_id, (comment or "").strip() or None)
        _bump_version(quote, version)
        return quote
    if not QUOTE_FLOW.can(from_status, action):
        raise InvalidState(f"A quote in status {from_status!r} does not take {action!r}.",
                           {"status": from_status, "allowed": allowed_actions(quote, user)})
    comment = (comment or "").strip() or None
    if action in ("hold", "investigate"):
        holds.hold(quote, user, action, version, reason, comment)
        return quote
    if action == "resume":
        holds.resume(quote, user, version, comment)
        return quote
    if action in ("return", "reject") and not comment:
        raise Invalid({"comment": ["Tell the garage what to change (return) or why (reject)."]})
    values = _approved_values(quote, lines, action)
    total = quantize(sum((v[2] for v in values.values()), Decimal(0)))
    lock_claim(quote.claim_id)   # two quotes of one claim are decided one after the other
    check = approval_check(quote, user, total)   # judged on the claim's repair total (SPEC §3a)
    major = check.major
    rule = None
    effective = action
    extra: dict = {}
    if action == "approve":
        holds.require_investigation(quote, check.claim_total)
        if not check.within_limit:
            effective, rule = "escalate", "AUTHORITY_LIMIT"
        elif major and quote.first_approver_id is None:
            effective, rule = "first_approve", "MAJOR_FOUR_EYES"
            extra["first_approver_id"] = user.id
        elif major and quote.first_approver_id == user.id:
            raise Forbidden("A major quote needs a second, different approver (四眼原则).")
    if effective in ("approve",):
        extra.update(total_approved=total, decided_at=utcnow(), desk=None)
    elif effective == "first_approve":
        extra.update(total_approved=total, desk="second_approver")
    elif effective == "escalate":   # not approved: no approved total (the proposed lines stay on the lines)
        extra.update(desk="supervisor", total_approved=None)
    elif effective == "return":
        extra.update(desk="garage", due_at=None, return_count=quote.return_count + 1, total_approved=None)
    elif effective == "reject":
        extra.update(desk=None, decided_at=utcnow(), total_approved=None)
    QUOTE_FLOW.apply(quote, effective, user, expected_version=version, values=extra,
                     audit={"decision": action, "rule": rule, "amount": total, "comment": comment,
                            "claim_repair_total": check.claim_total, "authority_limit": check.limit,
                            "rules_version": R.rules_version()})
    adjusted = []
    for line in quote.lines:
        qty, price, amount, reason = values[line.id]
        line.approved_quantity, line.approved_unit_price, line.approved_amount = qty, price, amount
        if reason or amount == line.amount:
            line.reason = reason
        if amount != line.amount:
            adjusted.append({"line_id": line.id, "approved_amount": f"{amount:.2f}", "reason": reason})
    if adjusted:
        record_audit("quote", quote.id, "adjust_lines", {"lines": adjusted}, actor=user)
    if effective == "escalate":
        assignment.assign(quote, "supervisor", user, check.claim_total)
    elif effective == "first_approve":   # the second approver comes from the team (never the first)
        quote.assigned_reviewer_id = None
    _decision(quote, effective, user, from_status, comment=comment, amount=total, rule=rule,
              claim_total=check.claim_total if action == "approve" else None,
              authority_limit=check.limit if action == "approve" else None)
    event = {"approve": "quote.approved", "first_approve": "quote.awaiting_second_approval",
             "escalate": "quote.escalated", "return": "quote.returned", "reject": "quote.rejected"}[effective]
    emit(event, _payload(quote, decided_by=user.id, rule=rule, comment=comment))
    return quote


def allowed_actions(quote: Quote, user) -> list[str]:
    if not user.is_insurer or quote.status not in IN_REVIEW + HELD:
        return []
    return [a for a in REVIEW_ACTIONS
            if QUOTE_FLOW.can(quote.status, a) and QUOTE_FLOW.transition(quote.status, a).allows(user)] + \
        (["reassign"] if user.has_role("supervisor", "admin") else [])


def desk_of(quote: Quote) -> str | None:
    return quote.desk if quote.status in DESKS else None


# ------------------------------------------------------------------ photos

MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"%PDF-", "application/pdf", "pdf"),
)


def sniff(head: bytes) -> tuple[str, str] | None:
    """The content type by magic bytes (the client's claim is never trusted)."""
    for magic, ctype, ext in MAGIC:
        if head.startswith(magic):
            return ctype, ext
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", "webp"
    return None


def photo_dir() -> Path:
    path = Path(current_app.config["UPLOAD_FOLDER"]) / "garages"
    path.mkdir(parents=True, exist_ok=True)
    return path


def add_photo(quote: Quote, user, file, kind: str, line_id: int | None = None) -> Photo:
    """The garage's photos (damage, teardown, after repair); the insurer's re-inspection photos
    (复勘), by staff only and only on a quote under re-inspection."""
    if user.is_insurer:
        if kind != "reinspection":
            raise Forbidden("Staff add re-inspection photos only; the garage adds its own.")
        from .reinspection import require_reinspection

        require_reinspection(quote, user)
    else:
        require_owner(quote, user)
        if kind == "reinspection":
            raise Forbidden("Re-inspection photos are taken by the insurer (复勘), never by the garage.")
    if quote.status == "rejected":
        raise InvalidState("A rejected quote takes no more photos.", {"status": quote.status})
    errors = {}
    if kind not in PHOTO_KINDS:
        errors["kind"] = [f"One of: {', '.join(PHOTO_KINDS)}."]
    if line_id is not None and line_id not in {ln.id for ln in quote.lines}:
        errors["line_id"] = ["No such line on this quote."]
    if file is None or not getattr(file, "filename", None):
        errors["file"] = ["Choose a file."]
    elif any(ord(ch) < 32 or ord(ch) == 127 for ch in file.filename):   # NUL, CR/LF: never into a header
        errors["file"] = ["The file name has control characters: rename the file."]
    if errors:
        raise Invalid(errors)
    limit = int(R.rules()["photo_max_bytes"])
    data = file.stream.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"A photo may be at most {limit // (1024 * 1024)} MiB.")
    if not data:
        raise Invalid({"file": ["The file is empty."]})
    sniffed = sniff(data[:16])
    if sniffed is None:
        raise Invalid({"file": ["Only JPEG, PNG, WebP images or PDF documents."]})
    ctype, ext = sniffed
    if ctype.startswith("image/"):
        problem = image_problem(data, int(R.rules()["photo_max_pixels"]))
        if problem:
            raise Invalid({"file": [problem]})
    check_quota(user.organization_id, len(data))
    stored = f"{uuid.uuid4().hex}.{ext}"
    (photo_dir() / stored).write_bytes(data)
    written(db.session, photo_dir() / stored)   # removed again if the change does not commit
    photo = Photo(quote_id=quote.id, line_id=line_id, kind=kind, stored_name=stored,
                  original_name=Path(file.filename).name[:255], content_type=ctype, size=len(data),
                  uploaded_by_id=user.id)
    db.session.add(photo)
    _keep_in(quote, "photos", photo)
    db.session.flush()
    record_audit("quote", quote.id, "add_photo", {"photo_id": photo.id, "kind": kind, "line_id": line_id}, actor=user)
    return photo


def get_photo(quote: Quote, photo_id: int, user=None) -> tuple[Photo, Path]:
    photo = db.session.get(Photo, photo_id)
    if photo is None or photo.quote_id != quote.id:
        raise NotFound()
    if photo.kind == "reinspection" and not (user is not None and user.is_insurer):
        raise NotFound()   # the insurer's evidence
    path = photo_dir() / photo.stored_name
    if not path.is_file():
        raise NotFound()
    return photo, path


# ------------------------------------------------------------------ context for the review screen


def vin_history(quote: Quote, limit: int = 20) -> list[Quote]:
    """Other quotes on the same VIN (the garage's history with this vehicle)."""
    return list(db.session.scalars(
        sa.select(Quote).join(Claim, Claim.id == Quote.claim_id)
        .where(Claim.vin == quote.claim.vin, Quote.id != quote.id, Quote.status != "draft")
        .order_by(Quote.submitted_at.desc()).limit(limit)))


# a quote with everything its page and its API answer show (built once: asked on every
# open; the lines — never many — come joined to the quote's row)
_FOR_DISPLAY = sa.select(Quote).where(Quote.id == sa.bindparam("quote_id")).options(
    joinedload(Quote.lines), selectinload(Quote.findings), selectinload(Quote.decisions),
    selectinload(Quote.photos))


def quote_for_answer(quote: Quote, reread: tuple[str, ...] = ()) -> Quote:
    """The quote a change has just written, ready for its answer without reading it all
    again: its row came back with the UPDATE (``portal.statemachine.update_record``), the
    lines and findings it changed through their collections stand as written, and the
    decisions and photos it added joined theirs (:func:`_keep_in`); a collection never
    loaded is read from the flushed rows when the answer asks. ``reread`` names what is
    read afresh after the flush all the same (lines that may come in a new order)."""
    db.session.flush()
    if reread:   # (an empty list would expire every attribute)
        db.session.expire(quote, list(reread))
    return quote


def load_quote_for_display(quote_id: int, user) -> Quote:
    quote = db.session.execute(_FOR_DISPLAY, {"quote_id": quote_id}).unique().scalar_one_or_none()
    if quote is None or quote.status == "deleted" or not (user.is_insurer or quote.garage_id == user.organization_id):
        raise NotFound()
    return quote


def routed_lines(claim: Claim) -> list[QuoteLine]:
    """Lines of the claim's quotes routed to a specialist repairer (外加工)."""
    return list(db.session.scalars(
        sa.select(QuoteLine).join(Quote, Quote.id == QuoteLine.quote_id)
        .where(Quote.claim_id == claim.id, Quote.purpose == "repair", QuoteLine.routed_to_specialist.is_(True))
        .order_by(QuoteLine.id)))


# ------------------------------------------------------------------ audit sampling (稽查)


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = local_datetime(day, datetime.min.time())
    return start, start + timedelta(days=1)


def sample_quotes(day: date, seed: str | None = None) -> list[AuditSample]:
    """Draw the day's approved quotes for re-inspection (复勘): a base share, a higher one
    for C/D garages and for large amounts; the seed and reason are recorded. A day is drawn
    once: running it again for the same day draws nothing new."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(AuditSample).where(AuditSample.sample_date == day)):
        return []
    cfg = R.rules()
    seed = seed or secrets.token_hex(8)
    rng = random.Random(f"{day.isoformat()}:{seed}")
    start, end = _day_bounds(day)
    quotes = db.session.scalars(
        sa.select(Quote).where(Quote.status == "approved", Quote.decided_at >= start, Quote.decided_at < end,
                               ~Quote.id.in_(sa.select(AuditSample.quote_id)))
        .order_by(Quote.id)).all()
    base = Decimal(str(cfg["sampling_share"]))
    grade_shares = {k: Decimal(str(v)) for k, v in cfg["sampling_grade_shares"].items()}
    amount_threshold = Decimal(str(cfg["sampling_amount_threshold"]))
    amount_share = Decimal(str(cfg["sampling_amount_share"]))
    drawn = []
    for quote in quotes:
        candidates = [(base, "random")]
        if quote.garage.grade in grade_shares:
            candidates.append((grade_shares[quote.garage.grade], "grade"))
        if (quote.total_approved or 0) >= amount_threshold:
            candidates.append((amount_share, "amount"))
        share, reason = max(candidates, key=lambda c: c[0])
        draw = Decimal(str(round(rng.random(), 8)))
        if draw < share:
            sample = AuditSample(quote_id=quote.id, sample_date=day, reason=reason, seed=seed, share=share,
                                 draw=draw, rules_version=R.rules_version())
            db.session.add(sample)
            quote.sampled, quote.sample_reason, quote.sample_seed = True, reason, seed
            drawn.append(sample)
    db.session.flush()
    for sample in drawn:
        record_audit("quote", sample.quote_id, "audit_sampled",
                     {"reason": sample.reason, "seed": seed, "share": sample.share, "draw": sample.draw}, actor=SYSTEM)
    return drawn


INSPECTION_RESULTS = ("confirmed", "overpaid", "fraud_suspected")


def record_inspection(sample: AuditSample, user, result: str, note: str | None) -> AuditSample:
    if not user.is_insurer:
        raise NotFound()
    if result not in INSPECTION_RESULTS:
        raise Invalid({"result": [f"One of: {', '.join(INSPECTION_RESULTS)}."]})
    before = sample.result
    sample.result, sample.result_note = result, (note or "").strip() or None
    sample.inspected_by_id, sample.inspected_at = user.id, utcnow()
    record_audit("quote", sample.quote_id, "reinspection", {"result": [before, result], "note": sample.result_note},
                 actor=user)
    return sample


def yesterday_local() -> date:
    return (datetime.now(LOCAL_TZ) - timedelta(days=1)).date()


def supervisors_covering(amount: Decimal) -> list[int]:
    """Supervisors whose authority limit covers ``amount``. Called from event receivers
    (after commit), so it reads in a session of its own."""
    from sqlalchemy.orm import Session

    with Session(db.engine) as session:
        users = session.scalars(sa.select(User).join(Organization, Organization.id == User.organization_id)
                                .where(Organization.kind == "insurer", User.active.is_(True))).all()
        return [u.id for u in users if u.has_role("supervisor") and u.can_approve(amount)]


def assignment_for(claim: Claim, org_id: int) -> Assignment | None:
    return db.session.scalar(sa.select(Assignment).where(Assignment.claim_id == claim.id,
                                                         Assignment.organization_id == org_id)
                             .order_by(Assignment.id))
