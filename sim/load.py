"""The load generator: `waybill sim --devices N --rate R`, native GPS fixes at a target rate.

N GPS units (`load-00001` ...), provisioned through the device registry like the market's
vans, each publishing as itself at QoS 1 with the benchmark's raw-socket client
(`bench/mqttwire.py`, cheap enough that the generator is not what is measured). The total
rate R is shared by the devices and spread over `processes` publisher processes; every
unit drives a circle around the market with real device times and a sequence number.
Prints one JSON line at the end: sent, acknowledged, seconds, achieved rate.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing as mp
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from bench.mqttwire import Wire
from core.settings import Settings
from devices.models import DeviceKind
from sim import provision, world

WINDOW = 1000  # QoS 1 messages in flight per connection
TICK_S = 0.01


def _publish(host: str, port: int, devices: list[tuple[str, str]], rate: float,
             duration_s: float, results: mp.Queue) -> None:  # fmt: skip
    """One publisher process: its devices in turn, paced to `rate` messages per second."""
    wires = [Wire(host, port, f"load-{d}", d, pw) for d, pw in devices]
    topics = [f"waybill/v1/devices/{d}/telemetry".encode() for d, _ in devices]
    lat0, lon0 = world.WAREHOUSES[0][2], world.WAREHOUSES[0][3]
    started = time.monotonic()
    sent, acked, inflight, ids = 0, 0, [0] * len(wires), [0] * len(wires)
    while True:
        elapsed = time.monotonic() - started
        if elapsed >= duration_s:
            break
        due = int(elapsed * rate) + 1 - sent
        now = datetime.now(UTC)
        for _ in range(max(0, due)):
            k = sent % len(wires)
            if inflight[k] >= WINDOW:
                break
            angle = (sent // len(wires)) * 0.01 + k
            body = orjson.dumps({
                "ts": (now + timedelta(microseconds=sent % 1000)).isoformat()[:26] + "Z",
                "lat": round(lat0 + 0.02 * math.sin(angle), 7),
                "lon": round(lon0 + 0.02 * math.cos(angle), 7),
                "speed_kmh": 30.0, "seq": sent // len(wires),
            })  # fmt: skip
            ids[k] = ids[k] % 65535 + 1
            wires[k].sock.sendall(Wire.publish_packet(topics[k], ids[k], body))
            inflight[k] += 1
            sent += 1
        for k, wire in enumerate(wires):
            wire.sock.settimeout(0.0005)
            with contextlib.suppress(TimeoutError, BlockingIOError):
                got = sum(1 for command, _ in wire.packets() if command >> 4 == 4)
                inflight[k] -= got
                acked += got
        time.sleep(TICK_S)
    for k, wire in enumerate(wires):  # what is still in flight
        wire.sock.settimeout(5)
        with contextlib.suppress(TimeoutError, OSError):
            while inflight[k] > 0:
                got = sum(1 for command, _ in wire.packets() if command >> 4 == 4)
                inflight[k] -= got
                acked += got
        wire.close()
    results.put((sent, acked))


def run(settings: Settings, *, devices: int, rate: float, duration_s: float,
        state: Path, processes: int = 2) -> dict[str, float]:  # fmt: skip
    specs = [
        provision.DeviceSpec(f"load-{n:05d}", DeviceKind.GPS_UNIT, "native", "load generator")
        for n in range(1, devices + 1)
    ]
    passwords = provision.passwords(settings, specs, state)
    pairs = [(s.device_id, passwords[s.device_id]) for s in specs]
    processes = max(1, min(processes, len(pairs)))
    results: mp.Queue = mp.Queue()
    procs = [
        mp.Process(
            target=_publish,
            args=(
                settings.mqtt.host,
                settings.mqtt.port,
                pairs[k::processes],
                rate / processes,
                duration_s,
                results,
            ),
        )  # fmt: skip
        for k in range(processes)
    ]
    began = time.monotonic()
    for p in procs:
        p.start()
    outcomes = [results.get() for _ in procs]
    for p in procs:
        p.join()
    seconds = time.monotonic() - began
    sent = sum(s for s, _ in outcomes)
    acked = sum(a for _, a in outcomes)
    summary = {"devices": devices, "target_rate": rate, "sent": sent, "acked": acked,
               "seconds": round(seconds, 2), "rate": round(sent / duration_s, 1)}  # fmt: skip
    print(orjson.dumps(summary).decode(), flush=True)
    return summary
