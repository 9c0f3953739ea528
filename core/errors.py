"""The one error tree. Domain code raises these; the API maps them to status codes in one place.

Every error carries a stable machine-readable `code` besides its human message.
"""

from __future__ import annotations

from typing import Any


class WaybillError(Exception):
    code = "error"

    def __init__(self, message: str, *, code: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details


class NotFound(WaybillError):
    code = "not_found"


class PermissionDenied(WaybillError):
    code = "permission_denied"


class Unauthenticated(WaybillError):
    code = "unauthenticated"


class Conflict(WaybillError):
    code = "conflict"


class InvalidInput(WaybillError):
    code = "invalid_input"


class RateLimited(WaybillError):
    """Too many attempts in a window; `details["retry_after_s"]` says when to try again."""

    code = "rate_limited"


class Unavailable(WaybillError):
    """A service we depend on is unreachable; the caller may retry."""

    code = "unavailable"


class TransientDatabaseError(Unavailable):
    """The database is unreachable or restarting."""

    code = "database_unavailable"


class BrokerUnavailable(Unavailable):
    """The MQTT broker is unreachable or did not answer in time."""

    code = "broker_unavailable"
