"""Hook implementations of the subrogation plugin."""
from portal import hookimpl  # noqa: F401
