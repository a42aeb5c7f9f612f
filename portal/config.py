"""Default configuration. Every number of the insurer's rules is here, not in code.

Overridden, in order, by ``instance/portal.cfg``, by ``PORTAL_*`` environment variables
(``Flask.config.from_prefixed_env``) and by the ``test_config`` given to ``create_app``.
"""
from __future__ import annotations


class Defaults:
    SECRET_KEY = None  # must be set in production; a random one is made for development
    SQLALCHEMY_DATABASE_URI = None  # default: sqlite:///<instance>/portal.sqlite3
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": False}
    POOL_PING_AFTER_IDLE_SECONDS = 1.0  # ping a pooled connection rested this long (portal.db.engine)
    SQLITE_WRITE_QUEUE = True  # SQLite writers wait in a fair queue (portal.db.sqlite_queue)
    READ_ONLY_AUTOCOMMIT = True  # PostgreSQL: GET requests read without BEGIN/ROLLBACK (portal.db.read_only)
    PLUGINS = None  # None: every installed ``portal.plugins`` entry point; or {name: "module"}
    DISABLED_PLUGINS: list = []
    ENV_NAME = "development"  # "production" enforces SECRET_KEY, TRUSTED_HOSTS, secure cookies

    # Web
    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = {"zh": "简体中文", "en": "English"}
    BOOTSTRAP_SERVE_LOCAL = True
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_NAME = "portal_session"
    SESSION_IDLE_MINUTES = 30
    SESSION_ABSOLUTE_MINUTES = 12 * 60
    TRUSTED_HOSTS = None
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024  # uploads: 20 MiB → 413 too_large
    UPLOAD_FOLDER = None  # default: <instance>/uploads (outside the web root)
    ORGANIZATION_STORAGE_QUOTA_BYTES = 5 * 1024 ** 3   # files a partner organization may keep (413 beyond)
    UPLOAD_MAX_PIXELS = 40_000_000   # a larger image is a decompression bomb for whoever views it
    PUBLIC_URL = "http://127.0.0.1:5000"

    # Login and tokens
    LOCKOUT_FAILURES = 5                # failures of one e-mail before each try must wait …
    LOCKOUT_WINDOW_MINUTES = 15         # … counted over this window (since the last success)
    LOCKOUT_BASE_SECONDS = 30           # the wait after the 5th failure; it doubles with each further one
    LOCKOUT_MAX_SECONDS = 900           # … up to this
    PROXY_FIX_X_FOR = 0                 # proxies in front that set X-Forwarded-For (0: none; see docs/operations.md)
    PROXY_FIX_X_PROTO = 0               # … and X-Forwarded-Proto
    TOKEN_TTL_HOURS = 12
    RATELIMIT_REDIS_URL = None  # e.g. "redis://127.0.0.1:6379/0"; else the database keeps the counts
    RATELIMIT_LOGIN_PER_IP = 100        # failed logins from one client address per window (an office shares one)
    RATELIMIT_LOGIN_WINDOW_SECONDS = 300
    API_RATE_LIMIT_PER_MINUTE = 600     # API calls per key (or per user's tokens) per minute (0: no limit)

    # Lists: dumped pages kept per worker while their change marks hold (portal.db.page_cache)
    PAGE_CACHE_SIZE = 512
    # Callers: principals kept per worker while their change marks hold (portal.auth.principal)
    PRINCIPAL_CACHE_SIZE = 1024

    # Webhooks
    WEBHOOKS_ALLOW_HTTP = False
    WEBHOOKS_ALLOW_PRIVATE = False
    JSON_MAX_DEPTH = 32                 # deeper request bodies are 400 (portal/api/jsonbody.py)
    GRADE_MARGIN = "2"                  # points a total must leave its grade band by before the grade changes
    # records a metric needs in a period to count (its definition's ``volume``): metric code →
    # minimum, "*" for every other metric; below it the line shows "not enough activity" and the
    # other metrics' weights are renormalised (portal/evaluations/engine.py)
    EVALUATION_MIN_VOLUME: dict = {"*": 3}
    BENCHMARK_MIN_PEERS = 5             # peer median and quartile shown only over at least this many partners
    IDEMPOTENCY_WAIT_SECONDS = 10       # a parallel request with the same Idempotency-Key waits this long for the first
    OUTBOUND_ALLOWED_PORTS: list = []   # ports other than 443 (and 80 with WEBHOOKS_ALLOW_HTTP) a webhook may use
    WEBHOOKS_TIMEOUT_SECONDS = 5
    WEBHOOKS_MAX_ATTEMPTS = 12   # with the backoff: retries over 60 s × (2^11 − 1) ≈ 34 h (≥ 24 h)
    WEBHOOKS_BACKOFF_SECONDS = 60
    WEBHOOKS_SECRET_OVERLAP_HOURS = 24   # the previous secret still signs deliveries this long after a rotation

    # Mail
    SMTP_HOST = None
    SMTP_PORT = 25
    MAIL_FROM = "claims-portal@localhost"

    # Review deadline (核损时效): (upper bound, working days, bound inclusive)
    REVIEW_DEADLINE_TIERS = [(20000, 1, False), (50000, 2, True), (None, 3, False)]
    REVIEW_CLOSE_OF_BUSINESS = "17:00"

    # Risk colour (红黄蓝) thresholds
    RISK_RULES = {
        "night_start": "22:00", "night_end": "05:00",
        "near_policy_days": 7,
        "late_report_hours": 48,
        "high_value_vehicle": "1000000",
        "large_single_party_loss": "50000",
        "high_loss_ratio": "0.60", "high_frequency": 3,
        "blue_day_start": "08:00", "blue_day_end": "19:00",
        "blue_report_hours": 1,
        "blue_vehicle_age_years": 10,
        "blue_vehicle_loss": "5000", "blue_property_loss": "1000",
        "blue_loss_ratio": "0.30", "blue_frequency": 2,
        # seed 002 (docs/review-controls.md, "The seeds' red and blue rules")
        "high_sum_insured": "1000000",
        "old_model_years": 10,
        "never_blue_uses": ["taxi", "motorcycle", "agricultural"],
    }

    # The background worker (portal/worker.py): Redis when WORKER_REDIS_URL is set, else an
    # embedded SQLite queue in the instance folder; "memory" (tests) or "immediate" by WORKER_MODE.
    WORKER_MODE = None
    WORKER_REDIS_URL = None            # e.g. "redis://127.0.0.1:6379/1"
    WORKER_SQLITE_FILE = None          # default <instance>/worker.sqlite3
    WORKER_QUEUE_NAME = "claims-portal"
    WORKER_JOBS_MINUTES = 5            # the scheduled jobs of every area run this often

    # The major-case register (大案, docs/review-controls.md): the threshold a claim's repair, salvage, recovery
    # or lawsuit amount reaches; bands by amount (upper bound included; None: no bound) with the
    # role whose person is responsible; the seeds' milestones; the weekly summary's due moment
    # (Friday 17:00, or the working day before when Friday is not one).
    MAJOR_CASES = {
        "threshold": "50000",
        "bands": [{"upper": "120000", "role": "supervisor"}, {"upper": None, "role": "admin"}],
        "on_site_hours": 24,
        "report_hours": 72,
        "status_days": 7,
        "weekly_weekday": 4,
        "weekly_time": "17:00",
    }

    # OpenAPI (flask-smorest)
    API_TITLE = "Motor claims partner portal"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"


def defaults_dict() -> dict:
    return {k: getattr(Defaults, k) for k in dir(Defaults) if k.isupper()}


def install_plugin_defaults(app, pm) -> None:
    """Each plugin's settings come from its ``portal_config_defaults`` (``<PLUGIN>_*`` keys):
    merged under what the deployment configured (``portal.cfg``, ``PORTAL_*`` variables),
    kept for :func:`setting`. A key outside every plugin's prefix, or declared twice, stops
    the start-up."""
    prefixes = tuple(f"{name.upper()}_" for name, _ in pm.list_name_plugin() if not name.startswith("portal."))
    merged: dict = {}
    for defaults in pm.hook.portal_config_defaults():
        for key, value in (defaults or {}).items():
            if not key.startswith(prefixes):
                raise RuntimeError(f"setting {key!r} is not named after its plugin (<PLUGIN>_...)")
            if key in merged:
                raise RuntimeError(f"setting {key!r} is declared twice")
            merged[key] = value
    app.extensions["portal.config_defaults"] = merged
    for key, value in merged.items():
        app.config.setdefault(key, value)


def setting(name: str):
    """A plugin's setting: what the deployment configured, else the plugin's default."""
    from flask import current_app

    value = current_app.config.get(name)
    return current_app.extensions["portal.config_defaults"][name] if value is None else value
