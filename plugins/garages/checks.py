"""The built-in automatic checks (核损规则) run on every submitted quote.

The plugin's ``portal_quote_checks`` hook implementation (in ``hooks.py``) calls
:func:`builtin_findings`; third-party plugins implement the same hook and their findings
are gathered by :func:`collect_findings` through the very same call. All look-ups a
quote needs are made once per quote (:class:`CheckContext`), never once per line.
"""
from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal
from functools import cached_property

import sqlalchemy as sa

from portal.plugin import REPAIRABLE_FAMILIES, Claim, Money, db, flatten, get_catalog, hook, quantize, utcnow

from . import rules as R
from .controls import PENDING, standing
from .hookspecs import Finding
from .models import LABOUR_KINDS, SEVERITIES, Quote, QuoteLine

log = logging.getLogger(__name__)

CODES = ("PRICE_ABOVE_REFERENCE", "PART_NOT_IN_CATALOG", "REPAIR_COSTS_MORE_THAN_REPLACE",
         "REPLACE_WHERE_REPAIRABLE", "ASSEMBLY_WHERE_COMPONENT", "LABOR_RATE_ABOVE_AGREED",
         "MATERIAL_OVER_STANDARD", "DUPLICATE_PART_HISTORY", "RESCUE_ABOVE_SCHEDULE",
         "TOTAL_LOSS_SUSPECTED", "POLICY_LIMIT_EXCEEDED", "PHOTO_REUSED", "PHOTO_BEFORE_ACCIDENT")


def _finding(code, line, message, suggested=None, **params) -> Finding:
    """``message`` is the English text (kept for API callers without a language); ``params``
    let ``finding_texts.py`` write the sentence in the reader's language."""
    plain = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in params.items()}
    return Finding(code, R.severity(code), getattr(line, "id", None), message,
                   quantize(suggested) if suggested is not None else None, plain)


class CheckContext:
    """Everything the checks of one quote read, each fetched once (bounded queries)."""

    def __init__(self, quote):
        self.quote = quote
        self.claim = quote.claim
        self.lines = list(quote.lines)
        self.region = self.claim.region or getattr(quote.garage, "region", None) or ""
        self.catalog = get_catalog()

    def of_kind(self, *kinds):
        return [ln for ln in self.lines if ln.kind in kinds]

    @cached_property
    def part_nos(self) -> list[str]:
        return sorted({ln.part_no for ln in self.lines if ln.part_no and ln.kind in ("part", "repair")})

    @cached_property
    def reference_prices(self) -> dict:
        if self.catalog is None:
            return {}
        pairs = {(ln.part_no, ln.quality or "genuine") for ln in self.lines
                 if ln.part_no and ln.kind in ("part", "repair")}
        return self.catalog.reference_prices(sorted(pairs), self.region) if pairs else {}

    @cached_property
    def known_part_nos(self) -> set[str] | None:
        if self.catalog is None:
            return None
        nos = [ln.part_no for ln in self.of_kind("part") if ln.part_no]
        return set(self.catalog.known_part_nos(sorted(set(nos)))) if nos else set()

    @cached_property
    def part_info(self) -> dict:
        if self.catalog is None or not self.part_nos:
            return {}
        return self.catalog.part_info(self.part_nos)

    @cached_property
    def labor_rate(self) -> Decimal | None:
        if self.catalog is None:
            return None
        return self.catalog.labor_rate(self.quote.garage_id, self.region)

    @cached_property
    def towing_fee(self) -> Decimal | None:
        if self.catalog is None:
            return None
        return self.catalog.towing_fee(self.region)

    @cached_property
    def history(self) -> dict[str, list[str]]:
        """Part numbers already replaced on the same VIN: approved in other claims within the
        window, or approved or awaiting decision in another quote of this very claim (a split
        quote, a supplement repeating its first quote): ``{part_no: [where, ...]}`` (one query)."""
        nos = sorted({ln.part_no for ln in self.of_kind("part") if ln.part_no})
        if not nos or not self.claim.vin:
            return {}
        since = utcnow() - timedelta(days=30 * int(R.rules()["duplicate_months"]))
        rows = db.session.execute(
            sa.select(QuoteLine.part_no, Claim.claim_no, Quote.id, Quote.claim_id)
            .join(Quote, Quote.id == QuoteLine.quote_id).join(Claim, Claim.id == Quote.claim_id)
            .where(Claim.vin == self.claim.vin, Quote.id != self.quote.id,
                   sa.or_(sa.and_(Claim.id != self.claim.id, Quote.status == "approved", Quote.decided_at >= since),
                          sa.and_(Claim.id == self.claim.id, Quote.status.in_(("approved",) + PENDING))),
                   QuoteLine.kind == "part", QuoteLine.part_no.in_(nos),
                   sa.or_(QuoteLine.approved_quantity.is_(None), QuoteLine.approved_quantity > 0))
            .distinct()).all()
        out: dict[str, list[str]] = {}
        for part_no, claim_no, quote_id, claim_id in rows:
            where = f"{claim_no} #{quote_id}" if claim_id == self.claim.id else claim_no
            if where not in out.setdefault(part_no, []):
                out[part_no].append(where)
        return out

    @cached_property
    def remaining_cover(self) -> Decimal | None:
        """车损险保额 less what other approved quotes under the same policy used (one query)."""
        cover = getattr(self.claim, "policy_cover", None)
        if cover is None:
            return None
        used = db.session.scalar(
            sa.select(sa.type_coerce(sa.func.coalesce(sa.func.sum(Quote.total_approved), 0), Money()))
            .join(Claim, Claim.id == Quote.claim_id)
            .where(Claim.policy_no == self.claim.policy_no, Quote.status == "approved",
                   Quote.id != self.quote.id))
        return Decimal(cover) - Decimal(used or 0)


# ------------------------------------------------------------------ the eleven checks


def price_above_reference(ctx: CheckContext):
    tolerance = R.dec("price_tolerance")
    for ln in ctx.of_kind("part"):
        ref = ctx.reference_prices.get((ln.part_no, ln.quality or "genuine"))
        if ref and ln.unit_price > ref.price * (1 + tolerance):
            yield _finding("PRICE_ABOVE_REFERENCE", ln,
                           f"Unit price {ln.unit_price:.2f} is above the reference price {ref.price:.2f} "
                           f"by more than {tolerance * 100:.0f}%.", ref.price,
                           price=ln.unit_price, reference=ref.price, tolerance=tolerance)


def part_not_in_catalog(ctx: CheckContext):
    known = ctx.known_part_nos
    if known is None:
        return
    for ln in ctx.of_kind("part"):
        if ln.part_no and ln.part_no not in known:
            yield _finding("PART_NOT_IN_CATALOG", ln,
                           f"Part {ln.part_no} is in no approved price list (custom part).", part_no=ln.part_no)


def repair_costs_more_than_replace(ctx: CheckContext):
    for ln in ctx.of_kind("repair"):
        if not ln.part_no:
            continue
        ref = ctx.reference_prices.get((ln.part_no, ln.quality or "genuine"))
        if ref and ln.amount >= ref.price:
            yield _finding("REPAIR_COSTS_MORE_THAN_REPLACE", ln,
                           f"Repair costs {ln.amount:.2f}, replacing part {ln.part_no} costs {ref.price:.2f}: "
                           "replace instead.", amount=ln.amount, part_no=ln.part_no, price=ref.price)


def repairable_family(ctx: CheckContext, ln) -> str | None:
    info = ctx.part_info.get(ln.part_no) if ln.part_no else None
    if info is not None and info.family:
        return info.family if info.family in REPAIRABLE_FAMILIES else None
    name = (ln.name or "").lower()
    for family, words in R.rules()["repairable_keywords"].items():
        if any(w.lower() in name for w in words):
            return family
    return None


def replace_where_repairable(ctx: CheckContext):
    for ln in ctx.of_kind("part"):
        family = repairable_family(ctx, ln)
        if family:
            yield _finding("REPLACE_WHERE_REPAIRABLE", ln,
                           f"{ln.name} ({family}) can usually be repaired: route it to a specialist "
                           "repairer instead of replacing it.", name=ln.name, family=family)


def assembly_where_component(ctx: CheckContext):
    for ln in ctx.of_kind("part"):
        info = ctx.part_info.get(ln.part_no) if ln.part_no else None
        if info is not None and info.components:
            yield _finding("ASSEMBLY_WHERE_COMPONENT", ln,
                           f"Assembly {ln.part_no} is replaced, but the catalog lists its components "
                           f"separately: {', '.join(info.components)}.", part_no=ln.part_no,
                           components=list(info.components))


def labor_rate_above_agreed(ctx: CheckContext):
    rate = ctx.labor_rate if ctx.of_kind(*LABOUR_KINDS) else None
    if rate is None:
        return
    for ln in ctx.of_kind(*LABOUR_KINDS):
        if ln.unit_price > rate:
            yield _finding("LABOR_RATE_ABOVE_AGREED", ln,
                           f"Hourly rate {ln.unit_price:.2f} is above the agreed rate {rate:.2f}.", rate,
                           rate=ln.unit_price, agreed=rate)


def material_over_standard(ctx: CheckContext):
    standards = R.rules()["material_standards"]
    for ln in ctx.of_kind("material"):
        name = (ln.name or "").lower()
        for std in standards:
            if any(k.lower() in name for k in std["keywords"]):
                limit = Decimal(str(std["quantity"]))
                if ln.quantity > limit:
                    yield _finding("MATERIAL_OVER_STANDARD", ln,
                                   f"{ln.name}: {ln.quantity} {std.get('unit', '')} is above the standard "
                                   f"quantity of {limit} {std.get('unit', '')}.", name=ln.name,
                                   quantity=ln.quantity, limit=limit, unit=std.get("unit", ""))
                break


def duplicate_part_history(ctx: CheckContext):
    history = ctx.history
    for ln in ctx.of_kind("part"):
        if ln.part_no in history:
            yield _finding("DUPLICATE_PART_HISTORY", ln,
                           f"Part {ln.part_no} was already approved for replacement on this vehicle "
                           f"(claim {', '.join(sorted(history[ln.part_no]))}).", part_no=ln.part_no,
                           claims=sorted(history[ln.part_no]))


def rescue_above_schedule(ctx: CheckContext):
    fee = ctx.towing_fee if ctx.of_kind("rescue") else None
    if fee is None:
        return
    for ln in ctx.of_kind("rescue"):
        if ln.amount > fee:
            yield _finding("RESCUE_ABOVE_SCHEDULE", ln,
                           f"Towing {ln.amount:.2f} is above the regional fee schedule {fee:.2f}.", fee,
                           amount=ln.amount, fee=fee)


def total_loss_suspected(ctx: CheckContext):
    """推定全损 on the claim's repair total with this quote (never one quote alone)."""
    value = ctx.claim.actual_value
    if not value:
        return
    own = ctx.quote.total_submitted or Decimal(0)
    limit = value * R.dec("total_loss_ratio")
    total = own if own >= limit else own + standing(ctx.claim.id, ctx.quote.id).others
    if total >= limit:
        yield _finding("TOTAL_LOSS_SUSPECTED", None,
                       f"Claim repair total {total:.2f} (this quote {own:.2f}) is at or above "
                       f"{R.dec('total_loss_ratio') * 100:.0f}% of the vehicle's actual value {value:.2f}: treat as "
                       "a constructive total loss and open a salvage lot.", total=total, own=own,
                       ratio=R.dec("total_loss_ratio"), value=value)


def policy_limit_exceeded(ctx: CheckContext):
    remaining = ctx.remaining_cover
    total = ctx.quote.total_submitted or Decimal(0)
    if remaining is not None and total > remaining:
        yield _finding("POLICY_LIMIT_EXCEEDED", None,
                       f"Quote total {total:.2f} is above the remaining cover {max(remaining, Decimal(0)):.2f}.",
                       total=total, remaining=max(remaining, Decimal(0)))


def photo_evidence(ctx: CheckContext):
    """PHOTO_REUSED and PHOTO_BEFORE_ACCIDENT (``services/evidence.py``: one indexed query)."""
    from .services.evidence import photo_findings

    yield from photo_findings(ctx.quote)


BUILTIN_CHECKS = (price_above_reference, part_not_in_catalog, repair_costs_more_than_replace,
                  replace_where_repairable, assembly_where_component, labor_rate_above_agreed,
                  material_over_standard, duplicate_part_history, rescue_above_schedule,
                  total_loss_suspected, policy_limit_exceeded, photo_evidence)


def builtin_findings(quote) -> list[Finding]:
    ctx = CheckContext(quote)
    out: list[Finding] = []
    for check in BUILTIN_CHECKS:
        out.extend(check(ctx))
    return out


# ------------------------------------------------------------------ gathering


def _get(item, name):
    return item.get(name) if isinstance(item, dict) else getattr(item, name, None)


def normalize(item, line_ids: set[int]) -> Finding | None:
    """A plugin's finding (object or dict) as :class:`Finding`; nonsense is dropped."""
    code = _get(item, "code")
    severity = _get(item, "severity") or "warn"
    if not code or severity not in SEVERITIES:
        log.warning("dropped a malformed finding: %r", item)
        return None
    line_id = _get(item, "line_id")
    suggested = _get(item, "suggested_unit_price")
    try:
        suggested = quantize(suggested) if suggested not in (None, "") else None
    except Exception:  # noqa: BLE001 - a plugin's bad number is not our 500
        suggested = None
    params = _get(item, "params")
    return Finding(str(code)[:64], severity, line_id if line_id in line_ids else None,
                   str(_get(item, "message") or code), suggested, params if isinstance(params, dict) else None)


def collect_findings(quote) -> list[Finding]:
    """Run every ``portal_quote_checks`` implementation (built-in and third-party)."""
    line_ids = {ln.id for ln in quote.lines}
    out = []
    for item in flatten(hook().portal_quote_checks(quote=quote)):
        f = normalize(item, line_ids)
        if f is not None:
            out.append(f)
    return out
