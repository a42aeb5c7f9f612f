"""The parts catalog interface that quote checks read (provided by a plugin through
``portal_parts_catalog``; the parts-suppliers plugin is the built-in provider).

Each method is one set-based query, whatever the number of parts asked about.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable, Protocol

from .plugins import hook

REPAIRABLE_FAMILIES = ("glass", "aluminium", "gearbox", "electronics")


@dataclass(frozen=True)
class ReferencePrice:
    """The reference price of a part and quality grade: the localized price (本地化价格)
    where pricing staff set one, else the lowest current approved supplier price."""

    part_no: str
    quality: str
    price: Decimal
    source: str               # "localized" | "supplier"
    supplier_id: int | None = None


@dataclass(frozen=True)
class PartInfo:
    part_no: str
    name: str | None = None
    family: str | None = None                            # one of REPAIRABLE_FAMILIES or None
    components: tuple[str, ...] = field(default=())      # an assembly's separately listed components


class PartsCatalog(Protocol):
    def reference_prices(self, items: Iterable[tuple[str, str]], region: str) -> dict[tuple[str, str], ReferencePrice]:
        """``{(part_no, quality): ReferencePrice}`` for the pairs that have one."""

    def known_part_nos(self, part_nos: Iterable[str]) -> set[str]:
        """The part numbers found in any current approved price list (or localized)."""

    def part_info(self, part_nos: Iterable[str]) -> dict[str, PartInfo]:
        """Family and listed components of the part numbers the catalog knows."""

    def labor_rate(self, garage_id: int, region: str) -> Decimal | None:
        """The garage's approved hourly labour rate, else the region's standard rate."""

    def towing_fee(self, region: str) -> Decimal | None:
        """The region's towing fee schedule (maximum fee for one rescue)."""


def get_catalog() -> PartsCatalog | None:
    """The installed catalog, or ``None`` (checks that need it then report nothing)."""
    return hook().portal_parts_catalog()
