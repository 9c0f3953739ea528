"""The warehouse staff and the dispatcher, through the API with the dispatcher account.

Set-up: each warehouse as a depot (`PUT /v1/depots/{id}`) with a warehouse geofence, each
van in the fleet with its GPS unit (`PUT /v1/fleet/{vehicle_id}`). Packing: each shipment's
goods go into cartons, each registered with the tags of its units
(`POST /v1/shipments/{id}/packages`), which answers the carton's SSCC to write to its tag.
Planning: a depot's day is planned (`POST /v1/plans`), watched until solved and approved
(`POST /v1/plans/{id}/approve`), which sends each van its route over MQTT.
"""

from __future__ import annotations

import logging
import math
import random
import threading
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

from sim.api_client import Api, ApiError
from sim.mall import Placed
from sim.world import World, sgtin_hex

log = logging.getLogger(__name__)
FENCE_RADIUS_M = 150
UNITS_PER_CARTON = 40
TAGS_PER_CARTON = 3  # units whose tags the packing station reads (the rest are shielded)
MAX_SHIFT_S = 90 * 60  # a van's round: a few doors, then back for the next wave


@dataclass(frozen=True, slots=True)
class Carton:
    shipment_id: str
    sscc_hex: str
    item_hexes: tuple[str, ...]


class Dispatcher:
    def __init__(self, api: Api, world: World, *, plan_params: dict[str, Any],
                 serial_base: int, seed: int = 5) -> None:  # fmt: skip
        self.api = api
        self.world = world
        self.plan_params = plan_params
        self.rng = random.Random(seed)
        self._serial = serial_base
        self._lock = threading.Lock()
        self.cartons: dict[str, list[Carton]] = {}  # by shipment
        self.plans: list[str] = []

    def set_up(self) -> None:
        for w in self.world.warehouses:
            point = {"type": "Point", "coordinates": [w.lon, w.lat]}
            self.api.put(f"/v1/depots/{w.depot_id}", {"name": w.name, "location": point})
            fence = {
                "fence_id": f"fence-{w.depot_id}", "name": w.name, "kind": "warehouse",
                "depot_id": w.depot_id,
                "geometry": {"type": "Feature", "geometry": point,
                             "properties": {"radius_m": FENCE_RADIUS_M}},
            }  # fmt: skip
            try:
                self.api.post("/v1/geofences", fence)
            except ApiError as exc:
                if exc.status != 409:
                    raise
                self.api.put(f"/v1/geofences/{fence['fence_id']}", fence)
        for van in self.world.vans:
            self.api.put(
                f"/v1/fleet/{van.vehicle_id}",
                {"depot_id": van.depot_id, "capacity_kg": van.capacity_kg,
                 "capacity_l": van.capacity_l, "shift_start": "00:00", "shift_end": "23:59:59",
                 "max_shift_s": MAX_SHIFT_S, "device_id": van.device_id, "fixed_cost": 50,
                 "cost_per_km": 1.5, "cost_per_hour": 30},
            )  # fmt: skip
        log.info("depots, geofences and %d vans registered", len(self.world.vans))

    def _listed(self, status: str) -> list[dict[str, Any]]:
        """Shipments of this market's warehouses in `status` that are on a route."""
        depots = {w.depot_id for w in self.world.warehouses}
        out, params = [], {"status": status, "limit": 500}
        while True:
            page = self.api.get("/v1/shipments", params=params)
            out += [s for s in page["items"] if s["depot_id"] in depots and s["route_id"]]
            if not page["next_cursor"]:
                return out
            params["cursor"] = page["next_cursor"]

    def tidy_up(self) -> None:
        """Close what a run stopped half-way left behind: orders planned but never loaded are
        cancelled, shipments left on a van that stopped driving are failed deliveries."""
        left = 0
        for status in ("created", "packed"):
            for s in self._listed(status):
                try:
                    self.api.post(f"/v1/orders/{s['mall_order_id']}/cancel",
                                  {"reason": "planned for a round that never left"})  # fmt: skip
                except ApiError as exc:
                    if exc.status != 409:  # another of its shipments is on its way
                        raise
                left += 1
        for status in ("in_transit", "out_for_delivery", "arriving"):
            for s in self._listed(status):
                try:
                    self.api.post(f"/v1/shipments/{s['shipment_id']}/events",
                                  {"status": "delivery_failed",
                                   "reason": "the van's round was interrupted"})  # fmt: skip
                except ApiError as exc:
                    if exc.status != 409:
                        raise
                left += 1
        if left:
            log.info("closed %d shipments left over from an interrupted run", left)

    def _serials(self, count: int) -> range:
        with self._lock:
            first = self._serial
            self._serial += count
        return range(first, first + count)

    def pack(self, placed: Placed) -> list[Carton]:
        """Cartons for each of the order's shipments, registered with their units' tags."""
        out = []
        units = [(line.product, n) for line in placed.lines for n in range(line.quantity)]
        for shipment_id in placed.shipment_ids:
            count = max(1, min(3, math.ceil(len(units) / UNITS_PER_CARTON)))
            for k in range(count):
                share = units[k::count]
                tagged = share[:TAGS_PER_CARTON]
                serials = self._serials(len(tagged))
                tags = [sgtin_hex(p, s) for (p, _), s in zip(tagged, serials, strict=True)]
                weight = round(sum(p.unit_kg for p, _ in share) + 0.4, 2)  # and the box
                label = self.api.post(f"/v1/shipments/{shipment_id}/packages",
                                      {"epcs": tags, "weight_kg": weight})  # fmt: skip
                out.append(Carton(shipment_id, label["hex"], tuple(tags)))
            self.cartons[shipment_id] = [c for c in out if c.shipment_id == shipment_id]
        return out

    def plan(self, depot_id: str, day: date, stop: threading.Event,
             timeout_s: float = 300.0) -> dict[str, Any] | None:  # fmt: skip
        """Plan the depot's day, wait for the solver, approve; the plan, or None."""
        try:
            queued = self.api.post("/v1/plans", {"depot_id": depot_id, "date": day.isoformat(),
                                                 "params": self.plan_params})  # fmt: skip
        except ApiError as exc:
            log.warning("no plan for %s: %s", depot_id, exc)
            return None
        plan_id = queued["plan_id"]
        deadline = time.monotonic() + timeout_s
        while not stop.wait(0.5):
            plan = self.api.get(f"/v1/plans/{plan_id}")
            if plan["status"] not in ("queued", "running"):
                break
            if time.monotonic() > deadline:
                log.warning("plan %s not solved in %.0f s; cancelled", plan_id, timeout_s)
                self.api.post(f"/v1/plans/{plan_id}/cancel")
                return None
        else:
            return None
        if plan["status"] != "succeeded" or not plan["routes"]:
            log.warning("plan %s: %s, %d routes", plan_id, plan["status"], len(plan["routes"]))
            return None
        approved = self.api.post(f"/v1/plans/{plan_id}/approve")
        self.plans.append(plan_id)
        log.info(
            "plan %s approved: %d jobs, %d routes, %.1f km, %d left out; routes sent to %s",
            plan_id, plan["jobs"], len(plan["routes"]), (plan["totals"]["distance_m"] or 0) / 1000,
            len(plan["unassigned"]), ", ".join(approved["dispatched"]) or "no van",
        )  # fmt: skip
        return plan
