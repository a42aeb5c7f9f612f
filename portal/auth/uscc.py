"""Unified Social Credit Code (统一社会信用代码) validation, by python-stdnum."""
from __future__ import annotations

from stdnum.cn import uscc as _uscc
from stdnum.exceptions import ValidationError


def normalize_uscc(value: str) -> str:
    """Return the compact, upper-case code or raise ``ValueError`` with a reason."""
    try:
        return _uscc.validate(value)
    except ValidationError as exc:
        raise ValueError(f"Not a valid USCC: {exc.message}") from None


def uscc_with_check(first17: str) -> str:
    """Complete 17 characters with their check character (used by the demo data)."""
    return first17 + _uscc.calc_check_digit(first17)
