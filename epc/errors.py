"""The typed error of the EPC codec and its closed vocabulary of codes.

Every failure to decode a binary EPC or to encode an EPC URI is an `EpcError` whose `code`
is one of `ErrorCode`; callers branch on the code, people read `detail`. It is an
`InvalidInput` of the project's error tree, so the API answers it with a 4xx.
"""

from __future__ import annotations

from enum import StrEnum

from core.errors import InvalidInput


class ErrorCode(StrEnum):
    """Why an EPC could not be decoded or encoded."""

    NOT_HEX = "NOT_HEX"  # the binary input has a character that is not a hex digit
    TOO_SHORT = "TOO_SHORT"  # fewer bits than a header, or than the header's scheme needs
    UNKNOWN_HEADER = "UNKNOWN_HEADER"  # header not assigned by TDS (0x00, TID banks 0xE2...)
    UNSUPPORTED_SCHEME = "UNSUPPORTED_SCHEME"  # assigned, not handled here (TDS 2.x "+", 64-bit)
    BAD_PARTITION = "BAD_PARTITION"  # partition value 7, which no partition table defines
    BAD_FIELD_RANGE = "BAD_FIELD_RANGE"  # a field's value or length outside what the scheme allows
    BAD_COMPANY_PREFIX = "BAD_COMPANY_PREFIX"  # company prefix too large, or not 6-12 digits
    BAD_RESERVED = "BAD_RESERVED"  # reserved bits that are not zero
    BAD_CHAR = "BAD_CHAR"  # a character not permitted in that field
    BAD_STRING = "BAD_STRING"  # malformed string: text after its end, too long, empty, bad URI


class EpcError(InvalidInput):
    """An EPC that cannot be decoded or encoded; `code` says why, `detail` says where."""

    code: ErrorCode

    def __init__(self, code: ErrorCode, detail: str) -> None:
        super().__init__(f"{code}: {detail}", code=code)
        self.code = code
        self.detail = detail
