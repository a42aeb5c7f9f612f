"""Shared API machinery: the ``/api/v1`` mount, error envelope, access rules, money and
time fields, pagination and ``Idempotency-Key``. Plugins use it through
``portal.api.ApiBlueprint`` and the decorators in ``portal.api.access``."""
from .blueprint import API_PREFIX, ApiBlueprint, PortalApi  # noqa: F401
