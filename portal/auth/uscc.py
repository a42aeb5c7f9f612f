"""Unified Social Credit Code (统一社会信用代码) validation, by python-stdnum (imported when a
code is first checked: it pulls in ``pydoc``, a start-up cost for every process, issue 26)."""
from __future__ import annotations


def normalize_uscc(value: str) -> str:
    """Return the compact, upper-case code or raise ``ValueError`` with a reason."""
    from stdnum.cn import uscc
    from stdnum.exceptions import ValidationError

    try:
        return uscc.validate(value)
    except ValidationError as exc:
        raise ValueError(f"Not a valid USCC: {exc.message}") from None


def uscc_with_check(first17: str) -> str:
    """Complete 17 characters with their check character (used by the demo data)."""
    from stdnum.cn import uscc

    return first17 + uscc.calc_check_digit(first17)
