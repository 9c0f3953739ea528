"""Field conversions shared by the RFID reader formats: EPCs to upper-case hex (from hex
or base64) and vendor event names to our snake_case device-event kinds. Pure.

Whether an EPC is plausible (its length, its header) is for `ingest.validate` and the EPC
decoding downstream; here a value only has to be hex, or base64 of some bytes.
"""

from __future__ import annotations

import base64
import binascii
import re

from ingest.records import Reason, Rejected

_HEX = re.compile(r"[0-9A-F]+", re.ASCII)
_BASE64 = re.compile(r"[A-Za-z0-9+/_-]+=*", re.ASCII)
_URLSAFE_TO_STANDARD = str.maketrans("-_", "+/")
_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NOT_KIND = re.compile(r"[^a-z0-9_]+")
MAX_KIND_LENGTH = 64


def epc_from_hex(text: str, field: str = "epc") -> str:
    epc = text.strip().upper()
    if not _HEX.fullmatch(epc):
        raise Rejected(Reason.BAD_EPC, f"{field}={text[:64]!r} is not hex")
    return epc


def epc_from_base64(text: str, field: str = "epc") -> str:
    """Standard or URL-safe base64, padded or not: readers send both."""
    candidate = text.strip()
    if not _BASE64.fullmatch(candidate):
        raise Rejected(Reason.BAD_EPC, f"{field}={text[:64]!r} is not base64")
    candidate = candidate.rstrip("=").translate(_URLSAFE_TO_STANDARD)
    candidate += "=" * (-len(candidate) % 4)
    try:
        raw = base64.b64decode(candidate, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise Rejected(Reason.BAD_EPC, f"{field}={text[:64]!r} is not base64: {exc}") from exc
    if not raw:
        raise Rejected(Reason.BAD_EPC, f"{field} is empty")
    return raw.hex().upper()


def event_kind(name: str) -> str:
    """`antennaConnected` -> `antenna_connected`, `ERROR` -> `error`; only [a-z0-9_]."""
    words = _WORD_BOUNDARY.sub("_", name.strip()).lower()
    kind = _NOT_KIND.sub("_", words).strip("_")[:MAX_KIND_LENGTH]
    return kind or "unknown"
