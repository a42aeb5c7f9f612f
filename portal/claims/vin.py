"""Vehicle identification number (车辆识别代号, VIN): 17 characters of the VIN alphabet
(digits and capital letters except I, O and Q) with the ISO 3779 / GB 16735 check
digit at position 9."""
from __future__ import annotations

import re

VIN_RE = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
TRANSLITERATION = {
    **{str(d): d for d in range(10)},
    "A": 1, "B": 2, "C": 3, "D": 4, "E": 5, "F": 6, "G": 7, "H": 8,
    "J": 1, "K": 2, "L": 3, "M": 4, "N": 5, "P": 7, "R": 9,
    "S": 2, "T": 3, "U": 4, "V": 5, "W": 6, "X": 7, "Y": 8, "Z": 9,
}
WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


class VinError(ValueError):
    """Why a VIN is not valid (the message is shown to the user)."""


def normalize_vin(value: str | None) -> str:
    return (value or "").strip().upper().replace(" ", "")


def check_digit(vin: str) -> str:
    """The check character for a 17-character VIN (position 9 is ignored)."""
    total = sum(TRANSLITERATION[ch] * w for ch, w in zip(vin, WEIGHTS))
    rest = total % 11
    return "X" if rest == 10 else str(rest)


def validate_vin(value: str | None) -> str:
    """The normalized VIN, or :class:`VinError`."""
    vin = normalize_vin(value)
    if len(vin) != 17:
        raise VinError("A VIN has 17 characters.")
    if not VIN_RE.match(vin):
        raise VinError("A VIN uses digits and capital letters except I, O and Q.")
    if vin[8] != check_digit(vin):
        raise VinError("The check digit (9th character) of this VIN is wrong.")
    return vin


def with_check_digit(vin17: str) -> str:
    """Put the right check digit into position 9 (demo data, tests)."""
    vin = normalize_vin(vin17)
    return vin[:8] + check_digit(vin) + vin[9:]
