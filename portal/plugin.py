"""The front door for plugins (插件接口): the one ``portal`` module a plugin may import.

Everything a partner area needs from the core is re-exported here, grouped as below;
``tests/contract/test_plugin_imports.py`` fails on any other ``portal.*`` import under
``plugins/`` (a migration may also name the column types of ``portal.money`` and
``portal.timeutil``). What is not here is the core's own business: reach it through a
hook (``docs/hooks.md``), or ask for it to be added here.

``help(portal.plugin)`` lists the surface; ``docs/architecture.md`` explains it.
"""
from __future__ import annotations

# --- hooks: the markers for implementations and for hooks a plugin publishes, the caller,
#     and merging of list results
from .hookspecs import hookimpl, hookspec
from .plugins import flatten, hook

# --- the database session and the engine
from .extensions import db

# --- settings: a plugin declares its defaults (portal_config_defaults) and reads them here
from .config import setting

# --- money (Decimal end to end, integer fen stored, half-up in one place)
from .money import ZERO, Money, MoneyError, format_money, parse_money, quantize, request_decimal

# --- time (stored aware, Asia/Shanghai is the local zone; a period is one half-open Period)
from .timeutil import (LOCAL_TZ, UTC, AwareDateTime, Period, as_aware, local_date, local_datetime, local_now,
                       month_start, to_local, utcnow)

# --- errors: each carries its HTTP status and code
from .errors import (Forbidden, Invalid, InvalidState, NotFound, PortalError, StaleVersion, TooLarge,
                     Unavailable)

# --- state machines written as tables, and the conditional update behind every transition
from .db.records import update_record
from .statemachine import StateMachine, T

# --- the audit trail (审计留痕), written in the change's transaction, read oldest first
from .audit.models import AuditEntry
from .audit.services import audit_trail, record_audit

# --- events after the outer commit, and notifications to people
from .events import emit
from .ops.event_catalogue import event as webhook_event
from .notifications.services import notify

# --- background jobs on the real task queue
from .worker import enqueue, task

# --- the JSON API: blueprint, access rules, fields, pagination, answers, cached lists and
#     the change marks (watch a table, read a fingerprint) they are kept under
from .api import ApiBlueprint
from .api.access import api_user, authenticated, org_kinds, roles
from .api.answer import committed
from .api.dump import dump_many
from .api.fields import DecimalString, LocalDateTime, MoneyField, PlausibleDate
from .db.changes import fingerprint, watch
from .db.page_cache import cached_page
from .api.changes import apply_changes, changes_query
from .db.touch import touch_parent
from .api.pagination import count_rows, page_args, page_envelope_schema, page_of, page_of_rows, paginate

# --- the glossary (业务术语表): statuses and codes by context, money and times for the reader
from .glossary import Labels, Message, asked_language, in_language, local_time, money, term

# --- pages: form handling, navigation and dashboard data, XLSX export
from .web.forms import DONE, INVALID, apply_errors, run_form
from .web.nav import ClaimAction, ClaimSection, NavItem, Widget
from .exports import XLSX_MIMETYPE, xlsx_response

# --- uploaded files: stored with the change's transaction, checked by content, within quota
from .uploads import IMAGES, PDF, StoredFileColumns, check_quota, send_upload, store_upload, upload_path, written
from .case_documents import CaseDocuments, DocumentColumns, DocumentSchema, case_step, document_api, document_pages

# --- the core models a plugin may join, and who may see which claim
from .auth.models import Organization, User, parse_roles
from .auth.permissions import has_permission
from .claims.access import active_assignment, get_visible_claim, visible_claims_stmt
from .claims.costs import CostComponent
from .claims.models import Assignment, Claim
from .claims.purposes import AssignmentPurpose

# --- deadlines on the working calendar
from .calendar.deadline import compute_review_deadline, working_days_ahead

# --- the parts catalogue port, and scorecard metric types
from .catalog import REPAIRABLE_FAMILIES, PartInfo, ReferencePrice, get_catalog
from .evaluations.metrics import Bracket, MetricDefinition

__all__ = [
    # hooks
    "hookimpl", "hookspec", "hook", "flatten",
    # change detection
    "apply_changes", "changes_query", "touch_parent",
    # database and settings
    "db", "setting",
    # money
    "ZERO", "Money", "MoneyError", "format_money", "parse_money", "quantize", "request_decimal",
    # time
    "LOCAL_TZ", "UTC", "AwareDateTime", "Period", "as_aware", "local_date", "local_datetime", "local_now",
    "month_start", "to_local", "utcnow",
    # errors
    "Forbidden", "Invalid", "InvalidState", "NotFound", "PortalError", "StaleVersion", "TooLarge",
    "Unavailable",
    # state machines
    "StateMachine", "T", "update_record",
    # audit
    "AuditEntry", "audit_trail", "record_audit",
    # events, notifications, jobs
    "emit", "webhook_event", "notify", "enqueue", "task",
    # API
    "ApiBlueprint", "api_user", "authenticated", "org_kinds", "roles",
    "committed", "dump_many", "DecimalString", "LocalDateTime", "MoneyField", "PlausibleDate", "cached_page",
    "watch", "fingerprint",
    "count_rows", "page_args", "page_envelope_schema", "page_of", "page_of_rows", "paginate",
    # glossary
    "Labels", "Message", "asked_language", "in_language", "local_time", "money", "term",
    # pages
    "DONE", "INVALID", "apply_errors", "run_form", "ClaimAction", "ClaimSection", "NavItem", "Widget",
    "XLSX_MIMETYPE", "xlsx_response",
    # uploads
    "IMAGES", "PDF", "StoredFileColumns", "CaseDocuments", "DocumentColumns", "DocumentSchema", "case_step", "document_api", "document_pages", "check_quota", "send_upload", "store_upload", "upload_path", "written",
    # core models and claim visibility
    "Organization", "User", "parse_roles", "has_permission", "active_assignment", "get_visible_claim", "visible_claims_stmt",
    "CostComponent", "Assignment", "AssignmentPurpose", "Claim",
    # deadlines
    "compute_review_deadline", "working_days_ahead",
    # catalogue and metrics
    "REPAIRABLE_FAMILIES", "PartInfo", "ReferencePrice", "get_catalog", "Bracket", "MetricDefinition",
]
