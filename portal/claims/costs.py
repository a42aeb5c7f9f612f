"""A claim's net cost (赔案净成本): signed components from every partner area
(approved repair + towing − salvage proceeds − subrogation receipts + legal costs)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..money import ZERO, quantize


@dataclass(frozen=True)
class CostComponent:
    """One signed part of the net cost; ``sign`` is ``+1`` (a cost) or ``-1`` (a recovery)."""

    code: str
    label: str
    amount: Decimal
    sign: int = 1

    def __post_init__(self):
        if self.sign not in (1, -1):
            raise ValueError("sign must be +1 or -1")

    @property
    def signed_amount(self) -> Decimal:
        return quantize(Decimal(self.amount) * self.sign)


def net_cost(components) -> Decimal:
    """Σ sign × amount, to the fen."""
    return quantize(sum((c.signed_amount for c in components), ZERO))


def claim_costs(claim) -> list[CostComponent]:
    """Every plugin's components for ``claim`` (the ``portal_claim_costs`` hook)."""
    from ..plugins import flatten, hook

    return [c for c in flatten(hook().portal_claim_costs(claim=claim)) if c is not None]
