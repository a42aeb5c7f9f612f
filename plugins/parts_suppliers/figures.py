"""Figures for pricing staff: catalog coverage of the parts quoted in the last 90 days
(本地化率), custom-part rate per garage (配件自定义率), price spread per part."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from portal.plugin import Organization, Period, db, utcnow

from .catalog import PriceCatalog
from .metrics import quoted_parts
from .models import LocalizedPrice, PriceList, PriceListItem

RATIO = Decimal("0.0001")


def _ratio(n: int, d: int) -> Decimal | None:
    return (Decimal(n) / Decimal(d)).quantize(RATIO) if d else None


def quote_figures(days: int = 90) -> dict | None:
    """``None`` when no plugin supplies quote data; else coverage and per-garage rates."""
    end = utcnow()
    rows = quoted_parts(Period(end - timedelta(days=days), end))
    if rows is None:
        return None
    part_nos = sorted({str(p) for _, p, _ in rows if p})
    catalog = PriceCatalog()
    known = catalog.known_part_nos(part_nos)
    localized: set[str] = set()
    normalized = sorted({p.strip().upper() for p in part_nos})
    for k in range(0, len(normalized), 900):
        localized.update(db.session.scalars(sa.select(LocalizedPrice.part_no).distinct()
                                            .where(LocalizedPrice.part_no.in_(normalized[k:k + 900]))))
    per_garage: dict[int, list[int]] = {}
    covered = local = 0
    for garage_id, part_no, _quality in rows:
        stats = per_garage.setdefault(garage_id, [0, 0])
        stats[0] += 1
        if part_no in known:
            covered += 1
        else:
            stats[1] += 1
        if part_no and str(part_no).strip().upper() in localized:
            local += 1
    names = dict(db.session.execute(sa.select(Organization.id, Organization.name)
                                    .where(Organization.id.in_(list(per_garage)))).all()) if per_garage else {}
    garages = sorted(({"garage_id": gid, "name": names.get(gid, f"#{gid}"), "lines": n, "custom": c,
                       "custom_rate": _ratio(c, n)} for gid, (n, c) in per_garage.items()),
                     key=lambda g: (-(g["custom_rate"] or 0), g["name"]))
    return {"days": days, "lines": len(rows), "covered": covered, "coverage": _ratio(covered, len(rows)),
            "localized": local, "localized_rate": _ratio(local, len(rows)), "garages": garages}


def price_spread(limit: int = 50, min_suppliers: int = 2) -> list[dict]:
    """Parts priced by several current lists, widest max/min ratio first (one query)."""
    i, pl = PriceListItem, PriceList
    lo, hi = sa.func.min(i.unit_price), sa.func.max(i.unit_price)
    ratio = sa.cast(hi, sa.Numeric(20, 6)) / sa.cast(lo, sa.Numeric(20, 6))
    rows = db.session.execute(
        sa.select(i.part_no, i.quality, sa.func.max(i.name), lo, hi, sa.func.count(sa.distinct(pl.supplier_id)))
        .join(pl, pl.id == i.price_list_id).where(i.is_current.is_(True))
        .group_by(i.part_no, i.quality).having(sa.func.count(sa.distinct(pl.supplier_id)) >= min_suppliers)
        .order_by(ratio.desc(), i.part_no).limit(limit)).all()
    return [{"part_no": p, "quality": q, "name": n, "min": a, "max": b, "suppliers": c,
             "ratio": (b / a).quantize(RATIO) if a else None} for p, q, n, a, b, c in rows]
