"""What a bidder needs to price a lot (竞买须知): VIN, mileage, keys, documents, whether it
starts and drives, the damage. Staff enter them when opening the lot; the API and the
form both pass them through :func:`checked_facts`."""
from __future__ import annotations

import re

# the yes/no facts: unknown (None) is allowed, the page then says 不详
YES_NO_FACTS = ("keys_present", "driving_licence", "registration_certificate", "starts", "drives")
FACT_FIELDS = ("vin", "mileage_km", *YES_NO_FACTS, "damage")
VIN_RE = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")   # ISO 3779: 17 characters, no I, O or Q
MAX_MILEAGE_KM = 2_000_000


def checked_facts(values: dict, claim, errors: dict) -> dict:
    """The facts to keep on the lot, errors added to ``errors`` per field. The VIN defaults
    to the claim's vehicle's for a total-loss vehicle."""
    facts = {name: values.get(name) for name in FACT_FIELDS}
    vin = (facts["vin"] or "").strip().upper().replace(" ", "")
    if not vin and claim is not None and values.get("source", "total_loss") == "total_loss":
        vin = (getattr(claim, "vin", None) or "").strip().upper()
    if vin and not VIN_RE.match(vin):
        errors.setdefault("vin", []).append("A VIN has 17 letters and digits (no I, O or Q).")
    facts["vin"] = vin or None
    mileage = facts["mileage_km"]
    if mileage is not None and (isinstance(mileage, bool) or not isinstance(mileage, int)
                                or not 0 <= mileage <= MAX_MILEAGE_KM):
        errors.setdefault("mileage_km", []).append("Enter the mileage in km (0 to 2,000,000).")
    for name in YES_NO_FACTS:
        if facts[name] is not None and not isinstance(facts[name], bool):
            errors.setdefault(name, []).append("Yes, no or unknown.")
    damage = (facts["damage"] or "").strip()
    if len(damage) > 2000:
        errors.setdefault("damage", []).append("At most 2000 characters.")
    facts["damage"] = damage or None
    return facts
