"""A small fleet of vans driving delivery loops out of a wholesale market in Hangzhou.

Each van is a real MQTT client with its own session and its own broker credentials,
provisioned through the device registry on first run and kept in `.run/sim.json`. Most
speak the native GPS JSON; every third one is a driver's phone running OwnTracks. Loops
follow a street grid (legs run north-south or east-west), vans dwell at their stops, and
fixes carry GPS noise.
"""

from __future__ import annotations

import logging
import math
import os
import random
import signal
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import orjson
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from core.db import connect
from core.errors import Conflict
from core.settings import Settings
from devices import broker
from devices import service as devices
from devices.models import DeviceKind
from gis.geodesy import bearing_deg, haversine_m, offset

log = logging.getLogger(__name__)

# Sijiqing garment market, Hangzhou: the demo's depot.
MARKET = (30.2605, 120.2002)
# Delivery districts around the city the loops visit (approximate centres).
DISTRICTS = [
    (30.2745, 120.1635),  # Wulin
    (30.2906, 120.1580),  # Gongshu
    (30.2470, 120.2120),  # Qianjiang New City
    (30.2955, 120.2140),  # Jianggan north
    (30.2290, 120.1850),  # Binjiang bridge side
    (30.2700, 120.1350),  # Xixi side
]


@dataclass
class Van:
    device_id: str
    owntracks: bool
    route: list[tuple[float, float]]
    speed_kmh: float
    leg: int = 0
    progress_m: float = 0.0
    dwell_left_s: float = 0.0
    rng: random.Random = field(default_factory=random.Random)

    @property
    def topic(self) -> str:
        if self.owntracks:
            return f"owntracks/{self.device_id}/phone"
        return f"waybill/v1/devices/{self.device_id}/telemetry"

    def step(self, dt_s: float) -> tuple[float, float, float, float]:
        """Advance dt_s seconds; returns lat, lon, speed in km/h, heading."""
        if self.dwell_left_s > 0:
            self.dwell_left_s -= dt_s
            lat, lon = self.route[self.leg]
            return lat, lon, 0.0, 0.0
        speed = max(5.0, self.rng.gauss(self.speed_kmh, 6.0))
        self.progress_m += speed / 3.6 * dt_s
        start, end = self.route[self.leg], self.route[(self.leg + 1) % len(self.route)]
        length = haversine_m(*start, *end)
        if self.progress_m >= length:
            self.leg = (self.leg + 1) % len(self.route)
            self.progress_m = 0.0
            if self.leg % 2 == 0:  # a delivery stop at every other corner
                self.dwell_left_s = self.rng.uniform(20, 90)
            return end[0], end[1], 0.0, bearing_deg(*start, *end)
        share = self.progress_m / length if length else 1.0
        lat = start[0] + (end[0] - start[0]) * share
        lon = start[1] + (end[1] - start[1]) * share
        return lat, lon, speed, bearing_deg(*start, *end)


def build_route(rng: random.Random) -> list[tuple[float, float]]:
    """Market -> two districts -> market, with L-shaped legs along the street grid."""
    stops = [MARKET, *rng.sample(DISTRICTS, 2), MARKET]
    route: list[tuple[float, float]] = []
    for (lat1, lon1), (lat2, _lon2) in zip(stops, stops[1:], strict=False):
        route.append((lat1, lon1))
        route.append((lat2, lon1))  # the corner: first north-south, then east-west
    return route[:-1] if route[-1] == route[0] else route


def make_fleet(count: int, seed: int = 7) -> list[Van]:
    rng = random.Random(seed)
    fleet = []
    for number in range(1, count + 1):
        owntracks = number % 3 == 0
        device_id = f"phone-{number:02d}" if owntracks else f"van-{number:02d}"
        fleet.append(
            Van(
                device_id,
                owntracks,
                build_route(rng),
                speed_kmh=rng.uniform(25, 40),
                leg=rng.randrange(4),
                rng=random.Random(rng.random()),
            )
        )
    return fleet


def payload(van: Van, when: datetime, lat: float, lon: float, speed: float, head: float) -> bytes:
    north, east = van.rng.gauss(0, 3.0), van.rng.gauss(0, 3.0)  # GPS noise, metres
    lat, lon = offset(lat, lon, north, east)
    if van.owntracks:
        return orjson.dumps(
            {
                "_type": "location",
                "tid": van.device_id[-2:],
                "tst": int(when.timestamp()),
                "lat": round(lat, 6),
                "lon": round(lon, 6),
                "vel": int(speed),
                "cog": int(head),
                "acc": int(3 + abs(north)),
            }
        )
    return orjson.dumps(
        {
            "ts": when.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "lat": round(lat, 7),
            "lon": round(lon, 7),
            "speed_kmh": round(speed, 1),
            "heading": round(head, 1),
            "acc_m": round(4 + math.hypot(north, east), 1),
        }
    )


def credentials(settings: Settings, fleet: list[Van], store: Path) -> dict[str, str]:
    """Each van's broker password: provisioned once, kept in `store`, rotated if lost."""
    saved: dict[str, str] = orjson.loads(store.read_bytes()) if store.exists() else {}
    control = broker.control_account(settings)
    with connect(settings.db.url) as conn:
        for van in fleet:
            if van.device_id in saved:
                continue
            try:
                result = devices.provision(
                    conn,
                    control,
                    device_id=van.device_id,
                    kind=DeviceKind.PHONE if van.owntracks else DeviceKind.GPS_UNIT,
                    format="owntracks" if van.owntracks else "native",
                    name=f"Van {van.device_id[-2:]}",
                    vehicle_id=f"VAN-{van.device_id[-2:]}",
                )
            except Conflict:  # registered earlier, password lost: issue a new one
                result = devices.rotate(conn, control, van.device_id)
            saved[van.device_id] = result.password
    store.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(store, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(orjson.dumps(saved))
    return saved


def connect_client(settings: Settings, van: Van, password: str) -> mqtt.Client:
    """Each van is its own MQTT client, logged in with its own credentials."""
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2, client_id=f"sim-{van.device_id}", protocol=mqtt.MQTTv5
    )
    client.username_pw_set(van.device_id, password)
    client.connect(settings.mqtt.host, settings.mqtt.port, keepalive=settings.mqtt.keepalive_s)
    client.loop_start()
    return client


def run(settings: Settings, *, vans: int, interval_s: float, duration_s: float) -> None:
    fleet = make_fleet(vans)
    passwords = credentials(settings, fleet, Path(settings.broker.state_dir).parent / "sim.json")
    clients = {van.device_id: connect_client(settings, van, passwords[van.device_id])
               for van in fleet}  # fmt: skip
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    log.info("simulating %d vans: %s", len(fleet), ", ".join(v.device_id for v in fleet))
    started = time.monotonic()
    try:
        while not stop.is_set():
            now = datetime.now(UTC)
            for van in fleet:
                lat, lon, speed, heading = van.step(interval_s)
                clients[van.device_id].publish(
                    van.topic, payload(van, now, lat, lon, speed, heading), qos=1
                )
            if duration_s and time.monotonic() - started >= duration_s:
                break
            stop.wait(interval_s)
    finally:
        for client in clients.values():
            client.disconnect()
            client.loop_stop()
