"""The only module that knows the tables of migration 0008: depots, fleet_vehicles, plans,
plan_routes, plan_stops (the queue table `plan_jobs` belongs to `routing/jobs.py`).

Takes a connection and never commits; `routing/plan_service.py` owns the transactions.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

# -- depots and fleet -----------------------------------------------------------------


def upsert_depot(
    conn: psycopg.Connection, depot_id: str, name: str, lon: float, lat: float
) -> None:
    conn.execute(
        """INSERT INTO depots (depot_id, name, geom)
           VALUES (%s, %s, ST_SetSRID(ST_MakePoint(%s, %s), 4326))
           ON CONFLICT (depot_id) DO UPDATE
           SET name = excluded.name, geom = excluded.geom, updated_at = now()""",
        (depot_id, name, lon, lat),
    )


def get_depot(conn: psycopg.Connection, depot_id: str) -> dict[str, Any] | None:
    return (
        conn.cursor(row_factory=dict_row)
        .execute(
            """SELECT depot_id, name, ST_X(geom) AS lon, ST_Y(geom) AS lat
               FROM depots WHERE depot_id = %s""",
            (depot_id,),
        )
        .fetchone()
    )


VEHICLE_COLUMNS = (
    "vehicle_id", "depot_id", "capacity_kg", "capacity_l", "shift_start", "shift_end",
    "max_shift_s", "skills", "fixed_cost", "cost_per_km", "cost_per_hour", "device_id", "active",
)  # fmt: skip


def upsert_vehicle(conn: psycopg.Connection, vehicle: dict[str, Any]) -> None:
    cols = ", ".join(VEHICLE_COLUMNS)
    marks = ", ".join(["%s"] * len(VEHICLE_COLUMNS))
    updates = ", ".join(f"{c} = excluded.{c}" for c in VEHICLE_COLUMNS[1:])
    conn.execute(
        f"""INSERT INTO fleet_vehicles ({cols}) VALUES ({marks})
            ON CONFLICT (vehicle_id) DO UPDATE SET {updates}, updated_at = now()""",
        tuple(vehicle[c] for c in VEHICLE_COLUMNS),
    )


def fleet(conn: psycopg.Connection, depot_id: str) -> list[dict[str, Any]]:
    cols = ", ".join(VEHICLE_COLUMNS)
    return (
        conn.cursor(row_factory=dict_row)
        .execute(
            f"""SELECT {cols} FROM fleet_vehicles WHERE depot_id = %s AND active
                ORDER BY vehicle_id""",
            (depot_id,),
        )
        .fetchall()
    )


def vehicle_device(conn: psycopg.Connection, vehicle_id: str) -> str | None:
    row = conn.execute(
        "SELECT device_id FROM fleet_vehicles WHERE vehicle_id = %s", (vehicle_id,)
    ).fetchone()
    return row[0] if row else None


# -- plans ----------------------------------------------------------------------------

PLAN_COLUMNS = """pk, plan_id, depot_id, plan_date, status, parent_plan_id, params, spec,
    backend, elapsed_s, best_cost, progress_at, cancel_requested, summary, error, created_by,
    created_at, started_at, finished_at, approved_at, approved_by"""


def insert_plan(
    conn: psycopg.Connection,
    plan_id: str,
    depot_id: str,
    plan_date: date,
    params: dict[str, Any],
    spec: dict[str, Any],
    created_by: str,
    parent_plan_id: str | None = None,
) -> int:
    row = conn.execute(
        """INSERT INTO plans (plan_id, depot_id, plan_date, params, spec, created_by,
                              parent_plan_id)
           VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING pk""",
        (plan_id, depot_id, plan_date, Jsonb(params), Jsonb(spec), created_by, parent_plan_id),
    ).fetchone()
    assert row is not None
    return row[0]


def get_plan(
    conn: psycopg.Connection, plan_id: str | None = None, *, pk: int | None = None,
    lock: bool = False,
) -> dict[str, Any] | None:  # fmt: skip
    where = "plan_id = %s" if pk is None else "pk = %s"
    return (
        conn.cursor(row_factory=dict_row)
        .execute(
            f"SELECT {PLAN_COLUMNS} FROM plans WHERE {where}" + (" FOR UPDATE" if lock else ""),
            (plan_id if pk is None else pk,),
        )
        .fetchone()
    )


def update_plan(conn: psycopg.Connection, pk: int, **fields: Any) -> None:
    values = [Jsonb(v) if isinstance(v, dict | list) else v for v in fields.values()]
    sets = ", ".join(f"{name} = %s" for name in fields)
    conn.execute(f"UPDATE plans SET {sets} WHERE pk = %s", (*values, pk))


def record_progress(
    conn: psycopg.Connection, pk: int, elapsed_s: float, best_cost: float | None
) -> bool:
    """Write the worker's progress; answer whether a cancel was requested."""
    row = conn.execute(
        """UPDATE plans SET elapsed_s = %s, best_cost = coalesce(%s, best_cost),
                            progress_at = clock_timestamp()
           WHERE pk = %s RETURNING cancel_requested""",
        (elapsed_s, best_cost, pk),
    ).fetchone()
    return bool(row and row[0])


def save_routes(
    conn: psycopg.Connection, pk: int, routes: list[dict[str, Any]], stops: list[dict[str, Any]]
) -> None:
    conn.execute("DELETE FROM plan_routes WHERE plan_pk = %s", (pk,))
    with conn.cursor() as cur:
        cur.executemany(
            """INSERT INTO plan_routes (plan_pk, vehicle_id, route_id, distance_m, duration_s,
                                        cost)
               VALUES (%s, %s, %s, %s, %s, %s)""",
            [
                (pk, r["vehicle_id"], r["route_id"], r["distance_m"], r["duration_s"], r["cost"])
                for r in routes
            ],
        )
        cur.executemany(
            """INSERT INTO plan_stops (plan_pk, vehicle_id, seq, kind, job_id, shipment_id,
                   fixed, geom, arrival_at, start_at, departure_at, load_kg, load_l, distance_m)
               VALUES (%s, %s, %s, %s, %s, %s, %s, ST_SetSRID(ST_MakePoint(%s, %s), 4326),
                       %s, %s, %s, %s, %s, %s)""",
            [
                (
                    pk,
                    s["vehicle_id"],
                    s["seq"],
                    s["kind"],
                    s["job_id"],
                    s["shipment_id"],
                    s["fixed"],
                    s["lon"],
                    s["lat"],
                    s["arrival_at"],
                    s["start_at"],
                    s["departure_at"],
                    s["load_kg"],
                    s["load_l"],
                    s["distance_m"],
                )  # fmt: skip
                for s in stops
            ],
        )


def routes(conn: psycopg.Connection, pk: int) -> list[dict[str, Any]]:
    return (
        conn.cursor(row_factory=dict_row)
        .execute(
            """SELECT vehicle_id, route_id, distance_m, duration_s, cost FROM plan_routes
               WHERE plan_pk = %s ORDER BY vehicle_id""",
            (pk,),
        )
        .fetchall()
    )


def stops(conn: psycopg.Connection, pk: int) -> list[dict[str, Any]]:
    return (
        conn.cursor(row_factory=dict_row)
        .execute(
            """SELECT vehicle_id, seq, kind, job_id, shipment_id, fixed, ST_X(geom) AS lon,
                      ST_Y(geom) AS lat, arrival_at, start_at, departure_at, load_kg, load_l,
                      distance_m
               FROM plan_stops WHERE plan_pk = %s ORDER BY vehicle_id, seq""",
            (pk,),
        )
        .fetchall()
    )
