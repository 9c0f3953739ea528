"""The only module that writes the telemetry log (`positions`, `tag_reads`), device events
(and from a device's status, its vehicle's link status) and `dead_letters`.

Takes a connection, never commits. Telemetry rows are COPied into per-connection staging
tables and moved with `INSERT ... ON CONFLICT DO NOTHING`, so a replayed message changes
nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import orjson
import psycopg

from ingest.pipeline import DeadLetter
from ingest.records import DeviceEvent, Position, TagRead


@dataclass(frozen=True, slots=True)
class Table:
    """A telemetry table, its staging twin and the statements that fill them."""

    staging: str
    copy: str
    types: list[str]
    move: str


POSITIONS = Table(
    staging="""CREATE TEMP TABLE IF NOT EXISTS positions_in (
        device_time timestamptz, received_at timestamptz, built_time timestamptz,
        device_pk integer, speed_mps real, heading_deg real, accuracy_m real, altitude_m real,
        lon float8, lat float8, battery_pct smallint) ON COMMIT DELETE ROWS""",
    copy="""COPY positions_in (device_time, received_at, built_time, device_pk, speed_mps,
        heading_deg, accuracy_m, altitude_m, lon, lat, battery_pct) FROM STDIN (FORMAT BINARY)""",
    types=[
        "timestamptz",
        "timestamptz",
        "timestamptz",
        "int4",
        "float4",
        "float4",
        "float4",
        "float4",
        "float8",
        "float8",
        "int2",
    ],  # fmt: skip
    move="""INSERT INTO positions (device_time, received_at, built_time, device_pk, speed_mps,
                                   heading_deg, accuracy_m, altitude_m, geom, battery_pct)
        SELECT device_time, received_at, built_time, device_pk, speed_mps,
               heading_deg, accuracy_m, altitude_m, ST_SetSRID(ST_MakePoint(lon, lat), 4326),
               battery_pct
          FROM positions_in
        ON CONFLICT DO NOTHING""",
)
TAG_READS = Table(
    staging="""CREATE TEMP TABLE IF NOT EXISTS tag_reads_in (
        read_time timestamptz, received_at timestamptz, built_time timestamptz,
        event_number int8, device_pk integer, read_count integer, rssi_dbm real,
        antenna int2, epc bytea) ON COMMIT DELETE ROWS""",
    copy="""COPY tag_reads_in (read_time, received_at, built_time, event_number, device_pk,
        read_count, rssi_dbm, antenna, epc) FROM STDIN (FORMAT BINARY)""",
    types=[
        "timestamptz",
        "timestamptz",
        "timestamptz",
        "int8",
        "int4",
        "int4",
        "float4",
        "int2",
        "bytea",
    ],  # fmt: skip
    move="""INSERT INTO tag_reads (read_time, received_at, built_time, event_number, device_pk,
                                   read_count, rssi_dbm, antenna, epc)
        SELECT * FROM tag_reads_in
        ON CONFLICT DO NOTHING""",
)
_EVENT = """
INSERT INTO device_events (device_pk, event_time, kind, received_at, detail)
VALUES (%s, %s, %s, %s, %s)
ON CONFLICT DO NOTHING
"""
# A last will or an `online` moves the vehicle's link status, never backwards in time. Rare
# messages, so written here in the batch's transaction; a device with no position yet has
# no vehicle state, and its first fix's recency tells whether it is online.
_LINK = """
UPDATE vehicle_state SET link_status = %s, link_status_at = %s
WHERE device_pk = %s AND (link_status_at IS NULL OR link_status_at <= %s)
"""
_DEAD = """
INSERT INTO dead_letters (received_at, topic, device_id, reason, detail, payload, fingerprint)
VALUES (%s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (fingerprint) DO NOTHING
"""


@dataclass(slots=True)
class Batch:
    """Everything one transaction writes: accepted records with their device, dead letters."""

    positions: list[tuple[int, datetime, Position]] = field(default_factory=list)
    tag_reads: list[tuple[int, datetime, TagRead]] = field(default_factory=list)
    device_events: list[tuple[int, datetime, DeviceEvent]] = field(default_factory=list)
    dead_letters: list[DeadLetter] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Written:
    positions_inserted: int
    positions_duplicate: int
    tag_reads_inserted: int
    tag_reads_duplicate: int
    dead_letters_inserted: int


def _copy(cur: psycopg.Cursor, table: Table, rows: Sequence[tuple]) -> int:
    """COPY rows into the staging table and move them; the number actually inserted."""
    if not rows:
        return 0
    cur.execute(table.staging)
    with cur.copy(table.copy) as copy:
        copy.set_types(table.types)
        for row in rows:
            copy.write_row(row)
    cur.execute(table.move)
    return cur.rowcount


def write_batch(conn: psycopg.Connection, batch: Batch) -> Written:
    with conn.cursor() as cur:
        positions = _copy(
            cur,
            POSITIONS,
            [
                (
                    f.device_time,
                    received,
                    f.built_time,
                    pk,
                    f.speed_mps,
                    f.heading_deg,
                    f.accuracy_m,
                    f.altitude_m,
                    f.lon,
                    f.lat,
                    f.battery_pct,
                )
                for pk, received, f in batch.positions
            ],  # fmt: skip
        )
        reads = _copy(
            cur,
            TAG_READS,
            [
                (
                    r.read_time,
                    received,
                    r.built_time,
                    r.event_number,
                    pk,
                    r.count,
                    r.rssi_dbm,
                    r.antenna,
                    bytes.fromhex(r.epc_hex),
                )
                for pk, received, r in batch.tag_reads
            ],  # fmt: skip
        )
        if batch.device_events:
            cur.executemany(
                _EVENT,
                [
                    (pk, e.time, e.kind, received, orjson.dumps(
                        e.detail if isinstance(e.detail, dict) else {"text": e.detail}
                    ).decode())
                    for pk, received, e in batch.device_events
                ],
            )  # fmt: skip
            links = [(e.detail["status"], e.time, pk, e.time)
                     for pk, _, e in batch.device_events
                     if e.kind == "link" and isinstance(e.detail, dict)]  # fmt: skip
            if links:
                cur.executemany(_LINK, links)
        dead = 0
        for letter in batch.dead_letters:
            cur.execute(
                _DEAD,
                (
                    letter.received_at,
                    letter.topic,
                    letter.device_id,
                    letter.reason.value,
                    letter.detail,
                    letter.payload,
                    letter.fingerprint,
                ),  # fmt: skip
            )
            dead += cur.rowcount
    return Written(
        positions, len(batch.positions) - positions, reads, len(batch.tag_reads) - reads, dead
    )
