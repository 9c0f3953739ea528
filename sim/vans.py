"""A delivery van: its GPS unit (or the driver's phone) and the driver working the route.

Each van is a thread with its own MQTT client. Parked at its warehouse it reports now and
then; when its route arrives on the retained downlink (`waybill/v1/devices/{id}/route`,
sent when a dispatcher approves a plan) the driver waits for the cartons to be loaded,
drives stop by stop along street paths (`sim/paths.py`), spends the service time at each
door, confirms the delivery through the driver app (`sim/driver.py`) — a few fail — and
comes back. Fixes carry GPS noise and real UTC times; the simulation runs `speed` times
faster than the clock, so a van covers `speed` seconds of road per second.

Coverage gaps: a native GPS unit that loses the network keeps its fixes and sends them
late in one `{"points": [...]}` store-and-forward flush; a phone sends its queued
OwnTracks messages one by one when it is back.
"""

from __future__ import annotations

import logging
import math
import queue
import random
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import orjson
import paho.mqtt.client as mqtt

from gis.geodesy import offset
from sim.paths import Mover, Point, street_path
from sim.world import Van

log = logging.getLogger(__name__)
PARKED_EVERY = 5  # a parked van reports every fifth interval
FAILURES = ("recipient absent", "shop closed", "refused: wrong goods", "address not found")


class Driver(Protocol):
    def wait_loaded(self, van: Van, shipment_ids: list[str], stop: threading.Event) -> None: ...
    def confirm(self, van: Van, shipment_id: str, where: Point, failed: str | None) -> None: ...


@dataclass(frozen=True, slots=True)
class Fix:
    when: datetime
    lat: float
    lon: float
    speed_kmh: float
    heading: float
    acc_m: float


class VanDevice:
    def __init__(self, van: Van, home: Point, client_factory: Any, driver: Driver, *,
                 speed: float, interval_s: float, fail_rate: float, dropout_rate: float,
                 not_before: datetime, seed: int) -> None:  # fmt: skip
        self.van = van
        self.home = home
        self.where: Point = home
        self.driver = driver
        self.speed = speed
        self.interval_s = interval_s
        self.fail_rate = fail_rate
        self.dropout_rate = dropout_rate
        self.not_before = not_before
        self.rng = random.Random(seed)
        self.routes: queue.Queue[dict[str, Any]] = queue.Queue()
        self.idle = threading.Event()
        self.idle.set()
        self.fixes = 0
        self.delivered = 0
        self.failed = 0
        self._seq = 0
        self._battery = self.rng.uniform(60, 100)
        self._buffer: list[Fix] = []
        self._gap_s = 0.0  # sim seconds of coverage gap left
        self.topic = (
            f"owntracks/{van.device_id}/phone"
            if van.owntracks
            else f"waybill/v1/devices/{van.device_id}/telemetry"
        )
        self.client: mqtt.Client = client_factory(
            on_message=self._on_route, subscribe=f"waybill/v1/devices/{van.device_id}/route"
        )

    # -- the downlink ---------------------------------------------------------------

    def _on_route(self, message: mqtt.MQTTMessage) -> None:
        try:
            route = orjson.loads(message.payload)
            issued = datetime.fromisoformat(route["issued_at"])
        except (ValueError, KeyError, TypeError):
            log.warning("%s: unreadable route message ignored", self.van.device_id)
            return
        if issued < self.not_before:  # the retained route of an earlier run
            return
        self.idle.clear()
        self.routes.put(route)

    # -- publishing -----------------------------------------------------------------

    def _payload(self, fix: Fix) -> bytes:
        if self.van.owntracks:
            self._battery = max(5.0, self._battery - 0.01)
            return orjson.dumps({
                "_type": "location", "tid": self.van.device_id[-2:],
                "tst": int(fix.when.timestamp()), "lat": round(fix.lat, 6),
                "lon": round(fix.lon, 6), "vel": int(fix.speed_kmh), "cog": int(fix.heading),
                "acc": int(fix.acc_m), "batt": int(self._battery), "conn": "m",
            })  # fmt: skip
        return orjson.dumps(self._native(fix))

    def _native(self, fix: Fix) -> dict[str, Any]:
        self._seq += 1
        return {
            "ts": fix.when.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "lat": round(fix.lat, 7), "lon": round(fix.lon, 7),
            "speed_kmh": round(fix.speed_kmh, 1), "heading": round(fix.heading, 1),
            "acc_m": round(fix.acc_m, 1), "seq": self._seq,
        }  # fmt: skip

    def report(
        self, lat: float, lon: float, speed_kmh: float, heading: float, sim_dt: float
    ) -> None:
        north, east = self.rng.gauss(0, 4.0), self.rng.gauss(0, 4.0)  # GPS noise, metres
        lat, lon = offset(lat, lon, north, east)
        fix = Fix(datetime.now(UTC), lat, lon, speed_kmh, heading, 4 + math.hypot(north, east))
        self.fixes += 1
        if self._gap_s <= 0 and speed_kmh > 0 and self.rng.random() < self.dropout_rate:
            self._gap_s = self.rng.uniform(120, 480)  # an underpass, a dead zone
        if self._gap_s > 0:
            self._gap_s -= sim_dt
            self._buffer.append(fix)
            if self._gap_s > 0:
                return
            self.flush()
            return
        self.client.publish(self.topic, self._payload(fix), qos=1)

    def flush(self) -> None:
        """Back in coverage: what was kept goes out late."""
        kept, self._buffer = self._buffer, []
        if not kept:
            return
        if self.van.owntracks:
            for fix in kept:
                self.client.publish(self.topic, self._payload(fix), qos=1)
        else:
            points = [self._native(fix) for fix in kept]
            self.client.publish(self.topic, orjson.dumps({"points": points}), qos=1)

    # -- the day --------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        parked = 0
        while not stop.is_set():
            try:
                route = self.routes.get(timeout=self.interval_s)
            except queue.Empty:
                parked += 1
                if parked % PARKED_EVERY == 1:
                    self.report(*self.where, 0.0, 0.0, self.interval_s * self.speed)
                continue
            while not self.routes.empty():  # a newer route replaces one not started
                route = self.routes.get_nowait()
            try:
                self.drive(route, stop)
            except Exception:
                if stop.is_set():
                    return
                log.exception("%s: route %s abandoned", self.van.device_id, route.get("route_id"))
            self.flush()
            if self.routes.empty():
                self.idle.set()

    def drive(self, route: dict[str, Any], stop: threading.Event) -> None:
        stops = [s for s in route["stops"] if s["kind"] in ("delivery", "pickup", "end")]
        shipments = [s["shipment_id"] for s in stops if s.get("shipment_id")]
        log.info("%s: route %s with %d stops", self.van.device_id, route["route_id"], len(stops))
        self.driver.wait_loaded(self.van, shipments, stop)
        for s in stops:
            target = (s["lat"], s["lon"])
            if not self.go(target, stop):
                return
            if s["kind"] == "end":
                break
            self.dwell(self.rng.uniform(180, 420), stop)
            if s.get("shipment_id") and s["kind"] == "delivery":
                failed = None
                if self.rng.random() < self.fail_rate:
                    failed = self.rng.choice(FAILURES)
                self.driver.confirm(self.van, s["shipment_id"], self.where, failed)
                if failed:
                    self.failed += 1
                else:
                    self.delivered += 1
        self.go(self.home, stop)

    def go(self, target: Point, stop: threading.Event) -> bool:
        mover = Mover(street_path(self.where, target, self.rng), self.rng.uniform(24, 38), self.rng)
        while not mover.done:
            if stop.wait(self.interval_s):
                return False
            lat, lon, kmh, heading = mover.advance(self.interval_s * self.speed)
            self.where = (lat, lon)
            self.report(lat, lon, kmh, heading, self.interval_s * self.speed)
        self.where = target
        return True

    def dwell(self, sim_s: float, stop: threading.Event) -> None:
        left = sim_s
        while left > 0 and not stop.wait(self.interval_s):
            left -= self.interval_s * self.speed
            self.report(*self.where, 0.0, 0.0, self.interval_s * self.speed)
