"""The demo market: whole delivery days through the real broker and the real API.

Per warehouse, a day is a sequence of waves. In each, the mall sends orders
(`sim/mall.py`); the staff pack each shipment into SSCC-labelled cartons and the packing
station's reader reads them (`sim/dispatcher.py`, `sim/readers.py`); the dispatcher plans
the warehouse's day and approves it, which sends each van its route over MQTT; the cartons
of each route pass the dock door on their way into the van; the vans drive their routes
and the drivers confirm deliveries (`sim/vans.py`, `sim/driver.py`). A new wave starts when
the warehouse's vans are all back. The layout is `sim/world.py`; devices are provisioned
and connected by `sim/provision.py`.

Everything goes through the product's own doors: devices publish as themselves, the mall
uses its API key, the dispatcher logs in. Nothing here writes the database except the
device registry's provisioning, which is how devices get their broker credentials.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import orjson

from core.settings import Settings
from devices.models import DeviceKind
from sim import provision, world
from sim.api_client import Api, load_credentials
from sim.dispatcher import Carton, Dispatcher
from sim.driver import DriverApp
from sim.mall import Mall, delivery_window
from sim.mall_webhooks import MallWebhooks
from sim.readers import ReaderDevice, dock_pass, packing_pass
from sim.vans import VanDevice

log = logging.getLogger(__name__)
CARTON_GAP_S = 4.0  # between two cartons at a packing station: each its own pass
REPORT_EVERY_S = 60.0


@dataclass
class Options:
    credentials: Path = Path(".run/sim-credentials.json")
    state: Path = Path(".run/sim.json")
    vans: int = 20
    warehouses: int = 3
    speed: float = 10.0
    interval_s: float = 2.0
    orders: int = 0  # per warehouse and wave; 0: three per van of the warehouse
    waves: int = 0  # per warehouse; 0: until stopped
    duration_s: float = 0.0
    fail_rate: float = 0.05
    dropout_rate: float = 0.01
    plan_time_limit_s: float = 5.0
    plan_iterations: int | None = None
    load_wait_s: float = 30.0
    prefix: str = ""
    seed: int = 7
    summary: Path | None = None


@dataclass
class Counts:
    orders: int = 0
    shipments: int = 0
    cartons: int = 0
    plans: int = 0
    routes: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, **amounts: int) -> None:
        with self.lock:
            for name, amount in amounts.items():
                setattr(self, name, getattr(self, name) + amount)


class Market:
    def __init__(self, settings: Settings, options: Options) -> None:
        self.settings = settings
        self.o = options
        self.stop = threading.Event()
        self.counts = Counts()
        self.world = world.build(vans=options.vans, warehouses=options.warehouses,
                                 prefix=options.prefix, seed=options.seed)  # fmt: skip
        creds = load_credentials(options.credentials)
        self.mall_api = Api(creds.api, token=creds.integration_key)
        self.staff_api = Api.of(creds.api, creds.dispatcher)
        run_id = uuid.uuid4().hex[:6]
        self.mall = Mall(self.mall_api, self.world, run_id, seed=options.seed + 1)
        params: dict[str, Any] = {"time_limit_s": options.plan_time_limit_s,
                                  "seed": options.seed}  # fmt: skip
        if options.plan_iterations:
            params["iteration_limit"] = options.plan_iterations
        # tag serials of this run: tenths of a second since the epoch, times 256, stay unique
        # across runs and below SGTIN-96's 2^38
        serials = (int(time.time() * 10) % (1 << 29)) * 256
        self.dispatcher = Dispatcher(self.staff_api, self.world, plan_params=params,
                                     serial_base=serials, seed=options.seed + 2)  # fmt: skip
        self.driver = DriverApp(self.staff_api, load_wait_s=options.load_wait_s,
                                read_at_dock=self.dispatcher.cartons.__contains__)  # fmt: skip
        self.hooks: MallWebhooks | None = None
        if creds.mall_webhooks:
            host, _, port = creds.mall_webhooks["listen"].rpartition(":")
            self.hooks = MallWebhooks(host, int(port), creds.mall_webhooks["secret"])
        self.readers: dict[str, ReaderDevice] = {}
        self.vans: dict[str, VanDevice] = {}
        self._clients: list[Any] = []

    # -- set-up ---------------------------------------------------------------------

    def _specs(self) -> list[provision.DeviceSpec]:
        specs = [
            provision.DeviceSpec(
                v.device_id, v.kind, v.format, f"Van {v.vehicle_id[-2:]}", v.vehicle_id
            )  # fmt: skip
            for v in self.world.vans
        ]
        for w in self.world.warehouses:
            for r in (w.dock, w.packing):
                name = f"{w.name}: {'dock door' if r.role == 'dock' else 'packing station'}"
                specs.append(provision.DeviceSpec(r.device_id, DeviceKind.RFID_READER, r.format,
                                                  name, antennas=r.antennas))  # fmt: skip
        return specs

    def _connect(self, device_id: str, password: str, **kwargs: Any) -> Any:
        c = provision.client(self.settings, device_id, password, **kwargs)
        self._clients.append(c)
        return c

    def set_up(self) -> None:
        if self.hooks:
            self.hooks.start()
        passwords = provision.passwords(self.settings, self._specs(), self.o.state)
        self.dispatcher.set_up()
        self.dispatcher.tidy_up()
        for reader in self.world.readers():
            c = self._connect(reader.device_id, passwords[reader.device_id])
            self.readers[reader.device_id] = ReaderDevice(reader, c)
        started = datetime.now(UTC)
        for n, van in enumerate(self.world.vans):
            home = self.world.warehouse(van.depot_id)
            factory: Callable[..., Any] = partial(self._connect, van.device_id,
                                                  passwords[van.device_id])  # fmt: skip
            self.vans[van.device_id] = VanDevice(
                van, (home.lat, home.lon), factory, self.driver, speed=self.o.speed,
                interval_s=self.o.interval_s, fail_rate=self.o.fail_rate,
                dropout_rate=self.o.dropout_rate, not_before=started, seed=self.o.seed * 100 + n,
            )  # fmt: skip

    # -- a warehouse's waves ----------------------------------------------------------

    def _vans_of(self, depot_id: str) -> list[VanDevice]:
        return [v for v in self.vans.values() if v.van.depot_id == depot_id]

    def wave(self, w: world.Warehouse) -> None:
        vans = self._vans_of(w.depot_id)
        count = self.o.orders or 3 * len(vans)
        placed = [self.mall.place(w.depot_id) for _ in range(count)]
        shipments = sum(len(p.shipment_ids) for p in placed)
        self.counts.add(orders=len(placed), shipments=shipments)
        log.info("%s: the mall sent %d orders (%d shipments)", w.depot_id, len(placed), shipments)
        cartons = [c for order in placed for c in self.dispatcher.pack(order)]
        self.counts.add(cartons=len(cartons))
        if not self.pack(w, cartons):
            return
        now = datetime.now(UTC)
        day = (delivery_window(now, self.mall.tz)[0] + self.mall.tz).date()
        plan = self.dispatcher.plan(w.depot_id, day, self.stop)
        if plan is None:
            return
        self.counts.add(plans=1, routes=len(plan["routes"]))
        self.load(w, plan)
        # the routes are on their way to the vans; a van is busy once it has its route
        routed = [
            self.vans[r["device_id"]] for r in plan["routes"] if r.get("device_id") in self.vans
        ]
        deadline = time.monotonic() + 15
        while any(v.idle.is_set() for v in routed) and time.monotonic() < deadline:
            if self.stop.wait(0.2):
                return

    def pack(self, w: world.Warehouse, cartons: list[Carton]) -> bool:
        """The packing stations read the cartons, one per station at a time; False: stopped."""
        packing = self.readers[w.packing.device_id]
        stations = [a.antenna for a in w.packing.antennas]
        for k in range(0, len(cartons), len(stations)):
            reads = [
                read
                for carton, antenna in zip(cartons[k:], stations, strict=False)
                for read in packing_pass(
                    carton.sscc_hex, list(carton.item_hexes), self.dispatcher.rng, antenna
                )
            ]
            packing.play(reads, self.stop)
            if self.stop.wait(CARTON_GAP_S - 1.5):
                return False
        return True

    def load(self, w: world.Warehouse, plan: dict[str, Any]) -> None:
        """Each route's cartons pass the dock door outwards, one pallet per van."""
        dock = self.readers[w.dock.device_id]
        for route in plan["routes"]:
            ids = sorted({s["shipment_id"] for s in route["stops"] if s.get("shipment_id")})
            pallet = [c.sscc_hex for i in ids for c in self.dispatcher.cartons.get(i, [])]
            if pallet and not self.stop.is_set():
                dock.play(dock_pass(pallet, self.dispatcher.rng), self.stop)

    def warehouse_loop(self, w: world.Warehouse) -> None:
        done = 0
        while not self.stop.is_set() and (not self.o.waves or done < self.o.waves):
            while not all(v.idle.is_set() for v in self._vans_of(w.depot_id)):
                if self.stop.wait(1.0):
                    return
            try:
                self.wave(w)
            except Exception:
                if self.stop.is_set():
                    return
                log.exception("%s: the wave failed; the next one starts in a minute", w.depot_id)
                self.stop.wait(60)
            done += 1
        while not all(v.idle.is_set() for v in self._vans_of(w.depot_id)):
            if self.stop.wait(1.0):
                return

    # -- running --------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        self.set_up()
        threads = [threading.Thread(target=v.run, args=(self.stop,), name=v.van.device_id,
                                    daemon=True) for v in self.vans.values()]  # fmt: skip
        houses = [threading.Thread(target=self.warehouse_loop, args=(w,), name=w.depot_id,
                                   daemon=True) for w in self.world.warehouses]  # fmt: skip
        for t in threads + houses:
            t.start()
        log.info(
            "the market is open: %d warehouses, %d vans (%s), speed x%g",
            len(self.world.warehouses), len(self.vans), ", ".join(self.vans), self.o.speed,
        )  # fmt: skip
        started = time.monotonic()
        next_report = started + REPORT_EVERY_S
        try:
            while not self.stop.is_set():
                if self.o.duration_s and time.monotonic() - started >= self.o.duration_s:
                    break
                if self.o.waves and not any(t.is_alive() for t in houses):
                    break
                if self.stop.wait(0.5) is False and time.monotonic() >= next_report:
                    next_report = time.monotonic() + REPORT_EVERY_S
                    log.info("so far: %s", self.progress())
        finally:
            self.stop.set()
            self.mall_api.stopping()
            self.staff_api.stopping()
            for t in threads + houses:
                t.join(10)
            provision.close(self._clients)
            if self.hooks:
                self.hooks.stop()
            self.mall_api.close()
            self.staff_api.close()
        summary = self.summary()
        log.info("summary: %s", summary)
        if self.o.summary:
            self.o.summary.write_bytes(orjson.dumps(summary))
        return summary

    def progress(self) -> str:
        s = self.summary()
        moving = sum(not v.idle.is_set() for v in self.vans.values())
        return (
            f"{s['orders']} orders, {s['cartons']} cartons packed, {s['plans']} plans approved, "
            f"{moving} of {len(self.vans)} vans out, {s['delivered']} delivered, "
            f"{s['delivery_failed']} failed"
            + (f"; the mall heard {sum(self.hooks.events.values())} webhooks" if self.hooks else "")
        )

    def summary(self) -> dict[str, Any]:
        c = self.counts
        return {
            "orders": c.orders, "shipments": c.shipments, "cartons": c.cartons,
            "plans": c.plans, "routes": c.routes, "plan_ids": self.dispatcher.plans,
            "tag_reads_published": sum(r.published for r in self.readers.values()),
            "fixes": sum(v.fixes for v in self.vans.values()),
            "delivered": self.driver.confirmed, "delivery_failed": self.driver.failed,
            "confirm_errors": self.driver.errors,
            "shipment_ids": sorted(self.dispatcher.cartons),
            "webhooks": self.hooks.summary() if self.hooks else None,
        }  # fmt: skip


def run(settings: Settings, options: Options) -> dict[str, Any]:
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request drowns the story
    market = Market(settings, options)
    signal.signal(signal.SIGTERM, lambda *_: market.stop.set())
    signal.signal(signal.SIGINT, lambda *_: market.stop.set())
    return market.run()
