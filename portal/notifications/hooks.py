"""Hook implementations of the core's notifications area."""
from __future__ import annotations

from ..hookspecs import hookimpl  # noqa: F401
