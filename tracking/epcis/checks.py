"""Field-level checks of incoming EPCIS JSON: each returns the typed (and, for CBV words,
normalised) value or raises `EpcisError` naming the JSON path. Used by `parse`; no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from tracking.epcis import vocabulary as cbv
from tracking.epcis.errors import EpcisError
from tracking.epcis.errors import EpcisErrorCode as E
from tracking.epcis.models import BizTransaction, QuantityElement, SourceDestination
from tracking.epcis.timestamps import TIME_ZONE_OFFSET, TimestampError, parse_timestamp

# RFC 3986 scheme, then something that is not whitespace: the schema's "format: uri"
# asks no more than this of an identifier, and EPCs, SGLNs, geo: and https: all pass.
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s\"<>\\^`{|}]+$")
_UOM = re.compile(r"^[A-Z0-9]{2,3}$")


def is_uri(value: Any) -> bool:
    return isinstance(value, str) and _URI.match(value) is not None


def is_extension_key(key: str) -> bool:
    """User extensions are named by a compact IRI (`example:myField`) or a full IRI."""
    return ":" in key and is_uri(key)


def obj(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise EpcisError(E.WRONG_TYPE, "must be a JSON object", path=path)
    return value


def array(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise EpcisError(E.WRONG_TYPE, "must be a JSON array", path=path)
    return value


def string(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise EpcisError(E.WRONG_TYPE, "must be a string", path=path)
    return value


def uri(value: Any, path: str) -> str:
    text = string(value, path)
    if not is_uri(text):
        raise EpcisError(E.BAD_URI, f"{text!r} is not a URI", path=path)
    return text


def uri_list(value: Any, path: str, *, unique: bool = True) -> tuple[str, ...]:
    items = tuple(uri(v, f"{path}[{i}]") for i, v in enumerate(array(value, path)))
    if unique and len(set(items)) != len(items):
        raise EpcisError(E.BAD_URI, "lists the same identifier twice", path=path)
    return items


def timestamp(value: Any, path: str) -> datetime:
    try:
        return parse_timestamp(string(value, path))
    except TimestampError as exc:
        raise EpcisError(E.BAD_TIMESTAMP, str(exc), path=path) from None


def time_zone_offset(value: Any, path: str) -> str:
    text = string(value, path)
    if not TIME_ZONE_OFFSET.match(text):
        raise EpcisError(E.BAD_TIME_ZONE_OFFSET, f"{text!r} is not ±HH:MM", path=path)
    return text


def vocabulary(vocab: cbv.Vocabulary, value: Any, path: str) -> str:
    try:
        return cbv.normalise(vocab, string(value, path))
    except cbv.VocabularyError as exc:
        raise EpcisError(E.UNKNOWN_VOCABULARY, str(exc), path=path) from None


def only_keys(value: Mapping[str, Any], allowed: set[str], path: str) -> None:
    for key in value:
        if key not in allowed and not is_extension_key(key):
            raise EpcisError(E.FIELD_NOT_ALLOWED, f"unexpected field {key!r}", path=path)


def location(value: Any, path: str) -> str:
    """readPoint / bizLocation: `{"id": URI}` plus user extensions."""
    mapping = obj(value, path)
    only_keys(mapping, {"id"}, path)
    if "id" not in mapping:
        raise EpcisError(E.MISSING_FIELD, "needs an id", path=path)
    return uri(mapping["id"], f"{path}.id")


def quantity_list(value: Any, path: str) -> tuple[QuantityElement, ...]:
    out = []
    for i, item in enumerate(array(value, path)):
        here = f"{path}[{i}]"
        element = obj(item, here)
        extra = set(element) - {"epcClass", "quantity", "uom"}
        if extra:
            raise EpcisError(E.FIELD_NOT_ALLOWED, f"unexpected fields {sorted(extra)}", path=here)
        if "epcClass" not in element:
            raise EpcisError(E.MISSING_FIELD, "needs an epcClass", path=here)
        quantity = element.get("quantity")
        if quantity is not None and (
            isinstance(quantity, bool) or not isinstance(quantity, int | float)
        ):
            raise EpcisError(E.BAD_QUANTITY, "quantity must be a number", path=f"{here}.quantity")
        uom = element.get("uom")
        if uom is not None and not (isinstance(uom, str) and _UOM.match(uom)):
            raise EpcisError(E.BAD_QUANTITY, "uom must be a Rec. 20 code", path=f"{here}.uom")
        if uom is not None and quantity is None:
            raise EpcisError(E.BAD_QUANTITY, "a uom needs a quantity", path=here)
        out.append(
            QuantityElement(
                epc_class=uri(element["epcClass"], f"{here}.epcClass"),
                quantity=None if quantity is None else Decimal(str(quantity)),
                uom=uom,
            )
        )
    return tuple(out)


def biz_transactions(value: Any, path: str) -> tuple[tuple[BizTransaction, ...], list[Any]]:
    """The typed list and its JSON with CBV types as bare words."""
    typed, normalised = [], []
    for i, item in enumerate(array(value, path)):
        here = f"{path}[{i}]"
        element = obj(item, here)
        extra = set(element) - {"type", "bizTransaction"}
        if extra:
            raise EpcisError(E.FIELD_NOT_ALLOWED, f"unexpected fields {sorted(extra)}", path=here)
        if "bizTransaction" not in element:
            raise EpcisError(E.MISSING_FIELD, "needs a bizTransaction", path=here)
        ident = uri(element["bizTransaction"], f"{here}.bizTransaction")
        kind = None
        if "type" in element:
            kind = vocabulary(cbv.BIZ_TRANSACTION_TYPE, element["type"], f"{here}.type")
        typed.append(BizTransaction(id=ident, type=kind))
        normalised.append(
            {"type": kind, "bizTransaction": ident} if kind else {"bizTransaction": ident}
        )
    return tuple(typed), normalised


def sources_or_destinations(
    value: Any, path: str, key: str
) -> tuple[tuple[SourceDestination, ...], list[Any]]:
    typed, normalised = [], []
    for i, item in enumerate(array(value, path)):
        here = f"{path}[{i}]"
        element = obj(item, here)
        extra = set(element) - {"type", key}
        if extra:
            raise EpcisError(E.FIELD_NOT_ALLOWED, f"unexpected fields {sorted(extra)}", path=here)
        for needed in ("type", key):
            if needed not in element:
                raise EpcisError(E.MISSING_FIELD, f"needs a {needed}", path=here)
        kind = vocabulary(cbv.SOURCE_DEST_TYPE, element["type"], f"{here}.type")
        ident = uri(element[key], f"{here}.{key}")
        typed.append(SourceDestination(id=ident, type=kind))
        normalised.append({"type": kind, key: ident})
    return tuple(typed), normalised


def persistent_disposition(value: Any, path: str) -> dict[str, list[str]]:
    mapping = obj(value, path)
    only_keys(mapping, {"set", "unset"}, path)
    out = {}
    for key in ("set", "unset"):
        if key in mapping:
            items = array(mapping[key], f"{path}.{key}")
            if not items:
                raise EpcisError(E.MISSING_FIELD, "must not be empty", path=f"{path}.{key}")
            out[key] = [
                vocabulary(cbv.DISPOSITION, v, f"{path}.{key}[{i}]") for i, v in enumerate(items)
            ]
    if not out:
        raise EpcisError(E.MISSING_FIELD, "needs set or unset", path=path)
    return out


def error_declaration(value: Any, path: str) -> dict[str, Any]:
    mapping = dict(obj(value, path))
    only_keys(mapping, {"declarationTime", "reason", "correctiveEventIDs"}, path)
    if "declarationTime" not in mapping:
        raise EpcisError(E.MISSING_FIELD, "needs a declarationTime", path=path)
    timestamp(mapping["declarationTime"], f"{path}.declarationTime")
    if "reason" in mapping:
        mapping["reason"] = vocabulary(cbv.ERROR_REASON, mapping["reason"], f"{path}.reason")
    if "correctiveEventIDs" in mapping:
        uri_list(mapping["correctiveEventIDs"], f"{path}.correctiveEventIDs")
    return mapping


def certification_info(value: Any, path: str) -> None:
    if isinstance(value, list):
        uri_list(value, path)
    else:
        uri(value, path)


def sensor_elements(value: Any, path: str) -> None:
    """Shape only: sensor reports are kept whole in the JSON, not indexed."""
    for i, item in enumerate(array(value, path)):
        element = obj(item, f"{path}[{i}]")
        if "sensorMetadata" in element:
            obj(element["sensorMetadata"], f"{path}[{i}].sensorMetadata")
        reports = array(element.get("sensorReport", []), f"{path}[{i}].sensorReport")
        for j, report in enumerate(reports):
            obj(report, f"{path}[{i}].sensorReport[{j}]")
