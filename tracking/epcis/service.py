"""EPCIS repository use cases: capture a document (as a capture job), capture one event,
read an event, query events page by page, list capture jobs.

Each use case owns its transaction(s). A capture is all or nothing: the job row is
committed first (so its state can be seen while it runs), then every event and the job's
success commit together, or the job is marked failed with its errors. Documents and events
are checked by `parse` before anything is written; an invalid one is refused whole and
makes no job. Raises `core.errors` only.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg

from core.errors import Conflict, InvalidInput, NotFound, WaybillError
from tracking.epcis import store
from tracking.epcis.errors import CaptureLimitExceeded, EpcisError
from tracking.epcis.errors import EpcisErrorCode as E
from tracking.epcis.models import EpcisEvent
from tracking.epcis.parse import load_json, parse_document, parse_event
from tracking.epcis.query import EventQuery, parse_query_params, query_json
from tracking.epcis.timestamps import format_timestamp

MAX_JOBS_PER_PAGE = 100


@dataclass(frozen=True, slots=True)
class EventPage:
    events: list[dict[str, Any]]  # JSON-LD, with the repository's recordTime
    next_page_token: str | None


@dataclass(frozen=True, slots=True)
class JobPage:
    jobs: list[store.CaptureJobRow]
    next_page_token: str | None


def _event_json(row: store.EventRow) -> dict[str, Any]:
    out = dict(row.json)
    out["recordTime"] = format_timestamp(row.record_time.astimezone(UTC))
    return out


def _as_epcis_document(data: bytes | str) -> Any:
    """The capture body; an EPCISQueryDocument (which the binding also accepts) becomes
    the EPCISDocument holding its results."""
    doc = load_json(data)
    if not isinstance(doc, Mapping):
        raise EpcisError(E.WRONG_TYPE, "must be a JSON object")
    if doc.get("type") != "EPCISQueryDocument":
        return doc
    body = doc.get("epcisBody")
    results = body.get("queryResults") if isinstance(body, Mapping) else None
    results_body = results.get("resultsBody") if isinstance(results, Mapping) else None
    if not isinstance(results_body, Mapping) or "eventList" not in results_body:
        raise EpcisError(
            E.MISSING_FIELD, "needs queryResults.resultsBody.eventList", path="$.epcisBody"
        )
    return {
        **{k: v for k, v in doc.items() if k != "epcisBody"},
        "type": "EPCISDocument",
        "epcisBody": {"eventList": results_body["eventList"]},
    }


def _store_all(
    conn: psycopg.Connection, events: Sequence[EpcisEvent], capture_id: str | None
) -> int:
    """Store each event once; a declared eventID that already names another event is a
    conflict (the whole capture is refused). Returns how many were new."""
    try:
        results = store.insert_events(conn, events, capture_id)
    except psycopg.DataError as exc:  # e.g. a NUL character, which PostgreSQL refuses
        raise InvalidInput(
            f"an event holds a value the repository cannot store: {exc}",
            code="unstorable_value",
        ) from None
    for i, (event, result) in enumerate(zip(events, results, strict=True)):
        if not result.inserted and result.existing_hash != event.hash_id:
            raise Conflict(
                f"eventID {event.event_id!r} already names a different event",
                code="event_id_taken",
                index=i,
            )
    return sum(result.inserted for result in results)


def capture(
    conn: psycopg.Connection, data: bytes | str, *, created_by: str, max_events: int
) -> store.CaptureJobRow:
    """Capture an EPCISDocument as one job; returns the job as it ended."""
    document = parse_document(_as_epcis_document(data))
    if len(document.events) > max_events:
        raise CaptureLimitExceeded(
            f"{len(document.events)} events; at most {max_events} per capture",
            limit=max_events,
        )
    job_id = uuid.uuid4().hex
    with conn.transaction():
        store.create_job(conn, job_id, created_by, len(document.events))
    try:
        with conn.transaction():
            stored = _store_all(conn, document.events, job_id)
            store.finish_job(conn, job_id, success=True, stored_count=stored)
    except WaybillError as exc:
        error = {
            "type": "epcisException:ValidationException",
            "title": type(exc).__name__,
            "status": 400,
            "detail": exc.message,
            "code": exc.code,
            **exc.details,
        }
        with conn.transaction():
            store.finish_job(conn, job_id, success=False, stored_count=0, errors=[error])
    return get_job(conn, job_id)


def capture_event(conn: psycopg.Connection, data: bytes | str) -> dict[str, Any]:
    """Capture one event (`POST /events`); returns it as stored. Idempotent."""
    event = parse_event(data)
    with conn.transaction():
        _store_all(conn, [event], None)
        row = store.get_event(conn, event.event_id)
    assert row is not None
    return _event_json(row)


def get_event(conn: psycopg.Connection, event_id: str) -> dict[str, Any]:
    with conn.transaction():
        row = store.get_event(conn, event_id)
    if row is None:
        raise NotFound(f"no event {event_id!r}", code="no_such_event")
    return _event_json(row)


def _fingerprint(q: EventQuery) -> str:
    text = json.dumps(query_json(q), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _encode_token(parts: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode().rstrip("=")


def _decode_token(token: str) -> list[Any]:
    try:
        parts = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, binascii.Error):
        parts = None
    if not isinstance(parts, list) or len(parts) != 3:
        raise EpcisError(E.BAD_QUERY_PARAMETER, "not a token we issued", path="nextPageToken")
    return parts


def query_events(conn: psycopg.Connection, params: Mapping[str, str | Sequence[str]]) -> EventPage:
    """One page of `GET /events`. The token names the last event of the page (its event
    time and key) and the query it belongs to, so it cannot be replayed on another query."""
    q = parse_query_params(params)
    after = None
    if q.next_page_token is not None:
        when, pk, fingerprint = _decode_token(q.next_page_token)
        if fingerprint != _fingerprint(q):
            raise EpcisError(
                E.BAD_QUERY_PARAMETER,
                "the token belongs to a query with other parameters",
                path="nextPageToken",
            )
        try:
            after = (datetime.fromisoformat(when), int(pk))
        except (TypeError, ValueError):
            raise EpcisError(
                E.BAD_QUERY_PARAMETER, "not a token we issued", path="nextPageToken"
            ) from None
    with conn.transaction():
        rows = store.query_events(conn, q, after=after, limit=q.per_page + 1)
    more = len(rows) > q.per_page
    rows = rows[: q.per_page]
    token = None
    if more:
        last = rows[-1]
        token = _encode_token([last.event_time.isoformat(), last.pk, _fingerprint(q)])
    return EventPage([_event_json(r) for r in rows], token)


def get_job(conn: psycopg.Connection, job_id: str) -> store.CaptureJobRow:
    with conn.transaction():
        job = store.get_job(conn, job_id)
    if job is None:
        raise NotFound(f"no capture job {job_id!r}", code="no_such_capture")
    return job


def list_jobs(conn: psycopg.Connection, *, per_page: int, token: str | None) -> JobPage:
    if not 1 <= per_page <= MAX_JOBS_PER_PAGE:
        raise EpcisError(
            E.BAD_QUERY_PARAMETER, f"must be from 1 to {MAX_JOBS_PER_PAGE}", path="perPage"
        )
    before = None
    if token is not None:
        when, job_id, kind = _decode_token(token)
        if kind != "jobs":
            raise EpcisError(E.BAD_QUERY_PARAMETER, "not a token we issued", path="nextPageToken")
        try:
            before = (datetime.fromisoformat(when), str(job_id))
        except (TypeError, ValueError):
            raise EpcisError(
                E.BAD_QUERY_PARAMETER, "not a token we issued", path="nextPageToken"
            ) from None
    with conn.transaction():
        jobs = store.page_jobs(conn, before=before, limit=per_page + 1)
    more = len(jobs) > per_page
    jobs = jobs[:per_page]
    next_token = None
    if more:
        next_token = _encode_token([jobs[-1].created_at.isoformat(), jobs[-1].id, "jobs"])
    return JobPage(jobs, next_token)
