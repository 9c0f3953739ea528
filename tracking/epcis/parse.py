"""Parsing EPCIS 2.0 JSON-LD: an EPCISDocument or a single event into typed records.

Owns what an incoming event must look like to be captured: the fields each event type
may carry, the ones it needs, and their value types (after the EPCIS 2.0 JSON schema and
the standard's prose, e.g. an AggregationEvent that adds or deletes names its parent).
Returns `EpcisEvent` records carrying their normalised JSON and the original; raises
`EpcisError` with a code and a JSON path for the first fault. Pure: bytes or JSON in.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from tracking.epcis import checks as c
from tracking.epcis import vocabulary as cbv
from tracking.epcis.errors import EpcisError
from tracking.epcis.errors import EpcisErrorCode as E
from tracking.epcis.hashing import context_namespaces, event_hash_id
from tracking.epcis.models import Action, EpcisDocument, EpcisEvent, EventType

_COMMON = {
    "@context", "type", "eventTime", "recordTime", "eventTimeZoneOffset", "eventID",
    "certificationInfo", "errorDeclaration",
}  # fmt: skip
_WHAT_WHERE_WHY = {
    "action", "bizStep", "disposition", "readPoint", "bizLocation", "bizTransactionList",
    "sourceList", "destinationList", "sensorElementList",
}  # fmt: skip
FIELDS: dict[EventType, set[str]] = {
    EventType.OBJECT: _WHAT_WHERE_WHY
    | {"epcList", "quantityList", "persistentDisposition", "ilmd"},
    EventType.AGGREGATION: _WHAT_WHERE_WHY | {"parentID", "childEPCs", "childQuantityList"},
    EventType.ASSOCIATION: _WHAT_WHERE_WHY | {"parentID", "childEPCs", "childQuantityList"},
    EventType.TRANSACTION: _WHAT_WHERE_WHY | {"parentID", "epcList", "quantityList"},
    EventType.TRANSFORMATION: (_WHAT_WHERE_WHY - {"action"})
    | {
        "inputEPCList",
        "inputQuantityList",
        "outputEPCList",
        "outputQuantityList",
        "transformationID",
        "persistentDisposition",
        "ilmd",
    },  # fmt: skip
}
SCHEMA_MAJOR = "2"


# Deeper than any EPCIS document needs (sensor reports inside events inside a document sit
# about ten levels down); it bounds the recursion of copying, checking and hashing.
MAX_DEPTH = 64


def load_json(data: bytes | str | Mapping[str, Any]) -> Any:
    if isinstance(data, Mapping):
        value: Any = data
    else:
        try:
            value = json.loads(data, parse_constant=_reject_constant)
        except (ValueError, UnicodeDecodeError) as exc:
            raise EpcisError(E.NOT_JSON, f"not JSON: {exc}") from None
        except RecursionError:
            raise EpcisError(E.TOO_DEEP, f"nested deeper than {MAX_DEPTH} levels") from None
    _check_depth(value)
    return value


def _check_depth(value: Any) -> None:
    """Without recursion, so that the check itself cannot overflow."""
    level: list[Any] = [value]
    for _ in range(MAX_DEPTH):
        level = [
            child
            for item in level
            if isinstance(item, (Mapping, list))
            for child in (item.values() if isinstance(item, Mapping) else item)
            if isinstance(child, (Mapping, list))
        ]
        if not level:
            return
    raise EpcisError(E.TOO_DEEP, f"nested deeper than {MAX_DEPTH} levels")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_document(data: bytes | str | Mapping[str, Any]) -> EpcisDocument:
    """An EPCISDocument (the capture body) into typed events, all or nothing."""
    doc = c.obj(load_json(data), "$")
    if doc.get("type") != "EPCISDocument":
        raise EpcisError(E.WRONG_DOCUMENT_TYPE, "type must be EPCISDocument", path="$.type")
    for key in ("@context", "schemaVersion", "creationDate", "epcisBody"):
        if key not in doc:
            raise EpcisError(E.MISSING_FIELD, f"needs {key}", path="$")
    version = c.string(doc["schemaVersion"], "$.schemaVersion")
    if version.split(".")[0] != SCHEMA_MAJOR:
        raise EpcisError(
            E.UNSUPPORTED_SCHEMA_VERSION, f"schemaVersion {version!r} is not 2.x", path="$"
        )
    creation = c.timestamp(doc["creationDate"], "$.creationDate")
    body = c.obj(doc["epcisBody"], "$.epcisBody")
    if "eventList" not in body:
        raise EpcisError(E.MISSING_FIELD, "needs eventList", path="$.epcisBody")
    items = c.array(body["eventList"], "$.epcisBody.eventList")
    namespaces = context_namespaces(doc["@context"])
    context = _inline_context(doc["@context"])
    events = tuple(
        parse_event(
            item, namespaces=namespaces, context=context, path=f"$.epcisBody.eventList[{i}]"
        )
        for i, item in enumerate(items)
    )
    return EpcisDocument(creation_date=creation, events=events, namespaces=namespaces, original=doc)


def _inline_context(context: Any) -> list[Any]:
    """The document's own prefix mappings, which its events need to keep their meaning."""
    items = context if isinstance(context, list) else [context]
    return [copy.deepcopy(item) for item in items if isinstance(item, Mapping)]


def parse_event(
    data: bytes | str | Mapping[str, Any],
    *,
    namespaces: Mapping[str, str] | None = None,
    context: list[Any] | None = None,
    path: str = "$",
) -> EpcisEvent:
    """One event (a document's element, or the body of `POST /events`).

    `namespaces` and `context` come from the enclosing document; the event's own
    `@context` adds to them. The normalised JSON keeps the document's prefix mappings in
    the event's `@context`, so the event still means the same thing on its own.
    """
    original = c.obj(load_json(data), path)
    event = copy.deepcopy(dict(original))
    type_name = c.string(event.get("type"), f"{path}.type") if "type" in event else None
    if type_name is None:
        raise EpcisError(E.MISSING_FIELD, "needs a type", path=path)
    try:
        kind = EventType(type_name)
    except ValueError:
        raise EpcisError(E.UNKNOWN_EVENT_TYPE, f"{type_name!r}", path=f"{path}.type") from None
    c.only_keys(event, _COMMON | FIELDS[kind], path)
    if context and "@context" not in event:
        event["@context"] = copy.deepcopy(context)
    ns = {**(namespaces or {}), **context_namespaces(event.get("@context"))}
    fields = _fields(kind, event, path)
    declared = event.pop("eventID", None)
    hash_id = event_hash_id(event, ns)
    event_id = c.uri(declared, f"{path}.eventID") if declared is not None else hash_id
    event["eventID"] = event_id
    return EpcisEvent(
        event_id=event_id, hash_id=hash_id, type=kind, **fields, json=event, original=original
    )


def _fields(kind: EventType, event: dict[str, Any], path: str) -> dict[str, Any]:
    """Checks every field, normalises CBV words in `event` in place, returns typed fields."""
    for key in ("eventTime", "eventTimeZoneOffset"):
        if key not in event:
            raise EpcisError(E.MISSING_FIELD, f"needs {key}", path=path)
    out: dict[str, Any] = {
        "event_time": c.timestamp(event["eventTime"], f"{path}.eventTime"),
        "event_time_zone_offset": c.time_zone_offset(
            event["eventTimeZoneOffset"], f"{path}.eventTimeZoneOffset"
        ),
    }
    if "recordTime" in event:
        out["record_time"] = c.timestamp(event["recordTime"], f"{path}.recordTime")
    if kind is not EventType.TRANSFORMATION:
        if "action" not in event:
            raise EpcisError(E.MISSING_FIELD, "needs an action", path=path)
        try:
            out["action"] = Action(event["action"])
        except ValueError:
            raise EpcisError(
                E.BAD_ACTION, "action must be ADD, OBSERVE or DELETE", path=f"{path}.action"
            ) from None
    for key, attr, vocab in (
        ("bizStep", "biz_step", cbv.BIZ_STEP),
        ("disposition", "disposition", cbv.DISPOSITION),
    ):
        if key in event:
            event[key] = out[attr] = c.vocabulary(vocab, event[key], f"{path}.{key}")
    for key, attr in (("readPoint", "read_point"), ("bizLocation", "biz_location")):
        if key in event:
            out[attr] = c.location(event[key], f"{path}.{key}")
    for key, attr in (
        ("epcList", "epc_list"),
        ("childEPCs", "child_epcs"),
        ("inputEPCList", "input_epc_list"),
        ("outputEPCList", "output_epc_list"),
    ):
        if key in event:
            out[attr] = c.uri_list(event[key], f"{path}.{key}")
    for key, attr in (
        ("quantityList", "quantity_list"),
        ("childQuantityList", "child_quantity_list"),
        ("inputQuantityList", "input_quantity_list"),
        ("outputQuantityList", "output_quantity_list"),
    ):
        if key in event:
            out[attr] = c.quantity_list(event[key], f"{path}.{key}")
    for key, attr in (("parentID", "parent_id"), ("transformationID", "transformation_id")):
        if key in event:
            out[attr] = c.uri(event[key], f"{path}.{key}")
    if "bizTransactionList" in event:
        here = f"{path}.bizTransactionList"
        out["biz_transactions"], event["bizTransactionList"] = c.biz_transactions(
            event["bizTransactionList"], here
        )
    for key, attr, item in (
        ("sourceList", "sources", "source"),
        ("destinationList", "destinations", "destination"),
    ):
        if key in event:
            out[attr], event[key] = c.sources_or_destinations(event[key], f"{path}.{key}", item)
    if "persistentDisposition" in event:
        event["persistentDisposition"] = c.persistent_disposition(
            event["persistentDisposition"], f"{path}.persistentDisposition"
        )
    if "errorDeclaration" in event:
        event["errorDeclaration"] = c.error_declaration(
            event["errorDeclaration"], f"{path}.errorDeclaration"
        )
    if "certificationInfo" in event:
        c.certification_info(event["certificationInfo"], f"{path}.certificationInfo")
    if "sensorElementList" in event:
        c.sensor_elements(event["sensorElementList"], f"{path}.sensorElementList")
    if "ilmd" in event:
        c.obj(event["ilmd"], f"{path}.ilmd")
    _require_what(kind, event, out, path)
    return out


def _require_what(
    kind: EventType, event: Mapping[str, Any], out: Mapping[str, Any], path: str
) -> None:
    """Each type must say what it is about (the schema's anyOf rules, and EPCIS 7.4)."""
    action = out.get("action")
    if kind is EventType.OBJECT:
        sensed = bool(event.get("sensorElementList")) and "readPoint" in event
        if "epcList" not in event and not out.get("quantity_list") and not sensed:
            raise EpcisError(
                E.MISSING_FIELD, "needs epcList, quantityList or sensor data", path=path
            )
        if "ilmd" in event and action is not Action.ADD:
            raise EpcisError(E.FIELD_NOT_ALLOWED, "ilmd only with action ADD", path=f"{path}.ilmd")
    elif kind in (EventType.AGGREGATION, EventType.ASSOCIATION):
        parent_needed = kind is EventType.ASSOCIATION or action is not Action.OBSERVE
        if parent_needed and "parentID" not in event:
            raise EpcisError(E.MISSING_FIELD, f"{action} needs a parentID", path=path)
        if action is not Action.DELETE and not (
            out.get("child_epcs") or out.get("child_quantity_list")
        ):
            raise EpcisError(E.MISSING_FIELD, "needs childEPCs or childQuantityList", path=path)
    elif kind is EventType.TRANSACTION:
        if not out.get("biz_transactions"):
            raise EpcisError(E.MISSING_FIELD, "needs a bizTransactionList", path=path)
        if action is not Action.DELETE and "epcList" not in event and not out.get("quantity_list"):
            raise EpcisError(E.MISSING_FIELD, "needs epcList or quantityList", path=path)
    else:
        has_in = bool(out.get("input_epc_list") or out.get("input_quantity_list"))
        has_out = bool(out.get("output_epc_list") or out.get("output_quantity_list"))
        if not (has_in and has_out) and not ("transformationID" in event and (has_in or has_out)):
            raise EpcisError(
                E.MISSING_FIELD, "needs inputs and outputs, or a transformationID", path=path
            )
