"""EPCIS 2.0 JSON-LD out: the EPCISDocument (what we send) and the EPCISQueryDocument
(what a query answers). Owns the document envelope; events are emitted as their stored,
normalised JSON. Pure: the creation date comes from the caller.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from tracking.epcis.models import EpcisEvent
from tracking.epcis.timestamps import format_timestamp

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
SCHEMA_VERSION = "2.0"
SIMPLE_EVENT_QUERY = "SimpleEventQuery"


def event_json(event: EpcisEvent | Mapping[str, Any]) -> dict[str, Any]:
    """A copy of the event's JSON-LD, safe for the caller to change."""
    return copy.deepcopy(dict(event.json if isinstance(event, EpcisEvent) else event))


def _context(extra: Iterable[Mapping[str, str]]) -> list[Any]:
    return [EPCIS_CONTEXT, *(dict(item) for item in extra)]


def epcis_document(
    events: Iterable[EpcisEvent | Mapping[str, Any]],
    *,
    creation_date: datetime,
    document_id: str | None = None,
    context: Iterable[Mapping[str, str]] = (),
) -> dict[str, Any]:
    """An EPCISDocument holding `events` (capture body, or a file we hand to a partner)."""
    doc: dict[str, Any] = {"@context": _context(context), "type": "EPCISDocument"}
    if document_id is not None:
        doc["id"] = document_id
    doc["schemaVersion"] = SCHEMA_VERSION
    doc["creationDate"] = format_timestamp(creation_date)
    doc["epcisBody"] = {"eventList": [event_json(e) for e in events]}
    return doc


def epcis_query_document(
    events: Iterable[EpcisEvent | Mapping[str, Any]],
    *,
    creation_date: datetime,
    query_name: str = SIMPLE_EVENT_QUERY,
    subscription_id: str | None = None,
    context: Iterable[Mapping[str, str]] = (),
) -> dict[str, Any]:
    """An EPCISQueryDocument: the answer of `GET /events` and of named queries."""
    results: dict[str, Any] = {"queryName": query_name}
    if subscription_id is not None:
        results["subscriptionID"] = subscription_id
    results["resultsBody"] = {"eventList": [event_json(e) for e in events]}
    return {
        "@context": _context(context),
        "type": "EPCISQueryDocument",
        "schemaVersion": SCHEMA_VERSION,
        "creationDate": format_timestamp(creation_date),
        "epcisBody": {"queryResults": results},
    }
