"""Hook implementations of the litigation plugin."""
from portal import hookimpl  # noqa: F401
