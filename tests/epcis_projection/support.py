"""Readers with antennas, committed, and their simulated reads written into tag_reads the
way ingest writes them (`ingest.store.write_batch`). Unique ids per test; times near now,
so the reads land in existing partitions."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg

import epc
from devices import service as devices
from devices.models import Antenna, AntennaRole, Device, DeviceKind
from ingest import records
from ingest.store import Batch, write_batch
from tests.smoothing.dockdoor import START
from tracking.readpoints.smoother import TagRead


@dataclass(frozen=True)
class Site:
    read_point: str
    biz_location: str


def site(uid: str) -> Site:
    """A read point and location of this test only (SGLN extensions may be alphanumeric)."""
    return Site(f"urn:epc:id:sgln:0614141.00777.{uid}", f"urn:epc:id:sgln:0614141.00777.0{uid}")


def unique_sscc(rng: random.Random) -> str:
    return f"urn:epc:id:sscc:0614141.{rng.randrange(10**9, 10**10)}"


def unique_sgtin(rng: random.Random) -> str:
    return f"urn:epc:id:sgtin:0614141.812345.{rng.randrange(10**11, 10**12)}"


def dock_reader(url: str, device_id: str, where: Site) -> Device:
    antennas = [
        Antenna(1, where.read_point, AntennaRole.DOCK_INSIDE, where.biz_location),
        Antenna(2, where.read_point, AntennaRole.DOCK_OUTSIDE, where.biz_location),
    ]
    return _register(url, device_id, antennas)


def packing_reader(url: str, device_id: str, where: Site) -> Device:
    return _register(
        url,
        device_id,
        [Antenna(3, where.read_point, AntennaRole.PACKING_STATION, where.biz_location)],
    )


def _register(url: str, device_id: str, antennas: list[Antenna]) -> Device:
    with psycopg.connect(url) as conn:
        return devices.register(
            conn,
            device_id=device_id,
            kind=DeviceKind.RFID_READER,
            format="native",
            antennas=antennas,
        )


def shifted(reads: Sequence[TagRead], base: datetime) -> list[TagRead]:
    """The simulation's reads moved to start at `base`."""
    return [
        TagRead(r.reader_id, r.antenna, r.epc, base + (r.read_time - START), r.rssi_dbm)
        for r in reads
    ]


def hex_of(uri: str) -> str:
    return uri.removeprefix("raw:") if uri.startswith("raw:") else epc.encode_uri(uri)


def write_reads(url: str, device_pk: int, reads: Sequence[TagRead]) -> int:
    """Commit the reads through ingest's writer; returns how many rows were new."""
    received = datetime.now(UTC)
    batch = Batch(
        tag_reads=[
            (
                device_pk,
                received,
                records.TagRead(r.read_time, hex_of(r.epc), r.antenna, r.rssi_dbm),
            )
            for r in reads
        ]
    )
    with psycopg.connect(url) as conn:
        written = write_batch(conn, batch)
    return written.tag_reads_inserted


def recent_base() -> datetime:
    """Ten minutes ago, to the millisecond: every read is past the settle delay."""
    now = datetime.now(UTC) - timedelta(minutes=10)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def events_at(url: str, read_point: str) -> list[dict]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT json FROM epcis_events WHERE read_point = %s ORDER BY event_time, pk",
            (read_point,),
        ).fetchall()
    return [row[0] for row in rows]
