"""Rounds of a quote (轮次) and the garage's answers to the assessor's adjustments, and a
supplement (追加定损) as a change against the approved quote chain.

At each return every line is kept as it stood (submitted, adjusted with reason and note); the
garage answers each adjusted line (accept the adjustment, or a comment with photos) before it
may resubmit; at resubmission the answer and the resubmitted figures join the round. They raise
``portal.errors`` and never commit."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from portal.plugin import Invalid, db, quantize, record_audit, utcnow

from ..models import Photo, Quote, QuoteLine, QuoteRound

ANSWER_REQUIRED = "Accept the assessor's adjustment or answer it with a comment."


def line_was_adjusted(line: QuoteLine) -> bool:
    """The assessor changed the line (approved ≠ submitted, cut to zero included) or gave a
    reduction reason."""
    return line.approved_amount is not None and (line.approved_amount != line.amount or bool(line.reason))


def snapshot_at_return(quote: Quote) -> None:
    """Keep every line of the round the assessor has just returned (``quote.return_count`` is
    the round's number); the lines' answers start again."""
    now = utcnow()
    for line in quote.lines:
        db.session.add(QuoteRound(
            quote_id=quote.id, line_id=line.id, round_no=quote.return_count, position=line.position,
            kind=line.kind, name=line.name, quantity=line.quantity, unit_price=line.unit_price, amount=line.amount,
            approved_quantity=line.approved_quantity, approved_unit_price=line.approved_unit_price,
            approved_amount=line.approved_amount, reason=line.reason, reviewer_note=line.reviewer_note,
            adjusted=line_was_adjusted(line), returned_at=now))
        if line.answer_kind == "comment":   # the last round's answer is in its round: a new one is asked
            line.garage_comment = None
        line.answer_kind = line.answer_photo_ids = None


def current_round(quote: Quote) -> dict[int, QuoteRound]:
    """``{line_id: round row}`` of the last return of a returned quote (empty otherwise)."""
    if quote.status != "returned" or not quote.return_count:
        return {}
    rows = db.session.scalars(sa.select(QuoteRound).where(
        QuoteRound.quote_id == quote.id, QuoteRound.round_no == quote.return_count))
    return {r.line_id: r for r in rows if r.line_id is not None}


def adjusted_line_ids(quote: Quote) -> set[int]:
    return {lid for lid, r in current_round(quote).items() if r.adjusted}


def check_answers(quote: Quote, raw_lines, clean: list[dict]) -> list[dict]:
    """The answers given with ``replace_lines`` on a returned quote, checked: ``[{pos, line_id,
    kind, comment, photo_ids}]``. ``answer: {accept: true}`` makes the line take the adjusted
    figures (``clean`` is changed); ``answer: {comment, photo_ids}`` needs a comment and photos
    of this quote; a non-empty ``comment`` alone on an adjusted line is an answer too."""
    rows = current_round(quote)
    errors: dict[str, list[str]] = {}
    out = []
    photo_ids = None
    for pos, (raw, data) in enumerate(zip(raw_lines, clean)):
        r = rows.get(data["id"]) if data["id"] is not None else None
        answer = raw.get("answer")
        if r is None or not r.adjusted:
            if answer:
                errors[f"lines.{pos}.answer"] = ["Only a line the assessor adjusted takes an answer."]
            continue
        if answer and answer.get("accept"):
            data["quantity"], data["unit_price"] = r.approved_quantity, r.approved_unit_price
            out.append({"pos": pos, "line_id": r.line_id, "kind": "accept", "comment": data.get("comment"),
                        "photo_ids": None})
            continue
        comment = ((answer or {}).get("comment") or "").strip() or data.get("comment")
        ids = list(dict.fromkeys((answer or {}).get("photo_ids") or []))
        if answer and not comment:
            errors[f"lines.{pos}.answer.comment"] = ["Answer the adjustment with a comment (or accept it)."]
            continue
        if ids:
            if photo_ids is None:
                photo_ids = set(db.session.scalars(sa.select(Photo.id).where(Photo.quote_id == quote.id, Photo.deleted_at.is_(None))))
            if not set(ids) <= photo_ids:
                errors[f"lines.{pos}.answer.photo_ids"] = ["Photos of this quote only."]
                continue
        if comment:
            data["comment"] = comment
            out.append({"pos": pos, "line_id": r.line_id, "kind": "comment", "comment": comment,
                        "photo_ids": ids or None})
    if errors:
        raise Invalid(errors)
    return out


def apply_answers(quote: Quote, answers: list[dict], user) -> None:
    """Write the checked answers on their lines (after the lines were written), each audited."""
    by_id = {ln.id: ln for ln in quote.lines}
    for a in answers:
        line = by_id[a["line_id"]]
        line.answer_kind, line.answer_photo_ids = a["kind"], a["photo_ids"]
        record_audit("quote", quote.id, "answer_line", {
            "line_id": line.id, "answer": a["kind"], "comment": a["comment"], "photo_ids": a["photo_ids"],
            "quantity": line.quantity, "unit_price": line.unit_price}, actor=user)


def require_answers(quote: Quote) -> None:
    """A returned quote is resubmitted only when every line the assessor adjusted has an
    answer (a line the garage removed needs none). 422 naming ``lines.N.answer``, N the line's
    index as the API lists them."""
    adjusted = adjusted_line_ids(quote)
    if not adjusted:
        return
    ordered = sorted(quote.lines, key=lambda ln: (ln.position, ln.id or 0))
    errors = {f"lines.{i}.answer": [ANSWER_REQUIRED] for i, ln in enumerate(ordered)
              if ln.id in adjusted and not ln.answer_kind}
    if errors:
        raise Invalid(errors)


def record_resubmission(quote: Quote) -> None:
    """The garage's answers and the resubmitted figures join the round being closed."""
    rows = current_round(quote)
    now = utcnow()
    for line in quote.lines:
        r = rows.get(line.id)
        if r is None:
            continue
        r.answer_kind = line.answer_kind
        r.answer_comment = line.garage_comment if line.answer_kind == "comment" else None
        r.answer_photo_ids = line.answer_photo_ids
        r.resubmitted_quantity, r.resubmitted_unit_price, r.resubmitted_amount = (
            line.quantity, line.unit_price, line.amount)
        r.resubmitted_at = now
    for r in rows.values():
        if r.resubmitted_at is None:
            r.resubmitted_at = now   # the garage removed the line: resubmitted without it


def rounds_of(quote: Quote) -> list[dict]:
    """Every round of a quote, oldest first: ``[{round, returned_at, resubmitted_at, lines:
    [{line_id, position, kind, name, submitted, adjusted, answer, resubmitted}]}]``."""
    rows = db.session.scalars(sa.select(QuoteRound).where(QuoteRound.quote_id == quote.id)
                              .order_by(QuoteRound.round_no, QuoteRound.position, QuoteRound.id)).all()
    out: list[dict] = []
    for r in rows:
        if not out or out[-1]["round"] != r.round_no:
            out.append({"round": r.round_no, "returned_at": r.returned_at, "resubmitted_at": r.resubmitted_at,
                        "lines": []})
        out[-1]["lines"].append({
            "line_id": r.line_id, "position": r.position, "kind": r.kind, "name": r.name, "changed": r.adjusted,
            "submitted": {"quantity": r.quantity, "unit_price": r.unit_price, "amount": r.amount},
            "adjusted": {"quantity": r.approved_quantity, "unit_price": r.approved_unit_price,
                         "amount": r.approved_amount, "reason": r.reason, "note": r.reviewer_note},
            "answer": ({"accept": r.answer_kind == "accept", "comment": r.answer_comment,
                        "photo_ids": r.answer_photo_ids or []} if r.answer_kind else None),
            "resubmitted": ({"quantity": r.resubmitted_quantity, "unit_price": r.resubmitted_unit_price,
                             "amount": r.resubmitted_amount} if r.resubmitted_amount is not None else None),
            "removed": r.resubmitted_at is not None and r.resubmitted_amount is None,
        })
    return out


# ------------------------------------------------------------------ supplements


def _line_key(line: QuoteLine) -> tuple:
    return (line.kind, (line.part_no or "").upper(), line.name.strip())


def _approved(line: QuoteLine) -> Decimal:
    return line.approved_amount if line.approved_amount is not None else line.amount


def supplement_delta(supplement: Quote) -> dict | None:
    """A supplement as a change against the approved quote chain (the first quote and the
    supplements approved before this one). A supplement quotes further damage and adds to the
    claim's repair total, so each of its lines is ``added`` (an item the chain does not have)
    or ``changed`` (the same kind, part number and name as an approved line: the item goes from
    its approved amount to that plus the supplement's); ``removed`` lists the approved lines the
    supplement takes back (a line quoted again at nothing; the line rules keep quantities and
    prices above zero, so none today). Money delta per line and in total. ``None`` for a quote
    that is no supplement."""
    if supplement.supplement_to is None:
        return None
    chain = db.session.scalars(sa.select(Quote).where(
        sa.or_(Quote.id == supplement.supplement_to, Quote.supplement_to == supplement.supplement_to),
        Quote.id != supplement.id, Quote.status == "approved").order_by(Quote.id)).all()
    chain = [q for q in chain if q.id < supplement.id]
    base: dict[tuple, dict] = {}
    for q in chain:
        for ln in q.lines:
            entry = base.setdefault(_line_key(ln), {"quote_id": q.id, "amount": Decimal("0.00")})
            entry["amount"] += _approved(ln)
    lines = []
    for ln in sorted(supplement.lines, key=lambda x: x.position):
        before = base.get(_line_key(ln))
        old = before["amount"] if before else None
        if before is not None and ln.amount == 0:
            change, after = "removed", Decimal("0.00")
        elif before is not None:
            change, after = "changed", quantize(old + ln.amount)
        else:
            change, after = "added", ln.amount
        lines.append({"line_id": ln.id, "position": ln.position, "kind": ln.kind, "name": ln.name,
                      "part_no": ln.part_no, "change": change, "approved_quote_id": before and before["quote_id"],
                      "before": old, "after": after, "delta": quantize(after - (old or 0))})
    approved_total = quantize(sum((_approved(ln) for q in chain for ln in q.lines), Decimal(0)))
    delta = quantize(sum((x["delta"] for x in lines), Decimal(0)))
    return {"approved_quotes": [q.id for q in chain], "approved_total": approved_total,
            "lines": lines, "delta": delta, "total_after": quantize(approved_total + delta),
            **{k: sum(1 for x in lines if x["change"] == k) for k in ("added", "changed", "removed")}}
