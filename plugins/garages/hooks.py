"""Hook implementations of the garages plugin."""
from portal import hookimpl  # noqa: F401
