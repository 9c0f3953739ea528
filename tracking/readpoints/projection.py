"""The read-point projection: committed tag reads in, EPCIS business events out.

Per reader, in read-time order: each read goes to the read point of its antenna (see
`readpoints.config`), through that read point's smoother; every departure becomes an
ObjectEvent OBSERVE (its bizStep from the read point and the direction), and at packing
stations cartons leaving with items become AggregationEvents ADD (`readpoints.packing`).
Tags are named by their pure identity URI, or their EPC Raw URI when undecodable.

Progress: one `readpoint_progress` row per reader, claimed with FOR UPDATE SKIP LOCKED,
holds the read-time watermark and the smoothers' open sessions. A step reads the reader's
reads after the watermark up to `now - settle_s` (so reads still being committed are not
skipped), writes the events and the new watermark and state in one transaction. Replays
and concurrent runners change nothing: a claimed reader is skipped, and events are stored
once per content hash. A read that commits with a read time already behind the watermark
(older than the settle delay) is not projected.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import psycopg

import epc
from core.settings import EpcisSettings
from devices import service as devices
from devices.models import DeviceDetail, DeviceKind
from tracking.epcis import store as events_store
from tracking.epcis.builders import aggregation_add_event, object_observe_event
from tracking.epcis.models import EpcisEvent
from tracking.readpoints import store
from tracking.readpoints.config import ReadPointConfig, ReadPointKind, context, read_points
from tracking.readpoints.packing import PackingGrouper
from tracking.readpoints.smoother import Departed, Direction, ReadPointSmoother, TagRead

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Projected:
    events: list[EpcisEvent]
    state: dict[str, Any]


def epc_uri(raw: bytes, cache: dict[bytes, str]) -> str:
    """The tag's pure identity URI, or its raw URI when the EPC cannot be decoded."""
    uri = cache.get(raw)
    if uri is None:
        hex_ = raw.hex().upper()
        try:
            uri = epc.decode_hex(hex_).pure_uri
        except epc.EpcError:
            uri = epc.raw_uri(hex_)
        cache[raw] = uri
    return uri


def project(
    reader_id: str,
    configs: Sequence[ReadPointConfig],
    state: dict[str, Any],
    reads: Sequence[store.Read],
    until: datetime,
    utc_offset: str,
) -> Projected:
    """Pure: the events the reads up to `until` make, and the state to resume from."""
    smoothers = {
        c.read_point: ReadPointSmoother.restore(
            c.params, state.get("smoothers", {}).get(c.read_point, {})
        )
        for c in configs
    }
    packers = {
        c.read_point: PackingGrouper.restore(
            c.params.pack_window_s, state.get("packing", {}).get(c.read_point, {})
        )
        for c in configs
        if c.kind is ReadPointKind.PACKING_STATION
    }
    by_antenna = {number: c for c in configs for number in c.antennas}
    only = configs[0] if len(configs) == 1 else None
    unmapped = int(state.get("unmapped_reads", 0))
    events: list[EpcisEvent] = []
    cache: dict[bytes, str] = {}

    def observed(config: ReadPointConfig, departures: Sequence[object]) -> None:
        for d in departures:
            if not isinstance(d, Departed):
                continue  # an arrival: the event waits for the direction, known at departure
            ctx = context(config, d.direction, utc_offset)
            events.append(object_observe_event([d.epc], d.last_seen, ctx))
            if config.read_point in packers:
                packers[config.read_point].departed(d)

    for r in reads:
        config = by_antenna.get(r.antenna, only)  # antenna 0 (not said) at a one-point reader
        if config is None:
            unmapped += 1
            continue
        tag = TagRead(reader_id, r.antenna, epc_uri(r.epc, cache), r.read_time, r.rssi_dbm)
        observed(config, smoothers[config.read_point].read(tag))
    for config in configs:
        observed(config, smoothers[config.read_point].advance(until))
    for config in configs:
        packer = packers.get(config.read_point)
        if packer is None:
            continue
        closed_until = until - timedelta(seconds=config.params.quiet_period_s)
        ctx = context(config, Direction.UNKNOWN, utc_offset)
        for packed in packer.settle(closed_until):
            events.append(
                aggregation_add_event(packed.parent, list(packed.children), packed.packed_at, ctx)
            )
    return Projected(
        events,
        {
            "smoothers": {urn: s.snapshot() for urn, s in smoothers.items()},
            "packing": {urn: p.snapshot() for urn, p in packers.items()},
            "unmapped_reads": unmapped,
        },
    )


@dataclass(slots=True)
class RunStats:
    readers: int = 0
    busy: int = 0  # claimed by another runner
    failed: int = 0
    reads: int = 0
    events: int = 0  # newly stored
    unusable_read_points: list[str] = field(default_factory=list)


def _step(
    conn: psycopg.Connection,
    reader: DeviceDetail,
    configs: Sequence[ReadPointConfig],
    settings: EpcisSettings,
    now: datetime | None,
    stats: RunStats,
) -> bool:
    """One transaction for one reader; True when it has caught up (or is busy)."""
    pk = reader.device.pk
    with conn.transaction():
        progress = store.claim(conn, pk)
        if progress is None:
            stats.busy += 1
            return True
        horizon = (now or store.now(conn)) - timedelta(seconds=settings.settle_s)
        after = progress.watermark or store.EPOCH
        if after >= horizon:
            return True
        end = store.chunk_end(conn, pk, after, horizon, settings.project_batch_reads) or horizon
        reads = store.reads(conn, pk, after, end)
        out = project(
            reader.device.device_id, configs, progress.state, reads, end, settings.site_utc_offset
        )
        stored = sum(s.inserted for s in events_store.insert_events(conn, out.events))
        store.save_progress(
            conn, pk, watermark=end, state=out.state, reads=len(reads), events=stored
        )
    stats.reads += len(reads)
    stats.events += stored
    return end >= horizon


def readers(conn: psycopg.Connection) -> list[DeviceDetail]:
    """Active RFID readers that have antennas configured."""
    out: list[DeviceDetail] = []
    after = None
    while True:
        page = devices.page(
            conn, kind=DeviceKind.RFID_READER, include_retired=False, after=after, limit=500
        )
        out.extend(d for d in page if d.antennas)
        if len(page) < 500:
            return out
        after = page[-1].device.device_id


def run_once(
    conn: psycopg.Connection,
    settings: EpcisSettings,
    *,
    now: datetime | None = None,
    only: Sequence[str] | None = None,
) -> RunStats:
    """Bring every reader (or the readers `only` names) up to `now - settle_s`."""
    stats = RunStats()
    for reader in readers(conn):
        if only is not None and reader.device.device_id not in only:
            continue
        configs, unusable = read_points(reader.antennas)
        stats.unusable_read_points += unusable
        if not configs:
            continue
        stats.readers += 1
        with conn.transaction():
            store.ensure_progress(conn, reader.device.pk)
        try:
            while not _step(conn, reader, configs, settings, now, stats):
                pass
        except (psycopg.OperationalError, psycopg.InterfaceError):
            raise  # the database is gone: let the caller reconnect
        except Exception:  # one reader's bug must not stop the others; retried next run
            log.exception("projection of reader %s failed", reader.device.device_id)
            stats.failed += 1
    return stats
