"""The built-in parts catalog (配件价格库) behind ``portal_parts_catalog``: the look-ups
the quote checks read. Each method is one set-based query, whatever the number of lines
(reference prices: supplier and localized prices together; the labour rate: the garage's
agreed rate, else the region's standard)."""
from __future__ import annotations

from decimal import Decimal
from typing import Iterable

import sqlalchemy as sa

from portal.plugin import Money, Organization, PartInfo, ReferencePrice, db

from .models import LaborRate, LocalizedPrice, PriceList, PriceListItem, RegionalStandard
from .pricefile import normalize_part_no
from .services import labor_rate_in_force, latest_standard, standard_in_force

CHUNK = 900  # keep IN lists below every backend's parameter limit


def _chunks(values: list) -> Iterable[list]:
    for i in range(0, len(values), CHUNK):
        yield values[i:i + CHUNK]


class PriceCatalog:
    """Satisfies :class:`portal.catalog.PartsCatalog`."""

    def reference_prices(self, items, region: str) -> dict[tuple[str, str], ReferencePrice]:
        wanted: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for part_no, quality in items:
            key = (normalize_part_no(part_no), quality)
            if key[0]:
                wanted.setdefault(key, []).append((part_no, quality))
        if not wanted:
            return {}
        found: dict[tuple[str, str], ReferencePrice] = {}
        part_nos = sorted({p for p, _ in wanted})
        qualities = sorted({q for _, q in wanted})
        lp, i, pl, org = LocalizedPrice, PriceListItem, PriceList, Organization
        for chunk in _chunks(part_nos):
            # one statement for both sources: the region's localized prices (the latest row
            # wins), then the current supplier prices of active suppliers of the region
            localized = (sa.select(sa.literal(0).label("source"), lp.part_no, lp.quality, lp.price,
                                   sa.null().label("supplier_id"), lp.id.label("seq"))
                         .where(lp.part_no.in_(chunk), lp.quality.in_(qualities), lp.region == region))
            supplier = (sa.select(sa.literal(1), i.part_no, i.quality, i.unit_price, pl.supplier_id, sa.literal(0))
                        .join(pl, pl.id == i.price_list_id).join(org, org.id == pl.supplier_id)
                        .where(i.part_no.in_(chunk), i.quality.in_(qualities), i.is_current.is_(True),
                               org.status == "active", org.region == region))
            both = sa.union_all(localized, supplier).subquery()
            best: dict[tuple[str, str], tuple[Decimal, int]] = {}
            for source, part_no, quality, price, supplier_id, _seq in db.session.execute(
                    sa.select(both).order_by(both.c.source, both.c.seq)):
                key = (part_no, quality)
                if key not in wanted:
                    continue
                if source == 0:
                    found[key] = ReferencePrice(part_no, quality, price, "localized", None)
                elif key not in found and (key not in best or (price, supplier_id) < best[key]):
                    best[key] = (price, supplier_id)
            for key, (price, supplier_id) in best.items():
                found[key] = ReferencePrice(key[0], key[1], price, "supplier", supplier_id)
        out = {}
        for key, originals in wanted.items():
            if key in found:
                for original in originals:
                    ref = found[key]
                    out[original] = ReferencePrice(original[0], ref.quality, ref.price, ref.source, ref.supplier_id)
        return out

    def known_part_nos(self, part_nos) -> set[str]:
        originals: dict[str, list[str]] = {}
        for p in part_nos:
            if normalize_part_no(p):
                originals.setdefault(normalize_part_no(p), []).append(p)
        known: set[str] = set()
        for chunk in _chunks(sorted(originals)):
            stmt = sa.union(
                sa.select(PriceListItem.part_no).where(PriceListItem.part_no.in_(chunk),
                                                       PriceListItem.is_current.is_(True)),
                sa.select(LocalizedPrice.part_no).where(LocalizedPrice.part_no.in_(chunk)))
            for (p,) in db.session.execute(stmt):
                known.update(originals.get(p, ()))
        return known

    def part_info(self, part_nos) -> dict[str, PartInfo]:
        originals: dict[str, list[str]] = {}
        for p in part_nos:
            if normalize_part_no(p):
                originals.setdefault(normalize_part_no(p), []).append(p)
        names: dict[str, str | None] = {}
        families: dict[str, str | None] = {}
        components: dict[str, set[str]] = {}
        i = PriceListItem
        for chunk in _chunks(sorted(originals)):
            for part_no, name, family, assembly_no in db.session.execute(
                    sa.select(i.part_no, i.name, i.family, i.assembly_no)
                    .where(i.is_current.is_(True), sa.or_(i.part_no.in_(chunk), i.assembly_no.in_(chunk)))):
                if part_no in originals:
                    names.setdefault(part_no, name)
                    if family:
                        families[part_no] = family
                    else:
                        families.setdefault(part_no, None)
                if assembly_no in originals:
                    components.setdefault(assembly_no, set()).add(part_no)
        out = {}
        for key in set(names) | set(components):
            info = PartInfo(key, names.get(key), families.get(key), tuple(sorted(components.get(key, ()))))
            for original in originals[key]:
                out[original] = PartInfo(original, info.name, info.family, info.components)
        return out

    def labor_rate(self, garage_id: int, region: str) -> Decimal | None:
        """The garage's agreed rate in force today, else the region's standard (one statement)."""
        agreed = labor_rate_in_force(garage_id).with_only_columns(LaborRate.rate).scalar_subquery()
        standard = standard_in_force(region).with_only_columns(RegionalStandard.labor_rate).scalar_subquery()
        return db.session.scalar(sa.select(sa.type_coerce(sa.func.coalesce(agreed, standard), Money())))

    def towing_fee(self, region: str) -> Decimal | None:
        standard = latest_standard(region)
        return standard.towing_fee if standard else None
