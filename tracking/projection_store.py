"""The tables the tracking projector writes: progress and checkpoints, vehicle state,
trips, stops and geofence transitions, vehicle loads and shipment ETAs.

The only module that knows these tables (geofences themselves: `tracking.fence_store`).
Takes a connection, never commits; the projector commits output and progress together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg.rows import class_row
from psycopg.types.json import Jsonb

from orders.status import ShipmentStatus
from tracking.geofence_state import FenceTransition
from tracking.models import Fix
from tracking.trips import Stop, Trip

_FIX = """device_time, received_at, ST_Y(geom) AS lat, ST_X(geom) AS lon,
          speed_mps, heading_deg, accuracy_m, altitude_m, battery_pct"""


@dataclass(frozen=True, slots=True)
class Load:
    """A shipment on a vehicle, with what the projector needs to move and time it."""

    shipment_pk: int
    shipment_id: str
    order_pk: int
    depot_id: str
    status: ShipmentStatus
    route_id: str | None
    planned_departure_at: datetime | None
    planned_arrival_at: datetime | None
    lat: float  # delivery point
    lon: float


# -- progress -------------------------------------------------------------------------


def progress(conn: psycopg.Connection, device_pk: int) -> dict[str, Any] | None:
    row = conn.execute(
        "SELECT state FROM tracking_progress WHERE device_pk = %s", (device_pk,)
    ).fetchone()
    return None if row is None else row[0]


def save_progress(
    conn: psycopg.Connection, device_pk: int, watermark: datetime | None, state: dict[str, Any]
) -> None:
    conn.execute(
        """INSERT INTO tracking_progress (device_pk, watermark, state) VALUES (%s, %s, %s)
           ON CONFLICT (device_pk) DO UPDATE
           SET watermark = excluded.watermark, state = excluded.state, updated_at = now()""",
        (device_pk, watermark, Jsonb(state)),
    )


def checkpoint_before(
    conn: psycopg.Connection, device_pk: int, moment: datetime
) -> dict[str, Any] | None:
    """The newest stored state whose watermark is before `moment`."""
    row = conn.execute(
        """SELECT state FROM tracking_checkpoints WHERE device_pk = %s AND watermark < %s
           ORDER BY watermark DESC LIMIT 1""",
        (device_pk, moment),
    ).fetchone()
    return None if row is None else row[0]


def newest_checkpoint(conn: psycopg.Connection, device_pk: int) -> datetime | None:
    row = conn.execute(
        "SELECT max(watermark) FROM tracking_checkpoints WHERE device_pk = %s", (device_pk,)
    ).fetchone()
    return None if row is None else row[0]


def save_checkpoint(
    conn: psycopg.Connection, device_pk: int, watermark: datetime, state: dict[str, Any]
) -> None:
    conn.execute(
        """INSERT INTO tracking_checkpoints (device_pk, watermark, state) VALUES (%s, %s, %s)
           ON CONFLICT DO NOTHING""",
        (device_pk, watermark, Jsonb(state)),
    )


def drop_checkpoints_from(conn: psycopg.Connection, device_pk: int, moment: datetime) -> None:
    conn.execute(
        "DELETE FROM tracking_checkpoints WHERE device_pk = %s AND watermark >= %s",
        (device_pk, moment),
    )


# -- fixes ----------------------------------------------------------------------------


def fixes_after(
    conn: psycopg.Connection, device_pk: int, after: datetime | None, limit: int
) -> list[Fix]:
    with conn.cursor(row_factory=class_row(Fix)) as cur:
        cur.execute(
            f"""SELECT {_FIX} FROM positions
                WHERE device_pk = %s AND device_time > coalesce(%s, '-infinity'::timestamptz)
                ORDER BY device_time LIMIT %s""",
            (device_pk, after, limit),
        )
        return cur.fetchall()


# -- output ---------------------------------------------------------------------------


def upsert_vehicle_state(
    conn: psycopg.Connection, device_pk: int, fix: Fix, recent_speed_mps: float | None
) -> None:
    """The latest fix by device time; an older one never replaces it. A new vehicle state
    starts from the device's latest status (ingest moves it afterwards, `ingest/store.py`)."""
    conn.execute(
        """INSERT INTO vehicle_state (device_pk, device_time, received_at, geom, speed_mps,
                                      heading_deg, accuracy_m, recent_speed_mps, last_seen_at,
                                      link_status, link_status_at, battery_pct)
           SELECT %(pk)s, %(t)s, %(received)s, ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326),
                  %(speed)s, %(heading)s, %(accuracy)s, %(recent)s, now(),
                  link.detail->>'status', link.event_time, %(battery)s
             FROM (SELECT 1) one
             LEFT JOIN LATERAL (
                   SELECT detail, event_time FROM device_events
                    WHERE device_pk = %(pk)s AND kind = 'link'
                    ORDER BY event_time DESC LIMIT 1) link ON true
           ON CONFLICT (device_pk) DO UPDATE SET
               device_time = excluded.device_time, received_at = excluded.received_at,
               geom = excluded.geom, speed_mps = excluded.speed_mps,
               heading_deg = excluded.heading_deg, accuracy_m = excluded.accuracy_m,
               recent_speed_mps = coalesce(excluded.recent_speed_mps,
                                           vehicle_state.recent_speed_mps),
               last_seen_at = greatest(vehicle_state.last_seen_at, excluded.last_seen_at),
               battery_pct = coalesce(excluded.battery_pct, vehicle_state.battery_pct),
               updated_at = clock_timestamp()
           WHERE vehicle_state.device_time < excluded.device_time""",
        {
            "pk": device_pk,
            "t": fix.device_time,
            "received": fix.received_at,
            "lon": fix.lon,
            "lat": fix.lat,
            "speed": fix.speed_mps,
            "heading": fix.heading_deg,
            "accuracy": fix.accuracy_m,
            "recent": recent_speed_mps,
            "battery": fix.battery_pct,
        },
    )


def recent_speed(conn: psycopg.Connection, device_pk: int) -> float | None:
    row = conn.execute(
        "SELECT recent_speed_mps FROM vehicle_state WHERE device_pk = %s", (device_pk,)
    ).fetchone()
    return None if row is None else row[0]


def delete_segments_after(conn: psycopg.Connection, device_pk: int, after: datetime | None) -> None:
    for table in ("trips", "stops"):
        conn.execute(
            f"""DELETE FROM {table} WHERE device_pk = %s
                AND decided_at > coalesce(%s, '-infinity'::timestamptz)""",
            (device_pk, after),
        )


def insert_segments(conn: psycopg.Connection, device_pk: int, segments: list[Stop | Trip]) -> None:
    for s in segments:
        if isinstance(s, Stop):
            conn.execute(
                """INSERT INTO stops (device_pk, start_time, end_time, fix_count, decided_at, geom)
                   VALUES (%s, %s, %s, %s, %s, ST_SetSRID(ST_MakePoint(%s, %s), 4326))
                   ON CONFLICT (device_pk, start_time) DO UPDATE SET end_time = excluded.end_time,
                       fix_count = excluded.fix_count, decided_at = excluded.decided_at,
                       geom = excluded.geom""",
                (device_pk, s.start, s.end, s.fix_count, s.decided_at, s.lon, s.lat),
            )
        else:
            # The trip's line is drawn from the stored fixes between its ends.
            conn.execute(
                """INSERT INTO trips (device_pk, start_time, end_time, distance_m, end_reason,
                                      decided_at, geom)
                   SELECT %(d)s, %(s)s, %(e)s, %(m)s, %(r)s, %(at)s,
                          CASE WHEN count(*) >= 2 THEN ST_MakeLine(geom ORDER BY device_time)
                          ELSE ST_SetSRID(ST_MakeLine(ST_MakePoint(%(x0)s, %(y0)s),
                                                      ST_MakePoint(%(x1)s, %(y1)s)), 4326) END
                     FROM positions
                    WHERE device_pk = %(d)s AND device_time BETWEEN %(s)s AND %(e)s
                   ON CONFLICT (device_pk, start_time) DO UPDATE SET
                       end_time = excluded.end_time, distance_m = excluded.distance_m,
                       end_reason = excluded.end_reason, decided_at = excluded.decided_at,
                       geom = excluded.geom""",
                {
                    "d": device_pk,
                    "s": s.start,
                    "e": s.end,
                    "m": s.distance_m,
                    "r": s.end_reason,
                    "at": s.decided_at,
                    "x0": s.start_lon,
                    "y0": s.start_lat,
                    "x1": s.end_lon,
                    "y1": s.end_lat,
                },
            )


def delete_transitions_after(
    conn: psycopg.Connection, device_pk: int, after: dict[str, datetime | None]
) -> None:
    """Per fence key, delete the device's transitions confirmed after its time; one
    statement for all fences (a van carries a delivery circle per shipment on board)."""
    if not after:
        return
    keys = sorted(after)
    conn.execute(
        """DELETE FROM geofence_transitions t
            USING unnest(%s::text[], %s::timestamptz[]) AS k(fence_key, after)
            WHERE t.device_pk = %s AND t.fence_key = k.fence_key
              AND t.confirmed_at > coalesce(k.after, '-infinity'::timestamptz)""",
        (keys, [after[k] for k in keys], device_pk),
    )


def insert_transition(
    conn: psycopg.Connection, device_pk: int, fence_key: str, t: FenceTransition
) -> None:
    conn.execute(
        """INSERT INTO geofence_transitions (device_pk, fence_key, kind, at, confirmed_at, geom)
           VALUES (%s, %s, %s, %s, %s, ST_SetSRID(ST_MakePoint(%s, %s), 4326))
           ON CONFLICT DO NOTHING""",
        (device_pk, fence_key, t.kind, t.at, t.confirmed_at, t.lon, t.lat),
    )


# -- loads and ETAs -------------------------------------------------------------------


def loads_of(conn: psycopg.Connection, device_pk: int) -> list[Load]:
    """Shipments on the vehicle now, in order-lock order (order pk) to avoid deadlocks."""
    with conn.cursor(row_factory=class_row(Load)) as cur:
        cur.execute(
            """SELECT s.pk AS shipment_pk, s.shipment_id, s.order_pk, s.depot_id, s.status,
                      s.route_id, s.planned_departure_at, s.planned_arrival_at,
                      ST_Y(o.delivery_geom) AS lat, ST_X(o.delivery_geom) AS lon
                 FROM vehicle_loads l JOIN shipments s ON s.pk = l.shipment_pk
                 JOIN orders o ON o.pk = s.order_pk
                WHERE l.device_pk = %s AND l.unloaded_at IS NULL
                ORDER BY s.order_pk, s.pk""",
            (device_pk,),
        )
        return cur.fetchall()


def load_shipment(conn: psycopg.Connection, shipment_pk: int, device_pk: int) -> None:
    conn.execute(
        """INSERT INTO vehicle_loads (shipment_pk, device_pk) VALUES (%s, %s)
           ON CONFLICT (shipment_pk) DO UPDATE
           SET device_pk = excluded.device_pk, loaded_at = now(), unloaded_at = NULL""",
        (shipment_pk, device_pk),
    )


@dataclass(frozen=True, slots=True)
class EtaRow:
    shipment_pk: int
    eta: datetime | None
    method: str
    distance_m: float | None
    as_of: datetime


def upsert_etas(conn: psycopg.Connection, device_pk: int, rows: list[EtaRow]) -> None:
    """The ETAs of the shipments on one vehicle, in one statement; an ETA computed from an
    older fix never replaces a newer one. Rows are written in shipment order."""
    if not rows:
        return
    rows = sorted(rows, key=lambda r: r.shipment_pk)
    conn.execute(
        """INSERT INTO shipment_eta (shipment_pk, device_pk, eta, method, distance_m, as_of)
           SELECT s, %s, e, m, d, a
             FROM unnest(%s::bigint[], %s::timestamptz[], %s::text[], %s::float8[],
                         %s::timestamptz[]) AS r(s, e, m, d, a)
           ON CONFLICT (shipment_pk) DO UPDATE SET device_pk = excluded.device_pk,
               eta = excluded.eta, method = excluded.method, distance_m = excluded.distance_m,
               as_of = excluded.as_of, computed_at = clock_timestamp()
           WHERE shipment_eta.as_of <= excluded.as_of""",
        (
            device_pk,
            [r.shipment_pk for r in rows],
            [r.eta for r in rows],
            [r.method for r in rows],
            [r.distance_m for r in rows],
            [r.as_of for r in rows],
        ),
    )
