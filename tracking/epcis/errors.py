"""The typed errors of the EPCIS layer: one exception, one named code per kind of fault.

Every fault in an incoming EPCIS document, event or query names its `code` (stable, for
clients and problem JSON) and the JSON path of the offending value, so a client can fix the
one field that is wrong. The REST layer maps `EpcisError` like any `InvalidInput` (4xx).
"""

from __future__ import annotations

from enum import StrEnum

from core.errors import InvalidInput


class EpcisErrorCode(StrEnum):
    NOT_JSON = "not_json"
    TOO_DEEP = "too_deep"  # JSON nested deeper than any EPCIS document needs
    WRONG_TYPE = "wrong_type"  # a value of the wrong JSON type (string, object, list ...)
    MISSING_FIELD = "missing_field"
    FIELD_NOT_ALLOWED = "field_not_allowed"  # a field this event type does not have
    WRONG_DOCUMENT_TYPE = "wrong_document_type"
    UNSUPPORTED_SCHEMA_VERSION = "unsupported_schema_version"
    UNKNOWN_EVENT_TYPE = "unknown_event_type"
    BAD_TIMESTAMP = "bad_timestamp"
    BAD_TIME_ZONE_OFFSET = "bad_time_zone_offset"
    BAD_ACTION = "bad_action"
    BAD_URI = "bad_uri"
    BAD_QUANTITY = "bad_quantity"
    UNKNOWN_VOCABULARY = "unknown_vocabulary"  # e.g. a bare bizStep word the CBV lacks
    BAD_QUERY_PARAMETER = "bad_query_parameter"
    BAD_OBSERVATION = "bad_observation"  # a builder was handed an impossible observation


class EpcisError(InvalidInput):
    """Invalid EPCIS input. `code` is an `EpcisErrorCode` value, `path` a JSON path."""

    def __init__(self, code: EpcisErrorCode, message: str, *, path: str = "$") -> None:
        super().__init__(f"{path}: {message}", code=code.value, path=path)
        self.error_code = code
        self.path = path


class CaptureLimitExceeded(InvalidInput):
    """A capture holds more events than one capture may (the binding's 413)."""

    code = "capture_limit_exceeded"
