"""The official EPCIS 2.0 JSON schemas, with format checking that actually checks.

jsonschema only checks `date-time` and `uri` when optional packages are installed; these
checkers make the tests independent of that: RFC 3339 date-times with an offset, and
absolute URIs made of RFC 3986 characters.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator, FormatChecker

REPO = Path(__file__).resolve().parents[2]
CONFORMANCE = REPO.parent / "shared" / "conformance" / "epcis"

_DATE_TIME = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
)
_URI = re.compile(
    r"^[A-Za-z][A-Za-z0-9+.\-]*:(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$"
)

checker = FormatChecker()


@checker.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    m = _DATE_TIME.match(value)
    if m is None:
        return False
    date, time, _, offset = m.groups()
    datetime.fromisoformat(f"{date}T{time}")  # raises on 2024-02-30 or 25:00
    return offset in ("Z", "z") or (int(offset[1:3]) < 24 and int(offset[4:6]) < 60)


@checker.checks("uri")
def _uri(value: object) -> bool:
    # "_:name" is a JSON-LD blank node identifier, which GS1's sensor example uses as id.
    if not isinstance(value, str) or value.startswith("_:"):
        return True
    return _URI.match(value) is not None


@cache
def _schema(name: str) -> dict[str, Any]:
    return json.loads((CONFORMANCE / name).read_text())


def epcis_validator() -> Draft7Validator:
    return Draft7Validator(_schema("EPCIS-JSON-Schema.json"), format_checker=checker)


def query_validator() -> Draft7Validator:
    return Draft7Validator(_schema("EPCIS-query-schema.json"), format_checker=checker)


def schema_errors(validator: Draft7Validator, doc: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]


def example_files() -> list[Path]:
    files = sorted(CONFORMANCE.glob("*.jsonld"))
    assert files, f"no EPCIS examples under {CONFORMANCE}"
    return files
