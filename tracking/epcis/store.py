"""The EPCIS event repository's tables: events, their EPCs by role, their business
transactions, and capture jobs.

The only module that knows these tables. Takes a connection, never commits. An event is
stored once per `event_id` (`ON CONFLICT DO NOTHING`): capturing or projecting the same
event again changes nothing. Queries answer an `EventQuery` in keyset pages ordered by
(event_time, pk); `query.matches` is the reference meaning this SQL must agree with.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from tracking.epcis.models import EpcisEvent
from tracking.epcis.query import EpcMatch, EventQuery

_INSERT_EVENT = """
INSERT INTO epcis_events (event_id, hash_id, type, event_time, event_time_zone_offset, action,
                          biz_step, disposition, read_point, biz_location, parent_id,
                          transformation_id, capture_id, json)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (event_id) DO NOTHING
RETURNING pk
"""
_INSERT_EPC = """
INSERT INTO epcis_event_epcs (epc, role, event_pk) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING
"""
_INSERT_BIZ = """
INSERT INTO epcis_biz_transactions (event_pk, type, id) VALUES (%s, %s, %s)
ON CONFLICT DO NOTHING
"""


@dataclass(frozen=True, slots=True)
class Stored:
    """What storing one event did: `inserted` is False when `event_id` was already there;
    `existing_hash` is then the stored event's hash (equal: the same event again)."""

    event_id: str
    inserted: bool
    existing_hash: str | None = None


@dataclass(frozen=True, slots=True)
class EventRow:
    pk: int
    event_time: datetime
    record_time: datetime
    json: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class CaptureJobRow:
    id: str
    state: str  # running, success, failed
    created_at: datetime
    finished_at: datetime | None
    created_by: str | None
    event_count: int | None
    stored_count: int | None
    errors: list[dict[str, Any]]


def _roles(event: EpcisEvent) -> Iterable[tuple[str, str]]:
    yield from ((epc, "epc") for epc in event.epc_list)
    yield from ((epc, "child") for epc in event.child_epcs)
    yield from ((epc, "input") for epc in event.input_epc_list)
    yield from ((epc, "output") for epc in event.output_epc_list)
    if event.parent_id:
        yield event.parent_id, "parent"


def _row(event: EpcisEvent, capture_id: str | None) -> tuple[Any, ...]:
    body = {k: v for k, v in event.json.items() if k != "recordTime"}
    return (
        event.event_id,
        event.hash_id,
        event.type.value,
        event.event_time,
        event.event_time_zone_offset,
        event.action.value if event.action else None,
        event.biz_step,
        event.disposition,
        event.read_point,
        event.biz_location,
        event.parent_id,
        event.transformation_id,
        capture_id,
        Jsonb(body),
    )


def insert_events(
    conn: psycopg.Connection, events: Sequence[EpcisEvent], capture_id: str | None = None
) -> list[Stored]:
    """Store each event unless its `event_id` is stored already (or earlier in `events`).
    The stored JSON has no `recordTime`: the repository's own is added when it is read.
    Statements are pipelined (`executemany`), so a large capture costs few round trips."""
    if not events:
        return []
    pks: list[int | None] = []
    with conn.cursor() as cur:
        cur.executemany(_INSERT_EVENT, [_row(e, capture_id) for e in events], returning=True)
        while True:
            row = cur.fetchone()
            pks.append(row[0] if row else None)
            if not cur.nextset():
                break
        new = [(e, pk) for e, pk in zip(events, pks, strict=True) if pk is not None]
        cur.executemany(_INSERT_EPC, [(epc, role, pk) for e, pk in new for epc, role in _roles(e)])
        cur.executemany(
            _INSERT_BIZ, [(pk, b.type or "", b.id) for e, pk in new for b in e.biz_transactions]
        )
    repeated = [e.event_id for e, pk in zip(events, pks, strict=True) if pk is None]
    existing: dict[str, str] = {}
    if repeated:
        existing = dict(
            conn.execute(
                "SELECT event_id, hash_id FROM epcis_events WHERE event_id = ANY(%s)", (repeated,)
            ).fetchall()
        )
    return [
        Stored(e.event_id, True)
        if pk is not None
        else Stored(e.event_id, False, existing.get(e.event_id))
        for e, pk in zip(events, pks, strict=True)
    ]


def insert_event(
    conn: psycopg.Connection, event: EpcisEvent, capture_id: str | None = None
) -> Stored:
    (stored,) = insert_events(conn, [event], capture_id)
    return stored


def get_event(conn: psycopg.Connection, event_id: str) -> EventRow | None:
    row = conn.execute(
        "SELECT pk, event_time, record_time, json FROM epcis_events WHERE event_id = %s",
        (event_id,),
    ).fetchone()
    return EventRow(*row) if row else None


def _epc_condition(role_sql: str, matchers: tuple[EpcMatch, ...], args: list[Any]) -> str:
    """`pk IN (events naming a matching EPC in these roles)`. Patterns become ranges on the
    "C"-collated key, which a btree answers whatever the plan's parameters are."""
    alternatives = []
    for m in matchers:
        if m.exact is not None:
            alternatives.append("x.epc = %s")
            args.append(m.exact)
        elif m.prefix:
            alternatives.append("(x.epc >= %s AND x.epc < %s)")
            args.extend([m.prefix, m.prefix[:-1] + chr(ord(m.prefix[-1]) + 1)])
    return (
        f"e.pk IN (SELECT x.event_pk FROM epcis_event_epcs x WHERE {role_sql} "
        f"AND ({' OR '.join(alternatives) or 'false'}))"
    )


def _where(q: EventQuery, args: list[Any]) -> list[str]:
    conds: list[str] = []
    plain: tuple[tuple[str, tuple[Any, ...]], ...] = (
        ("e.type", tuple(t.value for t in q.event_types)),
        ("e.action", tuple(a.value for a in q.eq_action)),
        ("e.biz_step", q.eq_biz_step),
        ("e.disposition", q.eq_disposition),
        ("e.read_point", q.eq_read_point),
        ("e.biz_location", q.eq_biz_location),
        ("e.event_id", q.eq_event_id),
    )
    for column, values in plain:
        if values:
            conds.append(f"{column} = ANY(%s)")
            args.append(list(values))
    for column, op, moment in (
        ("e.event_time", ">=", q.ge_event_time),
        ("e.event_time", "<", q.lt_event_time),
        ("e.record_time", ">=", q.ge_record_time),
        ("e.record_time", "<", q.lt_record_time),
    ):
        if moment is not None:
            conds.append(f"{column} {op} %s")
            args.append(moment)
    for roles, matchers in (
        ("x.role IN ('epc', 'child')", q.match_epc),
        ("x.role = 'parent'", q.match_parent_id),
        ("x.role = 'input'", q.match_input_epc),
        ("x.role = 'output'", q.match_output_epc),
        ("true", q.match_any_epc),
    ):
        if matchers:
            conds.append(_epc_condition(roles, matchers, args))
    return conds


def query_events(
    conn: psycopg.Connection,
    q: EventQuery,
    *,
    after: tuple[datetime, int] | None,
    limit: int,
) -> list[EventRow]:
    """Up to `limit` events answering `q`, in (event_time, pk) order, after the key `after`."""
    args: list[Any] = []
    conds = _where(q, args)
    if after is not None:
        conds.append("(e.event_time, e.pk) > (%s, %s)")
        args.extend(after)
    where = " AND ".join(conds) or "true"
    rows = conn.execute(
        f"""SELECT e.pk, e.event_time, e.record_time, e.json FROM epcis_events e
            WHERE {where} ORDER BY e.event_time, e.pk LIMIT %s""",
        (*args, limit),
    ).fetchall()
    return [EventRow(*row) for row in rows]


_JOB_COLUMNS = "id, state, created_at, finished_at, created_by, event_count, stored_count, errors"


def create_job(conn: psycopg.Connection, job_id: str, created_by: str, event_count: int) -> None:
    conn.execute(
        """INSERT INTO epcis_capture_jobs (id, state, created_by, event_count)
           VALUES (%s, 'running', %s, %s)""",
        (job_id, created_by, event_count),
    )


def finish_job(
    conn: psycopg.Connection,
    job_id: str,
    *,
    success: bool,
    stored_count: int | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> None:
    conn.execute(
        """UPDATE epcis_capture_jobs
              SET state = %s, finished_at = clock_timestamp(), stored_count = %s, errors = %s
            WHERE id = %s""",
        ("success" if success else "failed", stored_count, Jsonb(errors or []), job_id),
    )


def get_job(conn: psycopg.Connection, job_id: str) -> CaptureJobRow | None:
    row = conn.execute(
        f"SELECT {_JOB_COLUMNS} FROM epcis_capture_jobs WHERE id = %s", (job_id,)
    ).fetchone()
    return CaptureJobRow(*row) if row else None


def page_jobs(
    conn: psycopg.Connection, *, before: tuple[datetime, str] | None, limit: int
) -> list[CaptureJobRow]:
    """Capture jobs, newest first, before the key `before` (created_at, id)."""
    if before is None:
        rows = conn.execute(
            f"""SELECT {_JOB_COLUMNS} FROM epcis_capture_jobs
                ORDER BY created_at DESC, id DESC LIMIT %s""",
            (limit,),
        ).fetchall()
    else:
        rows = conn.execute(
            f"""SELECT {_JOB_COLUMNS} FROM epcis_capture_jobs
                WHERE (created_at, id) < (%s, %s)
                ORDER BY created_at DESC, id DESC LIMIT %s""",
            (*before, limit),
        ).fetchall()
    return [CaptureJobRow(*row) for row in rows]
