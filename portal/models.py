"""Every core model, imported once so the metadata is complete before any plugin's."""
from .api.models import IdempotencyKey  # noqa: F401
from .audit.models import AuditEntry  # noqa: F401
from .auth.api_keys import ApiKey  # noqa: F401
from .auth.models import ApiToken, LoginAttempt, Organization, User, UserSession  # noqa: F401
from .calendar.models import CalendarOverride  # noqa: F401
from .claims.models import CLAIMS_WATCH, Assignment, Claim  # noqa: F401
from .db.changes import ChangeMark  # noqa: F401
from .major_cases.models import MajorCase, MajorCaseLine, MajorCaseWeek  # noqa: F401
from .notifications.models import Notification  # noqa: F401
from .ops.ratelimit import ApiCallCount, RateLimitHit  # noqa: F401
from .payments.models import Invoice, InvoiceItem, Payment  # noqa: F401
from .ops.webhooks import WebhookDelivery, WebhookEndpoint  # noqa: F401
