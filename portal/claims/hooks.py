"""Hook implementations of the core's claims area."""
from __future__ import annotations

from ..hookspecs import hookimpl  # noqa: F401
