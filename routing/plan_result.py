"""A solved `Plan` as rows to store, and stored rows as the plan's public view.

Turns seconds from the epoch into times and matrix indices into coordinates; prepends
the stops a re-plan kept fixed. Also the GeoJSON of the routes. Pure: no database.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from routing.plan import Plan
from routing.spec import Built


def route_id(plan_id: str, vehicle_id: str) -> str:
    return f"{plan_id}-{vehicle_id}"


def rows(
    plan_id: str, built: Built, plan: Plan, fixed: dict[str, list[dict[str, Any]]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    """(route rows, stop rows, summary) of a solved plan; `fixed` stops come first."""
    matrix = built.problem.matrix
    at = lambda s: built.epoch + timedelta(seconds=s)  # noqa: E731
    routes, stops = [], []
    solved = {r.vehicle_id: r for r in plan.routes}
    for vehicle_id in list(dict.fromkeys([*fixed, *solved])):
        kept = [_parsed(s) | {"vehicle_id": vehicle_id, "fixed": True}
                for s in fixed.get(vehicle_id, [])]  # fmt: skip
        new: list[dict[str, Any]] = []
        route = solved.get(vehicle_id)
        if route is not None:
            previous = None
            for stop in route.stops:
                lon, lat = built.coords[stop.location]
                hop = 0 if previous is None else int(matrix.distance_m[previous, stop.location])
                previous = stop.location
                new.append(
                    {
                        "vehicle_id": vehicle_id,
                        "kind": stop.kind.value,
                        "job_id": stop.job_id,
                        "shipment_id": built.shipment_of.get(stop.job_id or ""),
                        "fixed": False,
                        "lon": lon,
                        "lat": lat,
                        "arrival_at": at(stop.arrival_s),
                        "start_at": at(stop.start_s),
                        "departure_at": at(stop.departure_s),
                        "load_kg": stop.load[0],
                        "load_l": stop.load[1] if len(stop.load) > 1 else 0,
                        "distance_m": hop,
                    }  # fmt: skip
                )
            if kept:
                # The re-plan started where the van is: its start is the last kept stop.
                new = new[1:]
        merged = kept + new
        for seq, stop in enumerate(merged):
            stop["seq"] = seq
        stops.extend(merged)
        routes.append(
            {
                "vehicle_id": vehicle_id,
                "route_id": route_id(plan_id, vehicle_id),
                "distance_m": sum(s["distance_m"] for s in merged),
                "duration_s": int(
                    (merged[-1]["departure_at"] - merged[0]["departure_at"]).total_seconds()
                )
                if merged
                else 0,
                "cost": route.cost if route is not None else 0.0,
            }
        )
    summary = {
        "distance_m": sum(r["distance_m"] for r in routes),
        "duration_s": plan.duration_s,
        "cost": plan.cost,
        "penalty": plan.penalty,
        "backend": plan.backend,
        "solve_s": round(plan.solve_s, 3),
        "feasible": plan.feasible,
        "violations": [
            {"kind": v.kind, "message": v.message, "vehicle_id": v.vehicle_id, "job_id": v.job_id}
            for v in plan.verdict.violations
        ],
        "unassigned": [
            {
                "job_id": u.job_id,
                "shipment_id": built.shipment_of.get(u.job_id),
                "reason": u.reason.value,
                "detail": u.detail,
            }
            for u in plan.unassigned
        ],
    }
    return routes, stops, summary


def _parsed(stop: dict[str, Any]) -> dict[str, Any]:
    out = dict(stop)
    for key in ("arrival_at", "start_at", "departure_at"):
        if isinstance(out[key], str):
            out[key] = datetime.fromisoformat(out[key])
    return out


def stop_json(stop: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in stop.items() if k != "vehicle_id"}
    for key in ("arrival_at", "start_at", "departure_at"):
        if isinstance(out.get(key), datetime):
            out[key] = out[key].isoformat()
    return out


def geojson(routes: list[dict[str, Any]]) -> dict[str, Any]:
    """One LineString feature per route, through its stops in order."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[s["lon"], s["lat"]] for s in r["stops"]],
                },
                "properties": {"vehicle_id": r["vehicle_id"], "route_id": r["route_id"]},
            }
            for r in routes
            if r["stops"]
        ],
    }
