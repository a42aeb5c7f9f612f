"""Hook implementations of the salvage plugin."""
from portal import hookimpl  # noqa: F401
