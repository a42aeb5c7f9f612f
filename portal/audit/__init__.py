"""The append-only audit trail (审计留痕): who, when, from where, what changed."""
from .services import record_audit  # noqa: F401
