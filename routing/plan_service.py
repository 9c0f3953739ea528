"""Plan use cases: depots and fleet, asking for a plan, reading it, cancelling, approving.

Each public function owns one transaction. A plan is asked for here and solved later by a
worker (`routing/jobs.py`); approving it gives every shipment its route and planned times
through `orders.service.set_plan`, puts it on the vehicle's GPS unit, and then pushes
each route to its device (`routing/dispatch.py`). Raises `core.errors`, never HTTP.
"""

from __future__ import annotations

import math
import secrets
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

import psycopg

from core.errors import Conflict, InvalidInput, NotFound
from orders import planning
from orders import service as orders
from routing import plan_result, plan_store
from routing.params import SolveParams
from routing.spec import Spec, to_problem
from tracking import shipment_tracking

DEFAULT_SERVICE_S = 300


def tz_of(offset: str) -> timezone:
    sign = -1 if offset.startswith("-") else 1
    hours, minutes = offset[1:].split(":")
    return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))


def local_midnight(day: date, offset: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz_of(offset))


# -- depots and fleet -----------------------------------------------------------------


def put_depot(conn: psycopg.Connection, depot_id: str, name: str, lon: float, lat: float) -> None:
    with conn.transaction():
        plan_store.upsert_depot(conn, depot_id, name, lon, lat)


def put_vehicle(conn: psycopg.Connection, vehicle: dict[str, Any]) -> None:
    if vehicle["shift_end"] <= vehicle["shift_start"]:
        raise InvalidInput("the shift ends before it starts", code="window_order")
    with conn.transaction():
        if plan_store.get_depot(conn, vehicle["depot_id"]) is None:
            raise InvalidInput(f"unknown depot {vehicle['depot_id']!r}", code="unknown_depot")
        plan_store.upsert_vehicle(conn, vehicle)


# -- asking for a plan ----------------------------------------------------------------


def spec_from_shipments(
    conn: psycopg.Connection,
    depot_id: str,
    day: date,
    site_offset: str,
    service_s: int = DEFAULT_SERVICE_S,
    extra_jobs: list[dict[str, Any]] | None = None,
) -> Spec:
    """The problem of a depot's day: its ready shipments and its active fleet."""
    depot = plan_store.get_depot(conn, depot_id)
    if depot is None:
        raise InvalidInput(f"unknown depot {depot_id!r}", code="unknown_depot")
    epoch = local_midnight(day, site_offset)
    fleet = plan_store.fleet(conn, depot_id)
    if not fleet:
        raise InvalidInput(f"depot {depot_id!r} has no active vehicles", code="no_vehicles")
    since = lambda t: t.hour * 3600 + t.minute * 60 + t.second  # noqa: E731
    vehicles = [
        {
            "id": v["vehicle_id"],
            "start_depot": depot_id,
            "capacity": [v["capacity_kg"], v["capacity_l"]],
            "shift": [since(v["shift_start"]), since(v["shift_end"])],
            "max_shift_s": v["max_shift_s"],
            "fixed_cost": v["fixed_cost"],
            "cost_per_km": v["cost_per_km"],
            "cost_per_hour": v["cost_per_hour"],
            "skills": list(v["skills"]),
            "device_id": v["device_id"],
        }  # fmt: skip
        for v in fleet
    ]
    jobs = []
    for s in planning.ready_for_planning(conn, depot_id, epoch, epoch + timedelta(days=1)):
        windows = []
        for start, end in s.windows:
            a, b = (start - epoch).total_seconds(), (end - epoch).total_seconds()
            if b > 0:
                windows.append([max(0, int(a)), int(b)])
        jobs.append(
            {
                "id": s.shipment_id,
                "shipment_id": s.shipment_id,
                "priority": s.priority,
                "demand": [math.ceil(s.weight_kg), math.ceil(s.volume_m3 * 1000)],
                "delivery": {
                    "lon": s.lon,
                    "lat": s.lat,
                    "service_s": service_s,
                    "windows": windows,
                },
            }  # fmt: skip
        )
    return {
        "epoch": epoch.isoformat(),
        "date": day.isoformat(),
        "depot_id": depot_id,
        "depots": [{"id": depot_id, "lon": depot["lon"], "lat": depot["lat"]}],
        "vehicles": vehicles,
        "jobs": jobs + list(extra_jobs or []),
    }


def check_params(params: dict[str, Any]) -> dict[str, Any]:
    SolveParams(**params)  # refuses bad values with a code, before anything is queued
    return params


def create_plan(
    conn: psycopg.Connection, spec: Spec, params: dict[str, Any], *, by: str,
    parent_plan_id: str | None = None,
) -> str:  # fmt: skip
    """Queue a plan of `spec`; refused at once when the spec is not a valid problem."""
    check_params(params)
    built = to_problem(spec)
    depot_id = str(spec.get("depot_id") or built.problem.depots[0].id)
    plan_id = "pln_" + secrets.token_hex(8)
    with conn.transaction():
        pk = plan_store.insert_plan(
            conn, plan_id, depot_id, built.epoch.date() if not spec.get("date")
            else date.fromisoformat(spec["date"]), params, spec, by, parent_plan_id,
        )  # fmt: skip
        conn.execute("INSERT INTO plan_jobs (plan_pk) VALUES (%s)", (pk,))
    return plan_id


# -- reading, cancelling --------------------------------------------------------------


def _plan(conn: psycopg.Connection, plan_id: str, lock: bool = False) -> dict[str, Any]:
    row = plan_store.get_plan(conn, plan_id, lock=lock)
    if row is None:
        raise NotFound(f"no plan {plan_id!r}", code="plan_not_found")
    return row


def get_plan(conn: psycopg.Connection, plan_id: str) -> dict[str, Any]:
    """The plan with its progress, routes and stops, left-out jobs, verdict and GeoJSON."""
    with conn.transaction():
        row = _plan(conn, plan_id)
        routes = plan_store.routes(conn, row["pk"])
        stops = plan_store.stops(conn, row["pk"])
    devices = {v["id"]: v.get("device_id") for v in row["spec"].get("vehicles", [])}
    by_vehicle: dict[str, list[dict[str, Any]]] = {}
    for stop in stops:
        by_vehicle.setdefault(stop["vehicle_id"], []).append(plan_result.stop_json(stop))
    out_routes = [
        r
        | {"device_id": devices.get(r["vehicle_id"]), "stops": by_vehicle.get(r["vehicle_id"], [])}
        for r in routes
    ]
    summary = row["summary"] or {}
    return {
        "plan_id": row["plan_id"],
        "depot_id": row["depot_id"],
        "date": row["plan_date"].isoformat(),
        "status": row["status"],
        "parent_plan_id": row["parent_plan_id"],
        "params": row["params"],
        "progress": {
            "elapsed_s": row["elapsed_s"],
            "best_cost": row["best_cost"],
            "backend": row["backend"],
            "updated_at": row["progress_at"],
            "cancel_requested": row["cancel_requested"],
        },
        "error": row["error"],
        "created_by": row["created_by"],
        "created_at": row["created_at"],
        "started_at": row["started_at"],
        "finished_at": row["finished_at"],
        "approved_at": row["approved_at"],
        "jobs": len(row["spec"].get("jobs", [])),
        "totals": {k: summary.get(k) for k in ("distance_m", "duration_s", "cost", "penalty")},
        "feasible": summary.get("feasible"),
        "violations": summary.get("violations", []),
        "unassigned": summary.get("unassigned", []),
        "routes": out_routes,
        "geojson": plan_result.geojson(out_routes),
    }


def cancel(conn: psycopg.Connection, plan_id: str) -> str:
    """Cancel a queued plan at once, a running one at the worker's next round."""
    with conn.transaction():
        row = _plan(conn, plan_id, lock=True)
        if row["status"] == "queued":
            plan_store.update_plan(
                conn, row["pk"], status="cancelled", cancel_requested=True,
                finished_at=datetime.now(UTC),
            )  # fmt: skip
            conn.execute("UPDATE plan_jobs SET state = 'done' WHERE plan_pk = %s", (row["pk"],))
            return "cancelled"
        if row["status"] == "running":
            plan_store.update_plan(conn, row["pk"], cancel_requested=True)
            return "running"
        if row["status"] == "cancelled":
            return "cancelled"
        raise Conflict(f"plan {plan_id} is {row['status']}", code="plan_finished")


# -- approving ------------------------------------------------------------------------


def approve(conn: psycopg.Connection, plan_id: str, *, by: str) -> dict[str, Any]:
    """Give every shipment of the plan its route, planned times and vehicle.

    Returns the routes to push to devices. Approving an approved plan changes nothing and
    answers the same routes, so a failed push can be retried.
    """
    with conn.transaction():
        row = _plan(conn, plan_id, lock=True)
        if row["status"] not in ("succeeded", "approved"):
            raise Conflict(
                f"plan {plan_id} is {row['status']}; only a finished plan can be approved",
                code="plan_not_ready",
            )
        stops = plan_store.stops(conn, row["pk"])
        devices = {v["id"]: v.get("device_id") for v in row["spec"]["vehicles"]}
        if row["status"] == "succeeded":
            _assign(conn, row, stops, devices)
            plan_store.update_plan(
                conn, row["pk"], status="approved", approved_at=datetime.now(UTC), approved_by=by
            )
    return {"plan_id": plan_id, "stops": stops, "devices": devices}


def _assign(
    conn: psycopg.Connection, row: dict[str, Any], stops: list[dict[str, Any]],
    devices: dict[str, str | None],
) -> None:  # fmt: skip
    departure = {s["vehicle_id"]: s["departure_at"] for s in stops if s["seq"] == 0}
    planned = set()
    for stop in stops:
        sid = stop["shipment_id"]
        if sid is None or stop["kind"] != "delivery":
            continue
        planned.add(sid)
        if stop["fixed"]:
            continue  # done or under way: its plan and times stay as they were
        orders.set_plan(
            conn, sid, route_id=plan_result.route_id(row["plan_id"], stop["vehicle_id"]),
            planned_departure_at=departure[stop["vehicle_id"]],
            planned_arrival_at=stop["arrival_at"],
        )  # fmt: skip
        device = devices.get(stop["vehicle_id"])
        if device:
            shipment_tracking.load(conn, sid, device)
    # A re-plan that leaves out a shipment its parent had planned takes the plan back.
    dropped = {u["shipment_id"] for u in (row["summary"] or {}).get("unassigned", [])}
    for sid in dropped - planned - {None}:
        orders.set_plan(
            conn, sid, route_id=None, planned_departure_at=None, planned_arrival_at=None
        )
