"""The only module that writes the telemetry log (`positions`) and `dead_letters`.

Takes a connection, never commits. Rows are COPied into a per-connection staging table and
moved with `INSERT ... ON CONFLICT DO NOTHING`, so a replayed message changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import psycopg

from ingest.pipeline import DeadLetter
from ingest.records import Position

_STAGING = """
CREATE TEMP TABLE IF NOT EXISTS positions_in (
    device_time timestamptz, received_at timestamptz, built_time timestamptz,
    device_pk integer, speed_mps real, heading_deg real, accuracy_m real, altitude_m real,
    lon float8, lat float8
) ON COMMIT DELETE ROWS
"""
_COPY = (
    "COPY positions_in (device_time, received_at, built_time, device_pk, speed_mps,"
    " heading_deg, accuracy_m, altitude_m, lon, lat) FROM STDIN (FORMAT BINARY)"
)
_COPY_TYPES = [
    "timestamptz", "timestamptz", "timestamptz", "int4",
    "float4", "float4", "float4", "float4", "float8", "float8",
]  # fmt: skip
_MOVE = """
INSERT INTO positions (device_time, received_at, built_time, device_pk, speed_mps,
                       heading_deg, accuracy_m, altitude_m, geom)
SELECT device_time, received_at, built_time, device_pk, speed_mps,
       heading_deg, accuracy_m, altitude_m, ST_SetSRID(ST_MakePoint(lon, lat), 4326)
  FROM positions_in
ON CONFLICT DO NOTHING
"""
_DEAD = """
INSERT INTO dead_letters (received_at, topic, device_id, reason, detail, payload, fingerprint)
VALUES (%s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (fingerprint) DO NOTHING
"""


@dataclass(frozen=True, slots=True)
class PositionRow:
    device_pk: int
    received_at: datetime
    fix: Position


@dataclass(frozen=True, slots=True)
class Written:
    positions_inserted: int
    positions_duplicate: int
    dead_letters_inserted: int


def write_batch(
    conn: psycopg.Connection, rows: Sequence[PositionRow], dead: Sequence[DeadLetter]
) -> Written:
    inserted = dead_inserted = 0
    with conn.cursor() as cur:
        if rows:
            cur.execute(_STAGING)
            with cur.copy(_COPY) as copy:
                copy.set_types(_COPY_TYPES)
                for row in rows:
                    fix = row.fix
                    copy.write_row(
                        (
                            fix.device_time, row.received_at, fix.built_time, row.device_pk,
                            fix.speed_mps, fix.heading_deg, fix.accuracy_m, fix.altitude_m,
                            fix.lon, fix.lat,
                        )  # fmt: skip
                    )
            cur.execute(_MOVE)
            inserted = cur.rowcount
        if dead:
            for letter in dead:
                cur.execute(
                    _DEAD,
                    (
                        letter.received_at, letter.topic, letter.device_id, letter.reason.value,
                        letter.detail, letter.payload, letter.fingerprint,
                    ),  # fmt: skip
                )
                dead_inserted += cur.rowcount
    return Written(inserted, len(rows) - inserted, dead_inserted)
