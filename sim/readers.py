"""The warehouses' RFID readers: tag reads of cartons passing, in the readers' own formats.

A packing station reads a carton's SSCC tag and its items' SGTIN tags for about a second
and a half; a dock door reads a pallet of cartons on its inside antenna first and its
outside one after (a carton leaving), with missed cycles and RSSI spread, so the read-point
smoothing of `waybill epcis project` sees a real pass (docs/epcis.md). Readers speak the
Zebra IoT Connector format (tag data events, batched as an array) or the Impinj IoT device
interface (`tagInventory` events, newline-delimited), each on its own telemetry topic as
itself. Reads are published as time goes, in half-second chunks stamped with the reader's
clock, so no read arrives older than the projection's settle delay.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

import orjson
import paho.mqtt.client as mqtt

from sim.world import Reader

CYCLE_S = 0.05  # one inventory round per antenna
CHUNK_S = 0.5
SITE_TZ = timezone(timedelta(hours=8))  # the readers' clocks are set to Hangzhou time


@dataclass(frozen=True, slots=True)
class Read:
    offset_s: float
    antenna: int
    epc_hex: str
    rssi_dbm: float


def packing_pass(carton: str, items: list[str], rng: random.Random, antenna: int = 1) -> list[Read]:
    """A carton and its items on a packing station's antenna for about 1.5 s."""
    reads = []
    for k in range(int(1.5 / CYCLE_S)):
        t = k * CYCLE_S
        for tag, miss in ((carton, 0.3), *((item, 0.5) for item in items)):
            if rng.random() > miss:
                reads.append(Read(t + rng.uniform(0, 0.01), antenna, tag, rng.uniform(-55, -42)))
    return reads


def dock_pass(cartons: list[str], rng: random.Random, outbound: bool = True) -> list[Read]:
    """A pallet through a dock door: inside antenna, then both, then outside (if outbound)."""
    first, second = (1, 2) if outbound else (2, 1)
    reads = []
    for k in range(int(2.4 / CYCLE_S)):
        t = k * CYCLE_S
        zones = [first] if t < 1.0 else [first, second] if t < 1.4 else [second]
        for antenna in zones:
            for tag in cartons:
                if rng.random() > 0.35:
                    reads.append(Read(t + rng.uniform(0, 0.01), antenna, tag,
                                      rng.uniform(-60, -44)))  # fmt: skip
    return reads


def _zebra(reads: list[tuple[datetime, Read]], counter: list[int]) -> bytes:
    events = []
    for when, read in reads:
        counter[0] += 1
        stamp = when.astimezone(SITE_TZ).isoformat(timespec="milliseconds")
        events.append({
            "type": "PORTAL",
            "timestamp": stamp[:-3] + stamp[-2:],  # ZIOTC writes +0800, not +08:00
            "data": {"idHex": read.epc_hex.lower(), "eventNum": counter[0], "format": "epc",
                     "antenna": read.antenna, "peakRssi": round(read.rssi_dbm), "reads": 1},
        })  # fmt: skip
    return orjson.dumps(events)


def _impinj(reads: list[tuple[datetime, Read]], hostname: str) -> bytes:
    lines = []
    for when, read in reads:
        seen = when.isoformat(timespec="microseconds").replace("+00:00", "Z")
        lines.append(orjson.dumps({
            "timestamp": seen, "hostname": hostname, "eventType": "tagInventory",
            "tagInventoryEvent": {"epcHex": read.epc_hex.upper(), "antennaPort": read.antenna,
                                  "peakRssiCdbm": int(read.rssi_dbm * 100),
                                  "lastSeenTime": seen},
        }))  # fmt: skip
    return b"\n".join(lines)


class ReaderDevice:
    """One reader on the broker; `play` sends a pass's reads as they happen."""

    def __init__(self, reader: Reader, client: mqtt.Client) -> None:
        self.reader = reader
        self.client = client
        self.topic = f"waybill/v1/devices/{reader.device_id}/telemetry"
        self._counter = [0]
        self._lock = threading.Lock()
        self.published = 0

    def encode(self, reads: list[tuple[datetime, Read]]) -> bytes:
        if self.reader.format == "zebra":
            return _zebra(reads, self._counter)
        return _impinj(reads, self.reader.device_id)

    def play(self, reads: list[Read], stop: threading.Event | None = None) -> None:
        """Publish `reads` from now on, chunk by chunk, each chunk once its time has come."""
        with self._lock:
            start, began = datetime.now(UTC), time.monotonic()
            pending = sorted(reads, key=lambda r: r.offset_s)
            edge = CHUNK_S
            while pending:
                chunk = [r for r in pending if r.offset_s < edge]
                pending = pending[len(chunk) :]
                wait = began + min(edge, chunk[-1].offset_s if chunk else edge) - time.monotonic()
                if wait > 0:
                    (stop or threading.Event()).wait(wait)
                if chunk:
                    stamped = [(start + timedelta(seconds=r.offset_s), r) for r in chunk]
                    self.client.publish(self.topic, self.encode(stamped), qos=1)
                    self.published += len(chunk)
                edge += CHUNK_S
