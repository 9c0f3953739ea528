"""Re-planning an approved plan during the day: the spec of what is left to do.

From the moment `at` on: a stop is done when its shipment is delivered, failed or being
delivered (`arriving`: the stop in progress), or was fixed by an earlier re-plan; stops
without a shipment (pick-ups at stalls) are done once their planned departure passed.
Each van keeps its done stops as a fixed prefix of its route and starts again from the
last one. Goods already on a running van (its remaining plain deliveries, and pairs
whose pick-up is done) stay on it, enforced by a skill only that van has; a van that
broke down keeps its done stops and its goods become pick-ups at the place it stopped.
Everything else is free for any van; when some van is already out, goods still in the
warehouse become pick-ups at the depot, so that van must drive back for them. New ready
shipments of the depot's day join in. Raises `core.errors`; writes nothing.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import psycopg

from core.errors import Conflict, NotFound
from orders import planning
from routing import plan_service, plan_store
from routing.spec import Spec, epoch_of

DONE = {"delivered", "delivery_failed", "arriving", "returned"}


def _done(stop: dict[str, Any], status: dict[str, str], at: datetime) -> bool:
    if stop["fixed"]:
        return True
    if stop["shipment_id"]:
        return status.get(stop["shipment_id"]) in DONE
    return stop["kind"] != "start" and stop["departure_at"] <= at


def _stop_json(stop: dict[str, Any]) -> dict[str, Any]:
    keep = ("kind", "job_id", "shipment_id", "lon", "lat", "arrival_at", "start_at",
            "departure_at", "load_kg", "load_l", "distance_m")  # fmt: skip
    out = {k: stop[k] for k in keep}
    for key in ("arrival_at", "start_at", "departure_at"):
        out[key] = out[key].isoformat()
    return out


def spec(
    conn: psycopg.Connection, plan_id: str, *, at: datetime | None, broken: set[str],
    include_new: bool, service_s: int, site_offset: str,
) -> Spec:  # fmt: skip
    at = at or datetime.now(UTC)
    with conn.transaction():
        parent = plan_store.get_plan(conn, plan_id)
        if parent is None:
            raise NotFound(f"no plan {plan_id!r}", code="plan_not_found")
        if parent["status"] != "approved":
            raise Conflict(f"plan {plan_id} is {parent['status']}; re-plan an approved plan",
                           code="plan_not_approved")  # fmt: skip
        stops = plan_store.stops(conn, parent["pk"])
        status = planning.statuses(conn, [s["shipment_id"] for s in stops if s["shipment_id"]])
        new_jobs = []
        if include_new:
            new_jobs = plan_service.spec_from_shipments(
                conn, parent["depot_id"], parent["plan_date"], site_offset, service_s
            )["jobs"]
    old = parent["spec"]
    epoch = epoch_of(old)
    at_s = max(0, int((at - epoch).total_seconds()))
    depot = next(d for d in old["depots"] if d["id"] == old.get("depot_id", old["depots"][0]["id"]))
    jobs_by_id = {j["id"]: j for j in old["jobs"]}
    routes: dict[str, list[dict[str, Any]]] = {}
    for stop in stops:
        routes.setdefault(stop["vehicle_id"], []).append(stop)

    depots = [d for d in old["depots"] if "@" not in d["id"]]
    vehicles, fixed, free, pinned = [], {}, [], []
    running_any = False
    for vehicle in old["vehicles"]:
        vid = vehicle["id"]
        route = routes.get(vid, [])
        last = max((i for i, s in enumerate(route) if _done(s, status, at)), default=-1)
        prefix = route[: last + 1]
        running = bool(prefix) or bool(route and route[0]["departure_at"] <= at)
        done_kinds = {(s["job_id"], s["kind"]) for s in prefix}
        remaining = {s["job_id"] for s in route[last + 1 :] if s["job_id"]}
        if prefix:
            fixed[vid] = [_stop_json(s) for s in prefix]
            here = {"lon": prefix[-1]["lon"], "lat": prefix[-1]["lat"]}
            ready = max(at_s, int((prefix[-1]["departure_at"] - epoch).total_seconds()))
        else:
            here = {"lon": depot["lon"], "lat": depot["lat"]}
            ready = max(at_s, vehicle["shift"][0])
        aboard = f"aboard:{vid}"
        for jid in remaining:
            job = copy.deepcopy(jobs_by_id[jid])
            on_board = running and (job.get("pickup") is None or (jid, "pickup") in done_kinds)
            if on_board and vid in broken:
                # Parcels move van to van at the roadside: a minute each, not a full stop.
                job["pickup"] = here | {"service_s": 60, "windows": []}
                free.append(job)
            elif on_board:
                job.pop("pickup", None)
                job["skills"] = [*job.get("skills", []), aboard]
                pinned.append(job)
            else:
                free.append(job)
        if vid in broken:
            continue
        running_any = running_any or running
        new = copy.deepcopy(vehicle)
        new["shift"] = [min(ready, vehicle["shift"][1]), vehicle["shift"][1]]
        if running:
            new["start_depot"] = f"{vid}@{at_s}"
            new["end_depot"] = vehicle.get("end_depot") or vehicle["start_depot"]
            new["skills"] = [*vehicle.get("skills", []), aboard]
            depots.append({"id": new["start_depot"], **here})
        elif "@" in new["start_depot"]:
            new["start_depot"] = depot["id"]
        vehicles.append(new)

    seen = {j["id"] for j in free + pinned} | {s["job_id"] for r in fixed.values() for s in r}
    left_out = [jobs_by_id[u["job_id"]] for u in (parent["summary"] or {}).get("unassigned", [])]
    for job in left_out + new_jobs:
        if job["id"] not in seen:
            seen.add(job["id"])
            free.append(copy.deepcopy(job))
    if running_any:
        for job in free:
            job.setdefault("pickup", None)
            if job["pickup"] is None:
                job["pickup"] = {"lon": depot["lon"], "lat": depot["lat"], "service_s": 0}
    for job in free:
        if job.get("pickup") is None:
            job.pop("pickup", None)
    return {
        "epoch": old["epoch"],
        "date": old.get("date"),
        "depot_id": depot["id"],
        "dimensions": old.get("dimensions", ["kg", "l"]),
        "depots": depots,
        "vehicles": vehicles,
        "jobs": pinned + free,
        "fixed": fixed,
        "replanned_at": at.isoformat(),
    }
