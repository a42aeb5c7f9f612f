"""Errors that service functions raise; the API turns them into the error envelope
(``{"error": {"code", "message", "details"}}``) and the web pages into messages."""
from __future__ import annotations


class PortalError(Exception):
    status = 400
    code = "bad_request"
    default_message = "Bad request."

    def __init__(self, message: str | None = None, details: dict | None = None):
        super().__init__(message or self.default_message)
        self.message = message or self.default_message
        self.details = details or {}


class BadRequest(PortalError):
    status, code, default_message = 400, "bad_request", "The request could not be read."


class Unauthorized(PortalError):
    status, code, default_message = 401, "unauthorized", "Authentication required."


class Forbidden(PortalError):
    status, code, default_message = 403, "forbidden", "Your role may not do this."


class NotFound(PortalError):
    status, code, default_message = 404, "not_found", "Not found."


class StaleVersion(PortalError):
    status, code, default_message = 409, "stale_version", "The record changed since you loaded it."


class InvalidState(PortalError):
    status, code, default_message = 409, "invalid_state", "This action is not allowed in the current state."


class TooLarge(PortalError):
    status, code, default_message = 413, "too_large", "The upload is too large."


class Invalid(PortalError):
    """422: ``details`` maps a field to a list of messages (imports: ``rows``)."""

    status, code, default_message = 422, "invalid", "The data is not valid."

    def __init__(self, details: dict | None = None, message: str | None = None, code: str | None = None):
        super().__init__(message, details)
        if code:
            self.code = code

    @classmethod
    def field(cls, name: str, message: str) -> "Invalid":
        return cls({name: [message]})


class Locked(PortalError):
    status, code, default_message = 429, "locked", "Too many failed logins: wait before the next try (Retry-After)."


class RateLimited(PortalError):
    status, code, default_message = 429, "rate_limited", "Too many requests."


class Unavailable(PortalError):
    status, code, default_message = 503, "unavailable", "The service is temporarily unavailable."
