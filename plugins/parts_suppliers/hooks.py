"""Hook implementations of the parts_suppliers plugin."""
from portal import hookimpl  # noqa: F401
